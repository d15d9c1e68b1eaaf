"""Small helpers shared by the model factories (data loading, Newton refinement of minima)."""
from __future__ import annotations

from importlib import resources

import numpy as np

from .base import KnownPoint, Model, as_data


def load_csv(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Load a packaged ``x,y`` CSV from ``fastdescent/models/data``."""
    with resources.files(__package__).joinpath("data", name).open() as fh:
        arr = np.loadtxt(fh, delimiter=",", skiprows=1)
    return arr[:, 0].copy(), arr[:, 1].copy()


def xy(x, y, default_x, default_y):
    """Validated data arrays: the user's (both given) or the defaults."""
    if (x is None) != (y is None):
        raise ValueError("give both x and y, or neither (the default data set)")
    if x is None:
        x, y = default_x, default_y
    X = as_data(x, "x")
    Y = as_data(y, "y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"x and y must have the same number of examples, got "
                         f"{X.shape[0]} and {Y.shape[0]}")
    return X, Y


def refine_minima(model: Model, guesses, kind: str = "minimum", iters: int = 30):
    """Polish approximate critical points with Newton's method on the model's own Hessian."""
    out = []
    for g in guesses:
        p = np.array(g, dtype=float)
        for _ in range(iters):
            step = np.linalg.solve(model.hessian(p), model.grad(p))
            p = p - step
            if np.max(np.abs(step)) < 1e-15 * max(1.0, np.max(np.abs(p))):
                break
        out.append(KnownPoint(tuple(float(v) for v in p), float(model.loss(p)), kind))
    return out


def with_minima(model: Model, minima) -> Model:
    from dataclasses import replace

    return replace(model, minima=tuple(minima))
