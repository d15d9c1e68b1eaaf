"""The lecture's problems (Prince, *Understanding Deep Learning*, chapter 6) and its 1-D demos."""
from __future__ import annotations

import numpy as np

from . import functions as F
from . import regression as R
from ._build import load_csv, refine_minima, with_minima, xy
from .base import KnownPoint, Model, ModelKernels

EMPTY = (np.zeros((1, 0)), np.zeros((1, 0)))


def polynomial_regression(degree: int, x, y, *, box=None, name="polynomial_regression") -> Model:
    """Least-squares polynomial :math:`f(x)=\\sum_{k=0}^{d} \\phi_k x^k` on data ``(x, y)``.

    Loss :math:`L = \\sum_i (f(x_i) - y_i)^2`. The minimum is the least-squares solution
    (closed form, listed in ``model.minima``).

    Parameters
    ----------
    degree : int
        The degree :math:`d \\ge 0` (the model has :math:`d + 1` parameters).
    x, y : array_like, shape (N,)
        The data.
    box : sequence of (lo, hi), optional
        Plotting / grid box; default ``(-2, 2)`` per parameter.
    name : str
        The model's name.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``degree`` is not an integer >= 0 or the data are missing or not 1-D.

    Examples
    --------
    Points on :math:`y = 1 - x + 2x^2` are fitted exactly: the listed minimum is the
    polynomial and its loss is 0.

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> x = np.linspace(-1, 1, 5)
    >>> m = fd.models.polynomial_regression(2, x, 1 - x + 2 * x**2)
    >>> np.round(m.minima[0].params, 6), abs(m.minima[0].loss) < 1e-20
    (array([ 1., -1.,  2.]), True)
    """
    if not isinstance(degree, (int, np.integer)) or isinstance(degree, bool) or degree < 0:
        raise ValueError(f"degree must be an integer >= 0, got {degree!r}")
    if x is None or y is None:
        raise ValueError("polynomial_regression needs data: give x and y")
    X, Y = xy(x, y, None, None)
    if X.shape[1] != 1 or Y.shape[1] != 1:
        raise ValueError("polynomial_regression takes 1-D x and y")
    P = degree + 1
    if box is None:
        box = tuple((-2.0, 2.0) for _ in range(P))
    m = Model(name, ModelKernels(example_hessian=R.poly_hessian, loss_grad=R.poly_loss_grad),
              X, Y, np.array([float(degree)]), tuple(f"phi{k}" for k in range(P)), tuple(box),
              work_size=P, settings={"degree": int(degree)})
    V = X[:, 0:1] ** np.arange(P)
    sol = np.linalg.lstsq(V, Y[:, 0], rcond=None)[0]
    return with_minima(m, [KnownPoint(tuple(map(float, sol)), m.loss(sol), "minimum",
                                      "least squares")])


def linear_regression_1d(x=None, y=None) -> Model:
    """The lecture's 1-D linear regression :math:`f(x) = \\phi_0 + \\phi_1 x` (12 points).

    Loss: sum of squared residuals; ``L(0.6, -0.2) = 12.367``. Parameters ``phi0`` (intercept)
    and ``phi1`` (slope); box intercept [0, 2] x slope [-1, 1] (book figure 6.1).

    Parameters
    ----------
    x, y : array_like, optional
        Own data instead of the lecture's.

    Returns
    -------
    Model

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.linear_regression_1d()
    >>> m.n_examples, round(m.loss([0.6, -0.2]), 3)
    (12, 12.367)
    """
    dx, dy = load_csv("linear_regression_1d.csv")
    X, Y = xy(x, y, dx, dy)
    m = polynomial_regression(1, X[:, 0], Y[:, 0], box=((0.0, 2.0), (-1.0, 1.0)),
                              name="linear_regression_1d")
    return m


