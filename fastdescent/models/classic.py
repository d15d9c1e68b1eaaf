"""Classic optimization test functions with their known minima."""
from __future__ import annotations

import math

import numpy as np

from . import functions as F
from ._build import refine_minima, with_minima
from .base import KnownPoint, Model, ModelKernels

EMPTY = (np.zeros((1, 0)), np.zeros((1, 0)))


def _fn(name, kernels, consts, P=2, box=None, minima=(), settings=None):
    """A test function from ``(loss_grad, hessian)`` (the public model contract) or
    ``(example, example_loss, hessian)`` (the block kernels' per-example form)."""
    names = tuple(f"phi{k}" for k in range(P))
    box = box or tuple((-1.0, 1.0) for _ in range(P))
    if len(kernels) == 2:
        mk, work = ModelKernels(example_hessian=kernels[1], loss_grad=kernels[0]), P
    else:
        mk, work = ModelKernels(*kernels), 0
    return Model(name, mk, *EMPTY, np.asarray(consts, float), names, tuple(box),
                 tuple(minima), has_data=False, work_size=work, settings=settings or {})


def quadratic(eigenvalues=(1.0, 10.0), rotation=None, *, seed: int = 0) -> Model:
    """:math:`L = \\tfrac12 \\phi^T A \\phi` with :math:`A = Q\\,\\mathrm{diag}(\\lambda)\\,Q^T`.

    Parameters
    ----------
    eigenvalues : sequence of float
        The curvatures :math:`\\lambda_i` (any dimension). GD is stable for
        :math:`\\alpha\\lambda_{max} < 2`; the condition number is
        :math:`\\lambda_{max}/\\lambda_{min}`.
    rotation : None, float, "random" or (P, P) array
        None: axis-aligned; a float: rotation angle in radians (P = 2); "random": a random
        orthogonal Q from ``seed``; an array: Q itself (must be orthogonal).

    seed : int
        Seed of the ``"random"`` rotation.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If the eigenvalues are empty or not finite, or ``rotation`` is not one of the accepted
        forms.

    Examples
    --------
    >>> import numpy as np
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 10.0), rotation=np.pi / 4)
    >>> np.linalg.eigvalsh(m.hessian([0.0, 0.0])).round(12)
    array([ 1., 10.])
    >>> round(m.loss([1.0, 1.0]), 12)   # (1, 1) lies along the eigenvector of eigenvalue 1
    1.0
    >>> fd.models.quadratic((1.0, 10.0), rotation="spin")
    Traceback (most recent call last):
        ...
    ValueError: rotation must be None, an angle, 'random' or a matrix, got 'spin'
    """
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    if lam.size < 1 or not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues must be a non-empty sequence of finite numbers")
    P = lam.size
    if rotation is None:
        Q = np.eye(P)
    elif isinstance(rotation, str):
        if rotation != "random":
            raise ValueError(f"rotation must be None, an angle, 'random' or a matrix, "
                             f"got {rotation!r}")
        Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((P, P)))
    elif np.ndim(rotation) == 0:
        if P != 2:
            raise ValueError("a rotation angle needs exactly 2 eigenvalues")
        t = float(rotation)
        Q = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    else:
        Q = np.asarray(rotation, dtype=float)
        if Q.shape != (P, P) or not np.allclose(Q @ Q.T, np.eye(P), atol=1e-10):
            raise ValueError(f"rotation must be an orthogonal ({P}, {P}) matrix")
    A = Q @ np.diag(lam) @ Q.T
    A = 0.5 * (A + A.T)
    # the origin is a saddle only with curvatures of both signs; zero curvatures make a
    # (non-strict) minimum or maximum, not a saddle
    if np.any(lam > 0) and np.any(lam < 0):
        kind = "saddle"
    elif np.all(lam >= 0):
        kind = "minimum"
    else:
        kind = "maximum"
    return _fn("quadratic", (F.quadratic_loss_grad, F.quadratic_hessian),
               np.concatenate([[P], A.ravel()]), P, None,
               [KnownPoint(tuple(0.0 for _ in range(P)), 0.0, kind)],
               {"eigenvalues": lam.tolist(), "rotation": Q.tolist()})


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Model:
    """:math:`L = (a - \\phi_0)^2 + b(\\phi_1 - \\phi_0^2)^2`; minimum 0 at :math:`(a, a^2)`.

    Parameters
    ----------
    a, b : float
        The constants of the valley.

    Returns
    -------
    Model

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.rosenbrock()
    >>> m.loss([1.0, 1.0]), m.loss([0.0, 0.0]), m.grad([0.0, 0.0])
    (0.0, 1.0, array([-2.,  0.]))
    """
    return _fn("rosenbrock", (F.rosenbrock_loss_grad, F.rosenbrock_hessian),
               [a, b], 2, ((-2.0, 2.0), (-1.0, 3.0)), [KnownPoint((a, a * a), 0.0)],
               {"a": a, "b": b})


