"""Status codes of a trajectory (``Result.status``)."""

__all__ = ["MAX_STEPS", "CONVERGED", "DIVERGED", "NOT_RUN", "NAMES"]
MAX_STEPS = 0  #: used the whole step budget
CONVERGED = 1  #: gradient norm fell below ``tol``
DIVERGED = 2  #: a non-finite loss, gradient or parameter, or a parameter beyond ``bound``
NOT_RUN = -1  #: not computed (an interrupted run)

NAMES = {MAX_STEPS: "max_steps", CONVERGED: "converged", DIVERGED: "diverged", NOT_RUN: "not_run"}
