r"""Where a loss is convex, concave or saddle-shaped: the Hessian's spectrum over a grid.

At every point :math:`\phi` of a 2-D grid the symmetric Hessian :math:`H(\phi)` (of the 2-D
slice through the two chosen parameters, or of the full loss) has eigenvalues
:math:`h_{min} \le h_{max}`, :math:`\det H = \prod_i h_i`. With the threshold
:math:`\eta = \max(\mathrm{atol}, \mathrm{rtol}\max_i |h_i|)` the point is

* **convex** (code 1): :math:`H` positive definite, all :math:`h_i > \eta`;
* **concave** (code 2): negative definite, all :math:`h_i < -\eta`;
* **saddle** (code 3): indefinite, some :math:`h_i > \eta` and some :math:`h_j < -\eta`;
* **degenerate** (code 0): otherwise (some :math:`|h_i| \le \eta`: semi-definite or zero).

In 2-D: positive :math:`\det H` with positive trace is convex, positive :math:`\det H` with
negative trace concave, negative :math:`\det H` a saddle. A loss is convex on a convex set
iff its Hessian is positive semi-definite there, so the map shows where local quadratic
models (and the stability theory of :mod:`~fastdescent.analysis.stability`, with
:math:`\lambda = h_{max}`) apply.
"""
from __future__ import annotations

import numpy as np

from ..models.base import Model

__all__ = ["convexity_map", "second_derivative", "regions", "DEGENERATE", "CONVEX", "CONCAVE", "SADDLE",
           "REGION_NAMES"]

DEGENERATE = 0  #: some eigenvalue ~ 0
CONVEX = 1  #: positive definite
CONCAVE = 2  #: negative definite
SADDLE = 3  #: indefinite

REGION_NAMES = {DEGENERATE: "degenerate", CONVEX: "convex", CONCAVE: "concave",
                SADDLE: "saddle"}


def _check_model(model) -> Model:
    if not isinstance(model, Model):
        raise TypeError(f"model must be a fastdescent Model, got {type(model).__name__}")
    return model


def _axis(a, name: str) -> np.ndarray:
    try:
        v = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of numbers") from None
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return v


def regions(eigenvalues, *, rtol: float = 1e-8, atol: float = 0.0) -> np.ndarray:
    """Region codes from eigenvalues ``(..., P)`` (see the module docstring).

    Parameters
    ----------
    eigenvalues : array_like, shape (..., P)
        Hessian eigenvalues at each point.
    rtol, atol : float
        An eigenvalue counts as zero when :math:`|\\lambda| \\le \\max(atol, rtol\\max|\\lambda|)`.

    Returns
    -------
    ndarray of int8, shape (...)
        :data:`CONVEX`, :data:`CONCAVE`, :data:`SADDLE` or :data:`DEGENERATE`.

    Examples
    --------
    >>> from fastdescent.analysis import REGION_NAMES, regions
    >>> codes = regions([[1.0, 2.0], [-1.0, -2.0], [1.0, -2.0], [1.0, 0.0]])
    >>> [REGION_NAMES[int(c)] for c in codes]
    ['convex', 'concave', 'saddle', 'degenerate']
    """
    lam = np.asarray(eigenvalues, dtype=float)
    eta = np.maximum(atol, rtol * np.max(np.abs(lam), axis=-1))[..., None]
    pos = np.any(lam > eta, axis=-1)
    neg = np.any(lam < -eta, axis=-1)
    flat = np.any(np.abs(lam) <= eta, axis=-1)
    code = np.full(lam.shape[:-1], DEGENERATE, dtype=np.int8)
    code[pos & neg] = SADDLE
    code[pos & ~neg & ~flat] = CONVEX
    code[neg & ~pos & ~flat] = CONCAVE
    code[~np.all(np.isfinite(lam), axis=-1)] = DEGENERATE
    return code


