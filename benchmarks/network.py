"""fastdescent against the fractal-trainability notebook's JAX formulation on its tanh network.

The paper's configuration (Sohl-Dickstein 2024): one hidden layer of width 16, 16 inputs, no
biases, mean-field parameterization, 272 examples, MSE, full-batch gradient descent with the
input- and output-layer learning rates on a ``res x res`` log grid over ``[-3, 6]^2``,
``steps`` steps. The JAX side is written the way the notebook writes it: ``jax.jit`` of a
``jax.vmap`` of one training step over the grid of rates, called once per step from Python,
the losses stacked and reduced to the trainability readout at the end. fastdescent runs the
same grid through ``fd.run`` with per-group learning rates and the loss-ratio criterion, in
float64 and float32.

Samples alternate (fastdescent float64 and float32, JAX float64 and float32) and the best of ``--repeat`` is
reported for each, with the load average before and after::

    python benchmarks/network.py                 # 64 x 64 grid, 100 steps, 3 samples each
    python benchmarks/network.py --res 32 --steps 50 --repeat 2
    python benchmarks/network.py --forms         # + the network written per example

Requires the ``bench`` extra (``pip install -e ".[bench]"``: ``jax[cpu]``).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def notebook_jax(X, Y, W0, V, lr, steps, dtype):
    """The notebook's training loop (``train`` / ``train_step`` / ``convergence_measure``) in
    JAX for the tanh, full-batch, lr-vs-lr case; returns (readout, seconds of the loop)."""
    import jax
    import jax.numpy as jnp

    def net(theta, X):
        Z = X
        for i, W in enumerate(theta):
            Z = jnp.dot(Z, W) / jnp.sqrt(W.shape[0])
            if i < len(theta) - 1:
                Z = jax.nn.tanh(Z * jnp.sqrt(2))
        return Z / jnp.sqrt(theta[-1].shape[0])

    def loss(theta, X, Y):
        return jnp.mean((net(theta, X) - Y) ** 2)

    def train_step(theta, hparams, X, Y):
        lrs = [hparams[0], hparams[1]]
        _loss, _grad = jax.value_and_grad(loss)(theta, X, Y)
        return jax.tree_util.tree_map(lambda t, g, a: t - a * g, theta, _grad, lrs), _loss

    step = jax.jit(jax.vmap(train_step, in_axes=(0, 0, None, None), out_axes=(0, 0)),
                   donate_argnums=(0,))

    def measure(v, max_val=1e6):
        fin = jnp.isfinite(v)
        v = jnp.where(fin, v, max_val)
        v = v / v[0]
        v = jnp.where(v > max_val, max_val, v)
        conv = jnp.mean(v[-20:]) < 1
        return jnp.where(conv, -jnp.sum(v), jnp.sum(1 / v))

    measure_v = jax.jit(jax.vmap(measure))
    n = lr.shape[0]
    Xj, Yj = jnp.asarray(X, dtype), jnp.asarray(Y, dtype)
    hp = jnp.asarray(lr, dtype)

    def fresh():
        return [jnp.tile(jnp.asarray(W0, dtype), (n, 1, 1)), jnp.tile(jnp.asarray(V, dtype),
                                                                        (n, 1, 1))]

    th, _ = step(fresh(), hp, Xj, Yj)  # compile outside the timing
    jax.block_until_ready(th)
    measure_v(jnp.zeros((n, steps), dtype)).block_until_ready()
    theta = fresh()
    jax.block_until_ready(theta)
    t = time.perf_counter()
    losses = []
    for _ in range(steps):
        theta, lo = step(theta, hp, Xj, Yj)
        losses.append(lo)
    out = measure_v(jnp.stack(losses, axis=-1)).block_until_ready()
    return np.asarray(out), time.perf_counter() - t


def fastdescent_run(m, p0, lr, steps, dtype="float64"):
    import fastdescent as fd

    opt = fd.optim.gd(lr={"input": lr[:, 0], "output": lr[:, 1]})
    t = time.perf_counter()
    res = fd.run(m, opt, np.broadcast_to(p0, (lr.shape[0], p0.size)), steps=steps,
                 reduction="mean", bound=np.inf, progress=False, dtype=dtype,
                 criterion=fd.LossRatio(k=20, threshold=1.0))
    return res, time.perf_counter() - t


def per_example_model(m):
    """The same network written per example in the public contract
    (``tests/user_model_kernels.py``: ``shallow_point``, the lane kernel's order of
    operations, so its results are the lane form's bits)."""
    import sys
    from pathlib import Path

    import fastdescent as fd

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from user_model_kernels import shallow_point

    n, o = m.settings["width"], m.settings["outputs"]
    return fd.models.custom_model(shallow_point, param_names=m.param_names, x=m.X, y=m.Y,
                                  consts=m.consts, work_size=2 * n + o, groups=m.groups,
                                  name="shallow_point")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--res", type=int, default=64)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--forms", action="store_true",
                    help="also time the network written per example (the per-example public "
                         "form) against its lane form")
    a = ap.parse_args(argv)
    os.environ.setdefault("JAX_ENABLE_X64", "1")
    import jax

    jax.config.update("jax_enable_x64", True)
    import fastdescent as fd

    m = fd.models.shallow_net()  # the paper's tanh network
    p0 = fd.models.shallow_init(m, seed=0)
    W0 = p0[:256].reshape(16, 16).T  # the notebook's W0 is (inputs, width): x @ W0
    V = p0[256:].reshape(16, 1)
    g = np.logspace(-3, 6, a.res)
    lr0, lr1 = np.meshgrid(g, g)  # input rate on x (columns), output rate on y (rows)
    lr = np.stack([lr0.ravel(), lr1.ravel()], axis=-1)
    n = lr.shape[0]
    point = per_example_model(m) if a.forms else None
    for dt in ("float64", "float32"):  # compile outside the timing
        fastdescent_run(m, p0, lr[:64], a.steps, dt)
    if point is not None:
        fastdescent_run(point, p0, lr[:64], a.steps)
    best = {"fastdescent f64": np.inf, "fastdescent f32": np.inf, "jax f64": np.inf,
            "jax f32": np.inf}
    if point is not None:
        best["fastdescent f64, per-example form"] = np.inf
    load0 = os.getloadavg()[0]
    agree = agree32 = same = None
    for _ in range(a.repeat):
        res, t = fastdescent_run(m, p0, lr, a.steps)
        best["fastdescent f64"] = min(best["fastdescent f64"], t)
        res32, t = fastdescent_run(m, p0, lr, a.steps, "float32")
        best["fastdescent f32"] = min(best["fastdescent f32"], t)
        if point is not None:
            resp, t = fastdescent_run(point, p0, lr, a.steps)
            best["fastdescent f64, per-example form"] = min(
                best["fastdescent f64, per-example form"], t)
            same = bool(np.array_equal(resp.params, res.params, equal_nan=True))
        out64, t = notebook_jax(m.X, m.Y, W0, V, lr, a.steps, np.float64)
        best["jax f64"] = min(best["jax f64"], t)
        out32, t = notebook_jax(m.X, m.Y, W0, V, lr, a.steps, np.float32)
        best["jax f32"] = min(best["jax f32"], t)
        agree = float(np.mean(res.trainable == (out64 < 0)))
        agree32 = float(np.mean(res32.trainable == (out32 < 0)))
    load1 = os.getloadavg()[0]
    work = n * a.steps
    print(f"{a.res}x{a.res} grid, {a.steps} steps, {n * a.steps} trajectory-steps, "
          f"best of {a.repeat}; load average {load0:.2f} -> {load1:.2f}; "
          f"trainable maps agree on {100 * agree:.2f} % of cells (float64), "
          f"{100 * agree32:.2f} % (float32)")
    for k, t in best.items():
        print(f"  {k:34s} {t:8.2f} s  {work / t:10.0f} trajectory-steps/s")
    print(f"  speed ratio fastdescent / jax, float64: "
          f"{best['jax f64'] / best['fastdescent f64']:.2f}; float32: "
          f"{best['jax f32'] / best['fastdescent f32']:.2f}")
    if point is not None:
        print(f"  lane form / per-example form (float64): "
              f"{best['fastdescent f64, per-example form'] / best['fastdescent f64']:.2f}; "
              f"end points bitwise equal: {same}")


if __name__ == "__main__":
    main()
