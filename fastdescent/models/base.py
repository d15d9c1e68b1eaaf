r"""The :class:`Model` object: a loss written as per-example ``@njit`` kernels plus its data.

Model contract
--------------
The loss of a data model is the **sum** over examples,
:math:`L(\phi)=\sum_i \ell(\phi; x_i, y_i)`, so full-batch and minibatch gradients come from
the same kernel; a model without data (a test function) has one empty example. A model is

``loss_grad(p, x, y, c, g) -> float``
    The loss :math:`\ell(p; x, y)` of one example at the ``(P,)`` point ``p``, with ``x`` and
    ``y`` that example's ``(dx,)`` inputs and ``(dy,)`` targets and ``c`` the model's ``(C,)``
    float settings; *adds* :math:`\nabla_p \ell` into ``g`` ``(P,)``. Written once: the
    loss-only evaluations (line searches, loss surfaces) call it with a scratch ``g``.
``hessian(p, x, y, c, H) -> None``, optional
    *Adds* :math:`\nabla_p^2 \ell` into ``H`` ``(P, P)``, same convention. Without it, Hessians
    are central finite differences of the gradient.

The compiled block kernels (:mod:`fastdescent.models._template`) evaluate it for a ``(P, B)``
block of trajectories, one column per trajectory, the loop over trajectories innermost so it
vectorizes. The built-in models are written this way, except the two below.

Internally the block kernels call an 8-argument per-example kernel
``example(phi, b, X, Y, i, c, work, grad)`` that reads column ``b`` of the block directly and
may use a ``(W, B)`` scratch block ``work``; a ``loss_grad`` model gets it generated. Two
built-in models give that kernel and its loss-only twin ``example_loss(phi, b, X, Y, i, c,
work)`` directly: the two-layer network, which keeps its hidden activations in scratch rows of
``work`` (:mod:`fastdescent.models.network`), and the lecture's Gabor model, whose block kernel
is faster in this form (:func:`fastdescent.models.regression.gabor_example`).

A model whose per-example work is itself a small matrix product (a network) gives instead the
**lane-vectorized** form ``block(phi, X, Y, rows, c, work, grad, loss)`` and its loss-only
twin ``block_loss(phi, X, Y, rows, c, work, loss)``: one call adds the loss and gradient of
example ``rows[b]`` of every lane ``b`` of the block, and every loop of the kernel keeps the
lanes innermost, so the whole per-example computation vectorizes across trajectories
(:mod:`fastdescent.models.shallow`).

A model may declare **parameter groups** (``groups``: name -> ``(start, stop)``, contiguous,
disjoint ranges that cover every parameter, e.g. a network's input and output layer); an
optimizer then takes one learning rate per group (``lr={"input": a, "output": b}``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..codegen import importable_name  # noqa: F401 - part of this module's interface

__all__ = ["Model", "ModelKernels", "KnownPoint", "as_data", "custom_model"]


class ModelKernels(NamedTuple):
    """The njit kernels of a model (see the module docstring for their signatures): either
    ``loss_grad`` (the public contract), ``example`` and ``example_loss`` (the block
    kernels' internal form) or ``block`` and ``block_loss`` (the lane-vectorized form), and
    optionally ``example_hessian``."""

    example: Any = None
    example_loss: Any = None
    example_hessian: Any = None
    loss_grad: Any = None
    block: Any = None
    block_loss: Any = None

    @property
    def main(self):
        """The kernel that defines the model (``loss_grad``, ``block`` or ``example``)."""
        if self.loss_grad is not None:
            return self.loss_grad
        return self.block if self.block is not None else self.example


@dataclass(frozen=True)
class KnownPoint:
    """A known critical point: location, loss and kind ('minimum', 'saddle', 'maximum')."""

    params: tuple[float, ...]
    loss: float
    kind: str = "minimum"
    note: str = ""


def _is_njit(fn) -> bool:
    return hasattr(fn, "py_func") and hasattr(fn, "compile")


def as_data(a, name: str, *, ndim_out: int = 2) -> np.ndarray:
    """Validate a data array (finite, numeric, non-empty) and return it as float64 2-D."""
    if a is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    try:
        arr = np.array(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.ndim == 0:
        raise ValueError(f"{name} must be 1-D or 2-D, got a scalar")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: a data model needs at least one example")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return np.ascontiguousarray(arr)


@dataclass(frozen=True, eq=False)
class Model:
    """A loss :math:`L(\\phi)=\\sum_i \\ell(\\phi; x_i, y_i)` with analytic derivatives.

    Build models with the factories in :mod:`fastdescent.models` (``gabor()``,
    ``linear_regression_1d()``, ``rosenbrock()``, ...) or :func:`custom_model`.

    Attributes
    ----------
    name : str
        Registry name (``"gabor"``).
    kernels : ModelKernels
        The per-example njit kernels.
    X, Y : ndarray, shape (N, dx), (N, dy)
        The data (one empty example for models without data).
    consts : ndarray, shape (C,)
        Float settings passed to every kernel call.
    param_names : tuple of str
        One name per parameter (``("phi0", "phi1")``).
    box : tuple of (lo, hi)
        Default plotting / starting-grid box, one pair per parameter.
    minima : tuple of KnownPoint
        Known critical points (minima first), where known.
    has_data : bool
        False for test functions: minibatches are then meaningless.
    work_size : int
        Rows of scratch the kernels need per trajectory.
    settings : dict
        The factory's arguments, for provenance (stored in sweep attributes).
    groups : dict
        Parameter groups, name -> ``(start, stop)`` (contiguous, disjoint, covering every
        parameter in order), for per-group learning rates; empty: none declared.
    """

    name: str
    kernels: ModelKernels
    X: np.ndarray
    Y: np.ndarray
    consts: np.ndarray
    param_names: tuple[str, ...]
    box: tuple[tuple[float, float], ...]
    minima: tuple[KnownPoint, ...] = ()
    has_data: bool = True
    work_size: int = 0
    settings: dict = field(default_factory=dict)
    description: str = ""
    groups: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.groups:
            check_groups(self.groups, len(self.param_names))

    # ------------------------------------------------------------------ basic facts
    @property
    def n_params(self) -> int:
        """Number of parameters P."""
        return len(self.param_names)

    @property
    def n_examples(self) -> int:
        """Number of examples N (1 for models without data)."""
        return int(self.X.shape[0])

    @property
    def hessian_is_exact(self) -> bool:
        """True when the model has an analytic Hessian kernel (else finite differences)."""
        return self.kernels.example_hessian is not None

    def __repr__(self) -> str:
        data = f", {self.n_examples} examples" if self.has_data else ""
        return f"<Model {self.name}: {self.n_params} params{data}>"

    def describe(self) -> dict:
        """JSON-friendly description (name, parameters, settings) used for provenance."""
        settings = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                    for k, v in self.settings.items()}
        return {"name": self.name, "param_names": list(self.param_names),
                "n_examples": self.n_examples if self.has_data else 0, "settings": settings}

    # ------------------------------------------------------------------ evaluation
    def _compiled(self):
        from .compiled import compiled_for

        return compiled_for(self)

    def check_params(self, phi, name: str = "phi") -> np.ndarray:
        """Return ``phi`` as a float64 (P,) array or raise a clear error."""
        try:
            p = np.array(phi, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be an array of {self.n_params} numbers") from None
        if p.ndim != 1 or p.shape[0] != self.n_params:
            raise ValueError(
                f"{name} must have shape ({self.n_params},) for model {self.name!r} "
                f"(parameters {', '.join(self.param_names)}), got shape {p.shape}")
        return p

    def loss(self, phi) -> float:
        """Loss :math:`L(\\phi)` at one parameter vector (sum over all examples)."""
        p = self.check_params(phi)
        return float(self.loss_many(p[None, :])[0])

    def grad(self, phi) -> np.ndarray:
        """Gradient :math:`\\nabla L(\\phi)`, shape (P,)."""
        p = self.check_params(phi)
        return self.loss_grad_many(p[None, :])[1][0]

    def loss_many(self, points) -> np.ndarray:
        """Loss at many points: ``points`` (M, P) -> (M,), computed in parallel."""
        pts = self._points(points)
        out = np.empty(pts.shape[0])
        self._compiled().loss_many(pts, self.X, self.Y, self.consts, self.work_size, out)
        return out

    def loss_grad_many(self, points) -> tuple[np.ndarray, np.ndarray]:
        """Loss (M,) and gradient (M, P) at many points, computed in parallel."""
        pts = self._points(points)
        loss = np.empty(pts.shape[0])
        grad = np.empty_like(pts)
        self._compiled().loss_grad_many(pts, self.X, self.Y, self.consts, self.work_size,
                                        loss, grad)
        return loss, grad

    def hessian(self, phi) -> np.ndarray:
        """Hessian :math:`\\nabla^2 L(\\phi)`, shape (P, P).

        Exact when the model has a Hessian kernel; otherwise central finite differences of the
        analytic gradient with step :math:`h_k = 10^{-5}\\max(1, |\\phi_k|)`, symmetrised
        (accuracy about 1e-8 relative; ``hessian_is_exact`` says which).
        """
        p = self.check_params(phi)
        return self.hessian_many(p[None, :])[0]

    def hessian_many(self, points) -> np.ndarray:
        """Hessians at many points: (M, P) -> (M, P, P)."""
        pts = self._points(points)
        if self.hessian_is_exact:
            out = np.zeros((pts.shape[0], self.n_params, self.n_params))
            self._compiled().hessian_many(pts, self.X, self.Y, self.consts, out)
            return out
        return _fd_hessian(self, pts)

    def _points(self, points) -> np.ndarray:
        pts = np.array(points, dtype=np.float64)
        if pts.ndim == 1 and self.n_params != 1 and pts.shape[0] == self.n_params:
            pts = pts[None, :]
        if pts.ndim == 1 and self.n_params == 1:
            pts = pts[:, None]
        if pts.ndim != 2 or pts.shape[1] != self.n_params:
            raise ValueError(f"points must have shape (M, {self.n_params}), got {pts.shape}")
        return np.ascontiguousarray(pts)

    def loss_on_grid(self, axes: Sequence[np.ndarray], fixed=None) -> np.ndarray:
        """Loss over the Cartesian grid of two parameter axes (for surfaces).

        Parameters
        ----------
        axes : (a0, a1)
            Values of parameters 0 and 1 (or of the two parameters named by ``fixed``'s
            complement). The result has shape ``(len(a1), len(a0))`` (rows = second axis,
            the layout ``contourf(a0, a1, Z)`` expects).
        fixed : array_like, optional
            Values of the remaining parameters (models with P > 2).
        """
        a0, a1 = (np.asarray(a, dtype=np.float64) for a in axes)
        g0, g1 = np.meshgrid(a0, a1)
        pts = np.zeros((g0.size, self.n_params))
        if fixed is not None:
            pts[:] = self.check_params(fixed, "fixed")
        pts[:, 0] = g0.ravel()
        if self.n_params > 1:
            pts[:, 1] = g1.ravel()
        return self.loss_many(pts).reshape(g0.shape)

    def subset(self, indices) -> "Model":
        """The same model restricted to the examples ``indices`` (a minibatch's own loss)."""
        if not self.has_data:
            raise ValueError(f"model {self.name!r} has no data to take a subset of")
        idx = np.asarray(indices)
        if idx.ndim != 1 or idx.size == 0:
            raise ValueError("indices must be a non-empty 1-D array of example indices")
        if np.any(idx < 0) or np.any(idx >= self.n_examples):
            raise ValueError(f"indices must lie in [0, {self.n_examples - 1}]")
        return Model(self.name, self.kernels, np.ascontiguousarray(self.X[idx]),
                     np.ascontiguousarray(self.Y[idx]), self.consts, self.param_names, self.box,
                     (), self.has_data, self.work_size, dict(self.settings, subset=idx.tolist()),
                     self.description, groups=self.groups)

    def with_data(self, x, y) -> "Model":
        """The same model on other data (validated like the factories' ``x``/``y``)."""
        X = as_data(x, "x")
        Y = as_data(y, "y")
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"x and y must have the same number of examples, got "
                             f"{X.shape[0]} and {Y.shape[0]}")
        if X.shape[1] != self.X.shape[1] or Y.shape[1] != self.Y.shape[1]:
            raise ValueError(f"data must have {self.X.shape[1]} input and {self.Y.shape[1]} "
                             f"output columns for model {self.name!r}")
        return Model(self.name, self.kernels, X, Y, self.consts, self.param_names, self.box, (),
                     self.has_data, self.work_size, dict(self.settings, data="user"),
                     self.description, groups=self.groups)


def check_groups(groups: dict, n_params: int) -> dict:
    """Validate parameter groups: a dict name -> ``(start, stop)`` whose ranges are contiguous,
    in order, and cover ``0..n_params``; returns it with int bounds (ValueError otherwise)."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError("groups must be a non-empty dict name -> (start, stop)")
    out = {}
    pos = 0
    for name, rng in groups.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"group names must be identifiers, got {name!r}")
        lo, hi = (int(v) for v in rng)
        if lo != pos or hi <= lo:
            raise ValueError(f"group {name!r} must start at parameter {pos} and hold at least "
                             f"one parameter (groups are contiguous and in order), got "
                             f"({lo}, {hi})")
        out[name] = (lo, hi)
        pos = hi
    if pos != n_params:
        raise ValueError(f"groups must cover all {n_params} parameters, they end at {pos}")
    return out


def _fd_hessian(model: Model, pts: np.ndarray) -> np.ndarray:
    M, P = pts.shape
    h = 1e-5 * np.maximum(1.0, np.abs(pts))
    stacked = np.empty((M, 2 * P, P))
    for k in range(P):  # P small: builds 2P shifted copies, then one parallel kernel call
        plus = pts.copy()
        plus[:, k] += h[:, k]
        minus = pts.copy()
        minus[:, k] -= h[:, k]
        stacked[:, 2 * k] = plus
        stacked[:, 2 * k + 1] = minus
    _, g = model.loss_grad_many(stacked.reshape(-1, P))
    g = g.reshape(M, 2 * P, P)
    H = (g[:, 0::2, :] - g[:, 1::2, :]) / (2 * h[:, :, None])
    return 0.5 * (H + np.transpose(H, (0, 2, 1)))


def custom_model(loss_grad: Callable, example_loss: Callable | None = None, *,
                 n_params: int | None = None, param_names: Sequence[str] | None = None,
                 x=None, y=None, consts=(), hessian: Callable | None = None,
                 example_hessian: Callable | None = None, box=None, minima=(),
                 work_size: int = 0, name: str = "custom") -> Model:
    """Build a model from your own njit per-example kernel and data.

    Parameters
    ----------
    loss_grad : njit function ``(p, x, y, c, g) -> float``
        The loss of one example at the ``(P,)`` point ``p`` (``x``, ``y``: that example's input
        and target rows; ``c``: ``consts``); adds its gradient into ``g`` ``(P,)``. See the
        module docstring. An 8-argument kernel ``(phi, b, X, Y, i, c, work, grad)`` (the block
        kernels' internal form) is accepted too, with an optional ``example_loss``.
    n_params / param_names :
        The number of parameters, or their names (``phi0, phi1, ...`` by default).
    x, y : array_like, optional
        Data, ``(N,)`` or ``(N, d)``. Without data the loss has a single empty example.
    consts : sequence of float
        Settings passed to every kernel call as ``c``.
    hessian : njit function ``(p, x, y, c, H) -> None``, optional
        Adds the example's Hessian at ``p`` into ``H`` ``(P, P)``. Without it, Hessians are
        finite differences of the gradient (``model.hessian_is_exact`` is then False).
        ``example_hessian`` is the same argument under its former name.
    box : sequence of (lo, hi), optional
        Plotting / grid box; default ``(-1, 1)`` per parameter.

    Notes
    -----
    Kernels defined at module level in an importable module are compiled once and cached on
    disk (the second process starts fast). Kernels defined in ``__main__`` or a notebook work
    the same but are recompiled in every new process.
    """
    if hessian is not None and example_hessian is not None:
        raise TypeError("give hessian or example_hessian (the same argument), not both")
    hessian = hessian if hessian is not None else example_hessian
    for fname, fn in (("loss_grad", loss_grad), ("example_loss", example_loss),
                      ("hessian", hessian)):
        if fn is not None and not _is_njit(fn):
            raise TypeError(f"{fname} must be a numba.njit function, got {type(fn).__name__}")
    if loss_grad is None:
        raise TypeError("loss_grad must be a numba.njit function, got None")
    n_args = loss_grad.py_func.__code__.co_argcount
    if n_args not in (5, 8):
        raise TypeError(f"loss_grad must take (p, x, y, c, g) (or the internal form "
                        f"(phi, b, X, Y, i, c, work, grad)), got {n_args} arguments")
    if n_args == 5 and example_loss is not None:
        raise TypeError("example_loss goes with an 8-argument kernel; a loss_grad model "
                        "derives its loss from loss_grad")
    if param_names is None:
        if n_params is None:
            raise ValueError("give n_params or param_names")
        if int(n_params) < 1:
            raise ValueError(f"n_params must be >= 1, got {n_params}")
        param_names = tuple(f"phi{k}" for k in range(int(n_params)))
    param_names = tuple(str(p) for p in param_names)
    if n_params is not None and int(n_params) != len(param_names):
        raise ValueError("n_params does not match len(param_names)")
    if (x is None) != (y is None):
        raise ValueError("give both x and y, or neither")
    if x is None:
        X, Y, has_data = np.zeros((1, 0)), np.zeros((1, 0)), False
    else:
        X, Y, has_data = as_data(x, "x"), as_data(y, "y"), True
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"x and y must have the same number of examples, got "
                             f"{X.shape[0]} and {Y.shape[0]}")
    if n_args == 5:
        kernels = ModelKernels(example_hessian=hessian, loss_grad=loss_grad)
        work_size = max(int(work_size), len(param_names))  # the loss-only path's scratch g
    else:
        if example_loss is None:
            example_loss = _loss_from_example(loss_grad)
        kernels = ModelKernels(loss_grad, example_loss, hessian)
    if box is None:
        box = tuple((-1.0, 1.0) for _ in param_names)
    box = tuple((float(lo), float(hi)) for lo, hi in box)
    if len(box) != len(param_names):
        raise ValueError(f"box must have one (lo, hi) pair per parameter ({len(param_names)})")
    c = np.asarray(consts, dtype=np.float64).ravel()
    return Model(name, kernels, X, Y, c, param_names, box, tuple(minima), has_data,
                 int(work_size),
                 {"kernel": f"{loss_grad.py_func.__module__}.{loss_grad.py_func.__qualname__}"})


def _loss_from_example(example):
    from numba import njit

    @njit
    def example_loss(phi, b, X, Y, i, c, work):
        g = np.zeros_like(phi)
        return example(phi, b, X, Y, i, c, work, g)

    return example_loss
