"""Collection rules for the docstring examples of the package (``--doctest-modules``).

An example that mentions Bokeh (the explorer's page: ``fastdescent.explore.app``,
``require_bokeh``, ``serve``) needs the optional ``explore`` extra; where Bokeh is not
installed such an example is skipped (reported with the reason), the others run.
"""
from __future__ import annotations

import importlib.util

import pytest

HAVE_BOKEH = importlib.util.find_spec("bokeh") is not None


def pytest_collection_modifyitems(config, items):
    if HAVE_BOKEH:
        return
    skip = pytest.mark.skip(reason="the example needs Bokeh: pip install fastdescent[explore]")
    for item in items:
        test = getattr(item, "dtest", None)  # a doctest item
        if test is not None and any("bokeh" in ex.source.lower() for ex in test.examples):
            item.add_marker(skip)
