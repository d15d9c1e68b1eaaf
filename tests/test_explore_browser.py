"""The explorer in a real browser: headless Chromium drives ``fastdescent explore`` over
localhost with real mouse events (Playwright). Skipped, with the reason, where Chromium,
Playwright or the explore extra is missing (``.ci/run`` installs them).

What is checked: the page loads without console errors; a click on the surface draws the
trajectory that ``fd.run`` computes from that start; moving a slider changes the basin map;
a dragged rectangle recomputes that window; export writes a PNG and a TOML whose
``fastdescent run`` reproduces the view; bad requests show a message and the page lives on; a
typed formula becomes the model.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from explore_page import Page, Server, why_not

pytestmark = pytest.mark.skipif(why_not() is not None, reason=str(why_not()))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("explore")
    with Server(export_dir=d / "exports") as srv, Page(srv.url) as pg:
        pg.wait_idle("traj")
        pg.export_dir = d / "exports"
        yield pg


def test_the_page_loads_without_console_errors(page):
    page.page.wait_for_function(  # "Computing…" shows while work is pending, then clears
        "() => Bokeh.documents[0].get_model_by_name('busy').text === ''", timeout=120_000)
    assert page.console == []
    assert page.text("message") == ""
    assert page.js("() => Bokeh.documents[0].get_model_by_name('model').value") == "gabor"


def test_a_click_draws_the_trajectory_of_fd_run_from_there(page):
    import fastdescent as fd

    page.tab(0)
    page.mark("traj")
    page.click_at("surface_plot", -3.3, 17.2)
    page.wait_changed("traj")
    d = page.data("traj")
    xs, ys = np.array(d["xs"][0]), np.array(d["ys"][0])
    start = (xs[0], ys[0])
    assert abs(start[0] + 3.3) < 0.1 and abs(start[1] - 17.2) < 0.1  # where we clicked
    ref = fd.run(fd.models.gabor(), fd.optim.gd(lr=0.05), [start], 200, tol=1e-3,
                 record_every=1, progress=False)
    k = int(ref.steps[0])
    assert np.array_equal(xs, ref.path[0, :k + 1, 0])
    assert np.array_equal(ys, ref.path[0, :k + 1, 1])
    assert (xs[-1], ys[-1]) == tuple(ref.params[0])
    numbers = page.data("numbers")["text"]
    assert numbers[0] == "0" and len(numbers) > 2  # step numbers along the path
    assert page.console == []


def test_a_slider_changes_the_basin_map(page):
    page.mark("basins")
    page.tab(1)  # the map is computed when its tab is first shown
    page.wait_changed("basins", final=True, timeout_ms=120_000)
    before = page.data("basins")["image"][0]
    info_before = page.text("basins_info")
    page.mark("basins")
    page.set_slider("hyper-lr", np.log10(0.2))
    page.wait_changed("basins", final=True, timeout_ms=120_000)
    after = page.data("basins")["image"][0]
    assert len(after) == len(before) == 128 * 128 and after != before  # a flat 128 x 128
    assert "lr = 0.2" in page.text("basins_info") and page.text("basins_info") != info_before
    assert page.console == []


def test_a_dragged_rectangle_recomputes_that_window(page):
    page.tab(1)
    page.mark("basins")
    page.drag_rect("basins_plot", -4.0, 8.0, 3.0, 16.0)
    page.wait_changed("basins", final=True, timeout_ms=120_000)
    d = page.data("basins")
    n = int(round(len(d["image"][0]) ** 0.5))
    dx = d["dw"][0] / n
    x0, x1 = d["x"][0] + dx / 2, d["x"][0] + d["dw"][0] - dx / 2
    assert n == 128
    assert abs(x0 + 4.0) < 0.15 and abs(x1 - 3.0) < 0.15  # the dragged window, full grid
    assert re.search(r"D = \d", page.text("basins_info"))  # its box-counting dimension
    page.mark("hypermap")
    page.tab(2)  # the map is computed when its tab is first shown
    page.wait_changed("hypermap", final=True, timeout_ms=120_000)
    page.mark("hypermap")
    page.drag_rect("hyper_plot", -2.0, 0.2, -0.5, 0.8)  # log10(lr) from -2 to -0.5
    page.wait_changed("hypermap", final=True, timeout_ms=120_000)
    d = page.data("hypermap")
    dx = d["dw"][0] / 64
    assert abs(d["x"][0] + dx / 2 + 2.0) < 0.05 and abs(d["x"][0] + d["dw"][0] - dx / 2 + 0.5) < 0.05


def test_export_writes_a_png_and_a_toml_that_reproduces_the_view(page, tmp_path,
                                                                 monkeypatch):
    import fastdescent as fd
    from fastdescent.cli import main

    page.tab(0)
    page.mark("traj")
    page.click_at("surface_plot", 4.4, 6.6)
    page.wait_changed("traj")
    d = page.data("traj")
    page.click_button("export")
    page.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('info').text.includes('.toml')")
    paths = re.findall(r"(/[^<]+\.(?:toml|png|pdf))", page.text("info"))
    toml = Path(next(p for p in paths if p.endswith(".toml")))
    png = Path(next(p for p in paths if p.endswith(".png")))
    assert toml.parent == page.export_dir.resolve() and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "again.nc"
    assert main(["run", str(toml), "-o", str(out), "--no-progress"]) == 0
    ds = fd.load(out)
    k = int(ds["steps"].values.reshape(-1)[0])
    path = ds["path"].values.reshape(-1, 2)[:k + 1]
    assert np.array_equal(path[:, 0], d["xs"][0]) and np.array_equal(path[:, 1], d["ys"][0])


def test_bad_requests_show_a_message_and_the_page_lives_on(page):
    page.tab(1)
    page.set_value("grid", 5000)
    page.page.wait_for_function(  # the timeouts allow a first compile of a new model's kernels
        "() => Bokeh.documents[0].get_model_by_name('message').text.includes('too large')",
        timeout=120_000)
    page.set_value("grid", 128)
    page.mark("surface", "traj")
    page.set_value("model", "quadratic")
    page.tab(0)
    # the new model's surface and axes first: a click lands in the axes shown when it is made
    page.wait_changed("surface", timeout_ms=120_000)
    page.wait_changed("traj", timeout_ms=120_000)
    page.mark("traj")
    page.click_at("surface_plot", 0.5, -0.5)  # off the minimum, the new model's default start
    page.wait_changed("traj")
    d = page.data("traj")
    assert (d["xs"][0][0], d["ys"][0][0]) == (pytest.approx(0.5, abs=0.05),
                                              pytest.approx(-0.5, abs=0.05))
    page.set_slider("hyper-lr", np.log10(0.5))  # GD diverges on it for lr > 2/10
    page.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('message').text.includes('diverge')",
        timeout=120_000)
    page.mark("traj")
    page.set_slider("hyper-lr", np.log10(0.05))
    page.wait_changed("traj")
    assert page.text("message") == ""
    assert page.data("traj")["xs"][0][0] == pytest.approx(0.5, abs=0.05)
    assert page.console == []


def test_a_typed_formula_becomes_the_model(page):
    """A loss typed in the formula box (Enter) is the page's model: its surface over the box
    typed beside it, its symbols on the axes, a clicked trajectory that equals ``fd.run`` on
    the same formula model; a formula that does not parse shows a message."""
    import fastdescent as fd

    page.tab(0)
    page.set_value("formula", "x**2 + foo(y)")
    page.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('message').text.includes('foo')",
        timeout=60_000)
    page.set_value("formula_box", "-5, 5, -5, 5")
    page.mark("traj")
    page.set_slider("hyper-lr", -2.0)  # lr = 0.01 (0.05 diverges on this formula from (0, 0))
    page.wait_changed("traj")
    page.mark("surface", "traj")
    page.set_value("formula", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
    page.wait_changed("surface", timeout_ms=120_000)
    page.wait_changed("traj", timeout_ms=120_000)
    assert page.js("() => Bokeh.documents[0].get_model_by_name('model').value") == "formula"
    assert page.text("message") == ""
    box = page.canvas_box("surface_plot")
    assert (box["x0"], box["x1"], box["y0"], box["y1"]) == (-5, 5, -5, 5)
    assert page.js("() => Bokeh.documents[0].get_model_by_name('surface_plot')"
                   ".below[0].axis_label") == "x"
    page.mark("traj")
    page.click_at("surface_plot", -1.0, 1.5)
    page.wait_changed("traj")
    d = page.data("traj")
    start = (d["xs"][0][0], d["ys"][0][0])
    assert abs(start[0] + 1.0) < 0.1 and abs(start[1] - 1.5) < 0.1
    m = fd.models.formula("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", ["x", "y"],
                          box=[(-5, 5), (-5, 5)])
    ref = fd.run(m, fd.optim.gd(lr=0.01), [start], 200, tol=1e-3, record_every=1,
                 progress=False)
    k = int(ref.steps[0])
    assert np.array_equal(d["xs"][0], ref.path[0, :k + 1, 0])
    assert page.console == []
