"""Shared plumbing of the lecture scripts: languages, output paths, saving, command line."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from . import REGISTRY

LANGS = ("es", "en")
#: Default output root (each language gets a sub-folder).
OUTDIR = "figures"


def langs(lang) -> tuple[str, ...]:
    """``None``/"all" -> both languages; otherwise the one language (validated)."""
    if lang in (None, "all", "both"):
        return LANGS
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'es', 'en' or None (both)")
    return (lang,)


def save(fig, fid: str, outdir, lang: str) -> list[Path]:
    """Write ``fig`` as ``outdir/lang/<id>-<slug>.png`` and ``.pdf`` (tick labels in the
    number format of ``lang``); close it."""
    import matplotlib.pyplot as plt

    stem = Path(outdir) / lang / REGISTRY[fid].stem
    try:
        return fp.save(fig, stem, lang=lang)
    finally:
        plt.close(fig)


def render(draw, d, lang: str):
    """``draw(d, lang)`` with the tick labels in the number format of ``lang``: the figure
    exactly as :func:`save` writes it (the figure-quality test audits this)."""
    return fp.style.localize(draw(d, lang), lang)


def make_main(fid: str, data, draw):
    """The ``main(lang="en", quick=False, outdir="figures")`` of a figure script."""

    def main(lang="en", quick: bool = False, outdir=OUTDIR) -> list[Path]:
        paths: list[Path] = []
        d = data(quick)
        for lg in langs(lang):
            paths += save(draw(d, lg), fid, outdir, lg)
        return paths

    main.__doc__ = (f"Write figure {fid} ({REGISTRY[fid].title['en']}) into "
                    f"``outdir/<lang>/``; returns the written paths (PNG, PDF).")
    return main


def cli(fid: str, main, argv=None) -> int:
    """``python -m experiments.lecture.fig_X [--lang es|en|all] [--quick] [-o DIR]``."""
    p = argparse.ArgumentParser(prog=f"python -m {REGISTRY[fid].module}",
                                description=f"Figure {fid}: {REGISTRY[fid].title['en']}.")
    p.add_argument("--lang", choices=("es", "en", "all"), default="all",
                   help="language of the labels (default: both)")
    p.add_argument("--quick", action="store_true", help="small grids and few steps")
    p.add_argument("-o", "--output", default=OUTDIR, metavar="DIR",
                   help=f"output root (default: {OUTDIR}; files go to DIR/<lang>/)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    for path in main(lang=args.lang, quick=args.quick, outdir=args.output):
        print(f"wrote {path}")
    print(f"figure {fid}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------ drawing helpers
def panel_title(ax, k: int, text: str, **kw):
    """Title ``"a) text"`` on the left of panel ``k`` (0 -> a)."""
    ax.set_title(f"{'abcdefghijklmnop'[k]}) {text}", loc="left", **kw)


def point_text(p, fmt=".3g") -> str:
    """``(1.6, -0.5)``."""
    parts = []
    for v in np.ravel(p):
        s = f"{float(v):{fmt}}"
        parts.append(s[1:] if s.startswith("-") and float(s) == 0 else s)
    return "(" + ", ".join(parts) + ")"


def loss_text(value, lang, fmt=".3g") -> str:
    """``$L$ = 0.646``."""
    return f"{t('loss_symbol', lang)} = {float(value):{fmt}}"


def trimmed(path):
    """A recorded path without the repeats of its final point after it stopped."""
    p = np.asarray(path, dtype=float)
    ok = np.all(np.isfinite(p), axis=1)
    p = p[ok]
    if len(p) > 1:
        moved = np.any(p[1:] != p[:-1], axis=1)
        last = int(np.nonzero(moved)[0][-1]) + 2 if moved.any() else 1
        p = p[:last]
    return p


def halo_trajectory(ax, path, *, color, halo="white", **kwargs):
    """:func:`fastdescent.plotting.trajectory` with a thin halo, readable on any colormap."""
    from matplotlib import patheffects

    before = len(ax.lines)
    fp.trajectory(path, ax, color=color, **kwargs)
    lw = kwargs.get("linewidth") or 1.5
    for line in ax.lines[before:]:
        line.set_path_effects([patheffects.Stroke(linewidth=lw + 1.6, foreground=halo),
                               patheffects.Normal()])
    return ax


def start_colors(n: int):
    """Colours of ``n`` starting points (the house palette in order)."""
    return [S.PALETTE[k % len(S.PALETTE)] for k in range(n)]