def gabor(x=None, y=None) -> Model:
    """The lecture's Gabor model (30 points): :math:`z = \\phi_0 + 0.06\\,\\phi_1 x`,
    :math:`f(x) = \\sin(z)\\, e^{-z^2/32}`, loss the sum of squared residuals.

    ``phi0`` is the offset, ``phi1`` the frequency; ``L(0.6, -0.2) = 16.419``; box offset
    [-10, 10] x frequency [2.5, 22.5] (book figure 6.4). The loss has a global minimum, several
    local minima and saddle points (use :mod:`fastdescent.analysis` to find them).

    Parameters
    ----------
    x, y : array_like, optional
        Own 1-D data instead of the lecture's.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not 1-D.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.gabor()
    >>> m.n_examples, m.param_names, round(m.loss([0.6, -0.2]), 3)
    (30, ('phi0', 'phi1'), 16.419)
    """
    dx, dy = load_csv("gabor.csv")
    X, Y = xy(x, y, dx, dy)
    if X.shape[1] != 1 or Y.shape[1] != 1:
        raise ValueError("gabor takes 1-D x and y")
    return Model("gabor", ModelKernels(example_hessian=R.gabor_hessian,
                                       loss_grad=R.gabor_loss_grad), X, Y,
                 np.zeros(1), ("phi0", "phi1"), ((-10.0, 10.0), (2.5, 22.5)), work_size=2,
                 description="Gabor model of the lecture (offset, frequency)")


def adam_demo() -> Model:
    """The lecture's Adam demo (book fig. 6.9): :math:`L = 1 - e^{-2\\phi_1^2} e^{-(\\phi_0-0.7)^2/8}`.

    Strongly anisotropic (curvature 4 across, 1/4 along); minimum 0 at (0.7, 0); box [-1, 1]^2.

    Returns
    -------
    Model

    Examples
    --------
    The curvature across (:math:`\\phi_1`) is 16 times the curvature along at the minimum:

    >>> import fastdescent as fd
    >>> m = fd.models.adam_demo()
    >>> m.hessian([0.7, 0.0]).round(3)
    array([[0.25, 0.  ],
           [0.  , 4.  ]])
    """
    return Model("adam_demo", ModelKernels(example_hessian=F.adam_demo_hessian,
                                           loss_grad=F.adam_demo_loss_grad), *EMPTY, np.zeros(1),
                 ("phi0", "phi1"), ((-1.0, 1.0), (-1.0, 1.0)),
                 (KnownPoint((0.7, 0.0), 0.0, "minimum"),), has_data=False, work_size=2)


def bumps_1d(q=0.0, center=0.0, offset=0.0, amplitudes=(), means=(), widths=(), *,
             box=(0.0, 1.0), name="bumps_1d") -> Model:
    """1-D loss :math:`L(\\phi) = c_0 + q(\\phi-p_0)^2 - \\sum_k a_k e^{-(\\phi-m_k)^2/s_k}`.

    Parameters
    ----------
    q, center, offset : float
        The quadratic :math:`q(\\phi - p_0)^2 + c_0`.
    amplitudes, means, widths : sequence of float
        :math:`a_k`, :math:`m_k` and :math:`s_k > 0` of the Gaussian bumps (same length).
    box : (lo, hi)
        Plotting / grid interval.
    name : str
        The model's name.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If the bump sequences differ in length, a width is not positive, or a value is not
        finite.

    Examples
    --------
    A parabola with one Gaussian dip at 0.3:

    >>> import fastdescent as fd
    >>> m = fd.models.bumps_1d(q=1.0, center=0.5, amplitudes=[0.2], means=[0.3], widths=[0.01])
    >>> round(m.loss([0.5]), 6), round(m.loss([0.3]), 6)
    (-0.003663, -0.16)
    >>> fd.models.bumps_1d(amplitudes=[1.0], means=[0.0], widths=[0.0])
    Traceback (most recent call last):
        ...
    ValueError: widths must be > 0, got [0.0]
    """
    a = np.asarray(amplitudes, float).ravel()
    m = np.asarray(means, float).ravel()
    s = np.asarray(widths, float).ravel()
    if not (a.size == m.size == s.size):
        raise ValueError("amplitudes, means and widths must have the same length")
    if not np.all(s > 0):  # also rejects NaN widths
        raise ValueError(f"widths must be > 0, got {s.tolist()}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(m))
            and np.all(np.isfinite([q, center, offset]))):
        raise ValueError("q, center, offset, amplitudes and means must be finite")
    c = np.concatenate([[q, center, offset, a.size], a, m, s]).astype(float)
    model = Model(name, ModelKernels(example_hessian=F.bumps_hessian,
                                     loss_grad=F.bumps_loss_grad), *EMPTY, c,
                  ("phi",), (tuple(map(float, box)),), has_data=False, work_size=1,
                  settings={"q": q, "center": center, "offset": offset,
                            "amplitudes": a.tolist(), "means": m.tolist(),
                            "widths": s.tolist()})
    return model


