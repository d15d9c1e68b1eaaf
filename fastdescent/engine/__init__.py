"""The trajectory engine: compiled drivers, ``run`` and ``sweep``."""
from . import status
from .run import Result, RunInterrupted, run

__all__ = ["run", "Result", "RunInterrupted", "status"]
