"""Basins of attraction from plain arrays: attractors, basin fractions, entropy, fractal measures.

Everything here works on NumPy arrays (final parameters, status codes, label grids); nothing
imports the engine, so the functions can be tested and reused on any source of trajectories.

Conventions
-----------
Engine status codes (int8), one per trajectory:

* ``0`` (:data:`STATUS_MAX_STEPS`) -- reached the step limit,
* ``1`` (:data:`STATUS_CONVERGED`) -- converged, :math:`\\|\\nabla L\\| < \\mathrm{tol}`,
* ``2`` (:data:`STATUS_DIVERGED`) -- diverged.

Trajectory labels (int64), one per trajectory:

* ``>= 0`` -- index of the attractor the trajectory converged to,
* :data:`LABEL_DIVERGED` ``= -1`` -- diverged (and nothing else),
* :data:`LABEL_NOT_CONVERGED` ``= -2`` -- did not converge within the step budget.

Functions
---------
:func:`find_attractors`
    Cluster the endpoints of converged trajectories into attractors and label every start.
:func:`basin_fractions`
    Share of each basin among the converged starts, with binomial standard errors.
:func:`basin_entropy`, :func:`box_entropy_map`
    Basin entropy :math:`S_b` and boundary basin entropy :math:`S_{bb}` (Daza et al. 2016).
:func:`uncertainty_exponent`, :func:`boundary_dimension`
    Uncertainty exponent :math:`\\alpha` and box-counting dimension :math:`D` of basin
    boundaries on a 2-D label grid; for a boundary in the plane :math:`D = 2 - \\alpha`.

References
----------
A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin, M. A. F. Sanjuan, "Basin entropy: a new
tool to analyze uncertainty in dynamical systems", Sci. Rep. 6, 31416 (2016).
S. W. McDonald, C. Grebogi, E. Ott, J. A. Yorke, "Fractal basin boundaries", Physica D 17,
125-153 (1985).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import numba
import numpy as np

from ..contract import CONVERGED, DIVERGED, MAX_STEPS

__all__ = [
    "LABEL_DIVERGED",
    "LABEL_NOT_CONVERGED",
    "STATUS_MAX_STEPS",
    "STATUS_CONVERGED",
    "STATUS_DIVERGED",
    "KINDS",
    "Attractors",
    "BasinFractions",
    "LogLogFit",
    "UncertaintyExponent",
    "BoundaryDimension",
    "classify_critical_point",
    "find_attractors",
    "basin_fractions",
    "basin_entropy",
    "box_entropy_map",
    "uncertainty_exponent",
    "boundary_dimension",
    "boundary_cells",
]

#: Label of a trajectory that diverged (and of nothing else).
LABEL_DIVERGED = -1
#: Label of a trajectory that did not converge within its step budget.
LABEL_NOT_CONVERGED = -2

#: Engine status codes (:mod:`fastdescent.contract`), under the names this module uses.
STATUS_MAX_STEPS, STATUS_CONVERGED, STATUS_DIVERGED = MAX_STEPS, CONVERGED, DIVERGED

#: The attractor kinds :func:`find_attractors` can report.
KINDS = ("minimum", "maximum", "saddle", "degenerate", "unknown")

# Cell indices must stay far from the int64 limits (neighbour arithmetic adds +-2).
_CELL_LIMIT = 2.0 ** 62


# ====================================================================================== results
@dataclass(frozen=True, eq=False)
class Attractors:
    """The attractors found in a run (read-only arrays).

    Attributes
    ----------
    locations : ndarray, shape (K, P)
        One representative point per attractor (see :func:`find_attractors`).
    losses : ndarray, shape (K,)
        Loss at each location (NaN when no loss function was given).
    kinds : tuple of str, length K
        ``'minimum'``, ``'maximum'``, ``'saddle'``, ``'degenerate'`` or ``'unknown'``.
    counts : ndarray of int64, shape (K,)
        Number of converged trajectories in each attractor's basin in this run (an attractor
        inherited from a ``reference`` and not reached in this run has count 0).

    Raises
    ------
    ValueError
        If the arrays do not have matching lengths or a kind is not one of :data:`KINDS`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.analysis import Attractors
    >>> att = Attractors(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 0.5]),
    ...                  ("minimum", "saddle"), np.array([7, 3]))
    >>> len(att), att.n_params, att.kinds
    (2, 2, ('minimum', 'saddle'))
    """

    locations: np.ndarray
    losses: np.ndarray
    kinds: tuple
    counts: np.ndarray

    def __post_init__(self):
        loc = np.array(self.locations, dtype=np.float64)
        if loc.ndim != 2:
            raise ValueError(f"locations must have shape (K, P), got shape {loc.shape}")
        k = loc.shape[0]
        losses = np.array(self.losses, dtype=np.float64).reshape(-1)
        counts = np.array(self.counts, dtype=np.int64).reshape(-1)
        kinds = tuple(str(s) for s in self.kinds)
        for name, n in (("losses", losses.shape[0]), ("counts", counts.shape[0]),
                        ("kinds", len(kinds))):
            if n != k:
                raise ValueError(f"{name} must have length K={k} (one per location), got {n}")
        bad = [s for s in kinds if s not in KINDS]
        if bad:
            raise ValueError(f"kinds must be among {KINDS}, got {bad[0]!r}")
        for arr in (loc, losses, counts):
            arr.flags.writeable = False
        object.__setattr__(self, "locations", loc)
        object.__setattr__(self, "losses", losses)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "kinds", kinds)

    def __len__(self) -> int:
        return int(self.locations.shape[0])

    @property
    def n_params(self) -> int:
        """Number of parameters P."""
        return int(self.locations.shape[1])

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}@{np.array2string(l, precision=4)}"
                         for k, l in zip(self.kinds[:4], self.locations[:4]))
        more = ", ..." if len(self) > 4 else ""
        return f"<Attractors K={len(self)}: {rows}{more}>"


@dataclass(frozen=True, eq=False)
class BasinFractions:
    """Result of :func:`basin_fractions`.

    Unpacks as ``fractions, stderr = basin_fractions(labels)``.

    Attributes
    ----------
    fractions : ndarray, shape (K,)
        :math:`f_k = n_k / n_c`, share of attractor ``k`` among the :math:`n_c` converged
        starts (sums to 1; all NaN when no start converged).
    stderr : ndarray, shape (K,)
        Binomial standard error :math:`\\sqrt{f_k (1 - f_k) / n_c}`.
    counts : ndarray of int64, shape (K,)
        :math:`n_k`.
    n_converged, n_total : int
        Converged starts :math:`n_c` and all starts :math:`n`.
    diverged, not_converged : float
        Share of all :math:`n` starts labelled ``-1`` / ``-2`` (NaN when ``n = 0``).
    diverged_stderr, not_converged_stderr : float
        Their binomial standard errors over :math:`n`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.analysis import basin_fractions
    >>> fractions, stderr = basin_fractions(np.array([0, 0, 0, 1, -1]))
    >>> fractions, stderr.round(4)
    (array([0.75, 0.25]), array([0.2165, 0.2165]))
    """

    fractions: np.ndarray
    stderr: np.ndarray
    counts: np.ndarray
    n_converged: int
    n_total: int
    diverged: float
    not_converged: float
    diverged_stderr: float
    not_converged_stderr: float

    def __iter__(self):
        return iter((self.fractions, self.stderr))


class LogLogFit(NamedTuple):
    """Least-squares line :math:`\\log y = \\mathrm{slope}\\,\\log x + \\mathrm{intercept}`.

    ``fit(x)`` evaluates :math:`e^{\\mathrm{intercept}} x^{\\mathrm{slope}}` (for plotting the
    fitted line over the data). ``r2`` is the coefficient of determination in log space;
    ``n_points`` the number of points used (those with :math:`y > 0`). With fewer than two
    usable points every number is NaN.

    Examples
    --------
    A power law :math:`y = 3x^2` is fitted exactly:

    >>> import numpy as np
    >>> from fastdescent.analysis import LogLogFit
    >>> from fastdescent.analysis.basins import _loglog_fit
    >>> fit = _loglog_fit(np.array([1.0, 2.0, 4.0]), 3 * np.array([1.0, 2.0, 4.0]) ** 2)
    >>> isinstance(fit, LogLogFit), round(fit.slope, 12), round(float(fit(3.0)), 9), fit.n_points
    (True, 2.0, 27.0, 3)
    """

    slope: float
    intercept: float
    r2: float
    n_points: int

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.exp(self.intercept + self.slope * np.log(x))


class UncertaintyExponent(NamedTuple):
    """Result of :func:`uncertainty_exponent`.

    Attributes
    ----------
    alpha : float
        Uncertainty exponent, the slope of :math:`\\log f` against :math:`\\log\\varepsilon`.
    eps : ndarray of int64
        The distances :math:`\\varepsilon` in grid cells.
    fraction : ndarray
        :math:`f(\\varepsilon)`, the fraction of :math:`\\varepsilon`-uncertain cells.
    fit : LogLogFit
        The fit (x = eps in cells, y = fraction).

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.analysis import uncertainty_exponent
    >>> grid = (np.arange(64)[:, None] >= 32) * np.ones(64, int)   # two half planes
    >>> u = uncertainty_exponent(grid)
    >>> round(u.alpha, 6), round(u.dimension, 6), u.eps
    (1.0, 1.0, array([1, 2, 4, 8]))
    """

    alpha: float
    eps: np.ndarray
    fraction: np.ndarray
    fit: LogLogFit

    @property
    def dimension(self) -> float:
        """Boundary dimension implied in the plane, :math:`D = 2 - \\alpha`."""
        return 2.0 - self.alpha


class BoundaryDimension(NamedTuple):
    """Result of :func:`boundary_dimension`.

    Attributes
    ----------
    dimension : float
        Box-counting dimension, the slope of :math:`\\log N(s)` against :math:`\\log(1/s)`.
    sizes : ndarray of int64
        Box sizes :math:`s` in grid cells.
    counts : ndarray of int64
        :math:`N(s)`, boxes of size :math:`s` that contain a boundary cell.
    fit : LogLogFit
        The fit (x = 1/s, y = N(s)).

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.analysis import boundary_dimension
    >>> grid = (np.arange(64)[:, None] >= 32) * np.ones(64, int)   # a straight boundary
    >>> d = boundary_dimension(grid)
    >>> round(d.dimension, 6), d.sizes, d.counts
    (1.0, array([1, 2, 4, 8]), array([64, 32, 16,  8]))
    """

    dimension: float
    sizes: np.ndarray
    counts: np.ndarray
    fit: LogLogFit


# ====================================================================================== kernels
@numba.njit(cache=True)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@numba.njit(cache=True)
def _lower_bound(cells, lo, hi, a, b):
    """First index in [lo, hi) whose (cells[:, 0], cells[:, 1]) is >= (a, b)."""
    while lo < hi:
        mid = (lo + hi) // 2
        c0 = cells[mid, 0]
        if c0 < a or (c0 == a and cells[mid, 1] < b):
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True)
def _cell_components(cells):
    """Connected components of occupied grid cells under Chebyshev adjacency (<= 1 step).

    ``cells`` (U, P>=2) holds distinct int64 rows sorted lexicographically. For each cell only
    the cells whose first two indices lie in the 2x3 window ahead of it are inspected (found by
    binary search), so the cost is O(U log U) plus the cells that share that window.
    Returns the root index of each cell's component.
    """
    u = cells.shape[0]
    p = cells.shape[1]
    parent = np.arange(u)
    for i in range(u):
        a = cells[i, 0]
        b = cells[i, 1]
        for da in range(2):
            lo = _lower_bound(cells, 0, u, a + da, b - 1)
            hi = _lower_bound(cells, lo, u, a + da, b + 2)
            if da == 0 and lo < i + 1:
                lo = i + 1
            for j in range(lo, hi):
                near = True
                for k in range(2, p):
                    d = cells[j, k] - cells[i, k]
                    if d > 1 or d < -1:
                        near = False
                        break
                if near:
                    ri = _find(parent, i)
                    rj = _find(parent, j)
                    if ri != rj:
                        if ri < rj:
                            parent[rj] = ri
                        else:
                            parent[ri] = rj
    roots = np.empty(u, dtype=np.int64)
    for i in range(u):
        roots[i] = _find(parent, i)
    return roots


@numba.njit(cache=True)
def _mix(h, v):
    """One splitmix64 step folding the 64-bit word ``v`` into the hash ``h``."""
    h = (h ^ v) + np.uint64(0x9E3779B97F4A7C15)
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@numba.njit(cache=True)
def _grid_cells(x, delta, axes, limit):
    """Cell indices floor(x / delta) with columns in ``axes`` order (at least two columns,
    zero-padded) and a hash of the columns after the first two. ``ok`` is False when an index
    is beyond +-limit."""
    m = x.shape[0]
    p = axes.shape[0]
    q = max(p, 2)
    cells = np.zeros((m, q), dtype=np.int64)
    h = np.empty(m, dtype=np.uint64)
    for i in range(m):
        hh = np.uint64(0)
        for t in range(p):
            k = axes[t]
            v = math.floor(x[i, k] / delta[k])
            if not abs(v) < limit:
                return cells, h, False
            c = np.int64(v)
            cells[i, t] = c
            if t >= 2:
                hh = _mix(hh, np.uint64(c))
        h[i] = hh
    return cells, h, True


@numba.njit(cache=True)
def _point_hashes(bits):
    """Hash of the exact float64 coordinates of each row (``bits`` is the uint64 view);
    -0.0 hashes like 0.0."""
    m = bits.shape[0]
    out = np.empty(m, dtype=np.uint64)
    neg0 = np.uint64(0x8000000000000000)
    for i in range(m):
        hh = np.uint64(0)
        for k in range(bits.shape[1]):
            v = bits[i, k]
            if v == neg0:
                v = np.uint64(0)
            hh = _mix(hh, v)
        out[i] = hh
    return out


@numba.njit(cache=True)
def _cluster_summary(xs, starts, w):
    """Mean and representative of each cluster of the sorted points ``xs``.

    Cluster c is ``xs[starts[c]:starts[c+1]]``. The representative is the member closest
    (scaled Euclidean norm, coordinates divided by ``w``) to the cluster mean; ties go to the
    first member in the (canonical) sorted order, where the sums also run.
    """
    c_n = starts.shape[0] - 1
    p = xs.shape[1]
    means = np.zeros((c_n, p))
    rep = np.empty(c_n, dtype=np.int64)
    for c in range(c_n):
        s0 = starts[c]
        s1 = starts[c + 1]
        for i in range(s0, s1):
            for k in range(p):
                means[c, k] += xs[i, k]
        for k in range(p):
            means[c, k] /= s1 - s0
        best = np.inf
        rep[c] = s0
        for i in range(s0, s1):
            d = 0.0
            for k in range(p):
                t = (xs[i, k] - means[c, k]) / w[k]
                d += t * t
            if d < best:
                best = d
                rep[c] = i
    return means, rep


@numba.njit(cache=True)
def _min_dist_to_refs(xs, starts, w, refs):
    """(C, R) minimum over each cluster's members of the scaled max-norm distance to refs."""
    c_n = starts.shape[0] - 1
    r_n = refs.shape[0]
    p = xs.shape[1]
    out = np.full((c_n, r_n), np.inf)
    for c in range(c_n):
        for i in range(starts[c], starts[c + 1]):
            for r in range(r_n):
                d = 0.0
                for k in range(p):
                    t = abs(xs[i, k] - refs[r, k]) / w[k]
                    if t > d:
                        d = t
                if d < out[c, r]:
                    out[c, r] = d
    return out


