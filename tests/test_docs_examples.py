"""Every public name of the API reference has an example that runs.

The names are those the API reference is generated from (``docs/apinames.py``, read by
``docs/conf.py``): each function, class, exception and compiled function listed in the
``__all__`` of a public fastdescent module, or defined in a module without ``__all__`` that
has a page of its own (``optim.schedules``, ``optim.pieces``, ...). Each docstring must have a numpydoc ``Examples``
section with at least one ``>>>`` line. ``--doctest-modules`` (``make test``) runs the examples
it finds; the few it cannot find (Numba dispatchers and intrinsics are not Python functions)
run here, with their module's namespace.
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))
import apinames  # noqa: E402

OBJECTS = apinames.documented_objects()
# the standard-library options of [tool.pytest.ini_options] doctest_optionflags (pytest's
# NUMBER is not among them: these examples print exact values)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
SECTION = re.compile(r"^Examples\n-{8,}\n", re.M)


def _collected(module: str) -> set:
    """Dotted names of the docstrings with examples that ``--doctest-modules`` runs in
    ``module`` (pytest uses the standard library's finder)."""
    return {t.name for t in doctest.DocTestFinder().find(importlib.import_module(module))
            if t.examples}


_COLLECTED = {home: _collected(home) for home in {h for h, _ in OBJECTS}}


def test_the_api_reference_lists_names():
    # the walk must see the API: the subpackages and some of their well-known names
    names = {n for _, ns in OBJECTS.values() for n in ns}
    for name in ["fastdescent.engine.run", "fastdescent.optim.adam", "fastdescent.models.gabor",
                 "fastdescent.analysis.basin_fractions", "fastdescent.plotting.basin_map",
                 "fastdescent.fastmath.fast_exp", "fastdescent.cli.main"]:
        assert name in names
    assert "fastdescent.optim.schedules.cosine" in names        # a module without __all__
    assert not any(n.endswith(".njit") for n in names)          # imported names are not its own
    assert len(OBJECTS) > 200


@pytest.mark.parametrize("key", sorted(OBJECTS), ids=[".".join(k) for k in sorted(OBJECTS)])
def test_public_name_has_a_runnable_example(key):
    home, qual = key
    obj, names = OBJECTS[key]
    doc = inspect.getdoc(obj) or ""
    assert SECTION.search(doc), f"{names[0]}: no 'Examples' section in its docstring"
    examples = doctest.DocTestParser().get_examples(doc[SECTION.search(doc).end():])
    assert examples, f"{names[0]}: its Examples section has no '>>>' line"
    if f"{home}.{qual}" in _COLLECTED[home]:
        return                                  # --doctest-modules runs it
    # not a Python function: run its example here, as --doctest-modules would
    globs = dict(vars(importlib.import_module(home)))
    test = doctest.DocTestParser().get_doctest(doc, globs, f"{home}.{qual}", home, 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list = []
    runner.run(test, out=report.append)
    assert runner.summarize(verbose=False).failed == 0, f"{names[0]}:\n" + "".join(report)
