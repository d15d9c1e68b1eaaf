"""
Your own model as a formula
===========================

A model can be written as the loss of one example, as a formula:
:func:`fastdescent.models.formula` derives the gradient and the Hessian with SymPy and
generates the same compiled kernels a hand-written model has. Here the Gabor model of the
lecture, written from its definition

.. math:: \\ell_i(\\phi) = \\left(\\sin(z_i)\\, e^{-z_i^2/32} - y_i\\right)^2,
          \\qquad z_i = \\phi_0 + 0.06\\,\\phi_1 x_i,

is checked against the built-in model, then run.
"""
import numpy as np

import fastdescent as fd

gabor = fd.models.gabor()
x, y = gabor.X[:, 0], gabor.Y[:, 0]
mine = fd.models.formula("(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2",
                         params=["p0", "p1"], x=x, y=y, box=gabor.box, name="my_gabor")

# %%
# Loss, gradient and Hessian agree with the hand-written model:
phi = np.array([0.6, -0.2])
print("loss:", mine.loss(phi), "built-in:", gabor.loss(phi))
print("gradient difference:", np.abs(mine.grad(phi) - gabor.grad(phi)).max())
print("Hessian difference:", np.abs(mine.hessian(phi) - gabor.hessian(phi)).max())

# %%
# The formula model runs in the engine like any other, here Adam from a grid of starts; the
# share of starts ending at the global minimum (:math:`L = 0.646`) is the same for both
# models.
for model in (mine, gabor):
    res = fd.run(model, fd.optim.adam(lr=0.05, gamma=0.99), fd.grid(model, 24).points,
                 300, progress=False)
    print(f"{model.name:10s} share at the global minimum: {np.mean(res.loss < 0.65):.3f}")
