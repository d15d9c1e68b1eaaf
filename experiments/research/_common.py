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
    """Write ``fig`` as ``outdir/<lang>/<study_id>-<slug>.png`` and ``.pdf`` with the tick
    labels in the number format of ``lang`` (decimal comma in Spanish); close it."""
    import matplotlib.pyplot as plt

    from fastdescent.plotting import save

    try:
        return save(fig, Path(outdir) / lang / f"{study_id}-{slug}", lang=lang)
    finally:
        plt.close(fig)


def save_figures(figs: dict, outdir, lang: str, study_id: str) -> list[Path]:
    """Save every figure of a study's ``draw`` (slug -> figure) with :func:`save_figure`."""
    paths: list[Path] = []
    for slug, fig in figs.items():
        paths += save_figure(fig, outdir, lang, study_id, slug)
    return paths


def render(draw, d, lang: str) -> dict:
    """``draw(d, lang)`` with every figure's tick labels in the number format of ``lang``:
    the figures exactly as :func:`save_figure` writes them (what the slide audit checks)."""
    from fastdescent.plotting import localize

    return {slug: localize(fig, lang) for slug, fig in draw(d, lang).items()}


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


# ------------------------------------------------------------------------------ zoom windows
def _window_starts(centre: int, width: int, n: int) -> int:
    """First index of the ``width``-cell window centred on ``centre``, shifted to fit in
    ``0..n-1``."""
    return int(min(max(centre - width // 2, 0), n - width))


def _window_sums(mask, starts, w) -> np.ndarray:
    """Number of true cells of ``mask`` in each window ``starts[i] .. starts[i] + w``
    (an integral image: exact, one pass)."""
    m = np.asarray(mask, np.int64)
    cs = np.pad(np.cumsum(m, axis=0), [(1, 0)] + [(0, 0)] * (m.ndim - 1))
    if m.ndim == 1:
        return cs[starts[:, 0] + w[0]] - cs[starts[:, 0]]
    cs = np.pad(np.cumsum(cs, axis=1), [(0, 0), (1, 0)])
    r0, c0 = starts[:, 0], starts[:, 1]
    r1, c1 = r0 + w[0], c0 + w[1]
    return cs[r1, c1] - cs[r0, c1] - cs[r1, c0] + cs[r0, c0]


#: Trainable share a zoom window must have (both outcomes hold at least a quarter of it).
ZOOM_SHARE = (0.25, 0.75)


def zoom_window(outcome, width, centre=None) -> tuple:
    """Index window of the next zoom of a 1-D or 2-D trainable/diverged map.

    Rule: the candidates are the windows of ``width`` cells per axis centred on a *boundary
    cell* (a cell whose outcome differs from the next cell's along an axis, as
    :func:`fastdescent.analysis.boundary_cells` marks them; windows shifted to fit inside the
    grid). Of the candidates whose trainable share lies in :data:`ZOOM_SHARE` (the window
    straddles the boundary: each outcome fills at least a quarter of it), take the one whose
    boundary cell is nearest ``centre`` (default: the grid's centre, i.e. the centre of the
    current window). Without such a candidate, the one whose share is closest to one half.
    The next frame is thus centred on the boundary between two large regions, never on a
    patch of one outcome with specks of the other, and the rule does not seek out the
    roughest place (which would bias the dimension measured there upwards).

    Returns ``(starts, centre_cell)``: the first index of the window along each axis and the
    chosen boundary cell (tuples of ints).
    """
    o = np.asarray(outcome).astype(bool)
    shape = o.shape
    w = (int(width),) * o.ndim if np.ndim(width) == 0 else tuple(int(v) for v in width)
    if o.ndim not in (1, 2) or any(not 1 <= wi <= n for wi, n in zip(w, shape)):
        raise ValueError(f"outcome must be 1-D or 2-D and width in 1..{shape}, got {width}")
    b = np.zeros(shape, dtype=bool)
    for ax in range(o.ndim):
        lo = [slice(None)] * o.ndim
        hi = [slice(None)] * o.ndim
        lo[ax], hi[ax] = slice(None, -1), slice(1, None)
        b[tuple(lo)] |= o[tuple(hi)] != o[tuple(lo)]
    cells = np.argwhere(b)
    c0 = np.array([(n - 1) / 2 for n in shape] if centre is None else centre, float)
    if cells.size == 0:
        cells = np.round(c0)[None, :].astype(np.int64)
    starts = np.stack([[_window_starts(c, wi, n) for c in cells[:, ax]]
                       for ax, (wi, n) in enumerate(zip(w, shape))], axis=1)
    area = float(np.prod(w))
    share = _window_sums(o, starts, w) / area
    dist = np.sum((cells - c0) ** 2, axis=1)
    ok = (share >= ZOOM_SHARE[0]) & (share <= ZOOM_SHARE[1])
    if ok.any():
        order = np.lexsort((dist, ~ok))
    else:
        order = np.lexsort((dist, np.round(np.abs(share - 0.5), 12)))
    best = order[0]
    return tuple(int(v) for v in starts[best]), tuple(int(v) for v in cells[best])


# ------------------------------------------------------------------------------ text
#: Characters per line of a figure's title and caption at 13 pt on a 13.33 in wide figure.
LINE_CHARS = 110


def _visible_len(token: str) -> int:
    """Rough printed width of a token in characters (mathtext commands count as one)."""
    import re

    t = re.sub(r"\\[a-zA-Z]+", "x", token)
    return len(re.sub(r"[${}^_]", "", t))


def wrap(text: str, width: int = LINE_CHARS) -> str:
    """``text`` broken into lines of at most about ``width`` printed characters, at spaces
    outside mathtext (``$...$`` is never split) and never around an equals sign
    (``alpha = 0.05`` stays on one line); existing line breaks are kept."""
    import re

    out = []
    text = "".join(part if part.startswith("$") else part.replace(" = ", "\u00a0=\u00a0")
                   for part in re.split(r"(\$[^$]*\$)", text))
    for para in text.split("\n"):
        words, merged, inside = para.split(" "), [], False
        for w in words:
            if inside:
                merged[-1] += " " + w
            else:
                merged.append(w)
            if w.count("$") % 2:
                inside = not inside
        lines, cur = [], ""
        for w in merged:
            if cur and _visible_len(cur) + 1 + _visible_len(w) > width:
                lines.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        lines.append(cur)
        out.append("\n".join(lines))
    return "\n".join(out)
