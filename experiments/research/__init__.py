"""Beyond the lecture: grid studies (issue 6).

Each study is a module with its constants at the top, ``data(quick)`` (the numbers; cached
per process), ``draw(d, lang)`` (its figures, unsaved: slug -> Figure, what the slide audit
checks) and ``main(lang, quick, outdir)`` (draw and save). :data:`STUDIES` maps study ids to
modules; :func:`run_studies` runs them and writes ``outdir/<lang>/<id>-<slug>.png`` and
``.pdf`` for each language, plus ``outdir/<id>-summary.json`` with the measured numbers.

* ``basins`` - basins of attraction of the Gabor loss for GD, SGD, momentum and Adam;
* ``lr_momentum`` - learning-rate x momentum maps with the analytic stability boundary (one
  figure per loss: quadratic, Gabor);
* ``fractal_lr`` - fractal learning-rate boundaries (1-D cosine-perturbed quadratic, and a
  two-layer network with one learning rate per layer);
* ``sd_table`` - the six configurations of the fractal-trainability paper's table
  (Sohl-Dickstein 2024), our boundary dimension beside the paper's.

``make figures-research`` (``fastdescent figures --research``) calls :func:`run_studies` at
full resolution; ``python -m experiments.research [ids...] [--quick] [--lang en] [-o DIR]``
runs them directly. See ``docs/research.md`` for what each study shows.
"""
from __future__ import annotations

import time
from pathlib import Path

from . import basins, fractal_lr, lr_momentum, sd_table
from ._common import LANGS

#: Study id -> module (each has ``ID``, ``TITLE``, ``data(quick)``, ``draw(d, lang)``,
#: ``main(lang, quick, outdir)``).
STUDIES = {
    basins.ID: basins,
    lr_momentum.ID: lr_momentum,
    fractal_lr.ID: fractal_lr,
    sd_table.ID: sd_table,
}

__all__ = ["STUDIES", "run_studies"]


def run_studies(only=None, quick: bool = False, outdir="figures", lang=None,
                verbose: bool = True) -> list[Path]:
    """Run the grid studies and write their figures.

    Parameters
    ----------
    only : str or sequence of str, optional
        Study ids, as a sequence or a comma list (default: all of :data:`STUDIES`).
    quick : bool
        Coarse grids and short runs (seconds to a minute per study) instead of full resolution.
    outdir : path
        Figures go to ``outdir/<lang>/<id>-<slug>.png`` and ``.pdf``.
    lang : {"en", "es"} or sequence, optional
        Languages (default: both). Each study is computed once and drawn in every language.
    verbose : bool
        Print one line per study with its timings.

    Returns
    -------
    list of Path
        The files written.
    """
    if only is None:
        ids = list(STUDIES)
    else:
        ids = [s.strip() for s in only.split(",") if s.strip()] if isinstance(only, str) \
            else list(only)
        unknown = [i for i in ids if i not in STUDIES]
        if unknown:
            raise ValueError(f"unknown study {unknown[0]!r}; studies: {', '.join(STUDIES)}")
    langs = list(LANGS) if lang is None else ([lang] if isinstance(lang, str) else list(lang))
    for lg in langs:
        if lg not in LANGS:
            raise ValueError(f"unknown language {lg!r}; use one of {', '.join(LANGS)}")
    written: list[Path] = []
    for sid in ids:
        mod = STUDIES[sid]
        t0 = time.perf_counter()
        d = mod.data(quick)
        t1 = time.perf_counter()
        for lg in langs:
            written += mod.main(lg, quick, outdir, data_=d)
        if verbose:
            print(f"{sid}: data {t1 - t0:.1f} s, figures {time.perf_counter() - t1:.1f} s "
                  f"({'quick' if quick else 'full'})", flush=True)
    return written
