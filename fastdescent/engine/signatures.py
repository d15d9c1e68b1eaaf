"""Fixed Numba signatures shared by the per-model block kernels, the rule kernels and the
generic worker.

Because the worker receives the block kernels and the rule's kernels as first-class functions
of these exact types (not as dispatchers, which Numba would specialise on one by one), it is
compiled once and cached for every model and every optimizer.
"""
from numba import boolean, float64, int64, int8, njit, types

F1 = float64[::1]
F2 = float64[:, ::1]
F3 = float64[:, :, ::1]
I1 = int64[::1]
I2 = int64[:, ::1]
B1 = boolean[::1]

#: ``block_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss)``
LOSS_GRAD = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F2, F1)
#: ``block_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss)``
LOSS = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F1)

LOSS_GRAD_FN = types.FunctionType(LOSS_GRAD)
LOSS_FN = types.FunctionType(LOSS)

#: a rule's step kernel ``update(phi, g, state, hyper, t, scale)`` (:mod:`fastdescent.optim.rules`)
UPDATE = types.void(F2, F2, F3, F2, int64, float64)
#: a line search's step ``search(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm,
#: start, stop, use_perm, red, step)`` (:mod:`fastdescent.optim.line_searches`)
SEARCH = types.void(LOSS_FN, F2, F2, F1, F2, float64, B1, F2, F2, F1, F2, I2, int64, int64,
                    boolean, float64, F1)

#: a minibatch stream ``permute(seed, index, epoch, out)`` (:mod:`fastdescent.optim.batches`)
PERMUTE = types.void(int64, int64, int64, I1)

UPDATE_FN = types.FunctionType(UPDATE)
PERMUTE_FN = types.FunctionType(PERMUTE)
SEARCH_FN = types.FunctionType(SEARCH)

#: the worker's workspace: rows of ``blocks`` (each (P, B)) and of ``vectors`` (each (B,))
W_PHI, W_PREV, W_GRAD, W_GRAD_FULL, W_LOOK = range(5)
N_BLOCK_ARRAYS = 5
W_LOSS, W_LOSS_FULL, W_STEP = range(3)
N_VECTORS = 3

#: ``drive(next_block, n_blocks, lg, lo, update, search, permute, line_search, lookahead, phi0,
#: hyper, index, seed, n_steps, scales, batch_size, mean, tol, bound, X, Y, c, record_every,
#: blocks, vectors, state, hyp, work, perm, active,
#: out_params, out_loss, out_status, out_steps, out_path, out_loss_path)``
DRIVE_SIG = types.void(I1, int64, LOSS_GRAD_FN, LOSS_FN, UPDATE_FN, SEARCH_FN, PERMUTE_FN,
                       boolean, boolean,
                       F2, F2, I1, I1, int64, F1, int64, boolean, float64, float64, F2, F2, F1,
                       int64, F3, F2, F3, F2, F2, I2, B1,
                       F2, F1, int8[::1], I1, F3, F2)


def compiled(kernel, sig):
    """``kernel`` (a Numba dispatcher) compiled for ``sig``, or loaded from the on-disk cache,
    on first call; the kernels of the roles above are built this way, only when a run uses
    them."""
    if sig.args not in kernel.overloads:
        kernel.compile(sig)
    return kernel


@njit(cache=True, error_model="numpy")
def no_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss):
    """Placeholder ``lo`` for runs that never need a loss alone (no line search, no recorded
    loss at a point other than the gradient's), which spares them the compile of the model's
    block loss. Empty: its compile is then the cheapest possible (~0.1 s)."""
