"""Line searches: the lecture's four-point bracketing search and Armijo backtracking.

**Bracketing** (book section 6.1.2), first as pure njit rules on one bracket.

Along the descent direction :math:`d = -g` (the raw gradient, so ``max_dist`` scales it) keep
four step sizes :math:`a < b < c < d` starting at :math:`0, 0.33M, 0.66M, M`. Each round:

1. if :math:`L(a)` is the lowest of the four (ties go to ``a``): move ``b, c, d`` halfway
   towards ``a``;
2. else if :math:`L(b) < L(c)`: :math:`d \\leftarrow c`, then ``b, c`` at the thirds of [a, d];
3. else: :math:`a \\leftarrow b`, then ``b, c`` at the thirds of [a, d].

Rounds repeat while :math:`|b - c| >` ``tol`` and fewer than ``max_iter`` rounds ran; the step is
:math:`(b + c)/2`.

**Armijo backtracking**: the first :math:`s = \\alpha\\rho^k` with
:math:`L(\\phi - s g) \\le L(\\phi) - c\\, s\\, \\lVert g \\rVert^2`.

The engine runs a search on a whole ``(P, B)`` block of trajectories in lockstep rounds
(:func:`bracketing_search`, :func:`armijo_search`): each round evaluates the trial losses of
every open lane with one call of the model's block loss ``lo``, a first-class function. Both
have the signature :data:`~fastdescent.contract.SEARCH` and are compiled, once per machine,
only when first used (the ``search`` of the ``line_search`` and ``armijo`` rules). Everything
they call is in this file (and the contract's constant helper ``like``), which keeps Numba's
on-disk cache exact (it checks only the kernel's own file).
"""
import numpy as np
from numba import njit

from ..contract import like

#: the rows of ``hyper`` the bracketing search reads, in the order the ``line_search`` rule
#: declares its hyperparameters (the rule's record is built from this tuple)
BRACKETING_HYPER = ("max_dist", "tol", "max_iter")
BR_MAX_DIST, BR_TOL, BR_MAX_ITER = range(3)
#: the rows of ``hyper`` Armijo backtracking reads (the ``armijo`` rule's hyperparameters)
ARMIJO_HYPER = ("lr", "c", "rho", "max_iter")
AR_LR, AR_C, AR_RHO, AR_MAX_ITER = range(4)


@njit(cache=True)
def initial_bracket(max_dist):
    """The book's starting bracket ``(0, 0.33 M, 0.66 M, M)``.

    Parameters
    ----------
    max_dist : float
        :math:`M`, the largest step size searched.

    Returns
    -------
    (float, float, float, float)

    Examples
    --------
    >>> from fastdescent.optim.line_searches import initial_bracket
    >>> initial_bracket(2.0)
    (0.0, 0.66, 1.32, 2.0)
    """
    return like(0.0, max_dist), like(0.33, max_dist) * max_dist, \
        like(0.66, max_dist) * max_dist, max_dist


@njit(cache=True)
def bracket_rule(la, lb, lc, ld):
    """Which of the three rules applies (1, 2 or 3) given the four losses.

    Parameters
    ----------
    la, lb, lc, ld : float
        The losses at the four points :math:`a < b < c < d`.

    Returns
    -------
    int

    Examples
    --------
    Rule 1: the smallest loss at ``a`` (shrink towards it); rule 2: ``b`` lower than ``c`` (drop
    ``d``); rule 3: otherwise (drop ``a``).

    >>> from fastdescent.optim.line_searches import bracket_rule
    >>> [bracket_rule(*losses) for losses in
    ...  [(1.0, 2.0, 3.0, 4.0), (3.0, 1.0, 2.0, 4.0), (3.0, 2.0, 1.0, 4.0)]]
    [1, 2, 3]
    """
    if la <= lb and la <= lc and la <= ld:
        return 1
    if lb < lc:
        return 2
    return 3