_HIMMELBLAU_MIN = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                   (3.584428, -1.848126)]


def himmelblau() -> Model:
    """:math:`L = (\\phi_0^2+\\phi_1-11)^2 + (\\phi_0+\\phi_1^2-7)^2`: four minima of loss 0,
    one local maximum and four saddle points (all refined by Newton's method).

    Returns
    -------
    Model

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.himmelblau()
    >>> [k.kind for k in m.minima].count("minimum"), m.loss([3.0, 2.0])
    (4, 0.0)
    """
    m = _fn("himmelblau", (F.himmelblau_loss_grad, F.himmelblau_hessian),
            [0.0], 2, ((-5.0, 5.0), (-5.0, 5.0)))
    pts = refine_minima(m, _HIMMELBLAU_MIN)
    pts += refine_minima(m, [(-0.270845, -0.923039)], "maximum")
    pts += refine_minima(m, [(3.385154, 0.0738519), (-3.073025, -0.081353),
                             (-0.127961, -1.953715), (0.086678, 2.884255)], "saddle")
    return with_minima(m, pts)


def rastrigin(dim: int = 2, A: float = 10.0) -> Model:
    """:math:`L = A d + \\sum_i (\\phi_i^2 - A\\cos 2\\pi\\phi_i)`; global minimum 0 at 0,
    a local minimum near every integer point.

    Parameters
    ----------
    dim : int
        Dimension :math:`d \\ge 1`.
    A : float
        Amplitude of the cosine term.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``dim`` is not an integer >= 1.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.rastrigin(dim=3)
    >>> m.loss([0.0, 0.0, 0.0]), m.loss([1.0, 0.0, 0.0])
    (0.0, 1.0)
    """
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 1:
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
    return _fn("rastrigin", (F.rastrigin_loss_grad, F.rastrigin_hessian),
               [A, dim], dim, tuple((-5.12, 5.12) for _ in range(dim)),
               [KnownPoint(tuple(0.0 for _ in range(dim)), 0.0)], {"dim": dim, "A": A})


def beale() -> Model:
    """Beale's function; minimum 0 at (3, 0.5).

    Returns
    -------
    Model

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.beale()
    >>> m.loss([3.0, 0.5]), round(m.loss([0.0, 0.0]), 6)
    (0.0, 14.203125)
    """
    return _fn("beale", (F.beale_loss_grad, F.beale_hessian), [0.0], 2,
               ((-4.5, 4.5), (-4.5, 4.5)), [KnownPoint((3.0, 0.5), 0.0)])


def saddle() -> Model:
    """:math:`L = \\phi_0^2 - \\phi_1^2`: a saddle point at the origin, unbounded below.

    Returns
    -------
    Model

    Examples
    --------
    Gradient descent started on the stable axis converges to the saddle; off it, it escapes:

    >>> import fastdescent as fd
    >>> m = fd.models.saddle()
    >>> m.hessian([0.0, 0.0])
    array([[ 2.,  0.],
           [ 0., -2.]])
    >>> fd.run(m, fd.optim.gd(lr=0.1), [[1.0, 0.0], [1.0, 1e-3]], steps=60).params.round(4)
    array([[ 0.    ,  0.    ],
           [ 0.    , 56.3475]])
    """
    return _fn("saddle", (F.saddle_loss_grad, F.saddle_hessian), [0.0], 2,
               ((-1.0, 1.0), (-1.0, 1.0)), [KnownPoint((0.0, 0.0), 0.0, "saddle")])


def cosine_quadratic(delta: float = 0.1, lam: float = 0.5) -> Model:
    """1-D :math:`L = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)`, used in studies of fractal
    learning-rate boundaries (Liu 2024).

    Parameters
    ----------
    delta : float
        Amplitude :math:`\\delta` of the cosine.
    lam : float
        Its wavelength :math:`\\lambda > 0`.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``lam`` is not positive.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.cosine_quadratic(delta=0.1, lam=0.5)
    >>> m.loss([0.0]), round(m.loss([0.25]), 6)
    (0.1, -0.0375)
    """
    if not (lam > 0):
        raise ValueError(f"lam must be > 0, got {lam!r}")
    m = _fn("cosine_quadratic", (F.cosine_quadratic_loss_grad, F.cosine_quadratic_hessian),
            [delta, lam], 1,
            ((-2.0, 2.0),), settings={"delta": delta, "lam": lam})
    from .lecture import _minima_1d

    return _minima_1d(m)
