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

Arrays are C-contiguous; a ``(P, B)`` block holds one trajectory per column, so that loops
over the lane ``b`` vectorize. Every role exists in two precisions (:data:`DTYPES`): the
names below are the float64 signatures, :func:`signatures` gives either set (in float32 every
floating-point array and scalar of a role is float32; ``tol`` and ``bound`` of the driver stay
float64, the user's exact values).
"""
from typing import NamedTuple

import numpy as np

from numba import boolean, float32, float64, int64, int8, njit, types
from numba.core.extending import overload

F1 = float64[::1]
F2 = float64[:, ::1]
F3 = float64[:, :, ::1]
I1 = int64[::1]
I2 = int64[:, ::1]
I3 = int64[:, :, ::1]
B1 = boolean[::1]

# ------------------------------------------------------------------------------- status codes
__all__ = ["MAX_STEPS", "CONVERGED", "DIVERGED", "NOT_RUN", "STATUS_NAMES", "LOSS_GRAD", "LOSS",
           "UPDATE", "LOOKAHEAD", "SEARCH", "PERMUTE", "N_BLOCK_ARRAYS", "N_VECTORS", "compiled",
           "DTYPES", "Signatures", "signatures", "like"]

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


#: the precisions every role is compiled in (``dtype=`` of :func:`fastdescent.run`)
DTYPES = ("float64", "float32")


class Signatures(NamedTuple):
    """The signatures of every role in one precision (see :func:`signatures`).

    Examples
    --------
    >>> str(signatures("float32").loss.args[-1])
    'array(float32, 1d, C)'
    """

    loss_grad: object
    loss: object
    update: object
    lookahead: object
    search: object
    permute: object
    drive: object


def _signatures(f) -> Signatures:
    a1, a2, a3 = f[::1], f[:, ::1], f[:, :, ::1]
    loss_grad = types.void(a2, a2, a2, a1, a2, I2, int64, int64, boolean, a2, a1)
    loss = types.void(a2, a2, a2, a1, a2, I2, int64, int64, boolean, a1)
    update = types.void(a2, a2, a3, a2, int64, f)
    lookahead = types.void(a2, a3, a2, f, a2)
    search = types.void(types.FunctionType(loss), a2, a2, a1, a2, f, B1, a2, a2, a1, a2, I2,
                        int64, int64, boolean, f, a1, a1)
    drive = types.void(I1, int64, types.FunctionType(loss_grad), types.FunctionType(loss),
                       types.FunctionType(update), types.FunctionType(lookahead),
                       types.FunctionType(search), PERMUTE_FN, boolean, boolean,
                       a2, a2, I1, I1, int64, a1, int64, I3, boolean, float64, float64, a2, a2,
                       a1, int64, int64, a3, a2, a3, a2, a2, I2, B1,
                       a2, a1, int8[::1], I1, a3, a2, a2, I2, a2)
    return Signatures(loss_grad, loss, update, lookahead, search, PERMUTE, drive)


_SIGNATURES = {"float64": Signatures(LOSS_GRAD, LOSS, UPDATE, LOOKAHEAD, SEARCH, PERMUTE,
                                     DRIVE_SIG),
               "float32": _signatures(float32)}


def signatures(dtype="float64") -> Signatures:
    """The roles' signatures in precision ``dtype`` (``"float64"`` or ``"float32"``).

    Examples
    --------
    >>> signatures("float64").update == UPDATE
    True
    >>> str(signatures("float32").update.args[0])
    'array(float32, 2d, C)'
    """
    return _SIGNATURES[str(dtype)]


def like(v, x):
    """The number ``v`` as a float of the precision of ``x`` (a float scalar or array).

    For kernels written once for float64 and float32: a literal such as ``1.0`` is a float64
    in Numba, and ``1.0 - beta`` with a float32 ``beta`` is computed in float64 (a silent
    promotion); ``like(1.0, beta) - beta`` stays in ``beta``'s precision. For a float64 ``x``
    it is ``float(v)`` (the same bits as the literal). LLVM folds the conversion of a
    constant, so it costs nothing at run time.

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def one_minus(b):
    ...     return like(1.0, b) - b
    >>> bool(one_minus(np.float32(0.9)) == np.float32(1.0) - np.float32(0.9))
    True
    >>> one_minus(0.9) == 1.0 - 0.9
    True
    """
    dt = x.dtype if isinstance(x, np.ndarray) else np.asarray(x).dtype
    return dt.type(v) if dt.kind == "f" else float(v)


@overload(like, inline="always")
def _like(v, x):
    dt = x.dtype if isinstance(x, types.Array) else x
    if dt == float32:
        return lambda v, x: np.float32(v)
    if isinstance(dt, (types.Float, types.Integer, types.Boolean)):
        return lambda v, x: np.float64(v)
    return None


def compiled(kernel, sig):
    """``kernel`` (a Numba dispatcher) compiled for ``sig``, or loaded from the on-disk cache,
    on first call; the kernels of the roles above are built this way, only when a run uses
    them. A kernel declared with its float64 signature (compiled when its module is imported,
    and closed to compiling at call time) gets its float32 signature here, on first use.

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
        closed = not getattr(kernel, "_can_compile", True)
        if closed:
            kernel.disable_compile(False)
        try:
            kernel.compile(sig)
        finally:
            if closed:
                kernel.disable_compile(True)
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