@njit(cache=True)
def bracket_update(a, b, c, d, la, lb, lc, ld):
    """One round of the bracketing rules; returns the new ``(a, b, c, d)``.

    Parameters
    ----------
    a, b, c, d : float
        The bracket.
    la, lb, lc, ld : float
        The losses there.

    Returns
    -------
    (float, float, float, float)

    Examples
    --------
    >>> from fastdescent.optim.line_searches import bracket_update
    >>> bracket_update(0.0, 0.33, 0.66, 1.0, 3.0, 1.0, 2.0, 4.0)      # rule 2: d <- c
    (0.0, 0.22, 0.44, 0.66)
    """
    rule = bracket_rule(la, lb, lc, ld)
    two = like(2.0, a)  # constants in the bracket's precision
    three = like(3.0, a)
    if rule == 1:
        return a, a + (b - a) / two, a + (c - a) / two, a + (d - a) / two
    if rule == 2:
        d = c
        return a, a + (d - a) / three, a + two * (d - a) / three, d
    a = b
    return a, a + (d - a) / three, a + two * (d - a) / three, d


@njit(cache=True)
def bracket_done(b, c, tol, rounds, max_iter):
    """True when the bracket is narrow enough or the round budget is spent.

    Parameters
    ----------
    b, c : float
        The two inner points.
    tol : float
        The width at which the search stops.
    rounds, max_iter : int
        Rounds used and allowed.

    Returns
    -------
    bool

    Examples
    --------
    >>> from fastdescent.optim.line_searches import bracket_done
    >>> bracket_done(0.3, 0.6, 1e-5, 1, 15)           # wide bracket, rounds left
    False
    >>> bracket_done(0.3, 0.3 + 1e-6, 1e-5, 1, 15), bracket_done(0.3, 0.6, 1e-5, 15, 15)
    (True, True)
    """
    return not (abs(b - c) > tol and rounds < max_iter)


# ------------------------------------------------------------------- lockstep block searches
@njit(cache=True, error_model="numpy")
def _trial_losses(lo, phi, g, steps, X, Y, c, work, perm, start, stop, use_perm, trial, out):
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            trial[k, b] = phi[k, b] - steps[b] * g[k, b]
    lo(trial, X, Y, c, work, perm, start, stop, use_perm, out)


@njit(cache=True, error_model="numpy")
def _take_step(phi, g, step):
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            phi[k, b] -= step[b] * g[k, b]


@njit(cache=True, error_model="numpy")
def bracketing_search(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start, stop,
                      use_perm, red, step, rounds):
    """One step of GD with the bracketing search, for every lane of the block (in place).

    ``hyper`` rows (``BRACKETING_HYPER``): ``max_dist`` (times the schedule's ``scale``),
    ``tol``, ``max_iter``.
    Exactly the book's rules; a loss already known at an unchanged bracket point is reused
    (rule 2 keeps ``a`` and moves ``d`` to ``c``, rule 3 moves ``a`` to ``b``), so a round
    costs two or three loss evaluations instead of four, with the same bits. Lanes with
    ``active`` False are left where they are. ``step`` receives the step sizes and ``rounds``
    the rounds each lane ran (0 when the starting bracket is already narrower than ``tol``).

    Parameters
    ----------
    lo : first-class function
        The model's block loss (:data:`~fastdescent.contract.LOSS`).
    phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start, stop, use_perm, red, step, rounds
        The arguments of the :data:`~fastdescent.contract.SEARCH` role (see its comment in
        :mod:`fastdescent.contract`).

    Examples
    --------
    The ``line_search`` rule's search kernel; on a 1-D quadratic one update lands near the
    minimum:

    >>> import fastdescent as fd
    >>> from fastdescent.optim.line_searches import bracketing_search
    >>> fd.optim.get_rule("line_search").search is bracketing_search
    True
    >>> res = fd.run(fd.models.quadratic((1.0,)), fd.optim.line_search(max_dist=2.0), [[1.0]], 1)
    >>> abs(float(res.params[0, 0])) < 1e-4
    True
    """
    P, B = phi.shape
    dt = phi.dtype  # every array in the block's precision
    a = np.zeros(B, dt)
    bb = np.empty(B, dt)
    cc = np.empty(B, dt)
    dd = np.empty(B, dt)
    la = np.empty(B, dt)
    lb = np.empty(B, dt)
    lc = np.empty(B, dt)
    ld = np.empty(B, dt)
    lnew = np.empty(B, dt)
    need_d = np.ones(B, dtype=np.bool_)
    opened = np.zeros(B, dtype=np.bool_)
    trial = np.empty((P, B), dt)
    max_rounds = 0
    for b in range(B):
        rounds[b] = 0.0
        M = hyper[BR_MAX_DIST, b] * scale
        bb[b] = like(0.33, M) * M
        cc[b] = like(0.66, M) * M
        dd[b] = M
        max_rounds = max(max_rounds, int(hyper[BR_MAX_ITER, b]))
    for it in range(max_rounds):
        n_open = 0
        any_d = False
        for b in range(B):
            opened[b] = (active[b] and abs(bb[b] - cc[b]) > hyper[BR_TOL, b]
                         and it < hyper[BR_MAX_ITER, b])
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
                rounds[b] += 1.0
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
        step[b] = (bb[b] + cc[b]) / like(2.0, step) if active[b] else like(0.0, step)
    _take_step(phi, g, step)


