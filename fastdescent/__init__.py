"""fastdescent: gradient-based optimization at scale with Numba.

>>> import fastdescent as fd
>>> res = fd.run(fd.models.gabor(), fd.optim.adam(lr=0.05), init=[0.6, -0.2], steps=200)
"""
from ._version import __version__  # noqa: E402,F401

from . import _cpu  # noqa: E402,F401  (before anything imports Numba)

from . import engine, models, optim  # noqa: E402
from .engine import (LossRatio, NotDiverged, Result, grid, latin_hypercube, load, random_starts, run, save,  # noqa: E402
                     sweep)

__all__ = ["run", "sweep", "load", "save", "grid", "random_starts", "latin_hypercube", "Result", "LossRatio", "NotDiverged",
           "models", "optim", "engine", "__version__"]
