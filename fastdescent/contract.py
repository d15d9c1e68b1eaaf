"""The kernel contract: what models, optimizers and the engine agree on.

This module sits at the bottom of the package (it imports only Numba): models, optimizers and
the engine import it, it imports none of them. It fixes

- the **signatures** of the compiled roles the model-independent worker receives as
  first-class functions (a model's block kernels, a rule's step and look-ahead, a line search,
  a minibatch stream). Because the worker takes them as function pointers of these exact types
  (not as dispatchers, which Numba would specialise on one by one), it is compiled once and
  cached for every model and every optimizer;
- the **status codes** of a trajectory;
- the **workspace layout**: which rows of a thread's ``(5, P, B)`` and ``(3, B)`` scratch
  arrays hold what;
- the empty **placeholders** a run receives for the roles it does not use.

Arrays are float64 and C-contiguous; a ``(P, B)`` block holds one trajectory per column, so
that loops over the lane ``b`` vectorize.
"""
from numba import boolean, float64, int64, int8, njit, types

F1 = float64[::1]
F2 = float64[:, ::1]
F3 = float64[:, :, ::1]
I1 = int64[::1]
I2 = int64[:, ::1]
I3 = int64[:, :, ::1]
B1 = boolean[::1]

# ------------------------------------------------------------------------------- status codes
__all__ = ["MAX_STEPS", "CONVERGED", "DIVERGED", "NOT_RUN", "STATUS_NAMES", "LOSS_GRAD", "LOSS",
           "UPDATE", "LOOKAHEAD", "SEARCH", "PERMUTE", "N_BLOCK_ARRAYS", "N_VECTORS", "compiled"]

MAX_STEPS = 0  #: used the whole step budget
CONVERGED = 1  #: gradient norm fell below ``tol``
DIVERGED = 2  #: a non-finite loss, gradient or parameter, or a parameter beyond ``bound``
NOT_RUN = -1  #: not computed (an interrupted run)

#: status code -> its name (``Result.counts()``, stored datasets)
STATUS_NAMES = {MAX_STEPS: "max_steps", CONVERGED: "converged", DIVERGED: "diverged",
                NOT_RUN: "not_run"}

# ------------------------------------------------------------------------------- model roles
#: ``block_loss_grad(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss)``: loss and
#: gradient of every column of ``phi`` summed over examples ``start..stop``
LOSS_GRAD = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F2, F1)
#: ``block_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss)``: the loss alone
LOSS = types.void(F2, F2, F2, F1, F2, I2, int64, int64, boolean, F1)

LOSS_GRAD_FN = types.FunctionType(LOSS_GRAD)
LOSS_FN = types.FunctionType(LOSS)

# --------------------------------------------------------------------------- optimizer roles
#: a rule's step ``update(phi, g, state, hyper, t, scale)``: advances ``phi`` (P, B) and
#: ``state`` (S, P, B) in place from the gradient ``g`` (P, B) taken at the rule's evaluation
#: point (``g`` is the rule's to overwrite). ``hyper`` (H, B) holds one column of
#: hyperparameters per lane, in the order the rule declares them; ``t`` counts steps from 0;
#: ``scale`` is the learning-rate schedule's factor of this step.
UPDATE = types.void(F2, F2, F3, F2, int64, float64)
#: a rule's evaluation point ``lookahead(phi, state, hyper, scale, out)``: writes into ``out``
#: (P, B) the point where the gradient of this step is taken (Nesterov's look-ahead)
LOOKAHEAD = types.void(F2, F3, F2, float64, F2)
#: a line search's step ``search(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm,
#: start, stop, use_perm, red, step, rounds)`` (:mod:`fastdescent.optim.line_searches`): writes
#: each lane's accepted step size into ``step`` and the rounds it used into ``rounds``
SEARCH = types.void(LOSS_FN, F2, F2, F1, F2, float64, B1, F2, F2, F1, F2, I2, int64, int64,
                    boolean, float64, F1, F1)
#: a minibatch stream ``permute(seed, index, epoch, out)`` (:mod:`fastdescent.optim.batches`)
PERMUTE = types.void(int64, int64, int64, I1)

