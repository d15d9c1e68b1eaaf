"""Peer implementations of the benchmark workloads, written from the same formulas.

* ``numpy_*``: NumPy vectorized over trajectories, in cache-sized chunks (one thread).
* ``jax_*``: ``jax.jit(jax.vmap(...))`` with ``lax.fori_loop`` (optional extra), in float64
  or float32, with the gradient from ``jax.grad`` or written out, fed in chunks of a chosen
  number of trajectories (:func:`make_jax_chunked`; :func:`tune_jax` picks the fastest).
* ``torch_*``: ``torch.compile`` of the same vectorized step loop (if torch is installed).
* ``textbook_*``: one trajectory at a time in a plain NumPy loop (timed on a few trajectories
  and extrapolated).

All peers use the lecture's Gabor model: z = phi0 + 0.06 phi1 x, f = sin(z) exp(-z^2/32),
loss = sum of squared residuals.
"""
from __future__ import annotations

import numpy as np

CHUNK = 4096  # trajectories per NumPy chunk: (4096, 30) float64 arrays fit in L2


# ------------------------------------------------------------------------------------ NumPy
def _np_loss_grad(p0, p1, x, y):
    u = 0.06 * x[None, :]
    z = p0[:, None] + p1[:, None] * u
    s = np.sin(z)
    e = np.exp(-z * z / 32.0)
    r = s * e - y[None, :]
    g = 2.0 * r * e * (np.cos(z) - z * s / 16.0)
    return (r * r).sum(1), g.sum(1), (g * u).sum(1)


def _np_loss(p0, p1, x, y):
    z = p0[:, None] + p1[:, None] * (0.06 * x[None, :])
    r = np.sin(z) * np.exp(-z * z / 32.0) - y[None, :]
    return (r * r).sum(1)


def numpy_gd(init, x, y, lr, steps):
    out = np.empty_like(init)
    for lo in range(0, len(init), CHUNK):
        p0 = init[lo:lo + CHUNK, 0].copy()
        p1 = init[lo:lo + CHUNK, 1].copy()
        for _ in range(steps):
            _, g0, g1 = _np_loss_grad(p0, p1, x, y)
            p0 -= lr * g0
            p1 -= lr * g1
        out[lo:lo + CHUNK, 0], out[lo:lo + CHUNK, 1] = p0, p1
    return out


def numpy_adam(init, x, y, lr, beta, gamma, eps, steps):
    out = np.empty_like(init)
    for lo in range(0, len(init), CHUNK):
        p = [init[lo:lo + CHUNK, 0].copy(), init[lo:lo + CHUNK, 1].copy()]
        m = [np.zeros_like(p[0]), np.zeros_like(p[0])]
        v = [np.zeros_like(p[0]), np.zeros_like(p[0])]
        for t in range(steps):
            _, g0, g1 = _np_loss_grad(p[0], p[1], x, y)
            c1, c2 = 1.0 - beta ** (t + 1), 1.0 - gamma ** (t + 1)
            for k, g in enumerate((g0, g1)):
                m[k] = beta * m[k] + (1.0 - beta) * g
                v[k] = gamma * v[k] + (1.0 - gamma) * g * g
                p[k] -= lr * (m[k] / c1) / (np.sqrt(v[k] / c2) + eps)
        out[lo:lo + CHUNK, 0], out[lo:lo + CHUNK, 1] = p
    return out


def numpy_line_search(init, x, y, max_dist, tol, max_iter, steps):
    out = np.empty_like(init)
    for lo in range(0, len(init), CHUNK):
        p0 = init[lo:lo + CHUNK, 0].copy()
        p1 = init[lo:lo + CHUNK, 1].copy()
        n = len(p0)
        for _ in range(steps):
            _, g0, g1 = _np_loss_grad(p0, p1, x, y)
            a = np.zeros(n)
            b = np.full(n, 0.33 * max_dist)
            c = np.full(n, 0.66 * max_dist)
            d = np.full(n, max_dist)
            for it in range(max_iter):
                open_ = np.abs(b - c) > tol
                if not open_.any():
                    break
                la, lb, lc, ld = (_np_loss(p0 - s * g0, p1 - s * g1, x, y) for s in (a, b, c, d))
                r1 = (la <= lb) & (la <= lc) & (la <= ld)
                r2 = ~r1 & (lb < lc)
                r3 = ~r1 & ~r2
                nb1, nc1, nd1 = a + (b - a) / 2, a + (c - a) / 2, a + (d - a) / 2
                d2 = c
                a3 = b
                na = np.where(r3, a3, a)
                nd = np.where(r1, nd1, np.where(r2, d2, d))
                nb = np.where(r1, nb1, na + (nd - na) / 3)
                nc = np.where(r1, nc1, na + 2 * (nd - na) / 3)
                a, b, c, d = (np.where(open_, new, old) for new, old in
                              ((na, a), (nb, b), (nc, c), (nd, d)))
            step = (b + c) / 2
            p0 -= step * g0
            p1 -= step * g1
        out[lo:lo + CHUNK, 0], out[lo:lo + CHUNK, 1] = p0, p1
    return out


