r"""Linear stability of the update rules on quadratics, and measured stability maps of sweeps.

Theory
------
On the one-dimensional quadratic :math:`L(\phi) = \tfrac12\lambda\phi^2` (curvature
:math:`\lambda`; a quadratic in P dimensions decouples into its eigen-directions, so the
largest eigenvalue decides) the gradient is :math:`g = \lambda\phi` and every rule that is
*linear* in :math:`(\phi, \text{state})` - ``gd``, ``momentum``, ``nesterov`` and ``torch_sgd``
(with any momentum, dampening, Nesterov flag and weight decay) - is a fixed linear recursion

.. math:: z_{t+1} = M z_t, \qquad z = (\phi, \alpha m)^T,

whose iterates converge to the minimum iff the spectral radius :math:`\rho(M) < 1` and grow
exponentially iff :math:`\rho(M) > 1`. For a :math:`2\times2` matrix with trace :math:`T` and
determinant :math:`D`, the eigenvalues are the roots of :math:`z^2 - Tz + D`; both lie inside
the unit circle iff (Jury / Schur-Cohn conditions)

.. math:: |D| < 1, \qquad 1 - T + D > 0, \qquad 1 + T + D > 0 .

Write :math:`a = \alpha\lambda` (learning rate :math:`\alpha`). The closed forms below are the
results; each function's docstring carries its derivation.

==================================  =================================================
rule                                stable iff
==================================  =================================================
``gd``                              :math:`0 < a < 2`
``momentum(beta)`` (lecture)        :math:`0 < a(1-\beta) < 2(1+\beta)`
``nesterov(beta)`` (lecture)        :math:`0 < a(1-\beta) < 2(1+\beta)/(1+2\beta)`
``torch_sgd`` heavy ball            :math:`\mu < 1`, :math:`0 < a(1-\tau) < 2(1+\mu)` (:math:`\mu>0`)
``torch_sgd(nesterov=True)``        :math:`\max(0, 1-1/\mu) < a < 2(1+\mu)/(1+2\mu)`
==================================  =================================================

For ``torch_sgd`` :math:`\lambda` is replaced by :math:`\lambda + \text{weight\_decay}` and
with ``momentum=0`` (PyTorch then ignores ``dampening``) it is plain GD. The first step of
``torch_sgd`` (buffer :math:`b_0 = g_0`, undamped) is a transient and does not change
:math:`M`.

Adaptive rules (``normalized``, ``adam``, ``torch_adam``, ``adamw``, ``rmsprop``,
``adagrad``, ``lion``) and line searches (``line_search``, ``armijo``) are *not* linear on
quadratics, have no divergence threshold of this kind and get ``NaN`` (see :data:`NONLINEAR`).

Each rule's record (:mod:`fastdescent.optim.record`) says which case it is: ``linear`` (the
iteration matrix is built from its kernels), ``stable_interval`` (the closed form above, in the
rule's own file) or ``nonlinear`` (why there is none). A user rule takes part the same way.

Measured maps
-------------
:func:`hyper_map` reduces a :func:`fastdescent.sweep` Dataset to per-(x, y) fractions of
converged / diverged / stuck trajectories, median final loss and median steps;
:func:`measured_boundary` finds, per y, the smallest x (learning rate) at which at least half
the trajectories diverge, with the grid resolution, to compare with the theory.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import contract as S
from ..engine.compiled import rule_kernels
from ..optim.record import Optimizer, Rule
from ..optim.registry import all_rules, get_optimizer, get_rule

__all__ = ["LINEAR_RULES", "NONLINEAR", "stability_threshold", "stability_interval",
           "iteration_matrix", "spectral_radius", "stable", "hyper_map", "measured_boundary"]

class _LinearRules(Sequence):
    """Live, read-only sequence of the names of the registered linear rules: it reads the
    registry on every use, so a rule registered after import is in it."""

    def _names(self) -> tuple:
        return tuple(r.name for r in all_rules() if r.linear)

    def __getitem__(self, i):
        return self._names()[i]

    def __len__(self) -> int:
        return len(self._names())

    def __eq__(self, other):
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __hash__(self):
        return hash(self._names())

    def __repr__(self) -> str:
        return repr(self._names())


class _Nonlinear(Mapping):
    """Live, read-only mapping rule name -> why it has no threshold, over the registered
    non-linear rules (read from the registry on every use)."""

    def _reasons(self) -> dict:
        return {r.name: r.nonlinear for r in all_rules() if not r.linear}

    def __getitem__(self, name):
        return self._reasons()[name]

    def __iter__(self):
        return iter(self._reasons())

    def __len__(self) -> int:
        return len(self._reasons())

    def __repr__(self) -> str:
        return repr(self._reasons())


#: Registered rules that are linear maps of (phi, state) on a quadratic (read from the records;
#: a live view of the registry, so rules registered later are included).
LINEAR_RULES = _LinearRules()

#: Why each registered non-linear rule has no threshold (stability_threshold returns NaN); a
#: live view of the registry, like :data:`LINEAR_RULES`.
NONLINEAR = _Nonlinear()


# ===================================================================================== helpers
def _optimizer(optimizer, hyper: dict, *, with_lr=None) -> Optimizer:
    """An Optimizer from a name (factory defaults + ``hyper``) or an instance (+ ``hyper``)."""
    if "lr" in hyper:
        raise TypeError("give the learning rate as the lr argument of stable()/"
                        "spectral_radius(); stability_threshold() solves for it")
    if isinstance(optimizer, Rule):
        optimizer = optimizer()
    if isinstance(optimizer, Optimizer):
        opt = optimizer.replace(**hyper) if hyper else optimizer
    elif isinstance(optimizer, str):
        get_rule(optimizer)  # ValueError naming the valid optimizers
        try:
            opt = get_optimizer(optimizer, **hyper)
        except TypeError as exc:
            raise TypeError(f"{optimizer}: {exc}") from None
    else:
        raise TypeError(f"optimizer must be a name (e.g. 'momentum') or an Optimizer, "
                        f"got {type(optimizer).__name__}")
    for k, v in opt.hyper.items():
        if np.ndim(v) != 0:
            raise ValueError(f"stability analysis needs scalar hyperparameters; {k} has "
                             f"{np.size(v)} values")
    if with_lr is not None and "lr" in opt.hyper_names:
        opt = opt.replace(lr=with_lr)
    return opt


def _lam(lam) -> float:
    if isinstance(lam, (bool, np.bool_)):
        raise TypeError("lam must be a real number (the curvature), got a bool")
    try:
        v = float(lam)
    except (TypeError, ValueError):
        raise TypeError(f"lam must be a real number (the curvature), got "
                        f"{type(lam).__name__}") from None
    if not math.isfinite(v):
        raise ValueError(f"lam must be finite, got {lam!r}")
    return v


def _a_interval(opt: Optimizer, lam: float):
    """Stable range (lo, hi) of a = lr * lam_eff (None: none), and lam_eff, from the rule's
    closed form; "nonlinear" for rules without one."""
    if opt.rule.stable_interval is None:
        return "nonlinear", lam
    return opt.rule.stable_interval(opt.hyper, lam)


# ===================================================================================== theory
def stability_interval(optimizer, lam, **hyper) -> tuple[float, float]:
    r"""Learning rates :math:`\alpha` with :math:`\rho(M) < 1` on :math:`\tfrac12\lambda\phi^2`.

    The set is always an open interval :math:`(\alpha_{lo}, \alpha_{hi})` for the linear rules
    (:data:`LINEAR_RULES`). :math:`\alpha_{lo} = 0` except for ``torch_sgd(nesterov=True)``
    with momentum :math:`\mu > 1`, which is unstable for small steps
    (:math:`\alpha\lambda < 1 - 1/\mu`).

    Parameters
    ----------
    optimizer : str or Optimizer
        Rule name (factory defaults for hyperparameters not given) or an optimizer.
    lam : float
        Curvature :math:`\lambda` (for ``torch_sgd`` the effective curvature is
        :math:`\lambda + \text{weight\_decay}`).
    **hyper
        Hyperparameters other than ``lr`` (``beta=0.9``, ``momentum=0.9, nesterov=True``...).

    Returns
    -------
    (lo, hi) : tuple of float
        ``(nan, nan)`` when no learning rate is stable (non-positive effective curvature,
        heavy ball with :math:`\mu \ge 1` or dampening 1) and for non-linear rules.

    Raises
    ------
    ValueError
        If ``lam`` is not a finite number or a hyperparameter is invalid.

    Examples
    --------
    >>> from fastdescent.analysis import stability_interval
    >>> stability_interval("gd", 4.0)
    (0.0, 0.5)
    >>> stability_interval("momentum", 4.0, beta=0.5)
    (0.0, 1.5)
    >>> stability_interval("adam", 4.0)
    (nan, nan)
    """
    lam = _lam(lam)
    opt = _optimizer(optimizer, hyper)
    iv, lam_eff = _a_interval(opt, lam)
    if iv == "nonlinear" or iv is None or lam_eff <= 0:
        return (math.nan, math.nan)
    return (iv[0] / lam_eff, iv[1] / lam_eff)


def stability_threshold(optimizer, lam, **hyper) -> float:
    r"""Largest stable learning rate :math:`\alpha_{max}` on :math:`L = \tfrac12\lambda\phi^2`.

    Above :math:`\alpha_{max}` the iteration matrix has :math:`\rho(M) > 1` and every start
    off the minimum diverges exponentially; below it (and above :math:`\alpha_{lo}`, see
    :func:`stability_interval`) the iterates converge linearly. For a quadratic with several
    eigenvalues use the largest (the thresholds scale as :math:`1/\lambda`).

    Derivations (:math:`a = \alpha\lambda`, :math:`u = \alpha m` or :math:`\alpha b`; all
    matrices act on :math:`z = (\phi, u)^T` and the Jury conditions are those of the module
    docstring):

    **GD.** :math:`\phi' = (1 - a)\phi`; :math:`|1-a| < 1 \iff 0 < a < 2`, so
    :math:`\alpha_{max} = 2/\lambda`.

    **Lecture momentum** :math:`m' = \beta m + (1-\beta)\lambda\phi`,
    :math:`\phi' = \phi - \alpha m'`:

    .. math:: M = \begin{pmatrix} 1 - a(1-\beta) & -\beta \\ a(1-\beta) & \beta\end{pmatrix},
              \quad T = 1 + \beta - a(1-\beta), \quad D = \beta .

    :math:`1 - T + D = a(1-\beta) > 0` and :math:`1 + T + D = 2(1+\beta) - a(1-\beta) > 0`:
    :math:`\alpha_{max} = \dfrac{2(1+\beta)}{(1-\beta)\lambda}`.

    **Lecture Nesterov**, gradient at :math:`\phi - \alpha\beta m`:
    :math:`m' = \beta m + (1-\beta)\lambda(\phi - \alpha\beta m)`. With
    :math:`c = a(1-\beta)`, :math:`s = 1 - c`:

    .. math:: M = \begin{pmatrix} s & -\beta s \\ c & \beta s\end{pmatrix},
              \quad T = (1+\beta)s, \quad D = \beta s .

    :math:`1 - T + D = c > 0`; :math:`1 + T + D = 1 + (1+2\beta)s > 0 \iff
    c < 2(1+\beta)/(1+2\beta)`; :math:`|\beta s| < 1 \iff c < 1 + 1/\beta` (weaker). So
    :math:`\alpha_{max} = \dfrac{2(1+\beta)}{(1+2\beta)(1-\beta)\lambda}` - smaller than
    momentum's by the factor :math:`1 + 2\beta`.

    **torch_sgd, heavy ball** (:math:`\mu > 0`, dampening :math:`\tau`): buffer
    :math:`b' = \mu b + (1-\tau) g` (after the first step), :math:`\phi' = \phi - \alpha b'`:

    .. math:: M = \begin{pmatrix} 1 - (1-\tau)a & -\mu \\ (1-\tau)a & \mu\end{pmatrix},
              \quad T = 1 + \mu - (1-\tau)a, \quad D = \mu .

    Stable iff :math:`\mu < 1` and :math:`0 < (1-\tau)a < 2(1+\mu)`:
    :math:`\alpha_{max} = \dfrac{2(1+\mu)}{(1-\tau)\lambda}`. With :math:`\tau = \mu = \beta`
    this is lecture momentum; with :math:`\tau = 0` it is lecture momentum at
    :math:`\alpha(1-\beta)`. :math:`\mu \ge 1` or :math:`\tau = 1` is never strictly stable
    (:math:`D \ge 1`, resp. an eigenvalue exactly 1). With :math:`\mu = 0` PyTorch skips the
    buffer (and the dampening): :math:`\alpha_{max} = 2/\lambda`.

    **torch_sgd, Nesterov** (:math:`\tau = 0`): :math:`b' = \mu b + g`,
    :math:`\phi' = \phi - \alpha(g + \mu b')`:

    .. math:: M = \begin{pmatrix} 1 - (1+\mu)a & -\mu^2 \\ a & \mu\end{pmatrix},
              \quad T = 1 + \mu - (1+\mu)a, \quad D = \mu(1-a) .

    :math:`1 - T + D = a > 0`; :math:`1 + T + D = 2(1+\mu) - (1+2\mu)a > 0`;
    :math:`|\mu(1-a)| < 1 \iff 1 - 1/\mu < a < 1 + 1/\mu` (upper end weaker). So
    :math:`\alpha_{max} = \dfrac{2(1+\mu)}{(1+2\mu)\lambda}` (the lecture's Nesterov bound in
    PyTorch's scaling), and for :math:`\mu > 1` also :math:`\alpha > (1 - 1/\mu)/\lambda`.

    **Weight decay** :math:`w` (torch_sgd) adds :math:`w\phi` to the gradient: replace
    :math:`\lambda` by :math:`\lambda + w` everywhere.

    Parameters
    ----------
    optimizer : str or Optimizer
        A rule name or optimizer; see :func:`stability_interval`.
    lam : float
        Curvature :math:`\lambda`.
    **hyper
        Hyperparameters other than ``lr``.

    Returns
    -------
    float
        :math:`\alpha_{max}`; ``0.0`` when no learning rate is stable (e.g.
        :math:`\lambda \le 0`: a flat or descending direction is never contracted), ``nan``
        for rules that are not linear on quadratics (``normalized``, the Adam family,
        RMSprop, Adagrad, line searches: see :data:`NONLINEAR` for why; Adam's step is
        bounded by about ``lr``, so it does not diverge on a quadratic; at worst it oscillates
        with amplitude of order ``lr``).

    Examples
    --------
    Gradient descent on :math:`\lambda = 4`: :math:`2/\lambda`; momentum with
    :math:`\beta = 0.9` on :math:`\lambda = 100`: :math:`2(1.9)/(0.1 \cdot 100)`.

    >>> from fastdescent.analysis import stability_threshold
    >>> stability_threshold("gd", 4.0)
    0.5
    >>> round(stability_threshold("momentum", 100.0, beta=0.9), 12)
    0.38
    """
    lam = _lam(lam)
    opt = _optimizer(optimizer, hyper)
    iv, lam_eff = _a_interval(opt, lam)
    if iv == "nonlinear":
        return math.nan
    if iv is None or lam_eff <= 0:
        return 0.0
    return iv[1] / lam_eff


def iteration_matrix(optimizer, lr, lam, **hyper) -> np.ndarray:
    r"""The exact linear map :math:`z_{t+1} = M z_t` of one step on :math:`\tfrac12\lambda\phi^2`.

    Built numerically from the engine's own compiled step kernels
    (``fastdescent.engine.compiled.rule_kernels``: step and look-ahead): the state
    :math:`z = (\phi, s_1, \dots, s_S)` of a 1-parameter trajectory is set to each basis vector
    :math:`e_j` in turn (one lane each), the gradient :math:`\lambda\phi_{eval}` is taken at
    the rule's evaluation point, one step is applied (at :math:`t = 1`, past PyTorch's
    first-step buffer initialisation) and the result is column :math:`j` of :math:`M`. So any
    rule that is linear on quadratics is handled without a hand derivation, and the closed
    forms of :func:`stability_threshold` can be checked against :math:`\rho(M)`.

    Parameters
    ----------
    optimizer : str or Optimizer
        A linear rule (:data:`LINEAR_RULES`).
    lr : float
        Learning rate.
    lam : float
        Curvature.
    **hyper
        Other hyperparameters.

    Returns
    -------
    ndarray, shape (1 + S, 1 + S)
        S is the rule's number of state slots (0 for GD, 1 for the momentum rules).

    Raises
    ------
    ValueError
        For a rule that is not linear on quadratics (the message says why), or if the
        kernel's map turns out not to be linear.

    Examples
    --------
    Gradient descent is the 1 x 1 map :math:`1 - \alpha\lambda`; the lecture's momentum acts on
    :math:`(\phi, m)`:

    >>> from fastdescent.analysis import iteration_matrix
    >>> iteration_matrix("gd", 0.1, 4.0)
    array([[0.6]])
    >>> iteration_matrix("momentum", 0.1, 4.0, beta=0.5)
    array([[ 0.8 , -0.05],
           [ 2.  ,  0.5 ]])
    """
    lam = _lam(lam)
    opt = _optimizer(optimizer, hyper)
    if not opt.rule.linear:
        raise ValueError(f"{opt.name} is not a linear map on quadratics: "
                         f"{opt.rule.nonlinear or 'no iteration matrix'}")
    lr = float(lr)
    if not (lr >= 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    opt = opt.replace(lr=lr)
    return _kernel_matrix(opt, lam)


def _kernel_step(opt: Optimizer, lam: float, z: np.ndarray) -> np.ndarray:
    """Apply one step of the compiled rule to the columns of z (1 + S, B)."""
    n_state = opt.n_state
    B = z.shape[1]
    phi = np.ascontiguousarray(z[:1].copy())
    state = np.ascontiguousarray(z[1:].reshape(n_state, 1, B).copy())
    hyper = opt.hyper_matrix(B)
    update, lookahead, _ = rule_kernels(opt.rule)
    if opt.rule.lookahead is not None:
        look = np.empty_like(phi)
        lookahead(phi, state, hyper, 1.0, look)
        g = lam * look
    else:
        g = lam * phi
    update(phi, np.ascontiguousarray(g), state, hyper, 1, 1.0)
    return np.concatenate([phi, state.reshape(n_state, B)], axis=0)


def _kernel_matrix(opt: Optimizer, lam: float) -> np.ndarray:
    n = 1 + opt.n_state
    M = _kernel_step(opt, lam, np.eye(n))
    # linearity self-check on random combinations (catches a rule that is not linear)
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((n, 3)) * np.array([1e-3, 1.0, 1e3])
    out = _kernel_step(opt, lam, Z)
    scale = np.abs(M).max() * np.abs(Z).max() + 1e-300
    if not np.allclose(out, M @ Z, rtol=1e-9, atol=1e-12 * scale):
        raise ValueError(f"{opt.name}: the step kernel is not linear on this quadratic")
    return M


def spectral_radius(optimizer, lr, lam, **hyper) -> float:
    r""":math:`\rho = \max_i |\mu_i|` of :func:`iteration_matrix` on the states a trajectory
    can reach: the asymptotic contraction factor per step (:math:`< 1` converges,
    :math:`> 1` diverges).

    Trajectories start with zero state, so only the Krylov subspace
    :math:`\mathcal K = \mathrm{span}\{e_\phi, M e_\phi, M^2 e_\phi, \dots\}` is ever
    visited; the eigenvalues are those of :math:`M` restricted to :math:`\mathcal K`
    (:math:`Q^T M Q` for an orthonormal basis :math:`Q`). This drops modes the rule never
    touches, e.g. the unused buffer of ``torch_sgd(momentum=0)``, an eigenvalue 1 of
    :math:`M` that has no effect on :math:`\phi`.

    Parameters
    ----------
    optimizer, lr, lam, **hyper
        As in :func:`iteration_matrix`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For rules that are not linear on quadratics.

    Examples
    --------
    At the threshold :math:`\alpha = 2/\lambda` gradient descent oscillates with :math:`\rho = 1`:

    >>> from fastdescent.analysis import spectral_radius
    >>> spectral_radius("gd", 0.1, 4.0), spectral_radius("gd", 0.5, 4.0)
    (0.6, 1.0)
    """
    M = iteration_matrix(optimizer, lr, lam, **hyper)
    n = M.shape[0]
    basis = []
    v = np.zeros(n)
    v[0] = 1.0
    for _ in range(n):
        for q in basis:  # Gram-Schmidt twice for stability
            v = v - (q @ v) * q
        for q in basis:
            v = v - (q @ v) * q
        nv = np.linalg.norm(v)
        if nv < 1e-12 * max(1.0, np.abs(M).max()):
            break
        v = v / nv
        basis.append(v)
        v = M @ v
    Q = np.array(basis).T
    return float(np.max(np.abs(np.linalg.eigvals(Q.T @ M @ Q))))


def stable(optimizer, lr, lam, **hyper) -> bool:
    r"""Whether ``optimizer`` at learning rate ``lr`` converges on :math:`\tfrac12\lambda\phi^2`.

    Decided by the spectral radius of the exact iteration matrix
    (:func:`iteration_matrix`): True iff :math:`\rho(M) < 1`. Works for every linear rule and
    hyperparameter setting, independently of the closed forms.

    Raises
    ------
    ValueError
        For the adaptive rules and line searches, which have no linear stability (the
        message explains; e.g. Adam's step is bounded by about ``lr``: it does not diverge on
        a quadratic, at worst it oscillates with amplitude of order ``lr``).

    Parameters
    ----------
    optimizer, lr, lam, **hyper
        As in :func:`iteration_matrix`.

    Returns
    -------
    bool

    Examples
    --------
    >>> from fastdescent.analysis import stability_threshold, stable
    >>> a = stability_threshold("momentum", 10.0, beta=0.9)
    >>> stable("momentum", 0.99 * a, 10.0, beta=0.9), stable("momentum", 1.01 * a, 10.0, beta=0.9)
    (True, False)
    >>> stable("adam", 0.1, 10.0)
    Traceback (most recent call last):
        ...
    ValueError: adam is not a linear map on quadratics: no linear stability threshold: ...
    """
    return spectral_radius(optimizer, lr, lam, **hyper) < 1.0


# ===================================================================================== sweeps
def _check_ds(ds):
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover - xarray is a dependency
        raise ImportError("hyper_map needs xarray") from None
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"expected the xarray.Dataset returned by fastdescent.sweep, got "
                        f"{type(ds).__name__}")
    for v in ("status", "loss", "steps"):
        if v not in ds:
            raise ValueError(f"the Dataset has no {v!r} variable: pass the Dataset returned "
                             f"by fastdescent.sweep (or fastdescent.load)")
    return xr


def _check_xy(ds, x, y):
    dims = ds["status"].dims
    for name, d in (("x", x), ("y", y)):
        if d is None and name == "y":
            continue
        if not isinstance(d, str) or d not in dims:
            raise ValueError(f"{name}={d!r} is not a dim of the sweep; its dims are "
                             f"{', '.join(dims)}")
    if y is not None and y == x:
        raise ValueError(f"x and y must be different dims, both are {x!r}")
    return [d for d in (x, y) if d is not None]


def hyper_map(dataset, x: str = "lr", y: str | None = None):
    r"""Outcome statistics of a sweep per value of one or two of its dims.

    All other dims (starting points, seeds, other hyperparameters) are pooled. With
    :math:`n` trajectories that ran at a given ``(x, y)`` (``NOT_RUN`` ones excluded):

    * ``converged``, ``diverged``, ``stuck`` - fractions with status converged / diverged /
      max_steps (they sum to 1), and ``n``;
    * ``median_loss`` - median final loss of the trajectories that did not diverge;
    * ``median_steps`` - median steps to tolerance of the converged ones (NaN if none).

    Parameters
    ----------
    dataset : xarray.Dataset
        A :func:`fastdescent.sweep` result.
    x, y : str
        Dims to keep (``y`` optional), e.g. ``x="lr", y="beta"``.

    Returns
    -------
    xarray.Dataset
        Variables above, dims ``(x,)`` or ``(x, y)``.

    Raises
    ------
    TypeError
        If ``dataset`` is not an xarray Dataset.
    ValueError
        If it lacks the sweep's variables or ``x``/``y`` are not its dims.

    Examples
    --------
    Gradient descent on :math:`\tfrac12(\phi_0^2 + 4\phi_1^2)` diverges for
    :math:`\alpha > 2/4`, except from the starts with :math:`\phi_1 = 0`:

    >>> import fastdescent as fd
    >>> from fastdescent.analysis import hyper_map
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 3), 200, lr=[0.1, 0.4, 0.6], tol=1e-6,
    ...               progress=False)
    >>> hm = hyper_map(ds, "lr")
    >>> hm["converged"].values, hm["diverged"].values
    (array([1.        , 1.        , 0.33333333]), array([0.        , 0.        , 0.66666667]))
    """
    _check_ds(dataset)
    keep = _check_xy(dataset, x, y)
    st = dataset["status"]
    other = [d for d in st.dims if d not in keep]
    ran = st != S.NOT_RUN
    n = ran.sum(other)
    nz = n.where(n > 0)
    out = {
        "n": n,
        "converged": (st == S.CONVERGED).sum(other) / nz,
        "diverged": (st == S.DIVERGED).sum(other) / nz,
        "stuck": (st == S.MAX_STEPS).sum(other) / nz,
        "median_loss": dataset["loss"].where(ran & (st != S.DIVERGED)).median(other),
        "median_steps": dataset["steps"].where(st == S.CONVERGED).median(other),
    }
    import xarray as xr

    res = xr.Dataset(out).transpose(*keep)
    res.attrs = {k: v for k, v in dataset.attrs.items() if k in ("model", "optimizer",
                                                                "settings")}
    res["stuck"].attrs["long_name"] = "fraction at the step limit (max_steps)"
    res["median_steps"].attrs["long_name"] = "median steps to tolerance (converged only)"
    return res


def measured_boundary(dataset, x: str = "lr", y: str | None = None, *, level: float = 0.5,
                      lam: float | None = None):
    r"""Smallest ``x`` (learning rate) at which at least ``level`` of the trajectories diverge.

    With the grid :math:`x_0 < x_1 < \dots` and :math:`d_i` the diverged fraction at
    :math:`x_i` (:func:`hyper_map`), the measured boundary is :math:`x_{i^*}` with
    :math:`i^* = \min\{i : d_i \ge \mathrm{level}\}`; the true boundary lies in
    :math:`(x_{i^*-1}, x_{i^*}]` up to finite-step effects (near the threshold
    :math:`\rho(M) \approx 1` and divergence takes many steps to reach the engine's
    ``bound``).

    Parameters
    ----------
    dataset : xarray.Dataset
        A sweep with ``x`` among its dims.
    x, y : str
        The swept learning-rate dim and an optional second dim (one boundary per y value).
    level : float
        Diverged fraction that counts as divergence (default 0.5).
    lam : float, optional
        Curvature of the quadratic the sweep ran on. With ``x="lr"``, adds ``theory`` =
        :func:`stability_threshold` for the sweep's optimizer (hyperparameters from the
        Dataset's attributes and the ``y`` coordinate).

    Returns
    -------
    xarray.Dataset
        ``boundary`` (NaN if nothing diverges), ``lower`` (the grid value below it, NaN when
        it is the first), ``resolution`` = ``boundary - lower``, ``monotone`` (False when some
        x above the boundary has a diverged fraction below ``level`` again), and ``theory``
        with ``lam``.

    Raises
    ------
    ValueError
        If ``level`` is not in (0, 1], ``x`` is empty or not a dim, or ``lam`` is given with an
        ``x`` other than ``"lr"``.

    Examples
    --------
    >>> import numpy as np
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import measured_boundary
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> ds = fd.sweep(m, fd.optim.gd(), [[1.0, 1.0]], 200, lr=np.linspace(0.05, 1.0, 20),
    ...               progress=False)
    >>> mb = measured_boundary(ds, "lr", lam=4.0)
    >>> [round(float(mb[k]), 9) for k in ("lower", "boundary", "theory")]
    [0.5, 0.55, 0.5]
    """
    xr = _check_ds(dataset)
    if not (isinstance(level, (int, float)) and 0 < level <= 1):
        raise ValueError(f"level must be in (0, 1], got {level!r}")
    hm = hyper_map(dataset, x, y).sortby(x)
    frac = hm["diverged"].transpose(x, *([y] if y else []))
    xs = np.asarray(frac[x].values, dtype=float)
    d = frac.values
    if xs.size < 1:
        raise ValueError(f"dim {x!r} is empty")
    hit = d >= level
    anyhit = hit.any(axis=0)
    first = hit.argmax(axis=0)
    boundary = np.where(anyhit, xs[first], np.nan)
    lower = np.where(anyhit & (first > 0), xs[np.maximum(first - 1, 0)], np.nan)
    idx = np.arange(xs.size).reshape((-1,) + (1,) * (d.ndim - 1))
    monotone = ~np.any((idx > first) & ~hit, axis=0) | ~anyhit
    dims = (y,) if y else ()
    coords = {y: frac[y].values} if y else {}
    res = xr.Dataset({"boundary": (dims, boundary), "lower": (dims, lower),
                      "resolution": (dims, boundary - lower),
                      "monotone": (dims, np.asarray(monotone))}, coords=coords)
    res.attrs["level"] = level
    if lam is not None:
        if x != "lr":
            raise ValueError("theory (lam=) needs x='lr'")
        res["theory"] = (dims, _theory_for(dataset, y, lam))
    return res


def _theory_for(ds, y, lam):
    try:
        desc = json.loads(ds.attrs["optimizer"])
        name, hyper = desc["name"], dict(desc["hyper"])
    except (KeyError, ValueError, TypeError):
        raise ValueError("the Dataset's attributes do not record its optimizer "
                         "(attrs['optimizer']); cannot compute the theory") from None
    hyper.pop("lr", None)
    swept = [d for d in ds["status"].dims if d in hyper]
    if any(d != y for d in swept):
        raise ValueError(f"theory needs every swept hyperparameter other than lr to be the y "
                         f"dim; swept: {swept}")

    def one(extra: dict[str, Any]):
        h = {k: (float(np.asarray(v)) if np.ndim(v) == 0 else v) for k, v in hyper.items()}
        h.update(extra)
        return stability_threshold(name, lam, **_factory_kwargs(name, h))

    if y is None:
        return np.asarray(one({}))
    if y not in hyper:
        raise ValueError(f"y={y!r} is not a hyperparameter of {name}; cannot compute theory")
    return np.array([one({y: float(v)}) for v in ds[y].values])


def _factory_kwargs(name: str, h: dict) -> dict:
    """Rule hyperparameter names -> factory keyword arguments (they differ for betas)."""
    if "beta1" in h and name in ("torch_adam", "adamw"):
        h = dict(h)
        h["betas"] = (h.pop("beta1"), h.pop("beta2"))
    return h
