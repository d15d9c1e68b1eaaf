"""
Basins of attraction of your own model
======================================

Which minimum does an optimizer reach from each starting point? We write a model of our own,
run gradient descent from every point of a grid and colour each start by the minimum it
reached.
"""
import math

import numpy as np
from numba import njit

import fastdescent as fd
from fastdescent import analysis
from fastdescent import plotting as fp

# %%
# A model of your own
# -------------------
# A model is a per-example kernel: it returns the loss of example ``i`` for trajectory ``b``
# and adds its gradient. Here :math:`f(x; \phi) = \phi_0 \sin(\phi_1 x)` with the squared
# loss :math:`\ell_i = (f(x_i;\phi) - y_i)^2`, whose gradient is
# :math:`\partial\ell_i/\partial\phi_0 = 2 r_i \sin(\phi_1 x_i)` and
# :math:`\partial\ell_i/\partial\phi_1 = 2 r_i \phi_0 x_i \cos(\phi_1 x_i)` with
# :math:`r_i = f(x_i;\phi) - y_i`. Kernels live at module level, so Numba compiles them once.


@njit(inline="always")
def sine(phi, b, X, Y, i, c, work, grad):
    s = math.sin(phi[1, b] * X[i, 0])
    r = phi[0, b] * s - Y[i, 0]
    grad[0, b] += 2 * r * s
    grad[1, b] += 2 * r * phi[0, b] * X[i, 0] * math.cos(phi[1, b] * X[i, 0])
    return r * r


xs = np.linspace(0.0, 3.0, 24)
model = fd.models.custom_model(sine, n_params=2, x=xs, y=1.5 * np.sin(2.0 * xs),
                               box=((-3.0, 3.0), (-4.0, 4.0)))

# %%
# Every start of a grid
# ---------------------
# A 96 x 96 grid over the box, gradient descent with :math:`\alpha = 0.01` until
# :math:`\|\nabla L\| < 10^{-6}`.
ds = fd.sweep(model, fd.optim.gd(lr=0.01), fd.grid(model, 96), steps=3000, tol=1e-6,
              progress=False)
summary = analysis.basin_summary(ds, model)
att = summary.attractors
for k in range(len(att.losses)):
    print(f"attractor {k}: {att.kinds[k]} at {np.round(att.locations[k], 4)}, "
          f"L = {att.losses[k]:.4g}, {att.counts[k]} starts")
print("fractions:", np.round(summary.fractions.fractions, 3))
print("stderr:", np.round(summary.fractions.stderr, 4))
print("basin entropy:", round(summary.entropy, 3),
      " boundary basin entropy:", round(summary.boundary_entropy, 3))
if summary.dimension is not None:
    print("boundary dimension:", round(summary.dimension.dimension, 3))

# %%
# The basins: :math:`f` is unchanged by :math:`(\phi_0, \phi_1) \to (-\phi_0, -\phi_1)`,
# so the minima come in mirror pairs, with mirrored basins. Near :math:`\phi_1 = 0` the model
# is almost flat (:math:`\sin(\phi_1 x) \approx 0`), the gradient is small and those starts
# have not met the tolerance within the 3000 steps (grey).
fig, ax = fp.figure(size=(8, 6))
fp.basin_map(summary.labels, attractors=summary.attractors, model=model, ax=ax)
