"""fastdescent: gradient-based optimization at scale with Numba.

>>> import fastdescent as fd
>>> res = fd.run(fd.models.gabor(), fd.optim.adam(lr=0.05), init=[0.6, -0.2], steps=200)
"""
from ._version import __version__  # noqa: E402,F401

from . import _cpu  # noqa: E402,F401  (before anything imports Numba)

from . import engine, models, optim  # noqa: E402
from .engine import (LossRatio, NotDiverged, Result, grid, latin_hypercube, load,  # noqa: E402
                     random_starts, run, save, sweep)


def explore(*args, **kwargs):
    """The live explorer (``fastdescent.explore.explore``; imported on first use, its page
    needs ``pip install fastdescent[explore]``).

    Importing the subpackage replaces this name with the module ``fastdescent.explore``,
    which is callable the same way.
    """
    from .explore import explore as _explore

    return _explore(*args, **kwargs)


# ``explore`` (above) is documented with its module, fastdescent.explore
__all__ = ["run", "sweep", "load", "save", "grid", "random_starts", "latin_hypercube",
           "Result", "LossRatio", "NotDiverged", "models", "optim", "engine", "__version__"]