@numba.njit(cache=True)
def _box_entropies(g, box):
    """Gibbs entropy (natural log) and number of distinct labels of every full box x box box."""
    nr = g.shape[0] // box
    nc = g.shape[1] // box
    ent = np.empty((nr, nc))
    nlab = np.empty((nr, nc), dtype=np.int64)
    buf = np.empty(box * box, dtype=np.int64)
    n = box * box
    for bi in range(nr):
        for bj in range(nc):
            t = 0
            for i in range(bi * box, (bi + 1) * box):
                for j in range(bj * box, (bj + 1) * box):
                    buf[t] = g[i, j]
                    t += 1
            buf.sort()
            s = 0.0
            m = 0
            run = 1
            for t in range(1, n + 1):
                if t < n and buf[t] == buf[t - 1]:
                    run += 1
                else:
                    q = run / n
                    s -= q * math.log(q)
                    m += 1
                    run = 1
            ent[bi, bj] = s if s > 0.0 else 0.0
            nlab[bi, bj] = m
    return ent, nlab


@numba.njit(cache=True)
def _uncertain_fractions(g, ks, margin):
    """Fraction of cells in g[margin:-margin, margin:-margin] whose label differs from a cell
    at distance k along an axis, for each k in ks."""
    nr = g.shape[0]
    nc = g.shape[1]
    total = (nr - 2 * margin) * (nc - 2 * margin)
    out = np.empty(ks.shape[0])
    for t in range(ks.shape[0]):
        k = ks[t]
        cnt = 0
        for i in range(margin, nr - margin):
            for j in range(margin, nc - margin):
                v = g[i, j]
                if g[i - k, j] != v or g[i + k, j] != v or g[i, j - k] != v or g[i, j + k] != v:
                    cnt += 1
        out[t] = cnt / total
    return out


