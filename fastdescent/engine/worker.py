"""The model-independent half of the engine: stepping, line searches, stopping, recording.

Compiled **once** (per fastdescent version) and cached on disk. The model enters only through
two block kernels passed as first-class functions with fixed signatures
(:data:`~fastdescent.engine.signatures.LOSS_GRAD`, :data:`~fastdescent.engine.signatures.LOSS`):
``lg(phi, X, Y, c, work, perm, start, stop, use_perm, grad, loss)`` and
``lo(phi, X, Y, c, work, perm, start, stop, use_perm, loss)``, compiled per model from
:mod:`fastdescent.engine._template`. A call through them happens once per block and step (and
per line-search round), never per example, so it costs nothing measurable; in exchange a new
model compiles only its small block kernels (seconds) instead of the whole engine.

Layers (after STUMPY): the serial worker :func:`advance_block` (one block of trajectories,
every step) -> :func:`run_block` (slices one block out of the inputs) -> the ``nogil`` driver
:func:`drive` (the first two are inlined into it at Numba-IR level, so the worker compiles as
one function rather than three nested ones), which the Python layer runs on several threads
at once: each takes the next
unclaimed block from a shared atomic counter (dynamic scheduling: a thread never idles while
blocks remain, whatever the trajectories' lengths, and there is no per-task Python work).
Measured here: wrapping the worker in a ``parallel=True`` ``prange`` loop instead cost ~20 s of
extra compile time per model (Numba's parfor pipeline recompiles the callees).

Every trajectory (lane) is independent: results do not depend on the block it shares, the
thread that runs it, or the order of execution.
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

from fastdescent.engine.signatures import DRIVE_SIG
from fastdescent.engine.status import CONVERGED, DIVERGED, MAX_STEPS
from fastdescent.optim.batches import epoch_permutation
from fastdescent.optim.bracketing import bracket_rule, bracket_update
from fastdescent.optim.rules import ARMIJO, LINE_SEARCH, apply_update, eval_point, init_state
from fastdescent.optim.schedules import factor as schedule_factor


@njit(cache=True, error_model="numpy")
def _trial_losses(lo, phi, g, steps, X, Y, c, work, perm, start, stop, use_perm, trial, out):
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            trial[k, b] = phi[k, b] - steps[b] * g[k, b]
    lo(trial, X, Y, c, work, perm, start, stop, use_perm, out)


@njit(cache=True, error_model="numpy")
def bracketing_steps(lo, phi, g, hyper, scale, active, X, Y, c, work, perm, start, stop, use_perm,
                     red, step):
    """Step sizes of the lecture's bracketing line search for every lane (lockstep rounds).

    Exactly the book's rules; a loss already known at an unchanged bracket point is reused
    (rule 2 keeps ``a`` and moves ``d`` to ``c``, rule 3 moves ``a`` to ``b``), so a round
    costs two or three loss evaluations instead of four, with the same bits.
    """
    P, B = phi.shape
    a = np.zeros(B)
    bb = np.empty(B)
    cc = np.empty(B)
    dd = np.empty(B)
    la = np.empty(B)
    lb = np.empty(B)
    lc = np.empty(B)
    ld = np.empty(B)
    lnew = np.empty(B)
    need_d = np.ones(B, dtype=np.bool_)
    opened = np.zeros(B, dtype=np.bool_)
    trial = np.empty((P, B))
    max_rounds = 0
    for b in range(B):
        M = hyper[0, b] * scale
        bb[b] = 0.33 * M
        cc[b] = 0.66 * M
        dd[b] = M
        max_rounds = max(max_rounds, int(hyper[2, b]))
    for it in range(max_rounds):
        n_open = 0
        any_d = False
        for b in range(B):
            opened[b] = active[b] and abs(bb[b] - cc[b]) > hyper[1, b] and it < hyper[2, b]
            if opened[b]:
                n_open += 1
                any_d = any_d or need_d[b]
        if n_open == 0:
            break
        if it == 0:
            _trial_losses(lo, phi, g, a, X, Y, c, work, perm, start, stop, use_perm, trial, la)
        _trial_losses(lo, phi, g, bb, X, Y, c, work, perm, start, stop, use_perm, trial, lb)
        _trial_losses(lo, phi, g, cc, X, Y, c, work, perm, start, stop, use_perm, trial, lc)
        if any_d:
            _trial_losses(lo, phi, g, dd, X, Y, c, work, perm, start, stop, use_perm, trial, lnew)
            for b in range(B):
                if need_d[b]:
                    ld[b] = lnew[b]
        for b in range(B):
            if opened[b]:
                rule = bracket_rule(la[b], lb[b], lc[b], ld[b])
                a[b], bb[b], cc[b], dd[b] = bracket_update(a[b], bb[b], cc[b], dd[b],
                                                           la[b], lb[b], lc[b], ld[b])
                if rule == 1:  # b, c, d all move: d needs a new loss
                    need_d[b] = True
                elif rule == 2:  # d <- c
                    ld[b] = lc[b]
                    need_d[b] = False
                else:  # a <- b
                    la[b] = lb[b]
                    need_d[b] = False
    for b in range(B):
        step[b] = (bb[b] + cc[b]) / 2.0


@njit(cache=True, error_model="numpy")
def armijo_steps(lo, phi, g, loss0, hyper, scale, active, X, Y, c, work, perm, start, stop,
                 use_perm, red, step):
    """Backtracking: the first ``lr * rho**k`` with ``L(phi - s g) <= L(phi) - c s |g|^2``."""
    P, B = phi.shape
    trial = np.empty((P, B))
    lt = np.empty(B)
    gn2 = np.zeros(B)
    done = np.zeros(B, dtype=np.bool_)
    max_rounds = 0
    for b in range(B):
        step[b] = hyper[0, b] * scale
        done[b] = not active[b]
        max_rounds = max(max_rounds, int(hyper[3, b]))
        for k in range(P):
            gn2[b] += g[k, b] * g[k, b]
    for it in range(max_rounds):
        n_open = 0
        for b in range(B):
            if not done[b]:
                n_open += 1
        if n_open == 0:
            break
        _trial_losses(lo, phi, g, step, X, Y, c, work, perm, start, stop, use_perm, trial, lt)
        for b in range(B):
            if not done[b]:
                if lt[b] * red <= loss0[b] * red - hyper[1, b] * step[b] * gn2[b]:
                    done[b] = True
                elif it + 1 < hyper[3, b]:
                    step[b] *= hyper[2, b]
                else:
                    done[b] = True


# ------------------------------------------------------------------------------- the worker
# Element loops instead of slice assignments (``a[:] = b``) throughout: for every slice
# assignment Numba also compiles a formatted shape-mismatch error (string formatting code),
# which only lengthens the worker's cold compile.
@njit(cache=True, error_model="numpy")
def _copy2(src, dst):
    """``dst[:, :] = src`` for two arrays of the same shape."""
    for k in range(src.shape[0]):
        for b in range(src.shape[1]):
            dst[k, b] = src[k, b]


@njit(cache=True, error_model="numpy")
def _stop(b, phi, status_code, t, out_params, out_status, out_steps, active):
    for k in range(phi.shape[0]):
        out_params[b, k] = phi[k, b]
    out_status[b] = status_code
    out_steps[b] = t
    active[b] = False


@njit(cache=True, error_model="numpy", inline="always")
def advance_block(lg, lo, rule, n_state, phi, hyper, index, seed, n_steps, sched_params, batch_size, mean,
                  tol, bound, X, Y, c, work_rows, record_every,
                  out_params, out_loss, out_status, out_steps, out_path, out_loss_path):
    """Run every step for one block of trajectories (serial; called from :func:`drive`).

    ``phi`` (P, B) holds the starting points and is advanced in place; every trajectory is
    independent (lanes never mix), so results do not depend on the block it shares.
    """
    P, B = phi.shape
    N = X.shape[0]
    state = np.zeros((n_state, P, B))
    init_state(rule, state, hyper)
    g = np.empty((P, B))
    gfull = np.empty((P, B))
    loss = np.empty(B)
    lfull = np.empty(B)
    prev = np.empty((P, B))
    look = np.empty((P, B))
    work = np.zeros((max(work_rows, 1), B))
    step = np.empty(B)
    active = np.ones(B, dtype=np.bool_)
    use_batches = 0 < batch_size < N
    nb = (N + batch_size - 1) // batch_size if use_batches else 1
    perm = np.zeros((B, N) if use_batches else (1, 1), dtype=np.int64)
    recording = record_every > 0
    n_rec = out_path.shape[1]
    last_rec = -1
    n_active = B
    line_search = rule == LINE_SEARCH or rule == ARMIJO
    for t in range(n_steps):
        scale = schedule_factor(int(sched_params[0]), sched_params[1], sched_params[2], sched_params[3], t)
        # ---- which examples
        start = 0
        stop = N
        if use_batches:
            e = t // nb
            j = t - e * nb
            if j == 0:
                for b in range(B):
                    if active[b]:
                        epoch_permutation(seed[b], index[b], e, perm[b])
            start = j * batch_size
            stop = min(start + batch_size, N)
        red = 1.0 / (stop - start) if mean else 1.0
        # ---- gradient at the rule's evaluation point
        lookahead = eval_point(rule, phi, state, hyper, scale, look)
        if lookahead:
            lg(look, X, Y, c, work, perm, start, stop, use_batches, g, loss)
        else:
            lg(phi, X, Y, c, work, perm, start, stop, use_batches, g, loss)
        if mean:
            for k in range(P):
                for b in range(B):
                    g[k, b] *= red
        # ---- record the current point (before its update)
        if recording and t % record_every == 0:
            r = t // record_every
            if use_batches or lookahead:
                lo(phi, X, Y, c, work, perm, 0, N, False, lfull)
            else:
                for b in range(B):
                    lfull[b] = loss[b]
            for b in range(B):
                if active[b]:
                    for k in range(P):
                        out_path[b, r, k] = phi[k, b]
                    out_loss_path[b, r] = lfull[b]
            last_rec = r
        # ---- convergence on the full-batch gradient (at each epoch start with minibatches)
        check_full = use_batches and tol > 0.0 and start == 0 and t > 0
        if check_full:
            lg(phi, X, Y, c, work, perm, 0, N, False, gfull, lfull)
        for b in range(B):
            if not active[b]:
                continue
            ok = math.isfinite(loss[b])
            gn2 = 0.0
            for k in range(P):
                ok = ok and math.isfinite(g[k, b])
                gn2 += g[k, b] * g[k, b]
            if not ok:
                _stop(b, phi, DIVERGED, t, out_params, out_status, out_steps, active)
                n_active -= 1
            elif tol > 0.0:
                if check_full:
                    gn2 = 0.0
                    for k in range(P):
                        gn2 += gfull[k, b] * gfull[k, b]
                    if mean:
                        gn2 /= N * N
                if (check_full or not use_batches) and math.sqrt(gn2) < tol:
                    _stop(b, phi, CONVERGED, t, out_params, out_status, out_steps, active)
                    n_active -= 1
        if n_active == 0:
            break
        # ---- the update
        _copy2(phi, prev)
        if line_search:
            if rule == LINE_SEARCH:
                bracketing_steps(lo, phi, g, hyper, scale, active, X, Y, c, work, perm, start, stop,
                                 use_batches, red, step)
            else:
                armijo_steps(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start,
                             stop, use_batches, red, step)
            for k in range(P):
                for b in range(B):
                    phi[k, b] -= step[b] * g[k, b]
        else:
            apply_update(rule, phi, g, state, hyper, t, scale)
        # ---- divergence of the new point: stop at the last finite one
        for b in range(B):
            if active[b]:
                bad = False
                for k in range(P):
                    v = phi[k, b]
                    bad = bad or not (abs(v) <= bound)
                if bad:
                    _stop(b, prev, DIVERGED, t, out_params, out_status, out_steps, active)
                    n_active -= 1
    # ---- trajectories that used the whole budget
    for b in range(B):
        if active[b]:
            _stop(b, phi, MAX_STEPS, n_steps, out_params, out_status, out_steps, active)
    # ---- final full-batch loss (and convergence test) at every final point
    for k in range(P):
        for b in range(B):
            phi[k, b] = out_params[b, k]
    lg(phi, X, Y, c, work, perm, 0, N, False, g, loss)
    for b in range(B):
        out_loss[b] = loss[b]
        gn2 = 0.0
        for k in range(P):
            gn2 += g[k, b] * g[k, b]
        if mean:
            gn2 /= N * N
        if not (math.isfinite(loss[b]) and math.isfinite(gn2)):
            out_status[b] = DIVERGED
        elif out_status[b] == MAX_STEPS and tol > 0.0 and math.sqrt(gn2) < tol:
            out_status[b] = CONVERGED
    # ---- recorded paths: the final point fills every record after the trajectory stopped
    if recording:
        for b in range(B):
            for r in range(n_rec):
                if r == n_rec - 1 or r * record_every > out_steps[b]:
                    for k in range(P):
                        out_path[b, r, k] = out_params[b, k]
                    out_loss_path[b, r] = out_loss[b]


@njit(cache=True, error_model="numpy", inline="always")
def run_block(ib, lg, lo, rule, n_state, phi0, hyper, index, seed, n_steps, sched_params, batch_size,
              mean, tol, bound, X, Y, c, work_rows, record_every, block,
              out_params, out_loss, out_status, out_steps, out_path, out_loss_path):
    """Slice block ``ib`` out of the inputs and outputs and advance it (serial)."""
    N = phi0.shape[0]
    s = ib * block
    e = min(s + block, N)
    phi = np.empty((phi0.shape[1], e - s))
    for k in range(phi0.shape[1]):
        for b in range(e - s):
            phi[k, b] = phi0[s + b, k]
    hyp = np.empty((hyper.shape[0], e - s))
    _copy2(hyper[:, s:e], hyp)
    advance_block(lg, lo, rule, n_state, phi, hyp, index[s:e], seed[s:e], n_steps, sched_params,
                  batch_size, mean, tol, bound, X, Y, c, work_rows, record_every,
                  out_params[s:e], out_loss[s:e], out_status[s:e], out_steps[s:e],
                  out_path[s:e], out_loss_path[s:e])


@intrinsic
def claim(typingctx, counter):
    """Atomically ``counter[0] += 1``; returns the value before (an LLVM ``atomicrmw add``)."""
    if not (isinstance(counter, types.Array) and counter.dtype == types.int64):
        return None

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.atomic_rmw("add", ary.data, ir.Constant(ir.IntType(64), 1), "monotonic")

    return types.int64(counter), codegen


@njit(DRIVE_SIG, cache=True, nogil=True, error_model="numpy")
def drive(next_block, n_blocks, lg, lo, rule, n_state, phi0, hyper, index, seed, n_steps,
          sched_params, batch_size, mean, tol, bound, X, Y, c, work_rows, record_every, block,
          out_params, out_loss, out_status, out_steps, out_path, out_loss_path):
    """Advance blocks (of ``block`` lanes each) until all ``n_blocks`` are claimed, releasing
    the GIL. ``next_block`` (int64[1], shared by every thread of the call) holds the next
    unclaimed block; which thread runs a block never changes its results."""
    while True:
        ib = claim(next_block)
        if ib >= n_blocks:
            break
        run_block(ib, lg, lo, rule, n_state, phi0, hyper, index, seed, n_steps, sched_params,
                  batch_size, mean, tol, bound, X, Y, c, work_rows, record_every, block,
                  out_params, out_loss, out_status, out_steps, out_path, out_loss_path)
