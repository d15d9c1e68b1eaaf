"""Write the gallery's example scripts from the figure registries of the checkout.

sphinx-gallery runs every ``plot_*.py`` in an examples folder and shows its code, its printed
output and the figures it leaves open. The lecture figures (``experiments.lecture.REGISTRY``)
and the research studies (``experiments.research.STUDIES``) are not copied into the docs:
:func:`write_examples` writes one small script per figure or study that imports the figure's
module, computes its numbers in quick mode (``data(quick=True)``), prints them and draws the
English figure. A figure added to a registry therefore appears in the gallery with no edit
here.

Each generated script carries the SHA-256 of the figure's source files in a
``# sphinx_gallery_`` comment (removed from the shown code). sphinx-gallery re-runs a script
only when the script's own text changes, so the hash makes a change of the figure's source
(its script, the folder's ``_common.py`` and registry) re-run its example, while a rebuild
with unchanged sources reuses the stored output. A change in the library alone does not
re-run the gallery: ``make docs-clean docs`` rebuilds everything.
"""
from __future__ import annotations

import hashlib

import re
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["write_examples", "print_numbers", "study_figures", "rst_escape"]


def rst_escape(text: str) -> str:
    """Plain text as reStructuredText that renders the same characters."""
    return re.sub(r"([\\*|`_\[\]<>])", r"\\\1", text)


def _docstring_text(module_path: Path) -> str:
    import ast

    doc = ast.get_docstring(ast.parse(module_path.read_text(encoding="utf-8"))) or ""
    return doc.strip()


def _paragraphs(doc: str) -> list[str]:
    """The docstring's paragraphs, each on one line, as plain text."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc) if p.strip()]


def _rst_paragraph(par: str) -> str:
    """A plain-text paragraph as reStructuredText; a paragraph of ``* `` or ``- `` items
    stays a bullet list."""
    lines = par.splitlines()
    if not re.match(r"\s*[*-] ", lines[0]):
        return rst_escape(" ".join(par.split()))
    items: list[str] = []
    for line in lines:
        m = re.match(r"\s*[*-] (.*)", line)
        if m:
            items.append(m.group(1).strip())
        elif items:
            items[-1] += " " + line.strip()
    return "\n".join(f"* {rst_escape(it)}" for it in items)


def _sha(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()[:16]


def _title_block(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def _spanish_links(stems) -> str:
    links = []
    for stem in stems:
        png = ROOT / "figures" / "es" / f"{stem}.png"
        if png.is_file():
            links.append(f":download:`figures/es/{stem}.png </../figures/es/{stem}.png>`")
    if not links:
        return ("The Spanish figure is not committed yet: ``make figures`` writes it into "
                "``figures/es/``.")
    return "Spanish figure (the committed full-resolution PNG): " + ", ".join(links) + "."


def _write(path: Path, text: str) -> None:
    # rewrite only on change, so that sphinx-gallery's cache sees unchanged files
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _lecture_example(fid, fig, script: Path) -> str:
    doc = _docstring_text(script)
    raw = [p for p in re.split(r"\n\s*\n", doc) if p.strip()]
    point = next((" ".join(p.split()) for p in raw if p.lstrip().startswith("Point:")), None)
    rest = [p for p in raw if not p.lstrip().startswith("Point:")]
    rel = script.relative_to(ROOT).as_posix()
    sha = _sha([script, script.parent / "_common.py", script.parent / "__init__.py"])
    head = "\n\n".join(filter(None, [
        _title_block(f"{fid}: {fig.title['en']}"),
        f"**{rst_escape(point)}**" if point else "",
        *(_rst_paragraph(p) for p in rest),
        f"The script is ``{rel}`` (run: ``python -m {fig.module} --quick``); this page runs "
        f"it in quick mode (smaller grids and ensembles than the committed figure). "
        + _spanish_links([fig.stem]),
    ]))
    return f'''r"""
{head}
"""
# sphinx_gallery_source_sha = "{sha}"
from experiments.lecture import REGISTRY
from gallery_gen import print_numbers

script = REGISTRY[{fid!r}].load()
d = script.data(quick=True)   # the numbers behind the figure
print_numbers(d)

# %%
# The figure, in English
fig = script.draw(d, "en")

# %%
# The script
# ----------
#
# .. literalinclude:: /../{rel}
#    :language: python
'''


def _study_example(sid, mod, script: Path) -> str:
    doc = _docstring_text(script)
    rel = script.relative_to(ROOT).as_posix()
    sha = _sha([script, script.parent / "_common.py", script.parent / "__init__.py"])
    stems = sorted(p.stem for p in (ROOT / "figures" / "es").glob(f"{sid}-*.png"))
    title = getattr(mod, "TITLE", sid)
    draw = ("figs = study.draw(d, \"en\")" if hasattr(mod, "draw")
            else "figs = study_figures(study, d, \"en\")")
    head = "\n\n".join(filter(None, [
        _title_block(f"{sid}: {title}"),
        "::\n\n" + textwrap.indent(doc, "    "),
        f"The script is ``{rel}`` (run: ``python -m experiments.research {sid} --quick``); "
        f"this page runs it in quick mode (coarse grids, short runs): the numbers printed "
        f"below are the quick run's, the full-resolution ones are in :doc:`/research`. "
        + _spanish_links(stems),
    ]))
    return f'''r"""
{head}
"""
# sphinx_gallery_source_sha = "{sha}"
from experiments.research import STUDIES
from gallery_gen import print_numbers, study_figures

study = STUDIES[{sid!r}]
d = study.data(quick=True)   # the study's numbers
print_numbers(d["summary"])

# %%
# The figures, in English
{draw}

# %%
# The script
# ----------
#
# .. literalinclude:: /../{rel}
#    :language: python
'''


_README = {
    "lecture": """Lecture figures
