"""Peer implementations of the benchmark workloads, written from the same formulas.

* ``numpy_*``: NumPy vectorized over trajectories, in cache-sized chunks (one thread).
* ``jax_*``: ``jax.jit(jax.vmap(...))`` with ``lax.fori_loop``, float64 (optional extra).
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
