"""
Your first run and sweep
========================

A model, an optimizer, a few starting points: :func:`fastdescent.run` runs every trajectory
and returns the final points, their losses and how each run ended. A sweep
(:func:`fastdescent.sweep`) runs the Cartesian product of starting points and
hyperparameters and returns a labelled :class:`xarray.Dataset`.
"""
import numpy as np

import fastdescent as fd

# %%
# A run
# -----
# The lecture's Gabor model: 30 data points, parameters :math:`\phi = (\phi_0, \phi_1)`
# (offset, frequency), and the loss :math:`L(\phi) = \sum_i (f(x_i; \phi) - y_i)^2`, the
# *sum* of squared residuals. Adam's update (:func:`fastdescent.optim.adam`) is
#
# .. math::
#    m \leftarrow \beta m + (1-\beta) g, \quad v \leftarrow \gamma v + (1-\gamma) g^2,
#    \quad \phi \leftarrow \phi - \alpha \frac{m/(1-\beta^{t+1})}{\sqrt{v/(1-\gamma^{t+1})}
#    + \epsilon}.
model = fd.models.gabor()
print(model.n_params, "parameters,", model.n_examples, "examples")
print("L(0.6, -0.2) =", round(float(model.loss([0.6, -0.2])), 3))   # the book's check value

res = fd.run(model, fd.optim.adam(lr=0.05, gamma=0.99),
             init=[[0.6, -0.2], [3.5, 6.5]], steps=300, record_every=10, progress=False)
print("final points:\n", res.params)
print("losses:", res.loss)
print("status (1 converged, 2 diverged, 0 used every step):", res.status)

# %%
# ``record_every=10`` keeps every tenth point of each path; the plotting module draws them
# on the loss surface.
from fastdescent import plotting as fp

fig, ax = fp.figure(size=(8, 5))
fp.loss_surface(model, ax=ax)
fp.trajectories(res, ax=ax)
ax.set_title("Adam from two starts on the Gabor loss")

# %%
# A sweep
# -------
# Eight learning rates times a 32 x 32 grid of starting points: 8192 trajectories of
# momentum (:math:`m \leftarrow \beta m + (1-\beta) g`, :math:`\phi \leftarrow \phi - \alpha
# m`), stopped when the gradient norm drops below ``tol``.
ds = fd.sweep(model, fd.optim.momentum(beta=0.9), fd.grid(model, 32), steps=200,
              lr=np.geomspace(1e-3, 1, 8), tol=1e-6, progress=False)
print(ds)

# %%
# Per learning rate, the share of starts that end at the global minimum
# (:math:`L = 0.646`) and the share that met the tolerance within the 200 steps:
starts = [d for d in ds["loss"].dims if d != "lr"]
print("at the global minimum:\n", (ds["loss"] < 0.65).mean(starts).to_series().round(3))
print("converged (|grad L| < tol):\n", (ds["status"] == 1).mean(starts).to_series().round(3))

# %%
# ``fd.save(ds, "momentum.nc")`` writes the Dataset (netCDF or zarr) atomically and
# ``fd.load`` reads it back.
