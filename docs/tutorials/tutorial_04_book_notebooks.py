"""
Reproducing the book's chapter-6 notebooks
==========================================

The companion notebooks of chapter 6 of Prince, *Understanding Deep Learning* (6.2 gradient
descent, 6.3 stochastic gradient descent, 6.4 momentum, 6.5 Adam) fit two data sets with
hand-written NumPy loops. fastdescent ships the same data (``linear_regression_1d``: 12
points; ``gabor``: 30 points), the same losses (the **sum** of squared residuals) and the
same rules, so each notebook is a few lines here. Notebook 6.1 (the bracketing line search
on a 1-D function) is Figure 6.10 of the :doc:`gallery </gallery/lecture/index>`.

**Where the results differ: SGD sampling.** The notebooks draw every minibatch independently,
``np.random.permutation(30)[:5]`` after ``np.random.seed(1)``: the examples of one batch are
distinct, but consecutive batches may repeat examples and an example may be left out for many
steps. fastdescent draws batches *without replacement within each epoch* (a shuffled pass over
all 30 examples, six batches of five) from a counter-based stream of ``(seed, trajectory,
epoch)``, so that runs are reproducible whatever the threads. Single SGD paths therefore
differ from the notebooks' (a different random stream and a different sampling scheme); the
statistics over many seeds are the comparable quantity. Full-batch rules (gradient descent,
line search, momentum and Adam without minibatches) follow the notebooks' formulas step for
step.
"""
import numpy as np

import fastdescent as fd

# %%
# Notebook 6.2: gradient descent with line search on linear regression
# --------------------------------------------------------------------
# The loss :math:`L(\phi) = \sum_i (\phi_0 + \phi_1 x_i - y_i)^2`, ten steps from
# :math:`(1.6, -0.5)`, each step :math:`\phi \leftarrow \phi - t^* g` with :math:`t^*` from
# the four-point bracketing search on :math:`[0, M]`, :math:`M = 0.1`, tolerance
# :math:`10^{-5}`, at most 15 rounds.
lin = fd.models.linear_regression_1d()
print("check value L(0.6, -0.2) =", round(float(lin.loss([0.6, -0.2])), 3), "(book: 12.367)")
ls = fd.optim.line_search(max_dist=0.1, tol=1e-5, max_iter=15)
res = fd.run(lin, ls, [1.6, -0.5], steps=10, record_every=1, progress=False)
print("loss after each step:", np.round(res.loss_path[0], 4))


# %%
# The notebook's own loop, in plain NumPy, for comparison:
def notebook_line_search(phi, g, x, y, thresh=1e-5, max_dist=0.1, max_iter=15):
    def loss(t):
        p = phi - t * g
        return np.sum((p[0] + p[1] * x - y) ** 2)

    a, b, c, d = 0.0, 0.33 * max_dist, 0.66 * max_dist, max_dist
    n = 0
    while abs(b - c) > thresh and n < max_iter:
        n += 1
        la, lb, lc, ld = loss(a), loss(b), loss(c), loss(d)
        if np.argmin([la, lb, lc, ld]) == 0:
            b, c, d = a + (b - a) / 2, a + (c - a) / 2, a + (d - a) / 2
            continue
        if lb < lc:
            d = c
        else:
            a = b
        b, c = a + (d - a) / 3, a + 2 * (d - a) / 3
    return (b + c) / 2


x, y = lin.X[:, 0], lin.Y[:, 0]
phi = np.array([1.6, -0.5])
for _ in range(10):
    r = phi[0] + phi[1] * x - y
    g = np.array([2 * r.sum(), 2 * (r * x).sum()])
    phi = phi - notebook_line_search(phi, g, x, y) * g
print("notebook loop:", phi, " fastdescent:", res.params[0],
      " max difference:", np.abs(phi - res.params[0]).max())

