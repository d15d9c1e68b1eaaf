"""Template of a model's compiled block kernels (see :mod:`fastdescent.models.compiled`).

This file is a real, importable module (bound to the two-layer network, a model given in the
block kernels' internal form, so it can be read, linted and tested as is). For each model,
:func:`fastdescent.models.compiled.compiled_for` writes a copy in which the single line marked
``MODEL-KERNELS`` imports that model's kernels instead, so that every function below is
compiled with the model's kernels inlined and cached on disk (``cache=True`` holds because no
function is passed as an argument).

It holds the **block kernels** - loss and gradient of a ``(P, B)`` block of trajectories
summed over a range of examples, with the model's per-example kernel inlined so the loop over
trajectories vectorizes - compiled with the fixed signatures the model-independent
:mod:`fastdescent.engine.worker` expects, plus serial evaluation helpers for Python.
"""
import math

import numpy as np
from numba import njit

from fastdescent.contract import LOSS_GRAD, compiled, signatures

# Models in the lane form (a ``loss_grad(p, x, y, c, g, w, loss)`` kernel over a whole block)
# set LANE_FORM below; model_lanes_loss is their loss-only form
LANE_FORM = False
if "model_lanes" not in globals():  # dynamic modules receive it in their namespace
    model_lanes = model_lanes_loss = None
from fastdescent.models.network import net_example as model_example, net_loss as model_loss, net_hessian as model_hessian  # MODEL-KERNELS  # noqa: E501,I001


# ------------------------------------------------------------------------------- block kernels
@njit(cache=True, error_model="numpy")
def _lane_blocks(X, Y, B):
    """The lane form's ``x`` (dx, B) and ``y`` (dy, B) blocks, in the data's precision."""
    return np.empty((X.shape[1], B), X.dtype), np.empty((Y.shape[1], B), Y.dtype)


@njit(cache=True, error_model="numpy")
def _lane_data(X, Y, perm, j, use_perm, xs, ys):
    """Lane ``b``'s example as column ``b`` of ``xs`` and ``ys``: example ``j`` for every lane
    (full batch), or with ``use_perm`` example ``perm[b, j]``."""
    B = xs.shape[1]
    if use_perm:
        for k in range(X.shape[1]):
            for b in range(B):
                xs[k, b] = X[perm[b, j], k]
        for k in range(Y.shape[1]):
            for b in range(B):
                ys[k, b] = Y[perm[b, j], k]
    else:
        for k in range(X.shape[1]):
            v = X[j, k]
            for b in range(B):
                xs[k, b] = v
        for k in range(Y.shape[1]):
            v = Y[j, k]
            for b in range(B):
                ys[k, b] = v


@njit(cache=True, error_model="numpy")
def _gather(X, Y, perm, j, Xg, Yg):
    """Rows ``perm[b, j]`` of X and Y into rows ``b`` of Xg and Yg."""
    for b in range(Xg.shape[0]):
        i = perm[b, j]
        for k in range(X.shape[1]):
            Xg[b, k] = X[i, k]
        for k in range(Y.shape[1]):
            Yg[b, k] = Y[i, k]


@njit(LOSS_GRAD, cache=True, error_model="numpy")
def block_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss):
    """Sum over examples ``start..stop`` of the per-example loss and gradient, for every column
    of the ``(P, B)`` block ``phi`` (full batch: ``perm`` and ``use_perm`` are ignored; the
    Python layer passes :func:`batch_loss_grad` to minibatch runs)."""
    P, B = phi.shape
    for b in range(B):  # loops, not a helper: one separately compiled function less
        loss[b] = 0.0
    for k in range(P):
        for b in range(B):
            grad[k, b] = 0.0
    if LANE_FORM:  # a constant: Numba compiles one branch only
        xs, ys = _lane_blocks(X, Y, B)
        for i in range(start, stop):
            _lane_data(X, Y, perm, i, False, xs, ys)
            model_lanes(phi, xs, ys, c, grad, work, loss)
    else:
        for i in range(start, stop):
            for b in range(B):
                loss[b] += model_example(phi, b, X, Y, i, c, work, grad)


@njit(cache=True, error_model="numpy")
def block_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss):
    """Loss only (line searches, recorded loss paths, surfaces); full batch like
    :func:`block_loss_grad`. Compiled on first use (:func:`loss_kernel`): plain runs never
    call it."""
    B = phi.shape[1]
    for b in range(B):
        loss[b] = 0.0
    if LANE_FORM:
        xs, ys = _lane_blocks(X, Y, B)
        for i in range(start, stop):
            _lane_data(X, Y, perm, i, False, xs, ys)
            model_lanes_loss(phi, xs, ys, c, work, loss)
    else:
        for i in range(start, stop):
            for b in range(B):
                loss[b] += model_loss(phi, b, X, Y, i, c, work)


