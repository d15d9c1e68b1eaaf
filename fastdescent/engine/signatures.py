"""Fixed Numba signatures shared by the per-model block kernels and the generic worker.

Because the worker receives the block kernels as first-class functions of these exact types
(not as dispatchers, which Numba would specialise on one by one), it is compiled once and cached
for every model.
"""
from numba import boolean, float64, int8, int64, types

F1 = float64[::1]
F2 = float64[:, ::1]
F3 = float64[:, :, ::1]
I1 = int64[::1]
I2 = int64[:, ::1]

#: ``block_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss)``
LOSS_GRAD = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F2, F1)
#: ``block_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss)``
LOSS = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F1)

LOSS_GRAD_FN = types.FunctionType(LOSS_GRAD)
LOSS_FN = types.FunctionType(LOSS)

#: ``drive(next_block, n_blocks, lg, lo, rule, n_state, phi0, hyper, index, seed, n_steps,
#: sched_params, batch_size, mean, tol, bound, X, Y, c, work_rows, record_every, block,
#: out_params, out_loss, out_status, out_steps, out_path, out_loss_path)``
DRIVE_SIG = types.void(I1, int64, LOSS_GRAD_FN, LOSS_FN, int64, int64, F2, F2, I1, I1, int64,
                       F1, int64, boolean, float64, float64, F2, F2, F1, int64, int64, int64,
                       F2, F1, int8[::1], I1, F3, F2)