# ====================================================================================== helpers
def _as_label_grid(label_grid, name: str = "label_grid") -> np.ndarray:
    if label_grid is None:
        raise TypeError(f"{name} must be a 2-D array of integer labels, got None")
    g = np.asarray(label_grid)
    if g.dtype == np.bool_ or not np.issubdtype(g.dtype, np.integer):
        raise TypeError(f"{name} must hold integer labels, got dtype {g.dtype}")
    if g.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {g.shape}")
    if g.size == 0:
        raise ValueError(f"{name} is empty (shape {g.shape})")
    return np.ascontiguousarray(g, dtype=np.int64)


def _as_positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _as_sizes(values, name: str, upper: int) -> np.ndarray:
    """Validate a sequence of positive, distinct integer cell counts (< upper)."""
    arr = np.asarray(values)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a sequence of integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.size < 2:
        raise ValueError(f"{name} needs at least two values for a fit, got {arr.size}")
    if np.any(arr < 1):
        raise ValueError(f"{name} must be >= 1, got {arr.min()}")
    if np.any(arr >= upper):
        raise ValueError(f"{name} must be < {upper} for this grid, got {arr.max()}")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"{name} must not repeat values, got {arr.tolist()}")
    return np.sort(arr)


def _powers_of_two(upper: int) -> np.ndarray:
    out = [1]
    while out[-1] * 2 <= upper:
        out.append(out[-1] * 2)
    return np.array(out, dtype=np.int64)


