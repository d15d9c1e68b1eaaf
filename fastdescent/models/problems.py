"""The four problem types of the lecture's first slides, plus a small neural network.

Each factory ships a small deterministic synthetic data set (generated from a fixed seed) and
accepts the user's own ``x``/``y`` instead.
"""
from __future__ import annotations

import numpy as np

from . import classification as C
from . import network as NN
from . import regression as R
from ._build import refine_minima, with_minima, xy
from .base import KnownPoint, Model, ModelKernels
from .lecture import polynomial_regression


def _rng(seed):
    return np.random.default_rng(seed)


def univariate_regression(x=None, y=None, *, degree: int = 3, seed: int = 0) -> Model:
    """Univariate regression: a cubic :math:`f(x) = \\sum_{k\\le 3}\\phi_k x^k` fitted by least
    squares to 40 noisy samples of :math:`0.5 + \\sin(2.5x)` on [-1, 1].

    Parameters
    ----------
    x, y : array_like, optional
        Own 1-D data instead of the synthetic set.
    degree : int
        Degree of the polynomial.
    seed : int
        Seed of the synthetic data.

    Returns
    -------
    Model
        The least-squares solution in ``model.minima``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.univariate_regression()
    >>> m.n_examples, m.n_params, round(m.minima[0].loss, 4)
    (40, 4, 1.0644)
    """
    if x is None and y is None:
        g = _rng(seed)
        x = np.sort(g.uniform(-1, 1, 40))
        y = 0.5 + np.sin(2.5 * x) + 0.15 * g.standard_normal(40)
    m = polynomial_regression(degree, x, y, name="univariate_regression")
    return m


def multivariate_regression(x=None, y=None, *, seed: int = 0) -> Model:
    """Multivariate regression: :math:`f(x) = W x + w_0` with 2 inputs and 2 outputs (6
    parameters), least squares over 50 examples. Known minimum: the least-squares solution.

    Parameters
    ----------
    x : array_like, shape (N, dx), optional
        Own inputs.
    y : array_like, shape (N, D), optional
        Own targets.
    seed : int
        Seed of the synthetic data.

    Returns
    -------
    Model

    Examples
    --------
    The listed minimum is a stationary point: its gradient vanishes.

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> m = fd.models.multivariate_regression()
    >>> m.param_names
    ('W00', 'W01', 'W10', 'W11', 'w0_0', 'w0_1')
    >>> bool(np.abs(m.grad(m.minima[0].params)).max() < 1e-9)
    True
    """
    if x is None and y is None:
        g = _rng(seed)
        x = g.uniform(-1, 1, (50, 2))
        W = np.array([[1.5, -0.7], [0.4, 0.9]])
        y = x @ W.T + np.array([0.3, -0.2]) + 0.1 * g.standard_normal((50, 2))
    X, Y = xy(x, y, None, None)
    dx, D = X.shape[1], Y.shape[1]
    names = tuple(f"W{d}{j}" for d in range(D) for j in range(dx)) + tuple(
        f"w0_{d}" for d in range(D))
    m = Model("multivariate_regression",
              ModelKernels(example_hessian=R.linear_hessian, loss_grad=R.linear_loss_grad), X, Y,
              np.array([dx, D], float), names, tuple((-2.0, 2.0) for _ in names),
              work_size=len(names), settings={"inputs": dx, "outputs": D})
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    sol = np.linalg.lstsq(A, Y, rcond=None)[0]  # (dx+1, D)
    phi = np.concatenate([sol[:dx].T.ravel(), sol[dx]])
    return with_minima(m, [KnownPoint(tuple(map(float, phi)), m.loss(phi), "minimum",
                                      "least squares")])


def binary_classification(x=None, y=None, *, seed: int = 0) -> Model:
    """Binary classification: logistic model :math:`p = \\sigma(w\\cdot x + w_0)` with binary
    cross-entropy, 2-D inputs, 60 examples from two overlapping Gaussian classes (labels 0/1).
    The loss is convex; its minimum (found by Newton's method) is in ``model.minima``.

    Parameters
    ----------
    x : array_like, shape (N, d), optional
        Own inputs.
    y : array_like, shape (N,), optional
        Own labels, 0 or 1.
    seed : int
        Seed of the synthetic data.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``y`` holds other values than 0 and 1.

    Examples
    --------
    At :math:`w = 0` every example has probability 1/2, so the loss is :math:`60\\ln 2`:

    >>> import math
    >>> import fastdescent as fd
    >>> m = fd.models.binary_classification()
    >>> m.param_names, round(m.loss([0.0, 0.0, 0.0]) / math.log(2), 9)
    (('w1', 'w2', 'w0'), 60.0)
    """
    if x is None and y is None:
        g = _rng(seed)
        n = 30
        x = np.vstack([g.normal([-0.6, -0.4], 0.7, (n, 2)), g.normal([0.6, 0.5], 0.7, (n, 2))])
        y = np.r_[np.zeros(n), np.ones(n)]
    X, Y = xy(x, y, None, None)
    if Y.shape[1] != 1 or not np.all((Y == 0) | (Y == 1)):
        raise ValueError("y must hold binary labels 0 or 1 (one column)")
    dx = X.shape[1]
    names = tuple(f"w{j + 1}" for j in range(dx)) + ("w0",)  # f = w0 + w1 x1 + ...
    m = Model("binary_classification",
              ModelKernels(example_hessian=C.logistic_hessian, loss_grad=C.logistic_loss_grad),
              X, Y, np.array([dx, 1], float), names, tuple((-4.0, 4.0) for _ in names),
              work_size=len(names), settings={"inputs": dx})
    if 0 < Y.sum() < Y.shape[0]:
        try:
            (kp,) = refine_minima(m, [np.zeros(len(names))], iters=60)
        except np.linalg.LinAlgError:
            return m
        # Linearly separable data have no minimum (the loss tends to 0 as |w| -> inf): Newton
        # then runs off to a huge |w| with a vanishing Hessian. List only a genuine minimum.
        p = np.array(kp.params)
        ev = np.linalg.eigvalsh(m.hessian(p))
        if np.all(np.isfinite(p)) and ev[0] > 1e-8 * max(ev[-1], 1e-300) and np.max(
                np.abs(m.grad(p))) <= 1e-8 * max(1.0, ev[-1]) * max(1.0, np.max(np.abs(p))):
            return with_minima(m, [kp])
    return m


