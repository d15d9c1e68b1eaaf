"""fastdescent: gradient-based optimization at scale with Numba.

>>> import fastdescent as fd
>>> res = fd.run(fd.models.gabor(), fd.optim.adam(lr=0.05), init=[0.6, -0.2], steps=200)
"""
__version__ = "0.1.0"

from . import engine, models, optim  # noqa: E402
from .engine import Result, run  # noqa: E402

__all__ = ["run", "Result", "models", "optim", "engine", "__version__"]
