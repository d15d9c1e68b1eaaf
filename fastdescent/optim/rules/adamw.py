"""``torch.optim.AdamW`` = decoupled weight decay × PyTorch's Adam: the decay piece
:math:`\\phi \\leftarrow \\phi(1-\\gamma\\lambda)` composed with the Adam step of
:mod:`.torch_adam` (same record, other kernel and defaults)."""
from numba import njit

from ..pieces import decoupled_decay
from .torch_adam import LR, RULE as TORCH_ADAM, WEIGHT_DECAY, adam_core, betas_pair


@njit(error_model="numpy")
def adamw_step(phi, g, state, hyper, t, scale):
    """:func:`~fastdescent.optim.pieces.decoupled_decay`, then the Adam step."""
    decoupled_decay(phi, hyper, LR, WEIGHT_DECAY, scale)
    adam_core(phi, g, state, hyper, t, scale)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
    """``torch.optim.AdamW``: decoupled decay :math:`\\phi \\leftarrow \\phi(1-\\gamma\\lambda)`
    before the Adam step.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\gamma \\ge 0`.
    betas : (float, float)
        :math:`(\\beta_1, \\beta_2)`, each in :math:`[0, 1)`.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0`.
    weight_decay : float or (N,) array_like
        Decoupled weight decay :math:`\\lambda \\ge 0` (PyTorch's default 0.01).
    amsgrad : bool
        Use the running maximum of the second moment.

    Returns
    -------
    Optimizer
        The rule with its validated hyperparameters.

    Raises
    ------
    ValueError
        If ``betas`` is not a pair or a hyperparameter is outside its range.

    Examples
    --------
    The decay multiplies :math:`\\phi` by :math:`1-\\gamma\\lambda = 0.95`, then the first Adam
    step moves each coordinate by :math:`\\gamma`:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.adamw(lr=0.1, weight_decay=0.5), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.85, 0.85]])
    """
    b1, b2 = betas_pair(betas)
    return RULE(lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


RULE = TORCH_ADAM.derive(name="adamw", step=adamw_step, defaults={"weight_decay": 0.01},
                         label={"en": "AdamW", "es": "AdamW"},
                         color="#999933", factory=adamw)  # Tol olive