def multiclass_classification(x=None, y=None, *, n_classes: int | None = None,
                              seed: int = 0) -> Model:
    """Multiclass classification: softmax model :math:`p = \\mathrm{softmax}(W x + w_0)` with
    cross-entropy, 2-D inputs, 3 classes x 25 examples. The loss is convex but flat along
    adding the same vector to every class (no isolated minimum, none listed).

    Parameters
    ----------
    x : array_like, shape (N, d), optional
        Own inputs.
    y : array_like, shape (N,), optional
        Own class indices :math:`0 \\dots K-1`.
    n_classes : int, optional
        :math:`K` (default: the largest label + 1).
    seed : int
        Seed of the synthetic data.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``y`` does not hold class indices or ``n_classes`` is < 2 or too small.

    Examples
    --------
    At zero weights each of the 3 classes has probability 1/3: the loss is :math:`75\\ln 3`.

    >>> import math
    >>> import fastdescent as fd
    >>> m = fd.models.multiclass_classification()
    >>> m.n_params, round(m.loss([0.0] * m.n_params) / math.log(3), 9)
    (9, 75.0)
    """
    if x is None and y is None:
        g = _rng(seed)
        centers = np.array([[-1.0, 0.0], [1.0, 0.6], [0.2, -1.1]])
        x = np.vstack([g.normal(c, 0.55, (25, 2)) for c in centers])
        y = np.repeat(np.arange(3), 25).astype(float)
    X, Y = xy(x, y, None, None)
    if Y.shape[1] != 1 or not np.all(Y == np.round(Y)) or np.any(Y < 0):
        raise ValueError("y must hold class indices 0..K-1 (one column)")
    K = int(n_classes) if n_classes is not None else int(Y.max()) + 1
    if K < 2 or Y.max() >= K:
        raise ValueError(f"n_classes must be >= 2 and exceed every label, got {K}")
    dx = X.shape[1]
    names = tuple(f"W{k}{j}" for k in range(K) for j in range(dx)) + tuple(
        f"w0_{k}" for k in range(K))
    return Model("multiclass_classification",
                 ModelKernels(example_hessian=C.softmax_hessian, loss_grad=C.softmax_loss_grad,
                              scratch=K), X, Y,
                 np.array([dx, K], float), names, tuple((-4.0, 4.0) for _ in names),
                 work_size=K + len(names), settings={"inputs": dx, "classes": K})


def two_layer_net(width: int = 4, x=None, y=None, *, seed: int = 0) -> Model:
    """A network with one hidden tanh layer of ``width`` units and squared loss:
    :math:`f(x) = W_2 \\tanh(W_1 x + b_1) + b_2`; every weight is a parameter.

    Default data: 24 samples of :math:`\\sin(2x)` on [-2, 2] (1 input, 1 output).

    Parameters
    ----------
    width : int
        Hidden units (>= 1).
    x, y : array_like, optional
        Own data instead of the default.
    seed : int
        Unused by the default data (kept for a uniform factory signature).

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``width`` is not an integer >= 1.

    Examples
    --------
    With zero weights the network outputs 0, so the loss is :math:`\\sum_i \\sin^2(2x_i)`:

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> m = fd.models.two_layer_net(width=3)
    >>> m.n_params
    10
    >>> x = np.linspace(-2, 2, 24)
    >>> bool(np.isclose(m.loss(np.zeros(m.n_params)), np.sum(np.sin(2 * x) ** 2)))
    True
    """
    if not isinstance(width, (int, np.integer)) or isinstance(width, bool) or width < 1:
        raise ValueError(f"width must be an integer >= 1, got {width!r}")
    if x is None and y is None:
        x = np.linspace(-2, 2, 24)
        y = np.sin(2 * x)
    X, Y = xy(x, y, None, None)
    din, dout, H = X.shape[1], Y.shape[1], int(width)
    names = (tuple(f"W1_{j}{k}" for j in range(H) for k in range(din))
             + tuple(f"b1_{j}" for j in range(H))
             + tuple(f"W2_{o}{j}" for o in range(dout) for j in range(H))
             + tuple(f"b2_{o}" for o in range(dout)))
    return Model("two_layer_net",
                 ModelKernels(example_hessian=NN.net_hessian, loss_grad=NN.net_loss_grad,
                              scratch=H + dout), X,
                 Y, np.array([din, H, dout], float), names, tuple((-3.0, 3.0) for _ in names),
                 work_size=H + dout + len(names), settings={"width": H, "inputs": din, "outputs": dout})
