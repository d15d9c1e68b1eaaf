"""A tiny parallel function, run once so that Numba picks (and reports) its threading layer."""
import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def _tiny(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    return s


def threading_layer() -> str:
    import numba

    _tiny(np.ones(64))
    return numba.threading_layer()
