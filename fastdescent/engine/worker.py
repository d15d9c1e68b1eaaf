"""The model- and optimizer-independent half of the engine: stepping, stopping, recording.

Compiled **once** (per version of this file and of :mod:`fastdescent.contract`, and per
machine) and cached on disk. It imports nothing but the contract: everything specific enters
as a first-class function with a fixed signature (:mod:`fastdescent.contract`):

- the model's block kernels ``lg`` (loss and gradient) and ``lo`` (loss), compiled per model
  from :mod:`fastdescent.models._template`;
- the optimizer's ``update`` and ``lookahead`` (the point where the gradient is taken), or its
  line ``search`` (:func:`fastdescent.engine.compiled.rule_kernels`);
- the minibatch stream ``permute`` (:func:`fastdescent.optim.batches.permutation_kernel`).

Each is compiled separately, on first use; a role a run does not need gets an empty placeholder
(cheapest compile). The learning-rate schedule arrives as the factor of every step
(``scales``). A call through a function pointer happens once per block and step (and per
line-search round), never per example, so its cost is negligible next to the block kernels; in
exchange the first run on a machine compiles only this skeleton, one rule and the model's block
kernels, and a new model or optimizer later compiles only its own kernels.

Layers (after STUMPY): the rule and block kernels are the serial workers; :func:`drive` is the
``nogil`` driver, which the Python layer runs on several threads at once. Each thread takes the
next unclaimed block of trajectories from a shared atomic counter (dynamic scheduling: a thread
never idles while blocks remain, whatever the trajectories' lengths, and there is no per-task
Python work) and advances it through every step. The driver is a plain loop rather than a
``parallel=True`` ``prange``: Numba's parfor pipeline recompiles every callee, which multiplies
the cold compile time.

Written for a short cold compile (it dominates the first run on a machine):

- one function rather than nested ones: every nested njit level links and recompiles its
  callees' code, and ``inline="always"`` deep-copies their IR;
- no allocation: each thread's workspace (one block's arrays) comes from Python, since every
  distinct ``np.empty/zeros/ones`` signature adds a compile; the last block is padded to the
  full width with inactive lanes instead of being sliced;
- element loops instead of slice assignments (``a[:] = b``): for each of those Numba also
  compiles a formatted shape-mismatch error.

Every trajectory (lane) is independent: results do not depend on the block it shares, the
thread that runs it, or the order of execution.

The driver is compiled for the float64 signature when this module is imported and for the
float32 one (``contract.signatures("float32").drive``) on the first float32 run; its
arithmetic stays in the arrays' precision (``contract.like`` for its constants), and only
the tests against ``tol`` and ``bound`` compare in float64.
"""
import math

from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

from fastdescent.contract import (CONVERGED, DIVERGED, DRIVE_SIG, MAX_STEPS, W_GRAD, W_GRAD_FULL,
                                  W_LOOK, W_LOSS, W_LOSS_FULL, W_PHI, W_PREV, W_ROUNDS,
                                  W_STEP, like)