# Minibatch versions: the same sums, plus the path through each lane's permutation. Compiled
# on the first minibatch run only (``batch_kernels()``), so a full-batch user never waits for
# the second inlined copy of the model.
@njit(cache=True, error_model="numpy")
def batch_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss):
    """:func:`block_loss_grad`, or with ``use_perm`` the sum over examples ``perm[b, j]``,
    ``j = start..stop``, for lane ``b``."""
    P, B = phi.shape
    if use_perm:
        for b in range(B):
            loss[b] = 0.0
        for k in range(P):
            for b in range(B):
                grad[k, b] = 0.0
        if LANE_FORM:  # lane b's example is perm[b, j]
            xs, ys = _lane_blocks(X, Y, B)
            for j in range(start, stop):
                _lane_data(X, Y, perm, j, True, xs, ys)
                model_lanes(phi, xs, ys, c, grad, work, loss)
        else:
            # gather each lane's example into a (B, dx) block first: the kernel loop then
            # reads row b for lane b and vectorizes like the full-batch loop (LLVM will not
            # vectorize the indexed gather itself)
            Xg = np.empty((B, X.shape[1]), X.dtype)
            Yg = np.empty((B, Y.shape[1]), Y.dtype)
            for j in range(start, stop):
                _gather(X, Y, perm, j, Xg, Yg)
                for b in range(B):
                    loss[b] += model_example(phi, b, Xg, Yg, b, c, work, grad)
    else:
        block_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss)


@njit(cache=True, error_model="numpy")
def batch_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss):
    """:func:`block_loss`, or with ``use_perm`` the minibatch sum (see :func:`batch_loss_grad`)."""
    B = phi.shape[1]
    if use_perm:
        for b in range(B):
            loss[b] = 0.0
        if LANE_FORM:
            xs, ys = _lane_blocks(X, Y, B)
            for j in range(start, stop):
                _lane_data(X, Y, perm, j, True, xs, ys)
                model_lanes_loss(phi, xs, ys, c, work, loss)
        else:
            Xg = np.empty((B, X.shape[1]), X.dtype)
            Yg = np.empty((B, Y.shape[1]), Y.dtype)
            for j in range(start, stop):
                _gather(X, Y, perm, j, Xg, Yg)
                for b in range(B):
                    loss[b] += model_loss(phi, b, Xg, Yg, b, c, work)
    else:
        block_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss)


def loss_kernel(dtype="float64"):
    """:func:`block_loss` compiled with the worker's signature in precision ``dtype``."""
    return compiled(block_loss, signatures(dtype).loss)


def batch_kernels(loss=True, dtype="float64"):
    """``(batch_loss_grad, batch_loss)`` compiled with the worker's signatures in precision
    ``dtype`` (``batch_loss`` is None when ``loss`` is False)."""
    sig = signatures(dtype)
    # the batch kernels call block_loss_grad, whose signatures are closed to compiling at call
    # time (declared eagerly for float64): its overload in this precision comes first
    compiled(block_loss_grad, sig.loss_grad)
    return (compiled(batch_loss_grad, sig.loss_grad),
            compiled(batch_loss, sig.loss) if loss else None)


EVAL_BLOCK = 64


@njit(cache=True, error_model="numpy")
def loss_many(points, X, Y, c, work_rows, out):
    """Loss at each of the (M, P) ``points`` (surfaces, analysis)."""
    M = points.shape[0]
    n_blocks = (M + EVAL_BLOCK - 1) // EVAL_BLOCK
    perm = np.zeros((1, 1), dtype=np.int64)
    for ib in range(n_blocks):
        s = ib * EVAL_BLOCK
        e = min(s + EVAL_BLOCK, M)
        phi = np.ascontiguousarray(points[s:e].T)
        work = np.zeros((max(work_rows, 1), e - s))
        block_loss(phi, X, Y, c, work, perm, 0, X.shape[0], False, out[s:e])


@njit(cache=True, error_model="numpy")
def loss_grad_many(points, X, Y, c, work_rows, out_loss, out_grad):
    """Loss and gradient at each of the (M, P) ``points``."""
    M, P = points.shape
    n_blocks = (M + EVAL_BLOCK - 1) // EVAL_BLOCK
    perm = np.zeros((1, 1), dtype=np.int64)
    for ib in range(n_blocks):
        s = ib * EVAL_BLOCK
        e = min(s + EVAL_BLOCK, M)
        phi = np.ascontiguousarray(points[s:e].T)
        work = np.zeros((max(work_rows, 1), e - s))
        g = np.empty((P, e - s))
        block_loss_grad(phi, X, Y, c, work, perm, 0, X.shape[0], False, g, out_loss[s:e])
        out_grad[s:e] = g.T


@njit(cache=True, error_model="numpy")
def hessian_many(points, X, Y, c, out):
    """Exact Hessian (sum of the per-example Hessians) at each of the (M, P) ``points``."""
    for m in range(points.shape[0]):
        p = np.ascontiguousarray(points[m])
        for i in range(X.shape[0]):
            model_hessian(p, X[i], Y[i], c, out[m])
