"""Starting points: regular grids over a box, uniform random and Latin-hypercube samples."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..models.base import Model


@dataclass(frozen=True, eq=False)
class Grid:
    """A regular grid of starting points over some parameters (others held fixed).

    ``axes`` maps parameter names to their 1-D coordinates; points are enumerated in C order
    (the last axis varies fastest), so result arrays reshape to ``shape`` with dims ``dims``.

    Examples
    --------
    A 2 x 3 grid; the points enumerate in C order (the last axis fastest):

    >>> import fastdescent as fd
    >>> g = fd.grid(fd.models.rosenbrock(), (2, 3))
    >>> g.dims, g.shape, g.size
    (('phi0', 'phi1'), (2, 3), 6)
    >>> g.points
    array([[-2., -1.],
           [-2.,  1.],
           [-2.,  3.],
           [ 2., -1.],
           [ 2.,  1.],
           [ 2.,  3.]])
    >>> g.points_at([4])
    array([[2., 1.]])
    """

    axes: dict
    param_names: tuple
    fixed: np.ndarray = field(default=None)

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def points(self) -> np.ndarray:
        """(M, P) starting points in C order over ``dims``."""
        mesh = np.meshgrid(*self.axes.values(), indexing="ij")
        P = len(self.param_names)
        pts = np.empty((self.size, P))
        pts[:] = self.fixed if self.fixed is not None else 0.0
        for name, m in zip(self.axes, mesh):
            pts[:, self.param_names.index(name)] = m.ravel()
        return pts

    def points_at(self, flat: np.ndarray) -> np.ndarray:
        """Points for flat indices (without building the whole grid)."""
        idx = np.unravel_index(flat, self.shape)
        P = len(self.param_names)
        pts = np.empty((len(flat), P))
        pts[:] = self.fixed if self.fixed is not None else 0.0
        for (name, vals), i in zip(self.axes.items(), idx):
            pts[:, self.param_names.index(name)] = np.asarray(vals)[i]
        return pts


def _box(model: Model, box):
    if box is None:
        return np.asarray(model.box, dtype=float)
    b = np.asarray(box, dtype=float)
    if b.shape != (model.n_params, 2) or not np.all(b[:, 1] > b[:, 0]):
        raise ValueError(f"box must be {model.n_params} pairs (lo, hi) with hi > lo")
    return b


def grid(model: Model, n=64, *, box=None, params=None, fixed=None) -> Grid:
    """A regular grid of starting points over ``model``'s box (or ``box``).

    Parameters
    ----------
    n : int or sequence of int
        Points per axis.
    params : sequence of str, optional
        Which parameters to vary (default: all); the others take ``fixed`` values.

    Raises
    ------
    ValueError
        An unknown parameter name, ``n`` below 1, or missing ``fixed`` values.

    Returns
    -------
    Grid
        ``axes``, ``dims``, ``shape`` and the points in C order (``grid.points``).

    Examples
    --------
    >>> import fastdescent as fd
    >>> g = fd.grid(fd.models.gabor(), 3)
    >>> g.axes["phi0"], g.axes["phi1"]
    (array([-10.,   0.,  10.]), array([ 2.5, 12.5, 22.5]))
    """
    names = model.param_names
    params = tuple(names) if params is None else tuple(params)
    for p in params:
        if p not in names:
            raise ValueError(f"unknown parameter {p!r}; model {model.name!r} has "
                             f"{', '.join(names)}")
    ns = [n] * len(params) if np.ndim(n) == 0 else list(n)
    if len(ns) != len(params) or any(int(k) < 1 for k in ns):
        raise ValueError(f"n must be an integer >= 1 or one per parameter ({len(params)})")
    b = _box(model, box)
    axes = {p: np.linspace(b[names.index(p), 0], b[names.index(p), 1], int(k))
            for p, k in zip(params, ns)}
    fx = None
    if len(params) < len(names):
        if fixed is None:
            raise ValueError(f"give fixed values for the parameters not in params "
                             f"({', '.join(x for x in names if x not in params)})")
        fx = model.check_params(fixed, "fixed")
    return Grid(axes, tuple(names), fx)


def random_starts(model: Model, n: int, *, seed: int = 0, box=None) -> np.ndarray:
    """``n`` starting points uniform in the box (NumPy's PCG64 keyed by ``seed``).

    Examples
    --------
    >>> import fastdescent as fd
    >>> fd.random_starts(fd.models.gabor(), 3, seed=0).round(3)
    array([[ 2.739,  7.896],
           [-9.181,  2.831],
           [ 6.265, 20.755]])

    Parameters
    ----------
    model : Model
        Its box is sampled (unless ``box`` is given).
    n : int
        Number of points.
    seed : int
        Seed of the generator.
    box : sequence of (lo, hi), optional
        Another box, one pair per parameter.

    Returns
    -------
    ndarray, shape (n, P)

    Raises
    ------
    ValueError
        If ``box`` does not have one pair ``lo < hi`` per parameter.
    """
    b = _box(model, box)
    u = np.random.default_rng(seed).random((int(n), model.n_params))
    return b[:, 0] + u * (b[:, 1] - b[:, 0])


def latin_hypercube(model: Model, n: int, *, seed: int = 0, box=None) -> np.ndarray:
    """``n`` Latin-hypercube starting points: one in each of ``n`` equal slices per axis.

    Parameters
    ----------
    model : Model
        Its box is sampled (unless ``box`` is given).
    n : int
        Number of points (and of slices per axis).
    seed : int
        Seed of the generator.
    box : sequence of (lo, hi), optional
        Another box, one pair per parameter.

    Returns
    -------
    ndarray, shape (n, P)

    Raises
    ------
    ValueError
        If ``box`` does not have one pair ``lo < hi`` per parameter.

    Examples
    --------
    Each of the 4 slices of each axis holds exactly one point:

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic()
    >>> pts = fd.latin_hypercube(m, 4, seed=1)
    >>> [sorted(np.floor((pts[:, k] + 1) / 0.5).astype(int).tolist()) for k in range(2)]
    [[0, 1, 2, 3], [0, 1, 2, 3]]
    """
    b = _box(model, box)
    g = np.random.default_rng(seed)
    n = int(n)
    u = (np.argsort(g.random((model.n_params, n)), axis=1).T + g.random((n, model.n_params))) / n
    return b[:, 0] + u * (b[:, 1] - b[:, 0])