def numpy_sgd_momentum(init, x, y, lr, beta, batch, steps, seed=0):
    out = np.empty_like(init)
    rng = np.random.default_rng(seed)
    N = len(x)
    nb = N // batch
    for lo in range(0, len(init), CHUNK):
        p0 = init[lo:lo + CHUNK, 0].copy()
        p1 = init[lo:lo + CHUNK, 1].copy()
        n = len(p0)
        m0 = np.zeros(n)
        m1 = np.zeros(n)
        for t in range(steps):
            if t % nb == 0:
                perm = np.argsort(rng.random((n, N)), axis=1)
            idx = perm[:, (t % nb) * batch:(t % nb + 1) * batch]
            xb, yb = x[idx], y[idx]
            u = 0.06 * xb
            z = p0[:, None] + p1[:, None] * u
            s = np.sin(z)
            e = np.exp(-z * z / 32.0)
            r = s * e - yb
            g = 2.0 * r * e * (np.cos(z) - z * s / 16.0)
            m0 = beta * m0 + (1 - beta) * g.sum(1)
            m1 = beta * m1 + (1 - beta) * (g * u).sum(1)
            p0 -= lr * m0
            p1 -= lr * m1
        out[lo:lo + CHUNK, 0], out[lo:lo + CHUNK, 1] = p0, p1
    return out


def textbook_gd(init, x, y, lr, steps):
    """One trajectory at a time, the way a first notebook is written."""
    out = np.empty_like(init)
    for i, p in enumerate(init):
        phi = p.copy()
        for _ in range(steps):
            z = phi[0] + 0.06 * phi[1] * x
            s = np.sin(z)
            e = np.exp(-z * z / 32.0)
            r = s * e - y
            g = 2.0 * r * e * (np.cos(z) - z * s / 16.0)
            phi -= lr * np.array([g.sum(), (g * 0.06 * x).sum()])
        out[i] = phi
    return out


# ------------------------------------------------------------------------------------ JAX
def jax_available() -> bool:
    try:
        import jax  # noqa: F401

        return True
    except Exception:  # noqa: BLE001
        return False