@njit(cache=True, error_model="numpy")
def armijo_search(lo, phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start, stop,
                  use_perm, red, step, rounds):
    """One step of GD with Armijo backtracking for every lane (in place): the first
    ``lr * rho**k`` with ``L(phi - s g) <= L(phi) - c s |g|^2``, at most ``max_iter`` tries.

    ``hyper`` rows (``ARMIJO_HYPER``): ``lr`` (times ``scale``), ``c``, ``rho``,
    ``max_iter``; ``loss`` is
    :math:`L(\\phi)` and ``red`` the factor (1 or 1/batch) that turns summed losses into the
    ones the gradient ``g`` belongs to. ``step`` receives the accepted step sizes and
    ``rounds`` the trial steps each lane evaluated.

    Parameters
    ----------
    lo : first-class function
        The model's block loss (:data:`~fastdescent.contract.LOSS`).
    phi, g, loss, hyper, scale, active, X, Y, c, work, perm, start, stop, use_perm, red, step, rounds
        The arguments of the :data:`~fastdescent.contract.SEARCH` role (see its comment in
        :mod:`fastdescent.contract`).

    Examples
    --------
    The ``armijo`` rule's search kernel: on :math:`\\tfrac12\\phi^2` from 1 the step 4 overshoots
    (:math:`L = 4.5`), 2 does not decrease enough (:math:`L = 0.5`), 1 reaches the minimum:

    >>> import fastdescent as fd
    >>> from fastdescent.optim.line_searches import armijo_search
    >>> fd.optim.get_rule("armijo").search is armijo_search
    True
    >>> res = fd.run(fd.models.quadratic((1.0,)), fd.optim.armijo(lr=4.0), [[1.0]], 1)
    >>> res.params, res.loss
    (array([[0.]]), array([0.]))
    """
    P, B = phi.shape
    dt = phi.dtype
    trial = np.empty((P, B), dt)
    lt = np.empty(B, dt)
    gn2 = np.zeros(B, dt)
    done = np.zeros(B, dtype=np.bool_)
    max_rounds = 0
    for b in range(B):
        step[b] = hyper[AR_LR, b] * scale
        rounds[b] = 0.0
        done[b] = not active[b]
        max_rounds = max(max_rounds, int(hyper[AR_MAX_ITER, b]))
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
                rounds[b] += 1.0
                if lt[b] * red <= loss[b] * red - hyper[AR_C, b] * step[b] * gn2[b]:
                    done[b] = True
                elif it + 1 < hyper[AR_MAX_ITER, b]:
                    step[b] *= hyper[AR_RHO, b]
                else:
                    done[b] = True
    for b in range(B):
        if not active[b]:
            step[b] = 0.0
    _take_step(phi, g, step)
