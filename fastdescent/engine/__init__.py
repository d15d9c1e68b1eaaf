"""The trajectory engine: compiled drivers, ``run`` and ``sweep``."""
from . import memory, status, storage
from .criteria import LossRatio, NotDiverged
from .grids import Grid, grid, latin_hypercube, random_starts
from .trajectories import PrecisionWarning, Result, RunInterrupted, float32_tol_floor, run
from .sweeps import SweepPlan, load, make_plan, save, sweep

__all__ = ["run", "Result", "RunInterrupted", "status", "sweep", "load", "save", "make_plan",
           "SweepPlan", "LossRatio", "NotDiverged", "Grid", "grid", "random_starts",
           "latin_hypercube", "storage", "memory", "PrecisionWarning", "float32_tol_floor"]