def make_jax(x, y):
    """Build jitted, vmapped JAX versions of B1-B3 (float64)."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def loss(p):
        z = p[0] + 0.06 * p[1] * xj
        r = jnp.sin(z) * jnp.exp(-z * z / 32.0) - yj
        return jnp.sum(r * r)

    grad = jax.grad(loss)

    def gd_one(p, lr, steps):
        return jax.lax.fori_loop(0, steps, lambda t, q: q - lr * grad(q), p)

    def adam_one(p, lr, beta, gamma, eps, steps):
        def body(t, s):
            q, m, v = s
            g = grad(q)
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g * g
            mh = m / (1 - beta ** (t + 1))
            vh = v / (1 - gamma ** (t + 1))
            return q - lr * mh / (jnp.sqrt(vh) + eps), m, v

        z = jnp.zeros_like(p)
        return jax.lax.fori_loop(0, steps, body, (p, z, z))[0]

    def ls_one(p, max_dist, tol, max_iter, steps):
        def step(t, q):
            g = grad(q)

            def cond(s):
                a, b, c, d, it = s
                return (jnp.abs(b - c) > tol) & (it < max_iter)

            def body(s):
                a, b, c, d, it = s
                la, lb, lc, ld = (loss(q - u * g) for u in (a, b, c, d))
                r1 = (la <= lb) & (la <= lc) & (la <= ld)
                r2 = (~r1) & (lb < lc)
                na = jnp.where(r1 | r2, a, b)
                nd = jnp.where(r1, a + (d - a) / 2, jnp.where(r2, c, d))
                nb = jnp.where(r1, a + (b - a) / 2, na + (nd - na) / 3)
                nc = jnp.where(r1, a + (c - a) / 2, na + 2 * (nd - na) / 3)
                return na, nb, nc, nd, it + 1

            a, b, c, d, _ = jax.lax.while_loop(
                cond, body, (0.0, 0.33 * max_dist, 0.66 * max_dist, max_dist, 0))
            return q - (b + c) / 2 * g

        return jax.lax.fori_loop(0, steps, step, p)

    gd = jax.jit(jax.vmap(gd_one, in_axes=(0, None, None)), static_argnums=(2,))
    adam = jax.jit(jax.vmap(adam_one, in_axes=(0, None, None, None, None, None)),
                   static_argnums=(5,))
    ls = jax.jit(jax.vmap(ls_one, in_axes=(0, None, None, None, None)), static_argnums=(3, 4))
    return {"gd": gd, "adam": adam, "line_search": ls}


# ------------------------------------------------------------------ JAX at its best settings
JAX_CHUNKS = (4096, 8192, 16384, 32768, 65536)
JAX_GRADS = ("jax.grad", "written-out")


def make_jax_step(x, y, dtype="float64", grad="jax.grad"):
    """``(gd, adam)``: jitted ``vmap`` of one trajectory's ``fori_loop``, in ``dtype``, with
    the gradient from ``jax.grad`` or written out as in the NumPy peer."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # float64 available; float32 inputs stay float32
    xj = jnp.asarray(x, dtype=dtype)
    yj = jnp.asarray(y, dtype=dtype)
    u = 0.06 * xj

    def loss(p):
        z = p[0] + p[1] * u
        r = jnp.sin(z) * jnp.exp(-z * z / 32.0) - yj
        return jnp.sum(r * r)

    def written(p):
        z = p[0] + p[1] * u
        s = jnp.sin(z)
        e = jnp.exp(-z * z / 32.0)
        r = s * e - yj
        g = 2.0 * r * e * (jnp.cos(z) - z * s / 16.0)
        return jnp.stack([jnp.sum(g), jnp.sum(g * u)])

    gradf = jax.grad(loss) if grad == "jax.grad" else written

    def gd_one(p, lr, steps):
        return jax.lax.fori_loop(0, steps, lambda t, q: q - lr * gradf(q), p)

    def adam_one(p, lr, beta, gamma, eps, steps):
        def body(t, st):
            q, m, v = st
            g = gradf(q)
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g * g
            tt = (t + 1).astype(q.dtype)
            mh = m / (1 - beta ** tt)
            vh = v / (1 - gamma ** tt)
            return q - lr * mh / (jnp.sqrt(vh) + eps), m, v

        z = jnp.zeros_like(p)
        return jax.lax.fori_loop(0, steps, body, (p, z, z))[0]

    gd = jax.jit(jax.vmap(gd_one, in_axes=(0, None, None)), static_argnums=(2,))
    adam = jax.jit(jax.vmap(adam_one, in_axes=(0, None, None, None, None, None)),
                   static_argnums=(5,))
    return gd, adam


def chunked(fn, init, chunk, *args, dtype="float64"):
    """``fn`` over ``init`` in chunks of ``chunk`` trajectories (the last one padded, so every
    call has the compiled shape); returns the (N, P) result as NumPy."""
    import jax.numpy as jnp

    n = len(init)
    outs = []
    for lo in range(0, n, chunk):
        part = init[lo:lo + chunk]
        m = len(part)
        if m < chunk:
            part = np.concatenate([part, np.repeat(part[-1:], chunk - m, 0)])
        outs.append(np.asarray(fn(jnp.asarray(part, dtype=dtype), *args))[:m])
    return np.concatenate(outs)


def jax_runner(x, y, dtype, grad, chunk, workload):
    """A callable ``run(init, steps)`` of ``workload`` ("B1": GD lr 0.2, "B2": Adam 0.05, 0.9,
    0.99, 1e-8) in one JAX configuration."""
    gd, adam = make_jax_step(x, y, dtype, grad)
    if workload == "B1":
        return lambda init, steps: chunked(gd, init, chunk, 0.2, steps, dtype=dtype)
    return lambda init, steps: chunked(adam, init, chunk, 0.05, 0.9, 0.99, 1e-8, steps,
                                       dtype=dtype)


