"""Helpers shared by the research studies: output paths, caching, summaries, 1-D box counting.

Nothing here is specific to one study. Figures go to ``outdir/<lang>/<id>-<slug>.png`` and
``.pdf`` (:func:`save_figure`); a study's numbers go to ``outdir/<id>-summary.json``
(:func:`write_summary`), so the documentation can quote the run that made the figures.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

LANGS = ("en", "es")


def check_lang(lang) -> str:
    from fastdescent.plotting.i18n import check_lang as _check

    return _check(lang)


def save_figure(fig, outdir, lang: str, study_id: str, slug: str) -> list[Path]:
    """Write ``fig`` as ``outdir/<lang>/<study_id>-<slug>.png`` and ``.pdf``; close it."""
    import matplotlib.pyplot as plt

    from fastdescent.plotting import save

    paths = save(fig, Path(outdir) / lang / f"{study_id}-{slug}")
    plt.close(fig)
    return paths


def write_summary(outdir, study_id: str, summary: dict) -> Path:
    """``outdir/<study_id>-summary.json`` with the study's numbers (NaN written as null)."""
    path = Path(outdir) / f"{study_id}-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable(summary), indent=1, sort_keys=True) + "\n")
    return path


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if not math.isfinite(f) else f
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


class Timer:
    """``with Timer() as tm: ...``; ``tm.seconds`` afterwards."""

    def __enter__(self):
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        return False


# ------------------------------------------------------------------------------ box counting
def loglog_slope(x, y) -> tuple[float, float, float]:
    """Least-squares line through ``(log x, log y)`` (points with y > 0): slope, intercept, r2."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = (x > 0) & (y > 0)
    if ok.sum() < 2:
        return math.nan, math.nan, math.nan
    lx, ly = np.log(x[ok]), np.log(y[ok])
    slope, icpt = np.polyfit(lx, ly, 1)
    res = ly - (slope * lx + icpt)
    tot = float(np.sum((ly - ly.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / tot if tot > 0 else 1.0
    return float(slope), float(icpt), float(r2)


def boundary_points_1d(outcome) -> np.ndarray:
    """Indices ``i`` with ``outcome[i] != outcome[i + 1]`` (the boundary between two grid
    cells is put in the cell before it, as :func:`fastdescent.analysis.boundary_cells` does)."""
    o = np.asarray(outcome).reshape(-1)
    return np.flatnonzero(o[1:] != o[:-1])


def box_count_1d(outcome, sizes=None) -> dict:
    r"""Box-counting dimension of the boundary set of a 1-D outcome array.

    ``outcome`` holds one code per grid cell (e.g. 1 trainable, 0 diverged) on a regular grid.
    A cell is a boundary cell when its code differs from the next one's
    (:func:`boundary_points_1d`). :math:`N(s)` counts the boxes of :math:`s` consecutive cells,
    tiling the grid from its start, that contain a boundary cell, and

    .. math:: D = \frac{d\log N(s)}{d\log(1/s)}

    is the least-squares slope over ``sizes`` (default :math:`1, 2, 4, \dots \le n/16`). An
    isolated point gives :math:`D = 0`, a set that fills the line :math:`D = 1`.

    Returns a dict: ``dimension``, ``sizes``, ``counts``, ``intercept``, ``r2``,
    ``n_boundary`` (boundary cells).
    """
    o = np.asarray(outcome).reshape(-1)
    n = o.size
    if sizes is None:
        sizes = [1]
        while sizes[-1] * 2 <= max(n // 16, 1):
            sizes.append(sizes[-1] * 2)
    sizes = np.asarray(sizes, dtype=np.int64)
    pts = boundary_points_1d(o)
    counts = np.array([np.unique(pts // s).size for s in sizes], dtype=np.int64)
    slope, icpt, r2 = loglog_slope(1.0 / sizes, counts)
    return {"dimension": slope, "sizes": sizes, "counts": counts, "intercept": icpt, "r2": r2,
            "n_boundary": int(pts.size)}