UPDATE_FN = types.FunctionType(UPDATE)
LOOKAHEAD_FN = types.FunctionType(LOOKAHEAD)
PERMUTE_FN = types.FunctionType(PERMUTE)
SEARCH_FN = types.FunctionType(SEARCH)

# --------------------------------------------------------------------------- workspace layout
#: the worker's workspace: rows of ``blocks`` (each (P, B)) and of ``vectors`` (each (B,))
W_PHI, W_PREV, W_GRAD, W_GRAD_FULL, W_LOOK = range(5)
N_BLOCK_ARRAYS = 5
W_LOSS, W_LOSS_FULL, W_STEP, W_ROUNDS = range(4)
N_VECTORS = 4

#: ``drive(next_block, n_blocks, lg, lo, update, lookahead, search, permute, line_search,
#: use_lookahead, phi0, hyper, index, seed, n_steps, scales, batch_size, user_batches, mean,
#: tol, bound, X, Y, c, record_every, tail_k, blocks, vectors, state, hyp, work, perm, active,
#: out_params, out_loss, out_status, out_steps, out_path, out_loss_path, out_search_step,
#: out_search_rounds, out_tail)``. ``user_batches`` is ``(1 or n, steps, width)`` (empty:
#: none); ``out_search_step`` and ``out_search_rounds`` are ``(n, K)`` (empty: not recorded);
#: ``out_tail`` is ``(n, 2)``: the initial full-batch loss and the mean of the last ``tail_k``
#: (empty, ``tail_k = 0``: not computed)
DRIVE_SIG = types.void(I1, int64, LOSS_GRAD_FN, LOSS_FN, UPDATE_FN, LOOKAHEAD_FN, SEARCH_FN,
                       PERMUTE_FN, boolean, boolean,
                       F2, F2, I1, I1, int64, F1, int64, I3, boolean, float64, float64, F2, F2,
                       F1, int64, int64, F3, F2, F3, F2, F2, I2, B1,
                       F2, F1, int8[::1], I1, F3, F2, F2, I2, F2)


def compiled(kernel, sig):
    """``kernel`` (a Numba dispatcher) compiled for ``sig``, or loaded from the on-disk cache,
    on first call; the kernels of the roles above are built this way, only when a run uses
    them.

    Parameters
    ----------
    kernel : numba dispatcher
        An ``@njit`` function.
    sig : numba signature
        One of the roles' signatures (:data:`UPDATE`, :data:`LOSS_GRAD`, ...).

    Returns
    -------
    numba dispatcher
        ``kernel``, with ``sig`` among its compiled overloads.

    Examples
    --------
    A rule's step kernel compiled for the :data:`UPDATE` role, then applied to a (P, B) block:

    >>> import numpy as np
    >>> from fastdescent.contract import UPDATE, compiled
    >>> from fastdescent.optim.rules.gd import gd_step
    >>> step = compiled(gd_step, UPDATE)
    >>> UPDATE.args in step.overloads
    True
    >>> phi, g = np.ones((2, 1)), np.array([[1.0], [4.0]])
    >>> step(phi, g, np.zeros((0, 2, 1)), np.array([[0.1]]), 0, 1.0)
    >>> phi.ravel()
    array([0.9, 0.6])
    """
    if sig.args not in kernel.overloads:
        kernel.compile(sig)
    return kernel


# ------------------------------------------------------------------------------ placeholders
# A run receives these for the roles it never calls. Each is empty, so that its compile is the
# cheapest possible, and lives in this file, which keeps Numba's on-disk cache exact (Numba
# checks only the cached function's own file).
@njit(cache=True, error_model="numpy")
def no_loss(phi, X, Y, c, work, perm, start, stop, use_perm, loss):
    """Placeholder ``lo`` for runs that never need a loss alone (no line search, no recorded
    loss at a point other than the gradient's): it spares them the compile of the model's
    block loss."""


@njit(cache=True, error_model="numpy")
def no_step(phi, g, state, hyper, t, scale):
    """Placeholder ``update`` of line-search rules."""


@njit(cache=True, error_model="numpy")
def no_lookahead(phi, state, hyper, scale, out):
    """Placeholder ``lookahead`` of rules that take the gradient at ``phi`` itself."""


@njit(cache=True, error_model="numpy")
def no_search(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start, stop,
              use_perm, red, step, rounds):
    """Placeholder ``search`` of rules that take no line search."""
