"""
Hyperparameter maps against theory
==================================

On a quadratic :math:`L(\\phi) = \\tfrac12 \\phi^T A \\phi` linear stability theory predicts
exactly which learning rates converge. For lecture momentum
(:math:`m \\leftarrow \\beta m + (1-\\beta) g`, :math:`\\phi \\leftarrow \\phi - \\alpha m`) the
iteration is stable iff

.. math:: \\alpha < \\alpha_{max}(\\beta) = \\frac{2(1+\\beta)}{(1-\\beta)\\lambda_{max}}

(:func:`fastdescent.analysis.stability_threshold`). A sweep over a grid of
:math:`(\\alpha, \\beta)` measures where the runs actually diverge
(:func:`fastdescent.analysis.measured_boundary`), and the map shows both.
"""
import numpy as np

import fastdescent as fd
from fastdescent import analysis
from fastdescent import plotting as fp

model = fd.models.quadratic((1.0, 100.0), np.pi / 6)     # condition number 100
starts = fd.random_starts(model, 8, seed=0, box=((-1, 1), (-1, 1)))
lrs = np.geomspace(1e-3, 10.0, 40)
betas = np.linspace(0.0, 0.95, 12)
ds = fd.sweep(model, fd.optim.momentum(), starts, 500, lr=lrs, beta=betas, tol=1e-6,
              bound=1e8, progress=False)

# %%
# The measured boundary (smallest learning rate at which half of the starts diverge) and the
# theory, per momentum coefficient:
mb = analysis.measured_boundary(ds, "lr", "beta", level=0.5, lam=100.0)
for b, meas, lo, th in zip(mb["beta"].values, mb["boundary"].values, mb["lower"].values,
                           mb["theory"].values):
    print(f"beta = {b:.3f}: theory {th:.4g}, measured in ({lo:.4g}, {meas:.4g}]")

# %%
# The majority outcome of each cell, with the theoretical boundary as a dashed line:
hm = analysis.hyper_map(ds, "lr", "beta")
fig, ax = fp.figure(size=(8, 5.5))
fp.hyper_map(hm["median_loss"], ax=ax, kind="loss",
             theory=(np.asarray(mb["theory"].values), betas))
ax.set_title("Momentum on a quadratic (condition number 100)")