def _minima_1d(model: Model, n: int = 20001):
    lo, hi = model.box[0]
    g = np.linspace(lo, hi, n)
    L = model.loss_many(g[:, None])
    idx = [i for i in range(1, n - 1) if L[i] < L[i - 1] and L[i] <= L[i + 1]]
    pts = refine_minima(model, [[g[i]] for i in idx])
    pts.sort(key=lambda k: k.loss)
    return with_minima(model, pts)


def line_search_demo() -> Model:
    """The lecture's 1-D line-search function on [0, 1]:
    :math:`L = 1 - 0.5 e^{-(\\phi-0.65)^2/0.1} - 0.45 e^{-(\\phi-0.35)^2/0.02}`.

    Returns
    -------
    Model
        Its minimum (refined by Newton's method) in ``model.minima``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> [(round(k.params[0], 3), round(k.loss, 3)) for k in fd.models.line_search_demo().minima]
    [(0.38, 0.329)]
    """
    return _minima_1d(bumps_1d(0.0, 0.0, 1.0, (0.5, 0.45), (0.65, 0.35), (0.1, 0.02),
                               name="line_search_demo"))


def convex_1d() -> Model:
    """Convexity slide: a convex 1-D loss :math:`L = 0.4 + 2(\\phi - 0.45)^2` on [0, 1].

    Returns
    -------
    Model

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.convex_1d()
    >>> m.minima[0].params, m.minima[0].loss
    ((0.45,), 0.4)
    """
    return _minima_1d(bumps_1d(2.0, 0.45, 0.4, name="convex_1d"))


def multimodal_1d() -> Model:
    """Convexity slide: a non-convex 1-D loss with three local minima on [0, 1].

    Returns
    -------
    Model
        Its local minima in ``model.minima``, the lowest first.

    Examples
    --------
    >>> import fastdescent as fd
    >>> [round(k.params[0], 2) for k in fd.models.multimodal_1d().minima]
    [0.5, 0.15, 0.85]
    """
    return _minima_1d(bumps_1d(0.8, 0.5, 0.9, (0.35, 0.5, 0.3), (0.15, 0.5, 0.85),
                               (0.004, 0.006, 0.004), name="multimodal_1d"))


def plateau_1d() -> Model:
    """Convexity slide: a non-convex 1-D loss with a flat region (vanishing gradient).

    Returns
    -------
    Model

    Examples
    --------
    Far from the dip the gradient all but vanishes:

    >>> import fastdescent as fd
    >>> m = fd.models.plateau_1d()
    >>> float(m.grad([0.9])[0]) < 1e-10, round(float(m.grad([0.2])[0]), 3)
    (True, -6.23)
    """
    return _minima_1d(bumps_1d(0.0, 0.0, 1.0, (0.8,), (0.25,), (0.01,), name="plateau_1d"))
