"""Predictions :math:`f(x;\\phi)` of the lecture's data models, in NumPy (for plotting fits).

The models' kernels compute losses, not predictions, so the prediction of each model family is
written here again, following the kernels' parameter layouts:

=============================  ===========================================================
family (model names)           prediction
=============================  ===========================================================
``polynomial``                 :math:`f(x)=\\sum_{k=0}^{d}\\phi_k x^k`, ``d = consts[0]``
(linear_regression_1d,
univariate_regression,
polynomial_regression)
``gabor``                      :math:`f(x)=\\sin(z)\\,e^{-z^2/32}`, :math:`z=\\phi_0+0.06\\,\\phi_1 x`
``linear``                     :math:`f(x)=Wx+w_0`; ``W`` (D x dx) row-major, then ``w_0``
(multivariate_regression)
``logistic``                   :math:`P(y=1)=\\sigma(w\\cdot x+w_0)`; ``w`` then ``w_0``
(binary_classification)
``softmax``                    :math:`P(y=k)=\\mathrm{softmax}(Wx+w_0)_k`; ``W`` (K x dx), ``w_0``
(multiclass_classification)
``network``                    :math:`f(x)=W_2\\tanh(W_1x+b_1)+b_2`; ``W1, b1, W2, b2``
(two_layer_net)
=============================  ===========================================================

Dispatch is on ``model.name``, falling back on the model's kernels (a
``polynomial_regression(..., name="mine")`` is still a polynomial).
"""
from __future__ import annotations

import numpy as np

__all__ = ["family", "task", "predict", "predict_class", "loss_from_prediction"]

_BY_NAME = {
    "linear_regression_1d": "polynomial",
    "univariate_regression": "polynomial",
    "polynomial_regression": "polynomial",
    "gabor": "gabor",
    "multivariate_regression": "linear",
    "binary_classification": "logistic",
    "multiclass_classification": "softmax",
    "two_layer_net": "network",
}

_TASK = {"polynomial": "regression", "gabor": "regression", "linear": "regression",
         "network": "regression", "logistic": "binary", "softmax": "multiclass"}


def family(model) -> str:
    """The prediction family of a model (see the module docstring); ValueError if none.

    Parameters
    ----------
    model : Model

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the model is none of the lecture's data families.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.plotting.predict import family
    >>> family(fd.models.gabor()), family(fd.models.binary_classification())
    ('gabor', 'logistic')
    """
    fam = _BY_NAME.get(model.name)
    if fam is not None:
        return fam
    from ..models import classification as C
    from ..models import network as NN
    from ..models import regression as R

    ex = model.kernels.main
    for kernel, fam in ((getattr(R, "poly_loss_grad", None), "polynomial"),
                        (getattr(R, "gabor_loss_grad", None), "gabor"),
                        (getattr(R, "linear_loss_grad", None), "linear"),
                        (getattr(C, "logistic_loss_grad", None), "logistic"),
                        (getattr(C, "softmax_loss_grad", None), "softmax"),
                        (getattr(NN, "net_loss_grad", None), "network")):
        if kernel is not None and ex is kernel:
            return fam
    raise ValueError(f"no prediction function for model {model.name!r}: predictions exist for "
                     f"{', '.join(_BY_NAME)}")


def task(model) -> str:
    """``"regression"``, ``"binary"`` or ``"multiclass"``.

    Parameters
    ----------
    model : Model

    Returns
    -------
    str
        ``"regression"``, ``"binary"`` or ``"multiclass"``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.plotting.predict import task
    >>> task(fd.models.gabor()), task(fd.models.multiclass_classification())
    ('regression', 'multiclass')
    """
    return _TASK[family(model)]


def _inputs(model, x) -> np.ndarray:
    dx = model.X.shape[1]
    if x is None:
        return np.asarray(model.X, dtype=np.float64)
    X = np.asarray(x, dtype=np.float64)
    if X.ndim == 1 and dx == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != dx:
        raise ValueError(f"x must have shape (n, {dx}) for model {model.name!r}"
                         + (" (or (n,))" if dx == 1 else "") + f", got {X.shape}")
    return X