def convexity_map(model: Model, axes=None, fixed=None, *, params=None, n: int = 101,
                  full: bool = False, rtol: float = 1e-8, atol: float = 0.0):
    r"""Hessian determinant, extreme eigenvalues and convexity region over a 2-D grid.

    Parameters
    ----------
    model : Model
        A model with at least 2 parameters (use :func:`second_derivative` for 1-D models).
    axes : (a0, a1), optional
        Grid values of the two parameters; default ``n`` points across the model's box.
    fixed : array_like (P,), optional
        Values of the other parameters (required when P > 2; the two mapped ones are
        overwritten).
    params : (str, str), optional
        Which parameters to map (default the first two).
    n : int
        Points per axis when ``axes`` is not given.
    full : bool
        Classify with the full P x P Hessian instead of the 2 x 2 block of the slice
        (same for P = 2).
    rtol, atol : float
        Degeneracy threshold :math:`\eta = \max(\mathrm{atol}, \mathrm{rtol}\max|h_i|)`.

    Returns
    -------
    xarray.Dataset
        Dims named after the two parameters (first, second; ``ij`` indexing like a sweep
        grid), variables ``det``, ``trace``, ``eigmin``, ``eigmax`` and ``region`` (int8
        codes :data:`CONVEX`, :data:`CONCAVE`, :data:`SADDLE`, :data:`DEGENERATE`; meanings in
        its attributes).

    Notes
    -----
    All Hessians are computed in one vectorised call (``model.hessian_many``, in parallel)
    and their spectra with a batched ``numpy.linalg.eigvalsh``.

    Raises
    ------
    TypeError
        If ``model`` is not a Model or an axis is not numeric.
    ValueError
        If the model has one parameter, ``params`` are not two of its names, ``fixed`` is
        missing or not finite, or ``n``/``axes`` are invalid.

    Examples
    --------
    Rosenbrock's function is convex near its minimum and indefinite across the far side of
    its valley:

    >>> import fastdescent as fd
    >>> from fastdescent.analysis import REGION_NAMES, convexity_map
    >>> cm = convexity_map(fd.models.rosenbrock(), n=5)
    >>> sorted(cm.data_vars)
    ['det', 'eigmax', 'eigmin', 'region', 'trace']
    >>> sorted({REGION_NAMES[int(c)] for c in cm["region"].values.ravel()})
    ['convex', 'saddle']
    """
    import xarray as xr

    m = _check_model(model)
    P = m.n_params
    if P < 2:
        raise ValueError(f"model {m.name!r} has 1 parameter: use second_derivative(model, xs)")
    names = m.param_names
    if params is None:
        params = names[:2]
    params = tuple(params)
    if len(params) != 2 or len(set(params)) != 2 or any(p not in names for p in params):
        raise ValueError(f"params must be two different parameter names of {m.name!r} "
                         f"({', '.join(names)}), got {params!r}")
    i0, i1 = names.index(params[0]), names.index(params[1])
    if P > 2 and fixed is None:
        raise ValueError(f"model {m.name!r} has {P} parameters: give fixed= values for the "
                         f"ones not mapped")
    base = np.zeros(P) if fixed is None else m.check_params(fixed, "fixed")
    if not np.all(np.isfinite(base)):
        raise ValueError("fixed contains NaN or infinite values")
    if axes is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        box = np.asarray(m.box, dtype=float)
        a0 = np.linspace(box[i0, 0], box[i0, 1], int(n))
        a1 = np.linspace(box[i1, 0], box[i1, 1], int(n))
    else:
        try:
            a0, a1 = axes
        except (TypeError, ValueError):
            raise ValueError("axes must be a pair (a0, a1) of 1-D arrays") from None
        a0, a1 = _axis(a0, "axes[0]"), _axis(a1, "axes[1]")
    g0, g1 = np.meshgrid(a0, a1, indexing="ij")
    pts = np.tile(base, (g0.size, 1))
    pts[:, i0] = g0.ravel()
    pts[:, i1] = g1.ravel()
    H = m.hessian_many(pts)
    if not full:
        H = H[:, [i0, i1]][:, :, [i0, i1]]
    H = 0.5 * (H + np.swapaxes(H, 1, 2))
    finite = np.all(np.isfinite(H), axis=(1, 2))
    lam = np.full((H.shape[0], H.shape[1]), np.nan)
    if finite.any():
        lam[finite] = np.linalg.eigvalsh(H[finite])
    det = np.prod(lam, axis=1) if H.shape[1] > 2 else \
        H[:, 0, 0] * H[:, 1, 1] - H[:, 0, 1] * H[:, 1, 0]
    shape = g0.shape
    dims = params
    reg = regions(lam, rtol=rtol, atol=atol).reshape(shape)
    ds = xr.Dataset(
        {"det": (dims, det.reshape(shape)),
         "trace": (dims, np.trace(H, axis1=1, axis2=2).reshape(shape)),
         "eigmin": (dims, lam[:, 0].reshape(shape)),
         "eigmax": (dims, lam[:, -1].reshape(shape)),
         "region": (dims, reg)},
        coords={params[0]: a0, params[1]: a1},
        attrs={"model": m.name, "full_hessian": int(bool(full)),
               "hessian_exact": int(m.hessian_is_exact)})
    ds["region"].attrs["flag_values"] = np.array(sorted(REGION_NAMES), dtype=np.int8)
    ds["region"].attrs["flag_meanings"] = " ".join(REGION_NAMES[k] for k in sorted(REGION_NAMES))
    return ds


def second_derivative(model: Model, xs) -> np.ndarray:
    r""":math:`L''(x)` of a 1-parameter model at the points ``xs`` (vectorised).

    The loss is convex where :math:`L'' > 0`, concave where :math:`L'' < 0`.

    Parameters
    ----------
    model : Model
        A model with one parameter.
    xs : array_like, 1-D

    Returns
    -------
    ndarray, same shape as ``xs``

    Raises
    ------
    ValueError
        If the model does not have exactly one parameter or ``xs`` is not finite.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import second_derivative
    >>> second_derivative(fd.models.convex_1d(), [0.0, 0.5, 1.0])
    array([4., 4., 4.])
    """
    m = _check_model(model)
    if m.n_params != 1:
        raise ValueError(f"second_derivative needs a 1-parameter model; {m.name!r} has "
                         f"{m.n_params}: use convexity_map")
    x = _axis(np.ravel(xs) if np.ndim(xs) == 0 else xs, "xs")
    return m.hessian_many(x[:, None])[:, 0, 0]
