r"""Trainability criteria: when a trajectory counts as trainable.

A criterion is a run option (``fd.run(..., criterion=...)``, ``fd.sweep(..., criterion=...)``);
the stored result says which one was used (``Result.settings["criterion"]``, the sweep's
``settings`` attribute) and holds its verdict (``Result.trainable``, the sweep's ``trainable``
variable).

:class:`NotDiverged` (the default)
    Trainable unless the trajectory diverged (a non-finite loss, gradient or parameter, or a
    parameter beyond ``bound``).
:class:`LossRatio` (Sohl-Dickstein 2024)
    Trainable when the mean full-batch loss over the points of the last ``k`` steps, divided
    by the initial full-batch loss, is below ``threshold``:

    .. math:: \frac{1}{k}\sum_{t=T-k}^{T-1} L(\phi_t) \Big/ L(\phi_0) < \text{threshold}.

    The engine accumulates the two losses per trajectory while it runs (no path is recorded);
    a diverged trajectory has ratio ``inf``, and one stopped early by ``tol`` keeps its final
    loss for the steps it did not take. With minibatches or a look-ahead rule the losses are
    the full batch's, evaluated at those steps only. The ratio itself is kept
    (``Result.loss_ratio``, the sweep's ``loss_ratio``), so any other threshold can be applied
    afterwards.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import status as S

__all__ = ["NotDiverged", "LossRatio", "as_criterion"]


@dataclass(frozen=True)
class NotDiverged:
    """Trainable unless diverged (the default criterion).

    Examples
    --------
    >>> NotDiverged().describe()
    {'name': 'not_diverged'}
    """

    tail = 0  #: the engine accumulates no losses for this criterion

    def describe(self) -> dict:
        return {"name": "not_diverged"}

    def trainable(self, status: np.ndarray, ratio=None) -> np.ndarray:
        """Verdict per trajectory from its status (NOT_RUN counts as not trainable)."""
        return (status != S.DIVERGED) & (status != S.NOT_RUN)


@dataclass(frozen=True)
class LossRatio:
    """Trainable when mean(last ``k`` losses) / initial loss < ``threshold`` (module notes).

    Parameters
    ----------
    k : int
        Steps at the end of the run whose losses are averaged (the paper: 20), at most the
        run's ``steps``.
    threshold : float
        The ratio below which a trajectory is trainable (the paper: 1).

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.shallow_net(width=4, inputs=3)
    >>> res = fd.run(m, fd.optim.gd(lr=[0.1, 1e4]), [fd.models.shallow_init(m)] * 2,
    ...              steps=50, reduction="mean", criterion=fd.LossRatio(k=20), progress=False)
    >>> res.trainable
    array([ True, False])
    >>> res.settings["criterion"]
    {'name': 'loss_ratio', 'k': 20, 'threshold': 1.0}
    """

    k: int = 20
    threshold: float = 1.0

    def __post_init__(self):
        if isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer)) or self.k < 1:
            raise ValueError(f"LossRatio: k must be an integer >= 1, got {self.k!r}")
        t = float(self.threshold)
        if not (math.isfinite(t) and t > 0):
            raise ValueError(f"LossRatio: threshold must be a finite number > 0, got "
                             f"{self.threshold!r}")
        object.__setattr__(self, "k", int(self.k))
        object.__setattr__(self, "threshold", t)

    @property
    def tail(self) -> int:
        return self.k

    def describe(self) -> dict:
        return {"name": "loss_ratio", "k": self.k, "threshold": self.threshold}

    def trainable(self, status: np.ndarray, ratio) -> np.ndarray:
        """Verdict per trajectory from its loss ratio (NaN, inf, NOT_RUN: not trainable)."""
        with np.errstate(invalid="ignore"):
            return (np.asarray(ratio) < self.threshold) & (status != S.NOT_RUN)


def as_criterion(criterion, steps: int):
    """``criterion`` (None, ``"not_diverged"``, ``"loss_ratio"`` or an instance) validated
    against the run's ``steps``.

    Raises
    ------
    TypeError
        For anything but those names or a criterion instance.
    ValueError
        When a loss ratio averages more steps than the run takes.

    Examples
    --------
    >>> from fastdescent.engine.criteria import LossRatio, as_criterion
    >>> as_criterion("loss_ratio", 100), as_criterion(None, 10)
    (LossRatio(k=20, threshold=1.0), NotDiverged())
    >>> as_criterion(LossRatio(50), 10)
    Traceback (most recent call last):
        ...
    ValueError: criterion: LossRatio(k=50) averages more steps than the run takes (steps=10)
    """
    if criterion is None or criterion == "not_diverged":
        return NotDiverged()
    if criterion == "loss_ratio":
        criterion = LossRatio()
    if not isinstance(criterion, (NotDiverged, LossRatio)):
        raise TypeError(f"criterion must be 'not_diverged', 'loss_ratio', "
                        f"fastdescent.NotDiverged() or fastdescent.LossRatio(k, threshold), "
                        f"got {criterion!r}")
    if criterion.tail > steps:
        raise ValueError(f"criterion: LossRatio(k={criterion.tail}) averages more steps than "
                         f"the run takes (steps={steps})")
    return criterion


def loss_ratio(tail: np.ndarray) -> np.ndarray:
    """Ratio mean-of-last-k / initial from the engine's ``(n, 2)`` accumulators."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = tail[:, 1] / tail[:, 0]
    return np.where(np.isfinite(tail[:, 1]), r, np.inf)
