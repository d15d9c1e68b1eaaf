"""Status codes of a trajectory (``Result.status``), as fixed by :mod:`fastdescent.contract`."""
from ..contract import CONVERGED, DIVERGED, MAX_STEPS, NOT_RUN
from ..contract import STATUS_NAMES as NAMES

__all__ = ["MAX_STEPS", "CONVERGED", "DIVERGED", "NOT_RUN", "NAMES"]
