"""The documentation gallery is generated from the figure registries: one example script per
lecture figure and per research study, each naming its figure, and nothing else."""
import ast
import sys
import warnings
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))

import gallery_gen  # noqa: E402
from experiments.lecture import REGISTRY  # noqa: E402
from experiments.research import STUDIES  # noqa: E402


def test_one_example_per_figure_and_study(tmp_path):
    stale = tmp_path / "lecture" / "plot_99_removed.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("")
    scripts = gallery_gen.write_examples(tmp_path)
    lecture = sorted((tmp_path / "lecture").glob("plot_*.py"))
    research = sorted((tmp_path / "research").glob("plot_*.py"))
    assert len(lecture) == len(REGISTRY) and len(research) == len(STUDIES)
    assert not stale.exists()                      # a figure that left the registry leaves
    assert set(scripts) == set(lecture) | set(research)
    for path, fid in zip(lecture, REGISTRY):
        text = path.read_text()
        with warnings.catch_warnings():
            warnings.simplefilter("error")         # valid Python, no invalid escapes
            ast.parse(text)
        assert f"REGISTRY[{fid!r}]" in text and "data(quick=True)" in text
        assert REGISTRY[fid].title["en"] in text
    for path, sid in zip(research, STUDIES):
        assert f"STUDIES[{sid!r}]" in path.read_text()


def test_unchanged_sources_leave_the_examples_untouched(tmp_path):
    gallery_gen.write_examples(tmp_path)
    first = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.py")}
    gallery_gen.write_examples(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.py")} == first


def test_rst_escape_keeps_the_text():
    assert gallery_gen.rst_escape("|grad L| < *tol* `x` a_b") == \
        "\\|grad L\\| \\< \\*tol\\* \\`x\\` a\\_b"


def test_print_numbers(capsys):
    gallery_gen.print_numbers({"loss": 0.6457123, "n": 3, "path": np.arange(20.0),
                               "fit": {"slope": [1.5, 2.0]}, "label": "gd"})
    out = capsys.readouterr().out.splitlines()
    assert out == ["loss: 0.645712", "n: 3",
                   "path: array(20,), float64, range [0, 19]",
                   "fit.slope: [1.5, 2]", "label: gd"]
