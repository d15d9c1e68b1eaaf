r"""A network with one hidden layer, in the lane form: the model family of
Sohl-Dickstein (2024), "The boundary of neural network trainability is fractal".

For an input :math:`x \in \mathbb{R}^d`, ``n`` hidden units and ``m`` outputs

.. math::

    z = s_{in}\,(W_0 x + b_0), \qquad h = \sigma(z), \qquad
    f(x) = s_{out}\, V h + c, \qquad \ell = \lVert f(x) - y \rVert^2 ,

with the **mean-field** parameterization :math:`s_{in} = g/\sqrt{d}`,
:math:`s_{out} = 1/n` (the paper's :math:`f = \frac1n V \sigma(\sqrt{2/d}\,W_0 x)` for tanh
and ReLU, whose gain is :math:`g = \sqrt 2`; identity and the other activations have
:math:`g = 1`, as in the paper's notebook) or the **standard** one,
:math:`s_{in} = s_{out} = 1`. Biases :math:`b_0, c` are optional (the paper has none).
The loss is the sum over examples; ``fd.run(..., reduction="mean")`` gives the gradient of
the paper's mean squared error.

Parameters, in order: ``W0`` (n x d, row-major: ``W0_j_k`` multiplies input ``k`` of unit
``j``), ``b0`` (n, with biases), ``V`` (m x n), ``c`` (m, with biases). Two parameter groups,
``input`` (``W0``, ``b0``) and ``output`` (``V``, ``c``), take their own learning rates
(``fd.optim.gd(lr={"input": a, "output": b})``).

The kernel is written in the lane form of the model contract (:mod:`fastdescent.models.base`):
one call handles one example of every lane (trajectory) of a ``(P, B)`` block, and every loop
keeps the lanes innermost, so the products :math:`W_0 x`, :math:`V h`, the backward pass and
the activation (:func:`~fastdescent.fastmath.fast_tanh`, :func:`~fastdescent.fastmath.fast_sincos`,
:func:`~fastdescent.fastmath.fast_exp`: no ``libm`` call) all compile to packed vector code; the
loss-only form is derived from it (the forward pass alone). Literals go through
:func:`~fastdescent.contract.like`, so the kernel runs in float64 and float32. Scratch rows of
``w`` per lane: ``z`` then ``h`` (n), :math:`s_{in}\sigma'(z)` (n) and the residuals (m).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..contract import like
from ..fastmath import fast_exp, fast_sincos, fast_tanh, select
from .base import Model, ModelKernels

__all__ = ["shallow_net", "shallow_init", "ACTIVATIONS"]

#: activation name -> code in ``c[3]`` (every one vectorizes: fast math or selects)
ACTIVATIONS = {"identity": 0, "tanh": 1, "relu": 2, "sin": 3, "cos": 4, "sigmoid": 5,
               "gauss": 6}
#: the gain :math:`g` of the mean-field input scale :math:`g/\sqrt d` by default
DEFAULT_GAIN = {"tanh": math.sqrt(2.0), "relu": math.sqrt(2.0)}

_D, _N, _M, _ACT, _BIAS, _SIN, _SOUT = range(7)


@njit(inline="always", error_model="numpy")
def _layout(c):
    """``(d, n, m, bias, ob, ov, oc)``: inputs, hidden units, outputs, whether there are biases,
    and where ``b0``, ``V`` and ``c`` start in the parameter vector (``W0`` starts at 0)."""
    d = int(c[_D])
    n = int(c[_N])
    m = int(c[_M])
    bias = c[_BIAS] != 0.0
    ob = n * d
    ov = ob + (n if bias else 0)
    return d, n, m, bias, ob, ov, ov + m * n


@njit(inline="always", error_model="numpy")
def _forward(p, x, c, w):
    """Hidden activations ``h`` (rows 0..n of ``w``) and :math:`s_{in}\\sigma'(z)` (rows
    n..2n) of every lane."""
    d, n, m, bias, ob, ov, oc = _layout(c)
    act = int(c[_ACT])
    s_in = c[_SIN]
    B = p.shape[1]
    one = like(1.0, p)  # literals in the block's precision (float64 or float32)
    zero = like(0.0, p)
    for j in range(n):
        if bias:
            for b in range(B):
                w[j, b] = p[ob + j, b]
        else:
            for b in range(B):
                w[j, b] = 0.0
        for k in range(d):
            q = j * d + k
            for b in range(B):
                w[j, b] += p[q, b] * x[k, b]
        # h = sigma(z), z = s_in * (W0 x + b0); row n + j: s_in * sigma'(z)
        if act == 1:
            for b in range(B):
                h = fast_tanh(s_in * w[j, b])
                w[j, b] = h
                w[n + j, b] = s_in * (one - h * h)
        elif act == 0:
            for b in range(B):
                w[j, b] = s_in * w[j, b]
                w[n + j, b] = s_in
        elif act == 2:
            for b in range(B):
                z = s_in * w[j, b]
                w[j, b] = select(z < zero, zero, z)
                w[n + j, b] = select(z > zero, s_in, zero)
        elif act == 3 or act == 4:
            for b in range(B):
                sv, cv = fast_sincos(s_in * w[j, b])
                w[j, b] = select(act == 3, sv, cv)
                w[n + j, b] = s_in * select(act == 3, cv, -sv)
        elif act == 5:
            for b in range(B):
                h = one / (one + fast_exp(-(s_in * w[j, b])))
                w[j, b] = h
                w[n + j, b] = s_in * (h * (one - h))
        else:
            for b in range(B):
                z = s_in * w[j, b]
                h = fast_exp(-(z * z))
                w[j, b] = h
                w[n + j, b] = s_in * (like(-2.0, p) * z * h)


@njit(inline="always", error_model="numpy")
def _outputs(p, y, c, w, loss):
    """Residuals :math:`f - y` into rows 2n..2n+m of ``w``; adds their squares to
    ``loss``."""
    d, n, m, bias, ob, ov, oc = _layout(c)
    s_out = c[_SOUT]
    B = p.shape[1]
    for o in range(m):
        r = 2 * n + o
        for b in range(B):
            w[r, b] = 0.0
        for j in range(n):
            q = ov + o * n + j
            for b in range(B):
                w[r, b] += p[q, b] * w[j, b]
        if bias:
            for b in range(B):
                e = s_out * w[r, b] + p[oc + o, b] - y[o, b]
                w[r, b] = e
                loss[b] += e * e
        else:
            for b in range(B):
                e = s_out * w[r, b] - y[o, b]
                w[r, b] = e
                loss[b] += e * e


@njit(inline="always", error_model="numpy")
def shallow_lanes(p, x, y, c, g, w, loss):
    """Adds the squared loss of each lane's example to ``loss[b]`` and its gradient
    (backpropagation) to column ``b`` of ``g``, for every lane ``b`` of the block."""
    d, n, m, bias, ob, ov, oc = _layout(c)
    s_out = c[_SOUT]
    B = p.shape[1]
    _forward(p, x, c, w)
    _outputs(p, y, c, w, loss)
    # dl/df_o = 2 e_o: output layer
    for o in range(m):
        r = 2 * n + o
        for b in range(B):
            w[r, b] = like(2.0, p) * w[r, b]
        if bias:
            for b in range(B):
                g[oc + o, b] += w[r, b]
        for j in range(n):
            q = ov + o * n + j
            for b in range(B):
                g[q, b] += (s_out * w[r, b]) * w[j, b]
    # dl/dz_j = s_out sum_o 2 e_o V_oj * s_in sigma'(z_j), kept in row j (h is no longer needed)
    for j in range(n):
        for b in range(B):
            w[j, b] = 0.0
        for o in range(m):
            q = ov + o * n + j
            r = 2 * n + o
            for b in range(B):
                w[j, b] += w[r, b] * p[q, b]
        for b in range(B):
            w[j, b] = (s_out * w[j, b]) * w[n + j, b]
        if bias:
            for b in range(B):
                g[ob + j, b] += w[j, b]
        for k in range(d):
            q = j * d + k
            for b in range(B):
                g[q, b] += w[j, b] * x[k, b]


def shallow_net(width: int = 16, inputs: int = 16, outputs: int = 1, *, activation="tanh",
                bias: bool = False, parameterization: str = "mean_field", gain=None,
                examples=None, x=None, y=None, seed: int = 0) -> Model:
    """One hidden layer of ``width`` units, squared loss (module docstring for the formulas).

    Parameters
    ----------
    width, inputs, outputs : int
        Hidden units n, input dimension d, outputs m.
    activation : str
        One of ``ACTIVATIONS`` (``"tanh"``, ``"relu"``, ``"identity"``, ``"sin"``,
        ``"cos"``, ``"sigmoid"``, ``"gauss"`` = :math:`e^{-z^2}`).
    bias : bool
        Hidden and output biases (the paper: none).
    parameterization : {"mean_field", "standard"}
        :math:`s_{in} = g/\\sqrt d,\\ s_{out} = 1/n` or :math:`s_{in} = s_{out} = 1`.
    gain : float, optional
        :math:`g` of the mean-field input scale (default :math:`\\sqrt 2` for tanh and ReLU,
        1 otherwise, as in the paper's notebook).
    examples : int, optional
        Number of generated examples (default: as many as parameters per output,
        ``P // outputs``, the paper's choice; 272 for the default network).
    x, y : array_like, optional
        Your own data instead (``(N, inputs)``, ``(N, outputs)``).
    seed : int
        Seed of the generated data: :math:`X, Y \\sim \\mathcal N(0, 1)` elementwise.

    Returns
    -------
    Model
        With parameter groups ``input`` and ``output``; draw a starting point with
        :func:`shallow_init`.

    Examples
    --------
    The paper's tanh network (width 16, 16 inputs, no biases, 272 examples):

    >>> import fastdescent as fd
    >>> m = fd.models.shallow_net()
    >>> m.n_params, m.n_examples, m.groups
    (272, 272, {'input': (0, 256), 'output': (256, 272)})
    >>> p0 = fd.models.shallow_init(m, seed=0)
    >>> res = fd.run(m, fd.optim.gd(lr={"input": 1.0, "output": 5.0}), p0, steps=100,
    ...              reduction="mean", progress=False)
    >>> bool(res.loss[0] < m.loss(p0))
    True
    """
    for name, v in (("width", width), ("inputs", inputs), ("outputs", outputs)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got "
                         f"{activation!r}")
    if parameterization not in ("mean_field", "standard"):
        raise ValueError(f"parameterization must be 'mean_field' or 'standard', got "
                         f"{parameterization!r}")
    n, d, m = int(width), int(inputs), int(outputs)
    bias = bool(bias)
    g = DEFAULT_GAIN.get(activation, 1.0) if gain is None else float(gain)
    if not (math.isfinite(g) and g > 0):
        raise ValueError(f"gain must be a finite number > 0, got {gain!r}")
    names = (tuple(f"W0_{j}_{k}" for j in range(n) for k in range(d))
             + (tuple(f"b0_{j}" for j in range(n)) if bias else ())
             + tuple(f"V_{o}_{j}" for o in range(m) for j in range(n))
             + (tuple(f"c_{o}" for o in range(m)) if bias else ()))
    P = len(names)
    if x is None and y is None:
        N = P // m if examples is None else int(examples)
        if N < 1:
            raise ValueError(f"examples must be >= 1, got {examples!r}")
        rng = np.random.default_rng([int(seed), 0])
        X = rng.standard_normal((N, d))
        Y = rng.standard_normal((N, m))
    else:
        from ._build import xy

        if examples is not None:
            raise ValueError("give examples (generated data) or x and y, not both")
        X, Y = xy(x, y, None, None)
        if X.shape[1] != d or Y.shape[1] != m:
            raise ValueError(f"x must have {d} columns and y {m}, got {X.shape[1]} and "
                             f"{Y.shape[1]}")
    mf = parameterization == "mean_field"
    s_in = g / math.sqrt(d) if mf else 1.0
    s_out = 1.0 / n if mf else 1.0
    consts = np.array([d, n, m, ACTIVATIONS[activation], float(bias), s_in, s_out])
    n_in = n * d + (n if bias else 0)
    return Model("shallow_net", ModelKernels(lanes=shallow_lanes, scratch=2 * n + m),
                 X, Y, consts, names, tuple((-3.0, 3.0) for _ in names),
                 work_size=2 * n + m,
                 settings={"width": n, "inputs": d, "outputs": m, "activation": activation,
                           "bias": bias, "parameterization": parameterization, "gain": g,
                           "examples": int(X.shape[0]), "seed": int(seed)},
                 groups={"input": (0, n_in), "output": (n_in, P)})


def shallow_init(model: Model, seed: int = 0, n: int | None = None) -> np.ndarray:
    """Starting point(s) of a :func:`shallow_net`: weights :math:`W_0, V \\sim \\mathcal N(0,
    1)` elementwise (the paper's initialization, which the mean-field scales make O(1) per
    unit), biases 0.

    Parameters
    ----------
    model : Model
        A :func:`shallow_net`.
    seed : int
        Seed of the draw (independent of the data's stream).
    n : int, optional
        Number of independent starting points: an ``(n, P)`` array; default one ``(P,)``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> fd.models.shallow_init(fd.models.shallow_net(width=2, inputs=3)).shape
    (8,)
    """
    if model.name != "shallow_net":
        raise ValueError(f"model must be a shallow_net, got {model.name!r}")
    s = model.settings
    nh, d, m, bias = s["width"], s["inputs"], s["outputs"], s["bias"]
    rng = np.random.default_rng([int(seed), 1])
    count = 1 if n is None else int(n)
    W0 = rng.standard_normal((count, nh * d))
    V = rng.standard_normal((count, m * nh))
    zb, zc = np.zeros((count, nh if bias else 0)), np.zeros((count, m if bias else 0))
    p = np.concatenate([W0, zb, V, zc], axis=1)
    return p[0] if n is None else p
