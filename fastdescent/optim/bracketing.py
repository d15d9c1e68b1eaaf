"""The lecture's four-point bracketing line search (book section 6.1.2), as a pure njit rule.

Along the descent direction :math:`d = -g` (the raw gradient, so ``max_dist`` scales it) keep
four step sizes :math:`a < b < c < d` starting at :math:`0, 0.33M, 0.66M, M`. Each round:

1. if :math:`L(a)` is the lowest of the four (ties go to ``a``): move ``b, c, d`` halfway
   towards ``a``;
2. else if :math:`L(b) < L(c)`: :math:`d \\leftarrow c`, then ``b, c`` at the thirds of [a, d];
3. else: :math:`a \\leftarrow b`, then ``b, c`` at the thirds of [a, d].

Rounds repeat while :math:`|b - c| >` ``tol`` and fewer than ``max_iter`` rounds ran; the step is
:math:`(b + c)/2`. The engine evaluates the four losses for a whole block of trajectories at
once and calls :func:`bracket_update` per trajectory.
"""
from numba import njit


@njit(cache=True)
def initial_bracket(max_dist):
    """The book's starting bracket ``(0, 0.33 M, 0.66 M, M)``."""
    return 0.0, 0.33 * max_dist, 0.66 * max_dist, max_dist


@njit(cache=True)
def bracket_rule(la, lb, lc, ld):
    """Which of the three rules applies (1, 2 or 3) given the four losses."""
    if la <= lb and la <= lc and la <= ld:
        return 1
    if lb < lc:
        return 2
    return 3


@njit(cache=True)
def bracket_update(a, b, c, d, la, lb, lc, ld):
    """One round of the bracketing rules; returns the new ``(a, b, c, d)``."""
    rule = bracket_rule(la, lb, lc, ld)
    if rule == 1:
        return a, a + (b - a) / 2.0, a + (c - a) / 2.0, a + (d - a) / 2.0
    if rule == 2:
        d = c
        return a, a + (d - a) / 3.0, a + 2.0 * (d - a) / 3.0, d
    a = b
    return a, a + (d - a) / 3.0, a + 2.0 * (d - a) / 3.0, d


@njit(cache=True)
def bracket_done(b, c, tol, rounds, max_iter):
    """True when the bracket is narrow enough or the round budget is spent."""
    return not (abs(b - c) > tol and rounds < max_iter)