def _loglog_fit(x, y) -> LogLogFit:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = (y > 0) & (x > 0)
    n = int(ok.sum())
    if n < 2:
        return LogLogFit(math.nan, math.nan, math.nan, n)
    lx = np.log(x[ok])
    ly = np.log(y[ok])
    slope, intercept = np.polyfit(lx, ly, 1)
    resid = ly - (slope * lx + intercept)
    ss_tot = float(np.sum((ly - ly.mean()) ** 2))
    ss_res = float(np.sum(resid ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)
    return LogLogFit(float(slope), float(intercept), float(r2), n)


def classify_critical_point(hessian, eig_rtol: float = 1e-6) -> str:
    """Kind of a critical point from its Hessian.

    With eigenvalues :math:`\\lambda_i` of the symmetrised Hessian
    :math:`\\tfrac12(H + H^T)` and threshold
    :math:`\\eta = \\mathrm{eig\\_rtol}\\max_i|\\lambda_i|`:

    * ``'saddle'`` if some :math:`\\lambda_i > \\eta` and some :math:`\\lambda_j < -\\eta`
      (indefinite: not an extremum whatever the flat directions do),
    * ``'degenerate'`` otherwise, if some :math:`|\\lambda_i| \\le \\eta` (semi-definite, the
      second-order test is inconclusive; includes :math:`H = 0`),
    * ``'minimum'`` if all :math:`\\lambda_i > \\eta`, ``'maximum'`` if all
      :math:`\\lambda_i < -\\eta`,
    * ``'unknown'`` if the Hessian is not finite.

    Raises
    ------
    ValueError
        If ``hessian`` is not square or ``eig_rtol`` is not in [0, 1).

    Parameters
    ----------
    hessian : array_like, shape (P, P)
        The Hessian at the critical point.
    eig_rtol : float
        Relative threshold :math:`\\eta / \\max_i|\\lambda_i|`, in [0, 1).

    Returns
    -------
    str
        One of :data:`KINDS`.

    Examples
    --------
    >>> from fastdescent.analysis import classify_critical_point
    >>> classify_critical_point([[2.0, 0.0], [0.0, 1.0]])
    'minimum'
    >>> classify_critical_point([[2.0, 0.0], [0.0, -1.0]])
    'saddle'
    >>> classify_critical_point([[1.0, 0.0], [0.0, 0.0]]), classify_critical_point([[-1.0]])
    ('degenerate', 'maximum')
    >>> classify_critical_point([1.0, 2.0])
    Traceback (most recent call last):
        ...
    ValueError: hessian must be a square (P, P) matrix, got shape (2,)
    """
    if not (isinstance(eig_rtol, (int, float, np.floating)) and 0 <= eig_rtol < 1):
        raise ValueError(f"eig_rtol must be a number in [0, 1), got {eig_rtol!r}")
    try:
        h = np.array(hessian, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("hessian must be a square array of numbers") from None
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] == 0:
        raise ValueError(f"hessian must be a square (P, P) matrix, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        return "unknown"
    lam = np.linalg.eigvalsh(0.5 * (h + h.T))
    eta = eig_rtol * float(np.max(np.abs(lam)))
    pos = bool(np.any(lam > eta))
    neg = bool(np.any(lam < -eta))
    if pos and neg:
        return "saddle"
    if np.any(np.abs(lam) <= eta):
        return "degenerate"
    return "minimum" if pos else "maximum"


# ====================================================================================== attractors
def find_attractors(endpoints, status, *, scale, tol: float = 1e-3,
                    hessian: Callable | None = None, loss: Callable | None = None,
                    reference: Attractors | None = None,
                    eig_rtol: float = 1e-6) -> tuple[Attractors, np.ndarray]:
    """Cluster the endpoints of converged trajectories into attractors and label every start.

    Parameters
    ----------
    endpoints : array_like, shape (M, P)
        Final parameters :math:`\\phi^{(m)}` of the M trajectories. Only the rows with status 1
        are used (and must be finite); diverged rows may hold anything.
    status : array_like of int, shape (M,)
        Engine status codes: 0 step limit, 1 converged, 2 diverged.
    scale : float or array_like, shape (P,)
        Positive widths :math:`w_k` of the parameter box, one per coordinate.
    tol : float, default 1e-3
        Relative clustering tolerance: coordinate :math:`k` is resolved to
        :math:`\\delta_k = \\mathrm{tol}\\, w_k`.
    hessian : callable ``hessian(phi) -> (P, P)``, optional
        Used to classify each attractor (see :func:`classify_critical_point`); without it every
        kind is ``'unknown'``.
    loss : callable ``loss(phi) -> float``, optional
        Loss at each attractor; without it the losses are NaN.
    reference : Attractors, optional
        Attractors of a parent run. An attractor found here that matches reference attractor
        ``r`` (some member within :math:`\\delta` of ``reference.locations[r]`` in the scaled
        max-norm) gets index ``r`` and keeps the reference's location, loss and kind; the others
        are appended after the reference's, so labels agree with the parent run when a
        sub-window is recomputed at higher resolution. The result always contains all the
        reference's attractors (count 0 when not reached).
    eig_rtol : float, default 1e-6
        Relative eigenvalue threshold for the classification.

    Returns
    -------
    attractors : Attractors
    labels : ndarray of int64, shape (M,)
        Attractor index for status 1, :data:`LABEL_DIVERGED` (-1) for status 2,
        :data:`LABEL_NOT_CONVERGED` (-2) for status 0.

    Notes
    -----
    **Clustering.** With the scaled coordinates :math:`z_k = \\phi_k / \\delta_k`, every endpoint
    falls in the grid cell :math:`c = \\lfloor z \\rfloor \\in \\mathbb{Z}^P`. Clusters are the
    connected components of the occupied cells, two cells being adjacent when
    :math:`\\|c - c'\\|_\\infty \\le 1`. Hence

    * two endpoints with :math:`\\max_k |\\phi_k - \\phi'_k| / \\delta_k \\le 1` always share a
      cluster (their cells are adjacent), and
    * endpoints of different clusters are more than :math:`\\delta` apart in that norm,

    i.e. this is single-linkage clustering at a resolution between :math:`\\delta` and
    :math:`2\\delta`. It depends only on the *set* of endpoints, never on their order. Cost:
    :math:`O(MP)` hashing and three-key sorts, :math:`O(M \\log M)`, plus an
    :math:`O(U \\log U)` sweep over the U occupied cells (binary search on the two coordinates
    with the widest spread, then a check of the others).

    **Representative.** Each attractor's location is the member closest to the cluster mean
    in the scaled Euclidean norm: an actual endpoint, found in a canonical order of the points
    (by a 64-bit hash of their coordinates), so it is bit-for-bit independent of the input
    order.

    **Order.** Attractors are sorted by loss (NaN last), then lexicographically by location.
    With ``reference``, indices ``0..len(reference)-1`` are the reference's, the new
    attractors follow in that order. If several clusters match the same reference attractor,
    the closest takes its index and the others count as new (and vice versa).

    Raises
    ------
    TypeError
        A non-numeric ``endpoints``/``status``/``scale``, a non-callable ``loss``/``hessian``,
        ``reference`` not an :class:`Attractors`.
    ValueError
        Wrong shapes, unknown status codes, non-finite converged endpoints, non-positive
        ``scale`` or ``tol``, a ``reference`` with another number of parameters, a
        ``hessian`` result that is not (P, P).

    Examples
    --------
    Four endpoints near two points and one diverged start; the clusters are sorted by loss:

    >>> import numpy as np
    >>> from fastdescent.analysis import find_attractors
    >>> ends = np.array([[1.0, 0.0], [1.0002, 0.0], [-1.0, 0.0], [-1.0001, 0.0], [np.nan, np.nan]])
    >>> att, labels = find_attractors(ends, [1, 1, 1, 1, 2], scale=[2.0, 2.0],
    ...                               loss=lambda p: float(p[0]))
    >>> att.locations.round(4), att.counts, labels
    (array([[-1.,  0.],
           [ 1.,  0.]]), array([2, 2]), array([ 1,  1,  0,  0, -1]))
    """
    # ---------------------------------------------------------------- validation
    if endpoints is None:
        raise TypeError("endpoints must be an (M, P) array of numbers, got None")
    try:
        x = np.asarray(endpoints, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("endpoints must be an (M, P) array of numbers") from None
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"endpoints must have shape (M, P) with P >= 1, got shape {x.shape}")
    m, p = x.shape
    if status is None:
        raise TypeError("status must be an (M,) array of integer codes, got None")
    st = np.asarray(status)
    if st.dtype == np.bool_ or not np.issubdtype(st.dtype, np.integer):
        raise TypeError(f"status must hold integer codes 0, 1, 2, got dtype {st.dtype}")
    if st.shape != (m,):
        raise ValueError(f"status must have shape ({m},) to match endpoints, got {st.shape}")
    bad = ~np.isin(st, (STATUS_MAX_STEPS, STATUS_CONVERGED, STATUS_DIVERGED))
    if np.any(bad):
        raise ValueError(f"status codes must be 0, 1 or 2, got {int(st[bad][0])}")
    try:
        w = np.asarray(scale, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("scale must be a positive number or a (P,) array of them") from None
    if w.ndim == 0:
        w = np.full(p, float(w))
    if w.shape != (p,):
        raise ValueError(f"scale must have shape ({p},) (one width per parameter), "
                         f"got shape {w.shape}")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError(f"scale must be finite and > 0, got {w.tolist()}")
    if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, (int, float, np.floating,
                                                                   np.integer)):
        raise TypeError(f"tol must be a number, got {type(tol).__name__}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, got {tol}")
    if hessian is not None and not callable(hessian):
        raise TypeError("hessian must be a callable hessian(phi) -> (P, P) array or None")
    if loss is not None and not callable(loss):
        raise TypeError("loss must be a callable loss(phi) -> float or None")
    if reference is not None:
        if not isinstance(reference, Attractors):
            raise TypeError(f"reference must be an Attractors instance, "
                            f"got {type(reference).__name__}")
        if len(reference) and reference.n_params != p:
            raise ValueError(f"reference has {reference.n_params} parameters, "
                             f"endpoints have {p}")
    if not (isinstance(eig_rtol, (int, float, np.floating)) and 0 <= eig_rtol < 1):
        raise ValueError(f"eig_rtol must be a number in [0, 1), got {eig_rtol!r}")

    delta = tol * w
    labels = np.full(m, LABEL_NOT_CONVERGED, dtype=np.int64)
    labels[st == STATUS_DIVERGED] = LABEL_DIVERGED
    conv = np.flatnonzero(st == STATUS_CONVERGED)
    xc = np.ascontiguousarray(x[conv])
    if not np.all(np.isfinite(xc)):
        raise ValueError("endpoints of converged trajectories (status 1) must be finite")

    # ---------------------------------------------------------------- clustering
    if xc.shape[0]:
        # Sweep axes: the two with the widest spread first (stable, so order-independent).
        span = np.floor(xc.max(axis=0) / delta) - np.floor(xc.min(axis=0) / delta)
        axes = np.argsort(-span, kind="stable").astype(np.int64)
        # Sort cells by (axis a, axis b, hash of the other indices): the sweep needs (a, b)
        # order; equal cells become adjacent (a hash collision only splits a cell in two
        # pieces, which the sweep joins again, since they are at distance 0).
        cells, h_cells, ok = _grid_cells(xc, delta, axes, _CELL_LIMIT)
        if not ok:
            raise ValueError("endpoints are too large for the clustering tolerance tol*scale "
                             "(cell index beyond 2**62)")
        order = np.lexsort((h_cells, cells[:, 1], cells[:, 0]))
        cs = cells[order]
        new = np.ones(cs.shape[0], dtype=bool)
        new[1:] = np.any(cs[1:] != cs[:-1], axis=1)
        cell_of_sorted = np.cumsum(new) - 1
        ucells = np.ascontiguousarray(cs[new])
        cell_of = np.empty_like(cell_of_sorted)
        cell_of[order] = cell_of_sorted
        roots = _cell_components(ucells)
        _, comp = np.unique(roots[cell_of], return_inverse=True)
        comp = comp.reshape(-1).astype(np.int64)
        # Sort points by (cluster, hash of the exact coordinates, first coordinate): a
        # canonical order of the set (-0.0 hashes like 0.0), so the sums below are
        # bit-for-bit the same for any input order (barring a 64-bit hash collision).
        h_pts = _point_hashes(xc.view(np.uint64))
        porder = np.lexsort((xc[:, 0], h_pts, comp))
        xs = np.ascontiguousarray(xc[porder])
        comp_s = comp[porder]
        n_clusters = int(comp_s[-1]) + 1
        starts = np.searchsorted(comp_s, np.arange(n_clusters + 1)).astype(np.int64)
        _, rep = _cluster_summary(xs, starts, w)
        reps = xs[rep]
        counts = np.diff(starts)
    else:
        n_clusters = 0
        xs = np.empty((0, p))
        starts = np.zeros(1, dtype=np.int64)
        reps = np.empty((0, p))
        counts = np.empty(0, dtype=np.int64)
        comp = np.empty(0, dtype=np.int64)

    # ---------------------------------------------------------------- reference matching
    n_ref = len(reference) if reference is not None else 0
    match = np.full(n_clusters, -1, dtype=np.int64)
    if n_ref and n_clusters:
        refs = np.ascontiguousarray(reference.locations, dtype=np.float64)
        dist = _min_dist_to_refs(xs, starts, delta, refs)
        cand_c, cand_r = np.nonzero(dist <= 1.0)
        if cand_c.size:
            # Greedy by distance; ties by the clusters' own deterministic key, then ref index.
            ckey = np.lexsort(tuple(reps[:, k] for k in range(p - 1, -1, -1)))
            crank = np.empty(n_clusters, dtype=np.int64)
            crank[ckey] = np.arange(n_clusters)
            sel = np.lexsort((cand_r, crank[cand_c], dist[cand_c, cand_r]))
            taken = np.zeros(n_ref, dtype=bool)
            for c, r in zip(cand_c[sel].tolist(), cand_r[sel].tolist()):  # few candidates
                if match[c] < 0 and not taken[r]:
                    match[c] = r
                    taken[r] = True

    # ---------------------------------------------------------------- loss, kind, order
    new_idx = np.flatnonzero(match < 0)
    new_loss = np.full(new_idx.size, np.nan)
    new_kind = ["unknown"] * new_idx.size
    for t, c in enumerate(new_idx.tolist() if (loss or hessian) else ()):  # per attractor
        phi = reps[c].copy()
        if loss is not None:
            val = loss(phi.copy())
            try:
                new_loss[t] = float(val)
            except (TypeError, ValueError):
                raise TypeError(f"loss(phi) must return a float, got {type(val).__name__}") \
                    from None
        if hessian is not None:
            h = np.asarray(hessian(phi.copy()), dtype=np.float64)
            if h.shape != (p, p):
                raise ValueError(f"hessian(phi) must return a ({p}, {p}) array, "
                                 f"got shape {h.shape}")
            new_kind[t] = classify_critical_point(h, eig_rtol)
    keys = tuple(reps[new_idx, k] for k in range(p - 1, -1, -1))
    nl = new_loss.copy()
    nl[np.isnan(nl)] = 0.0
    sort_new = np.lexsort(keys + (nl, np.isnan(new_loss)))
    final = np.empty(n_clusters, dtype=np.int64)
    final[match >= 0] = match[match >= 0]
    final[new_idx[sort_new]] = n_ref + np.arange(new_idx.size)

    k_total = n_ref + new_idx.size
    loc = np.empty((k_total, p))
    losses = np.empty(k_total)
    kinds: list[str] = []
    all_counts = np.zeros(k_total, dtype=np.int64)
    if n_ref:
        loc[:n_ref] = reference.locations
        losses[:n_ref] = reference.losses
        kinds.extend(reference.kinds)
    loc[n_ref:] = reps[new_idx[sort_new]]
    losses[n_ref:] = new_loss[sort_new]
    kinds.extend(new_kind[i] for i in sort_new.tolist())
    if n_clusters:
        all_counts[final] = counts
        labels[conv] = final[comp]
    return Attractors(loc, losses, tuple(kinds), all_counts), labels


# ====================================================================================== fractions
def basin_fractions(labels, n_attractors: int | None = None) -> BasinFractions:
    """Share of each basin among the converged starts.

    With :math:`n_k` starts labelled :math:`k \\ge 0`, :math:`n_c = \\sum_k n_k` converged
    starts and :math:`n` starts in all,

    .. math:: f_k = n_k / n_c, \\qquad \\sigma_k = \\sqrt{f_k (1 - f_k) / n_c},

    the binomial standard error of :math:`f_k` for independently drawn starts (for a regular
    grid of starts it is only a scale of the sampling error). The shares of diverged (-1) and
    not-converged (-2) starts are taken over all :math:`n` starts.

    Parameters
    ----------
    labels : array_like of int, any shape
        Trajectory labels (see the module docstring).
    n_attractors : int, optional
        Number of attractors K (e.g. ``len(attractors)``); default ``max(labels) + 1``.
        Attractors with no start get fraction 0.

    Returns
    -------
    BasinFractions
        Unpacks as ``(fractions, stderr)``; also carries counts, totals and the diverged /
        not-converged shares. If no start converged, fractions and stderr are NaN.

    Raises
    ------
    TypeError
        ``labels`` not integer.
    ValueError
        Labels below -2, or a label >= ``n_attractors``.

    Examples
    --------
    Six starts: three in basin 0, two in basin 1, one diverged (-1). Of the five converged
    starts, :math:`f_0 = 3/5` and :math:`f_1 = 2/5`.

    >>> import numpy as np
    >>> from fastdescent.analysis import basin_fractions
    >>> fr = basin_fractions(np.array([0, 0, 1, -1, 0, 1]))
    >>> fr.fractions, fr.counts, fr.n_converged
    (array([0.6, 0.4]), array([3, 2]), 5)
    >>> round(fr.diverged, 4)
    0.1667
    """
    if labels is None:
        raise TypeError("labels must be an array of integer labels, got None")
    lab = np.asarray(labels)
    if lab.dtype == np.bool_ or not np.issubdtype(lab.dtype, np.integer):
        raise TypeError(f"labels must hold integer labels, got dtype {lab.dtype}")
    lab = lab.reshape(-1).astype(np.int64)
    if lab.size and lab.min() < LABEL_NOT_CONVERGED:
        raise ValueError(f"labels must be >= {LABEL_NOT_CONVERGED}, got {lab.min()}")
    top = int(lab.max()) + 1 if lab.size else 0
    if n_attractors is None:
        k = max(top, 0)
    else:
        if isinstance(n_attractors, (bool, np.bool_)) or not isinstance(
                n_attractors, (int, np.integer)):
            raise TypeError(f"n_attractors must be an integer, got {type(n_attractors).__name__}")
        if n_attractors < 0:
            raise ValueError(f"n_attractors must be >= 0, got {n_attractors}")
        k = int(n_attractors)
        if top > k:
            raise ValueError(f"labels contain attractor index {top - 1} but n_attractors={k}")
    conv = lab[lab >= 0]
    counts = np.bincount(conv, minlength=k).astype(np.int64)
    n_c = int(conv.size)
    n = int(lab.size)
    if n_c:
        f = counts / n_c
        se = np.sqrt(f * (1.0 - f) / n_c)
    else:
        f = np.full(k, np.nan)
        se = np.full(k, np.nan)

    def share(code):
        if n == 0:
            return math.nan, math.nan
        q = float(np.count_nonzero(lab == code)) / n
        return q, math.sqrt(q * (1.0 - q) / n)

    dv, dv_se = share(LABEL_DIVERGED)
    nc, nc_se = share(LABEL_NOT_CONVERGED)
    return BasinFractions(f, se, counts, n_c, n, dv, nc, dv_se, nc_se)


# ====================================================================================== entropy
def box_entropy_map(label_grid, box: int = 5) -> np.ndarray:
    """Gibbs entropy of every ``box`` x ``box`` box of a label grid (see :func:`basin_entropy`).

    Returns an array of shape ``(rows // box, cols // box)``; trailing rows/columns that do not
    fill a box are ignored.

    Raises
    ------
    ValueError
        If ``box`` is not an integer between 1 and the grid's smaller side.

    Parameters
    ----------
    label_grid : array_like of int, shape (R, C)
    box : int
        Box side in cells, ``1 <= box <= min(R, C)``.

    Returns
    -------
    ndarray, shape (R // box, C // box)
        :math:`S_i` of each box.

    Examples
    --------
    A box that straddles the boundary between two labels, half and half, has entropy
    :math:`\\log 2`:

    >>> import numpy as np
    >>> from fastdescent.analysis import box_entropy_map
    >>> grid = np.zeros((4, 8), int)
    >>> grid[:, 6:] = 1
    >>> (box_entropy_map(grid, box=4) / np.log(2)).round(6)
    array([[0., 1.]])
    """
    g = _as_label_grid(label_grid)
    box = _as_positive_int(box, "box")
    if box > min(g.shape):
        raise ValueError(f"box={box} is larger than the label grid {g.shape}")
    ent, _ = _box_entropies(g, box)
    return ent


def basin_entropy(label_grid, box: int = 5) -> tuple[float, float]:
    """Basin entropy :math:`S_b` and boundary basin entropy :math:`S_{bb}` (Daza et al. 2016).

    The grid is cut into :math:`N` boxes of ``box`` x ``box`` cells (trailing rows/columns
    that do not fill a box are ignored). In box :math:`i` label :math:`j` occurs with
    frequency :math:`p_{ij}`, and the box's Gibbs entropy (natural log) is

    .. math:: S_i = \\sum_{j} p_{ij} \\log \\frac{1}{p_{ij}} .

    Then :math:`S_b = \\frac1N \\sum_i S_i` and :math:`S_{bb} = \\frac1{N_b} \\sum_i S_i`, where
    the sum runs over all boxes and :math:`N_b` counts the boundary boxes (more than one label).
    :math:`S_b \\le \\log N_A` for :math:`N_A` labels; Daza et al. note that
    :math:`S_{bb} > \\log 2` is a sufficient condition for a fractal boundary.

    Every distinct value is a label, including :data:`LABEL_DIVERGED` (-1) and
    :data:`LABEL_NOT_CONVERGED` (-2): a box half diverged, half in basin 0 has entropy log 2.

    Parameters
    ----------
    label_grid : array_like of int, shape (R, C)
    box : int, default 5
        Box side in cells (Daza et al. use 5), ``1 <= box <= min(R, C)``.

    Returns
    -------
    S_b, S_bb : float
        ``S_bb`` is NaN when no box contains a boundary (e.g. a single-label grid, for which
        ``S_b = 0``).

    Raises
    ------
    ValueError
        If ``box`` is not an integer between 1 and the grid's smaller side.

    Examples
    --------
    Two half planes split by a boundary that runs through the middle of a column of boxes:

    >>> import numpy as np
    >>> from fastdescent.analysis import basin_entropy
    >>> grid = np.zeros((20, 20), int)
    >>> grid[:, 12:] = 1
    >>> S_b, S_bb = basin_entropy(grid, box=5)
    >>> round(S_b, 6), round(S_bb, 6)
    (0.168253, 0.673012)
    """
    g = _as_label_grid(label_grid)
    box = _as_positive_int(box, "box")
    if box > min(g.shape):
        raise ValueError(f"box={box} is larger than the label grid {g.shape}")
    ent, nlab = _box_entropies(g, box)
    s_b = float(ent.mean())
    boundary = nlab > 1
    s_bb = float(ent[boundary].mean()) if np.any(boundary) else math.nan
    return s_b, s_bb


# ====================================================================================== fractality
def uncertainty_exponent(label_grid, eps_cells: Sequence[int] | None = None
                         ) -> UncertaintyExponent:
    """Uncertainty exponent :math:`\\alpha` of the basin boundaries on a label grid.

    A cell is :math:`\\varepsilon`-uncertain if its label differs from the label of at least one
    of the four cells at distance :math:`\\varepsilon` (in cells) along the axes. The fraction
    :math:`f(\\varepsilon)` of uncertain cells scales as :math:`f \\propto \\varepsilon^{\\alpha}`
    (McDonald et al. 1985); :math:`\\alpha` is the least-squares slope of
    :math:`\\log f` against :math:`\\log \\varepsilon`, and the boundary's dimension in the plane
    is :math:`D = 2 - \\alpha` (``result.dimension``). A smooth boundary gives
    :math:`\\alpha = 1`; :math:`\\alpha < 1` means a fractal boundary (final-state
    sensitivity); :math:`\\alpha \\to 0` means riddled / randomly interleaved basins.

    The same cells are tested for every :math:`\\varepsilon`: those at least
    :math:`\\max\\varepsilon` cells from the grid edge. -1 and -2 count as labels.

    Parameters
    ----------
    label_grid : array_like of int, shape (R, C)
    eps_cells : sequence of int, optional
        Distances in cells; default :math:`1, 2, 4, \\dots \\le \\min(R, C) / 8`. Each must be
        below :math:`\\min(R, C) / 2`; at least two.

    Returns
    -------
    UncertaintyExponent
        ``alpha``, ``eps``, ``fraction`` and the ``fit``. Values of :math:`\\varepsilon` with
        :math:`f = 0` are left out of the fit; if fewer than two remain, ``alpha`` is NaN.

    Raises
    ------
    ValueError
        If the grid is too small or ``eps_cells`` holds fewer than two valid distances.

    Examples
    --------
    A smooth boundary (a straight line) has :math:`\\alpha = 1`, the fraction of uncertain
    cells doubling with :math:`\\varepsilon`:

    >>> import numpy as np
    >>> from fastdescent.analysis import uncertainty_exponent
    >>> grid = (np.arange(64)[:, None] >= 32) * np.ones(64, int)
    >>> u = uncertainty_exponent(grid, [1, 2, 4])
    >>> round(u.alpha, 6), u.fraction
    (1.0, array([0.03571429, 0.07142857, 0.14285714]))
    """
    g = _as_label_grid(label_grid)
    n = min(g.shape)
    if eps_cells is None:
        ks = _powers_of_two(n // 8)
        if ks.size < 2:
            raise ValueError(f"label_grid {g.shape} is too small: need min(R, C) >= 16 for "
                             f"the default eps_cells")
    else:
        ks = _as_sizes(eps_cells, "eps_cells", (n + 1) // 2)
    frac = _uncertain_fractions(g, ks, int(ks.max()))
    fit = _loglog_fit(ks, frac)
    return UncertaintyExponent(fit.slope, ks, frac, fit)


def boundary_cells(label_grid) -> np.ndarray:
    """Boolean mask of boundary cells: label differs from the next cell down or to the right.

    Marking one side of every interface only (the cell before it along each axis) keeps a
    straight interface one cell thick, so box counts are not biased at the smallest size.

    Parameters
    ----------
    label_grid : array_like of int, shape (R, C)

    Returns
    -------
    ndarray of bool, shape (R, C)

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.analysis import boundary_cells
    >>> boundary_cells([[0, 0, 1], [0, 0, 1], [2, 2, 2]]).astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 0, 0]])
    """
    g = _as_label_grid(label_grid)
    b = np.zeros(g.shape, dtype=bool)
    b[:-1, :] |= g[1:, :] != g[:-1, :]
    b[:, :-1] |= g[:, 1:] != g[:, :-1]
    return b


def boundary_dimension(label_grid, sizes: Sequence[int] | None = None) -> BoundaryDimension:
    """Box-counting dimension of the basin boundaries on a label grid.

    Boundary cells are those whose label differs from the next cell along an axis (the cell
    below or to the right; :func:`boundary_cells`), which marks each interface on one side
    only; -1 and -2 count as labels. :math:`N(s)` is the number of
    boxes of :math:`s \\times s` cells, tiling the grid from its corner (partial boxes at the
    far edges included), that contain a boundary cell, and

    .. math:: D = \\frac{d \\log N(s)}{d \\log (1/s)}

    is the least-squares slope. A smooth curve gives :math:`D = 1`, a boundary that fills the
    plane :math:`D = 2`.

    Parameters
    ----------
    label_grid : array_like of int, shape (R, C)
    sizes : sequence of int, optional
        Box sizes in cells; default :math:`1, 2, 4, \\dots \\le \\min(R, C) / 8`.

    Returns
    -------
    BoundaryDimension
        ``dimension``, ``sizes``, ``counts`` and the ``fit``. NaN dimension when the grid has
        no boundary.

    Raises
    ------
    ValueError
        If the grid is too small or ``sizes`` holds fewer than two valid sizes.

    Examples
    --------
    A straight boundary is a curve of dimension 1; a checkerboard's fills the plane:

    >>> import numpy as np
    >>> from fastdescent.analysis import boundary_dimension
    >>> line = (np.arange(64)[:, None] >= 32) * np.ones(64, int)
    >>> checker = np.indices((64, 64)).sum(axis=0) % 2
    >>> round(boundary_dimension(line).dimension, 6), round(boundary_dimension(checker).dimension, 6)
    (1.0, 1.999894)
    """
    g = _as_label_grid(label_grid)
    n = min(g.shape)
    if sizes is None:
        ss = _powers_of_two(n // 8)
        if ss.size < 2:
            raise ValueError(f"label_grid {g.shape} is too small: need min(R, C) >= 16 for "
                             f"the default sizes")
    else:
        ss = _as_sizes(sizes, "sizes", n + 1)
    b = boundary_cells(g)
    counts = np.empty(ss.size, dtype=np.int64)
    r, c = b.shape
    for t, s in enumerate(ss.tolist()):  # a handful of sizes, each fully vectorized
        rr = -(-r // s) * s
        cc = -(-c // s) * s
        pad = np.zeros((rr, cc), dtype=bool)
        pad[:r, :c] = b
        counts[t] = int(pad.reshape(rr // s, s, cc // s, s).any(axis=(1, 3)).sum())
    fit = _loglog_fit(1.0 / ss, counts)
    return BoundaryDimension(fit.slope, ss, counts, fit)
