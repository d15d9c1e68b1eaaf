"""Sphinx configuration of the fastdescent documentation (``make docs``).

The site builds offline: MathJax comes from the ``sphinx-mathjax-offline`` package, no CDN
fonts or scripts are referenced. The gallery pages are generated at build time from the figure
registries of the checkout (``experiments.lecture.REGISTRY``, ``experiments.research.STUDIES``)
by :mod:`gallery_gen`, so a new figure appears in the gallery without editing the docs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))          # experiments/ is imported from the checkout
sys.path.insert(0, str(DOCS))          # gallery_gen
os.environ.setdefault("MPLBACKEND", "Agg")

os.environ["COLUMNS"] = "100"     # argparse help width, for a reproducible CLI page

import fastdescent  # noqa: E402
import apinames  # noqa: E402
import gallery_gen  # noqa: E402

project = "fastdescent"
author = "the fastdescent authors"
copyright = "the fastdescent authors"
version = release = fastdescent.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",     # the package bundles MathJax 3 (its module name has dashes)
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
# gallery.md is the Markdown gallery of the committed PNGs for browsing on GitHub (written by
# experiments/lecture/gallery.py); its image paths are relative to the repository root.
exclude_patterns = ["_build", "gallery.md", "_gallery_src/**", "tutorials/**"]

# ------------------------------------------------------------------ API reference
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False   # each module's __all__ decides what is public


def _top_level_homes(public_all: dict) -> dict:
    """Where each name that ``fastdescent`` re-exports is documented: the first subpackage
    that lists the same object in its ``__all__`` (``run`` -> ``fastdescent.engine.run``).
    The top-level page links there instead of documenting the object twice."""
    import importlib

    homes = {}
    for name in fastdescent.__all__:
        obj = getattr(fastdescent, name)
        for mod in public_all:
            if mod != "fastdescent" and name in public_all[mod] and \
                    getattr(importlib.import_module(mod), name, None) is obj:
                homes[name] = f"{mod}.{name}"
                break
    return homes


def _write_api_page(path: Path) -> None:
    """The API index: one recursive autosummary entry per subpackage of fastdescent, found
    by walking the package (so a new subpackage appears without a docs edit)."""
    import pkgutil

    subs = sorted(m.name for m in pkgutil.iter_modules(fastdescent.__path__)
                  if not m.name.startswith("_"))
    text = "\n".join([
        "API reference", "=============", "",
        "Every public name of fastdescent, generated from the docstrings: each module's "
        "``__all__`` decides what is public, and a submodule has its own page when its "
        "package lists it in ``__all__``. Each entry gives the formula, the parameters, "
        "the return values and the errors raised.", "",
        ".. autosummary::", "   :toctree: generated", "   :recursive:", "",
        "   fastdescent", *(f"   fastdescent.{s}" for s in subs), ""])
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# the same walk as tests/test_docs_examples.py, which checks each page's example
_PUBLIC_ALL = apinames.public_all()


def _remove_stale_pages(folder: Path, public_all: dict) -> None:
    """Delete generated pages of names a module no longer lists (autosummary writes pages but
    never removes them, and an orphaned page fails the build): a page ``M.name`` whose
    module ``M`` has a page of its own and does not list ``name``, and a module page that
    still lists such a name (autosummary would otherwise regenerate the stale page from it
    before rewriting the module page)."""
    import importlib
    import re

    def is_module(name):
        try:
            importlib.import_module(name)
        except ImportError:
            return False
        return True

    pages = set(apinames.page_modules(public_all))
    for f in sorted(folder.glob("fastdescent*.rst")) if folder.is_dir() else ():
        if f.stem in pages and f.stem != "fastdescent":
            listed = re.findall(r"^   (\w+)$", f.read_text(encoding="utf-8"), re.M)
            if any(n not in public_all.get(f.stem, []) and not is_module(f"{f.stem}.{n}")
                   for n in listed):
                f.unlink()
            continue
        mod, _, name = f.stem.rpartition(".")
        if mod in pages and name not in public_all.get(mod, []) and not is_module(f.stem):
            f.unlink()


_remove_stale_pages(DOCS / "generated", _PUBLIC_ALL)


def _public_data(public_all: dict) -> dict:
    """Per module, the names of ``__all__`` that are neither modules, classes nor plain
    functions (constants, Numba intrinsics): autosummary's own lists miss the re-exported
    ones."""
    import importlib
    import inspect

    out = {}
    for mod, names in public_all.items():
        m = importlib.import_module(mod)
        out[mod] = [n for n in names if hasattr(m, n) and not n.startswith("__") and not (
            inspect.ismodule(getattr(m, n)) or inspect.isclass(getattr(m, n))
            or inspect.isfunction(getattr(m, n)))]
    return out


autosummary_context = {"public_all": _PUBLIC_ALL, "homes": _top_level_homes(_PUBLIC_ALL),
                       "public_data": _public_data(_PUBLIC_ALL)}
_write_api_page(DOCS / "api.rst")
autodoc_typehints = "none"              # numpydoc's Parameters sections carry the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

nitpicky = True
# third-party types only: the public API of fastdescent must resolve
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|xarray|xr|matplotlib|mpl|dask|distributed|numba|pathlib|"
               r"argparse|collections|typing|concurrent|h5py|zarr|os|io)\..*"),
    (r"py:.*", r"(ndarray|array_like|Path|Dataset|DataArray|Axes|Figure|Client|Callable|"
               r"Sequence|Mapping|Iterable|Iterator|ArgumentParser|Namespace)"),
    (r"py:class", r"(int|float|str|bool|dict|list|tuple|object|None|callable|optional)"),
]

mathjax_path = "mathjax/tex-chtml.js"   # served from _static/mathjax, never from a CDN

# ------------------------------------------------------------------ command line
def _write_cli_help(path: Path) -> None:
    """The ``--help`` text of ``fastdescent`` and of each command, for docs/cli.md."""
    import argparse

    from fastdescent.cli import build_parser

    parser = build_parser()
    parts = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                parts.append(f"$ fastdescent {name} --help\n{sub.format_help()}")
    text = "\n".join(parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


_write_cli_help(DOCS / "_generated" / "cli_help.txt")

# ------------------------------------------------------------------ Markdown
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# ------------------------------------------------------------------ gallery
# the example scripts are written into _gallery_src/ by gallery_gen before the build; the
# tutorials are scripts in tutorials/. sphinx-gallery re-runs only the scripts whose source
# changed (its md5 cache), so a rebuild with unchanged scripts takes seconds.
gallery_gen.write_examples(DOCS / "_gallery_src")

sphinx_gallery_conf = {
    "examples_dirs": ["_gallery_src/lecture", "_gallery_src/research", "tutorials"],
    "gallery_dirs": ["gallery/lecture", "gallery/research", "tutorial"],
    "filename_pattern": r"/(plot_|tutorial_)",
    "run_stale_examples": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "capture_repr": (),
    "matplotlib_animations": False,
    "image_srcset": [],
    "thumbnail_size": (320, 224),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "write_computation_times": False,   # its pages load DataTables from a CDN
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# ------------------------------------------------------------------ HTML
html_theme = "alabaster"
html_title = f"fastdescent {release}"
html_static_path = []
html_theme_options = {"description": "Gradient-based optimization at scale", "fixed_sidebar": True,
                      "font_family": "sans-serif", "head_font_family": "sans-serif",
                      "code_font_family": "monospace", "page_width": "1200px"}
html_show_sourcelink = False


# ------------------------------------------------------------------ re-exported names
# fastdescent re-exports names (``fastdescent.run`` is ``fastdescent.engine.run``, whose code
# lives in ``fastdescent.engine.trajectories``). Each object is documented once, under the
# public module that lists it in ``__all__``; a cross-reference to any other of its names
# resolves to that entry. A reference to a submodule without a page of its own (one its
# package does not list in ``__all__``) resolves to the package page, which documents its
# public names.
def _lookup(name: str):
    import importlib

    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_alias(app, env, node, contnode):
    import inspect

    if node.get("refdomain") != "py" or not node["reftarget"].split(".")[0]:
        return None
    target = node["reftarget"].lstrip("~.")
    mod = node.get("py:module") or ""
    cands = [target] if target.startswith("fastdescent") else []
    while mod:
        cands.append(f"{mod}.{target}")
        mod = mod.rpartition(".")[0]
    dom = env.get_domain("py")
    objects = dom.objects
    for cand in cands:
        if not cand.startswith("fastdescent"):
            continue
        obj = _lookup(cand)
        if obj is None:
            continue
        home = None
        if inspect.ismodule(obj):
            m = cand
            while m and m not in objects:
                m = m.rpartition(".")[0]
            home = m or None
        elif inspect.isfunction(obj) or inspect.isclass(obj) or callable(obj):
            for name in objects:
                if name.rpartition(".")[2] == cand.rpartition(".")[2] and \
                        name.startswith("fastdescent") and _lookup(name) is obj:
                    home = name
                    break
        else:   # a constant: the documented name with the same last part and value
            last = cand.rpartition(".")[2]
            for name in objects:
                if name.rpartition(".")[2] == last and name.startswith("fastdescent"):
                    other = _lookup(name)
                    try:
                        same = bool(other == obj)
                    except Exception:
                        same = False
                    if same:
                        home = name
                        break
        if home:
            role = "mod" if home in objects and objects[home].objtype == "module" else "obj"
            return dom.resolve_xref(env, node["refdoc"], app.builder, role, home, node,
                                    contnode)
    return None


def setup(app):
    app.connect("missing-reference", _resolve_alias, priority=400)