===============

Every figure of the lecture (Prince, *Understanding Deep Learning*, chapter 6, and the slides'
extra figures), computed by fastdescent and drawn by the scripts in ``experiments/lecture/``.
Each page runs its script in quick mode and shows the code, the numbers and the English
figure, with a link to the committed Spanish figure. ``make figures`` writes every figure at
full resolution in both languages into ``figures/``.
""",
    "research": """Research studies
================

The grid studies of ``experiments/research/`` (see :doc:`/research` for the measured
full-resolution numbers), each run here in quick mode.
""",
}


def write_examples(outdir) -> list[Path]:
    """Write ``outdir/lecture/plot_*.py`` (one per lecture figure) and
    ``outdir/research/plot_*.py`` (one per study), plus each folder's ``README.rst``;
    remove example scripts of figures that no longer exist. Returns the scripts."""
    from experiments.lecture import REGISTRY
    from experiments.research import STUDIES

    outdir = Path(outdir)
    written = []
    for sub, items in (("lecture", REGISTRY.items()), ("research", STUDIES.items())):
        d = outdir / sub
        d.mkdir(parents=True, exist_ok=True)
        _write(d / "README.rst", _README[sub])
        keep = set()
        for k, (key, item) in enumerate(items):
            name = f"plot_{k:02d}_{re.sub(r'[^0-9A-Za-z]+', '_', key)}.py"
            if sub == "lecture":
                script = ROOT / (item.module.replace(".", "/") + ".py")
                text = _lecture_example(key, item, script)
            else:
                script = Path(item.__file__)
                text = _study_example(key, item, script)
            _write(d / name, text)
            keep.add(name)
            written.append(d / name)
        for old in d.glob("plot_*.py"):
            if old.name not in keep:
                old.unlink()
    return written


def _fmt(v) -> str | None:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, str):
        return v if len(v) <= 80 else v[:77] + "..."
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        if v.size <= 8:
            return np.array2string(v, precision=5, separator=", ")
        return f"array{v.shape}, {v.dtype}, range [{np.nanmin(v):.4g}, {np.nanmax(v):.4g}]" \
            if np.isfinite(v.astype(float)).any() else f"array{v.shape}, {v.dtype}"
    if isinstance(v, (list, tuple)) and len(v) <= 8 and all(
            isinstance(x, (int, float, np.number)) for x in v):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return None


def print_numbers(d, prefix: str = "", depth: int = 0, limit: int = 60) -> None:
    """Print the numbers of a figure's data: scalars, short vectors, and the shape and range
    of arrays, one ``key: value`` line each, nested dicts with dotted keys (first ``limit``
    lines)."""
    lines = []

    def walk(obj, pre, dep):
        if isinstance(obj, dict) and dep <= 3:
            for k, v in obj.items():
                walk(v, f"{pre}{k}" if not pre else f"{pre}.{k}", dep + 1)
            return
        if isinstance(obj, (list, tuple)) and obj and all(isinstance(x, dict) for x in obj) \
                and dep <= 3:
            for i, x in enumerate(obj):
                walk(x, f"{pre}[{i}]", dep + 1)
            return
        s = _fmt(obj)
        if s is not None:
            lines.append(f"{pre}: {s}")

    walk(d, prefix, depth)
    for line in lines[:limit]:
        print(line)
    if len(lines) > limit:
        print(f"... ({len(lines) - limit} more)")


def study_figures(study, d, lang: str = "en") -> dict:
    """The figures of a research study drawn from its data, ``{slug: Figure}``, for a study
    module without ``draw``: its ``main`` runs with the figure writer replaced by one that
    collects the figures (nothing is written)."""
    import tempfile

    from experiments.research import _common

    figs = {}
    orig = _common.save_figure

    def collect(fig, outdir, lang_, study_id, slug):
        figs[slug] = fig
        return []

    orig_summary = _common.write_summary
    _common.save_figure = collect
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _common.write_summary = lambda outdir, sid, s: orig_summary(tmp, sid, s)
            study.main(lang, True, tmp, data_=d)
    finally:
        _common.save_figure = orig
        _common.write_summary = orig_summary
    return figs