def _params(model, params) -> tuple[np.ndarray, bool]:
    p = np.asarray(params, dtype=np.float64)
    single = p.ndim == 1
    p = np.atleast_2d(p)
    if p.ndim != 2 or p.shape[1] != model.n_params:
        raise ValueError(f"params must have shape ({model.n_params},) or (M, {model.n_params}) "
                         f"for model {model.name!r}, got {np.shape(params)}")
    return p, single


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _raw(model, fam, p, X):
    """Outputs for params p (M, P) at inputs X (n, dx): (M, n) or (M, n, D)."""
    c = model.consts
    if fam == "polynomial":
        deg = int(c[0])
        x = X[:, 0]
        f = np.zeros((p.shape[0], x.size))
        xk = np.ones_like(x)
        for k in range(deg + 1):
            f += p[:, k:k + 1] * xk
            xk = xk * x
        return f
    if fam == "gabor":
        z = p[:, 0:1] + 0.06 * p[:, 1:2] * X[:, 0]
        return np.sin(z) * np.exp(-z * z / 32.0)
    if fam == "linear":
        dx, D = int(c[0]), int(c[1])
        W = p[:, :D * dx].reshape(-1, D, dx)
        w0 = p[:, D * dx:D * dx + D]
        return np.einsum("mdj,nj->mnd", W, X) + w0[:, None, :]
    if fam == "logistic":
        dx = int(c[0])
        return p[:, dx:dx + 1] + p[:, :dx] @ X.T  # logits (M, n)
    if fam == "softmax":
        dx, K = int(c[0]), int(c[1])
        W = p[:, :K * dx].reshape(-1, K, dx)
        return np.einsum("mkj,nj->mnk", W, X) + p[:, None, K * dx:K * dx + K]  # logits
    if fam == "network":
        din, H, dout = int(c[0]), int(c[1]), int(c[2])
        W1 = p[:, :H * din].reshape(-1, H, din)
        b1 = p[:, H * din:H * din + H]
        o = H * din + H
        W2 = p[:, o:o + dout * H].reshape(-1, dout, H)
        b2 = p[:, o + dout * H:o + dout * H + dout]
        h = np.tanh(np.einsum("mhk,nk->mnh", W1, X) + b1[:, None, :])
        f = np.einsum("moh,mnh->mno", W2, h) + b2[:, None, :]
        return f[..., 0] if dout == 1 else f
    raise AssertionError(fam)


def predict(model, params, x=None) -> np.ndarray:
    """The model's prediction at inputs ``x`` (default: its data ``model.X``).

    Parameters
    ----------
    model : Model
        A data model of a known family (see the module docstring).
    params : array_like, (P,) or (M, P)
        One parameter vector, or M of them (then results get a leading M axis).
    x : array_like, (n, dx) or (n,) for one input, optional

    Returns
    -------
    ndarray
        Regression: ``(n,)`` for one output, ``(n, D)`` for D outputs. Binary classification:
        :math:`P(y=1)`, ``(n,)``. Multiclass: class probabilities ``(n, K)``.

    Examples
    --------
    The lecture's line :math:`f(x) = \\phi_0 + \\phi_1 x`:

    >>> import fastdescent as fd
    >>> from fastdescent.plotting.predict import predict
    >>> predict(fd.models.linear_regression_1d(), [1.0, 0.5], x=[0.0, 2.0])
    array([1., 2.])
    """
    fam = family(model)
    p, single = _params(model, params)
    X = _inputs(model, x)
    out = _raw(model, fam, p, X)
    if fam == "logistic":
        out = 1.0 / (1.0 + np.exp(-out))
    elif fam == "softmax":
        out = _softmax(out)
    return out[0] if single else out


def predict_class(model, params, x=None) -> np.ndarray:
    """Predicted class (int) of a classification model: ``(n,)`` (or ``(M, n)``).

    Parameters
    ----------
    model : Model
        A classification model.
    params : array_like, shape (P,)
    x : array_like, shape (n, d), optional
        Inputs (default the model's data).

    Returns
    -------
    ndarray of int

    Raises
    ------
    ValueError
        If the model is not a classification model.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.plotting.predict import predict_class
    >>> m = fd.models.binary_classification()
    >>> predict_class(m, [1.0, 0.0, 0.0], x=[[-1.0, 0.0], [2.0, 0.0]])
    array([0, 1])
    """
    fam = family(model)
    if fam not in ("logistic", "softmax"):
        raise ValueError(f"model {model.name!r} is not a classification model")
    p = predict(model, params, x)
    if fam == "logistic":
        return (p >= 0.5).astype(np.int64)
    return np.argmax(p, axis=-1).astype(np.int64)


def loss_from_prediction(model, params) -> float | np.ndarray:
    """The model's loss recomputed from :func:`predict` on its data (a consistency check):
    sum of squared residuals (regression) or of cross-entropies (classification).

    Parameters
    ----------
    model : Model
    params : array_like, shape (P,) or (M, P)

    Returns
    -------
    float or ndarray

    Examples
    --------
    The loss recomputed from NumPy predictions equals the compiled kernels' loss:

    >>> import fastdescent as fd
    >>> from fastdescent.plotting.predict import loss_from_prediction
    >>> m = fd.models.gabor()
    >>> round(loss_from_prediction(m, [0.6, -0.2]), 9) == round(m.loss([0.6, -0.2]), 9)
    True
    """
    fam = family(model)
    p, single = _params(model, params)
    X, Y = model.X, model.Y
    raw = _raw(model, fam, p, X)
    if fam == "logistic":
        y = Y[:, 0]
        # softplus(z) - y z, stable
        L = np.sum(np.logaddexp(0.0, raw) - y * raw, axis=-1)
    elif fam == "softmax":
        cls = Y[:, 0].astype(np.int64)
        zmax = raw.max(axis=-1, keepdims=True)
        lse = (zmax + np.log(np.exp(raw - zmax).sum(axis=-1, keepdims=True)))[..., 0]
        L = np.sum(lse - np.take_along_axis(raw, cls[None, :, None], axis=-1)[..., 0], axis=-1)
    else:
        r = raw - (Y[:, 0] if raw.ndim == 2 else Y)
        L = np.sum(r.reshape(r.shape[0], -1) ** 2, axis=-1)
    return float(L[0]) if single else L