@njit(cache=True, error_model="numpy")
def _stop(b, s, src, t, out_params, out_steps, active):
    """Lane ``b`` of the block starting at trajectory ``s`` stops at ``src[:, b]`` after ``t``
    steps (the caller writes its status: a status argument, a literal, would make Numba
    compile one copy per status)."""
    for k in range(src.shape[0]):
        out_params[s + b, k] = src[k, b]
    out_steps[s + b] = t
    active[b] = False


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
def drive(next_block, n_blocks, lg, lo, update, lookahead, search, permute, line_search,
          use_lookahead, phi0,
          hyper, index, seed, n_steps, scales, batch_size, user_batches, mean, tol, bound, X, Y,
          c, record_every, tail_k,
          blocks, vectors, state, hyp, work, perm, active,
          out_params, out_loss, out_status, out_steps, out_path, out_loss_path,
          out_search_step, out_search_rounds, out_tail):
    """Advance blocks of trajectories until all ``n_blocks`` are claimed, releasing the GIL.

    ``next_block`` (int64[1], shared by every thread of the call) holds the next unclaimed
    block; which thread runs a block never changes its results. ``blocks`` (5, P, B),
    ``vectors`` (3, B), ``state`` (S, P, B), ``hyp`` (H, B), ``work``, ``perm`` (B, N) and
    ``active`` (B,) are this thread's workspace; B is the block width.

    Minibatches come from the streams ``permute(seed, index, epoch)`` when
    ``0 < batch_size < N``, or, when ``user_batches`` (``(1 or n, steps, width)``) is not
    empty, from it: step ``t`` of lane ``b`` uses examples ``user_batches[b or 0, t, :]``,
    copied into ``perm[b, :width]``. ``out_search_step`` and ``out_search_rounds`` (``(n, K)``,
    or empty: not recorded) receive the step size and rounds of the line search taken at each
    recorded step.

    With ``tail_k > 0`` (the loss-ratio trainability criterion), ``out_tail[i]`` receives the
    full-batch loss :math:`L_0` at the start of trajectory ``i`` and the mean of the full-batch
    losses :math:`L_t` at the points of the last ``tail_k`` steps, ``t = T-k .. T-1`` (the
    points each step starts from, as a loss curve records them); a lane that stopped early
    at a stationary point contributes its final loss for the steps it did not take, a
    diverged lane ``inf``. Nothing is recorded per step.
    """
    n, P = phi0.shape
    B = blocks.shape[2]
    N = X.shape[0]
    phi = blocks[W_PHI]
    prev = blocks[W_PREV]
    g = blocks[W_GRAD]
    gfull = blocks[W_GRAD_FULL]
    look = blocks[W_LOOK]
    loss = vectors[W_LOSS]
    lfull = vectors[W_LOSS_FULL]
    step = vectors[W_STEP]
    rounds = vectors[W_ROUNDS]
    user = user_batches.shape[0] > 0
    shared = user_batches.shape[0] == 1  # one sequence for every lane
    width = user_batches.shape[2]
    use_batches = user or 0 < batch_size < N
    nb = (N + batch_size - 1) // batch_size if 0 < batch_size < N else 1
    recording = record_every > 0
    diagnose = recording and line_search and out_search_step.shape[0] > 0
    n_rec = out_path.shape[1]
    last_scale = scales.shape[0] - 1
    tail = tail_k > 0
    tail_from = n_steps - tail_k
    while True:
        ib = claim(next_block)
        if ib >= n_blocks:
            break
        s = ib * B
        m = min(B, n - s)  # lanes m..B-1 of the last block: inactive copies of lane 0
        for b in range(B):
            j = s + b if b < m else s
            for k in range(P):
                phi[k, b] = phi0[j, k]
            for h in range(hyp.shape[0]):
                hyp[h, b] = hyper[h, j]
            active[b] = b < m
        if tail:
            for b in range(m):
                out_tail[s + b, 1] = 0.0
        for i in range(state.shape[0]):
            for k in range(P):
                for b in range(B):
                    state[i, k, b] = 0.0
        n_active = m
        for t in range(n_steps):
            scale = scales[min(t, last_scale)]
            # ---- which examples
            start = 0
            stop = N
            if user:
                for b in range(m):
                    if active[b]:
                        src = 0 if shared else s + b
                        for i in range(width):
                            perm[b, i] = user_batches[src, t, i]
                stop = width
            elif use_batches:
                e = t // nb
                jb = t - e * nb
                if jb == 0:
                    for b in range(m):
                        if active[b]:
                            permute(seed[s + b], index[s + b], e, perm[b])
                start = jb * batch_size
                stop = min(start + batch_size, N)
            red = like(1.0, g) / like(stop - start, g) if mean else like(1.0, g)
            # ---- gradient at the rule's evaluation point
            if use_lookahead:
                lookahead(phi, state, hyp, scale, look)
                lg(look, X, Y, c, work, perm, start, stop, use_batches, g, loss)
            else:
                lg(phi, X, Y, c, work, perm, start, stop, use_batches, g, loss)
            if mean:
                for k in range(P):
                    for b in range(B):
                        g[k, b] *= red
            # ---- the full-batch loss at the current point (before its update), once, for the
            # record and the loss-ratio criterion (a minibatch or look-ahead loss is not it)
            record_now = recording and t % record_every == 0
            tail_now = tail and (t == 0 or t >= tail_from)
            if record_now or tail_now:
                if use_batches or use_lookahead:
                    lo(phi, X, Y, c, work, perm, 0, N, False, lfull)
                else:
                    for b in range(B):
                        lfull[b] = loss[b]
            # ---- record the current point
            if record_now:
                r = t // record_every
                for b in range(m):
                    if active[b]:
                        for k in range(P):
                            out_path[s + b, r, k] = phi[k, b]
                        out_loss_path[s + b, r] = lfull[b]
            # ---- the loss-ratio criterion's full-batch losses (first step, last tail_k)
            if tail_now:
                for b in range(m):
                    if active[b]:
                        if t == 0:
                            out_tail[s + b, 0] = lfull[b]
                        if t >= tail_from:
                            out_tail[s + b, 1] += lfull[b]
            # ---- convergence on the full-batch gradient (with minibatches: at each epoch start;
            # with user batches, where start is always 0: at every step)
            check_full = use_batches and tol > 0.0 and start == 0 and t > 0
            if check_full:
                lg(phi, X, Y, c, work, perm, 0, N, False, gfull, lfull)
            for b in range(m):
                if not active[b]:
                    continue
                ok = math.isfinite(loss[b])
                gn2 = like(0.0, g)
                for k in range(P):
                    ok = ok and math.isfinite(g[k, b])
                    gn2 += g[k, b] * g[k, b]
                if not ok:
                    out_status[s + b] = DIVERGED
                    _stop(b, s, phi, t, out_params, out_steps, active)
                    n_active -= 1
                elif tol > 0.0:
                    if check_full:
                        gn2 = like(0.0, g)
                        for k in range(P):
                            gn2 += gfull[k, b] * gfull[k, b]
                        if mean:
                            gn2 /= like(N * N, g)
                    if (check_full or not use_batches) and math.sqrt(gn2) < tol:
                        out_status[s + b] = CONVERGED
                        _stop(b, s, phi, t, out_params, out_steps, active)
                        n_active -= 1
            if n_active == 0:
                break
            # ---- the update
            for k in range(P):
                for b in range(B):
                    prev[k, b] = phi[k, b]
            if line_search:
                search(lo, phi, g, loss, hyp, scale, active, X, Y, c, work, perm, start, stop,
                       use_batches, red, step, rounds)
                if diagnose and t % record_every == 0:
                    r = t // record_every
                    for b in range(m):
                        if active[b]:
                            out_search_step[s + b, r] = step[b]
                            out_search_rounds[s + b, r] = int(rounds[b])
            else:
                update(phi, g, state, hyp, t, scale)
            # ---- divergence of the new point: stop at the last finite one
            for b in range(m):
                if active[b]:
                    bad = False
                    for k in range(P):
                        bad = bad or not (abs(phi[k, b]) <= bound)
                    if bad:
                        out_status[s + b] = DIVERGED
                        _stop(b, s, prev, t, out_params, out_steps, active)
                        n_active -= 1
        # ---- trajectories that used the whole budget
        for b in range(m):
            if active[b]:
                out_status[s + b] = MAX_STEPS
                _stop(b, s, phi, n_steps, out_params, out_steps, active)
        # ---- final full-batch loss (and convergence test) at every final point
        for k in range(P):
            for b in range(m):
                phi[k, b] = out_params[s + b, k]
        lg(phi, X, Y, c, work, perm, 0, N, False, g, loss)
        for b in range(m):
            out_loss[s + b] = loss[b]
            gn2 = like(0.0, g)
            for k in range(P):
                gn2 += g[k, b] * g[k, b]
            if mean:
                gn2 /= like(N * N, g)
            if not (math.isfinite(loss[b]) and math.isfinite(gn2)):
                out_status[s + b] = DIVERGED
            elif out_status[s + b] == MAX_STEPS and tol > 0.0 and math.sqrt(gn2) < tol:
                out_status[s + b] = CONVERGED
            if tail:
                if out_status[s + b] == DIVERGED:
                    out_tail[s + b, 1] = math.inf
                else:  # steps of the window after an early stop: the final (stationary) loss
                    last = min(out_steps[s + b], n_steps - 1)
                    counted = min(max(last - tail_from + 1, 0), tail_k)
                    out_tail[s + b, 1] = ((out_tail[s + b, 1]
                                           + (tail_k - counted) * out_loss[s + b]) / tail_k)
        # ---- recorded paths: the final point fills every record after the lane stopped
        if recording:
            for b in range(m):
                for r in range(n_rec):
                    if r == n_rec - 1 or r * record_every > out_steps[s + b]:
                        for k in range(P):
                            out_path[s + b, r, k] = out_params[s + b, k]
                        out_loss_path[s + b, r] = out_loss[s + b]