# %%
# Notebook 6.3: the Gabor model, line search and SGD
# ---------------------------------------------------
# Gradient descent with line search (:math:`M = 2`) from :math:`(-1.5, 8.5)` for 21 steps,
# then SGD with :math:`\alpha = 0.8`, batches of 5, 41 steps from :math:`(3.5, 6.5)`. For
# SGD, one path per seed tells little: we run 200 seeds and report how many end near the
# global minimum.
gabor = fd.models.gabor()
print("check value L(0.6, -0.2) =", round(float(gabor.loss([0.6, -0.2])), 3), "(book: 16.419)")
gd_ls = fd.run(gabor, fd.optim.line_search(max_dist=2.0, tol=1e-5, max_iter=15),
               [-1.5, 8.5], steps=21, progress=False)
print("GD + line search:", np.round(gd_ls.params[0], 4), "loss", round(float(gd_ls.loss[0]), 4))

seeds = 200
sgd = fd.run(gabor, fd.optim.gd(lr=0.8), np.tile([3.5, 6.5], (seeds, 1)), steps=41,
             batch_size=5, seed=np.arange(seeds), progress=False)
print("SGD final loss over 200 seeds: median", round(float(np.median(sgd.loss)), 3),
      ", quartiles", np.round(np.quantile(sgd.loss, [0.25, 0.75]), 3))
print("share with final loss below 1 (the global minimum has L = 0.646):",
      np.mean(sgd.loss < 1.0))

# %%
# Notebook 6.4: SGD with momentum
# -------------------------------
# :math:`\alpha = 0.6`, :math:`\beta = 0.6`, batches of 5, 81 steps from :math:`(-1.5, 6.5)`,
# with :math:`m \leftarrow \beta m + (1-\beta) g` and :math:`\phi \leftarrow \phi - \alpha m`;
# the same 200 seeds give the same minibatches to both rules.
start = np.tile([-1.5, 6.5], (seeds, 1))
plain = fd.run(gabor, fd.optim.gd(lr=0.6), start, 81, batch_size=5, seed=np.arange(seeds),
               progress=False)
mom = fd.run(gabor, fd.optim.momentum(lr=0.6, beta=0.6), start, 81, batch_size=5,
             seed=np.arange(seeds), progress=False)
for name, r in (("SGD", plain), ("SGD + momentum", mom)):
    print(f"{name:15s} median final loss {np.median(r.loss):.3f}, "
          f"share below 1: {np.mean(r.loss < 1.0):.2f}")

# %%
# Notebook 6.5: normalized gradients and Adam
# -------------------------------------------
# The anisotropic demo :math:`L = 1 - e^{-2\phi_1^2} e^{-(\phi_0-0.7)^2/8}` from
# :math:`(-0.7, -0.9)`, with the notebook's settings (:math:`\epsilon = 10^{-20}`).
demo = fd.models.adam_demo()
runs = {
    "GD, alpha 0.08, 200 steps": fd.run(demo, fd.optim.gd(lr=0.08), [-0.7, -0.9], 200,
                                        record_every=1, progress=False),
    "GD, alpha 1.0, 40 steps": fd.run(demo, fd.optim.gd(lr=1.0), [-0.7, -0.9], 40,
                                      record_every=1, progress=False),
    "normalized, alpha 0.08, 40 steps": fd.run(demo, fd.optim.normalized(lr=0.08, eps=1e-20),
                                               [-0.7, -0.9], 40, record_every=1,
                                               progress=False),
    "Adam, alpha 0.05, 60 steps": fd.run(demo, fd.optim.adam(lr=0.05, beta=0.9, gamma=0.99,
                                                              eps=1e-20),
                                         [-0.7, -0.9], 60, record_every=1, progress=False),
}
for name, r in runs.items():
    print(f"{name:34s} ends at {np.round(r.params[0], 3)}, loss {r.loss[0]:.4f}")

from fastdescent import plotting as fp

fig, axs = fp.figure(1, 4, size=(13.33, 3.8))
for ax, (name, r) in zip(axs, runs.items()):
    fp.loss_surface(demo, ax=ax, colorbar=False)
    fp.trajectories(r, ax=ax, legend=False)
    ax.set_title(name, fontsize=12)