def tune_jax(x, y, init, steps, workload, dtype, repeat=2):
    """Time every chunk size x gradient of :data:`JAX_CHUNKS` x :data:`JAX_GRADS` on ``init``
    (one compile-and-warm-up call, then the best of ``repeat``); returns ``(best config,
    {config: trajectory-steps/s})`` with configs ``(grad, chunk)``."""
    import time

    rates = {}
    for grad in JAX_GRADS:
        for chunk in JAX_CHUNKS:
            if chunk > len(init):
                continue
            run = jax_runner(x, y, dtype, grad, chunk, workload)
            run(init[:chunk], steps)  # compile
            ts = []
            for _ in range(repeat):
                t = time.perf_counter()
                run(init, steps)
                ts.append(time.perf_counter() - t)
            rates[(grad, chunk)] = len(init) * steps / min(ts)
    return max(rates, key=rates.get), rates


# ------------------------------------------------------------------------ torch.compile
def torch_available() -> bool:
    try:
        import torch  # noqa: F401

        return True
    except Exception:  # noqa: BLE001
        return False


def torch_runner(x, y, dtype, chunk, workload):
    """``run(init, steps)``: the vectorized NumPy step (written-out gradient) as a
    ``torch.compile``-d function of a chunk of trajectories, looped over steps in Python
    (each step one compiled kernel call), float32 or float64, all cores."""
    import torch

    dt = getattr(torch, dtype)
    xt = torch.as_tensor(x, dtype=dt)
    yt = torch.as_tensor(y, dtype=dt)
    u = 0.06 * xt

    def grad(p0, p1):
        z = p0[:, None] + p1[:, None] * u[None, :]
        s = torch.sin(z)
        e = torch.exp(-z * z / 32.0)
        r = s * e - yt[None, :]
        g = 2.0 * r * e * (torch.cos(z) - z * s / 16.0)
        return g.sum(1), (g * u[None, :]).sum(1)

    @torch.compile(dynamic=False)
    def gd_step(p0, p1):
        g0, g1 = grad(p0, p1)
        return p0 - 0.2 * g0, p1 - 0.2 * g1

    @torch.compile(dynamic=False)
    def adam_step(p0, p1, m0, m1, v0, v1, c1, c2):
        g0, g1 = grad(p0, p1)
        m0 = 0.9 * m0 + 0.1 * g0
        m1 = 0.9 * m1 + 0.1 * g1
        v0 = 0.99 * v0 + 0.01 * g0 * g0
        v1 = 0.99 * v1 + 0.01 * g1 * g1
        p0 = p0 - 0.05 * (m0 / c1) / (torch.sqrt(v0 / c2) + 1e-8)
        p1 = p1 - 0.05 * (m1 / c1) / (torch.sqrt(v1 / c2) + 1e-8)
        return p0, p1, m0, m1, v0, v1

    def run(init, steps):
        out = np.empty_like(init)
        with torch.no_grad():
            for lo in range(0, len(init), chunk):
                part = init[lo:lo + chunk]
                m = len(part)
                if m < chunk:
                    part = np.concatenate([part, np.repeat(part[-1:], chunk - m, 0)])
                p0 = torch.as_tensor(part[:, 0].copy(), dtype=dt)
                p1 = torch.as_tensor(part[:, 1].copy(), dtype=dt)
                if workload == "B1":
                    for _ in range(steps):
                        p0, p1 = gd_step(p0, p1)
                else:
                    z = torch.zeros_like(p0)
                    st = (p0, p1, z, z.clone(), z.clone(), z.clone())
                    for t in range(steps):
                        c1 = torch.tensor(1 - 0.9 ** (t + 1), dtype=dt)
                        c2 = torch.tensor(1 - 0.99 ** (t + 1), dtype=dt)
                        st = adam_step(*st, c1, c2)
                    p0, p1 = st[0], st[1]
                out[lo:lo + m, 0] = p0.numpy()[:m]
                out[lo:lo + m, 1] = p1.numpy()[:m]
        return out

    return run
