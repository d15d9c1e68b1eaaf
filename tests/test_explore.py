"""The live explorer's engine (no browser): views from the registries, computed exactly as
``fastdescent run`` computes their exported TOML, clear refusals, and the worker that keeps
the page responsive (the newest request of a view wins, trajectories first).

The page itself is tested in a real browser in tests/test_explore_browser.py.
"""
from __future__ import annotations

import math
import re
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastdescent as fd
from fastdescent.cli import main
from fastdescent.explore import core
from fastdescent.explore.core import ExploreError, Settings
from fastdescent.explore.worker import Partial, Worker


def _ds_equal(a, b):
    """Every data variable of two sweep Datasets identical, bit for bit (NaN == NaN)."""
    assert set(a.data_vars) == set(b.data_vars)
    for k in a.data_vars:
        x, y = a[k].values, b[k].values
        assert x.dtype == y.dtype and x.shape == y.shape, k
        if x.dtype.kind == "f":
            assert np.array_equal(x.view(np.int64), y.view(np.int64)), k
        else:
            assert np.array_equal(x, y), k


# ------------------------------------------------------------------------------ catalogue
def test_models_are_the_registry_models_with_two_parameters():
    from fastdescent.models import named_models

    expect = []
    for name, factory in named_models.items():
        try:
            m = factory()
        except TypeError:
            continue
        if m.n_params == 2:
            expect.append(name)
    assert list(core.surface_models()) == expect
    assert {"gabor", "linear_regression_1d", "rosenbrock", "quadratic"} <= set(expect)


def test_optimizers_and_sliders_come_from_the_registry():
    from fastdescent.optim import registry

    assert core.optimizers() == tuple(r.name for r in registry.all_rules())
    rule = registry.get_rule("momentum").derive(name="explore_probe", defaults={"beta": 0.5})
    registry.register(rule)
    try:
        assert "explore_probe" in core.optimizers()
        sl = {s.name: s for s in core.sliders("explore_probe")}
        assert list(sl) == list(rule.hyper_names)
        assert sl["beta"].value == 0.5 and not sl["beta"].log
        assert sl["lr"].log and sl["lr"].lo < rule.defaults["lr"] < sl["lr"].hi
    finally:
        registry._RULES.pop("explore_probe", None)
    for name in core.optimizers():  # every slider range lies inside the valid range
        rule = registry.get_rule(name)
        for h, s in zip(rule.hyper, core.sliders(name)):
            assert h.spec.ok(np.array([s.lo, s.hi, s.value])).all(), (name, h.name)


# ---------------------------------------------------------------------------- trajectories
@settings(max_examples=8, deadline=None)
@given(u=st.floats(0, 1), v=st.floats(0, 1),
       case=st.sampled_from([("gabor", "gd", {"lr": 0.05}), ("gabor", "adam", {"lr": 0.05}),
                             ("rosenbrock", "momentum", {"lr": 1e-3, "beta": 0.9}),
                             ("himmelblau", "nesterov", {"lr": 5e-3})]))
def test_a_clicked_trajectory_is_fd_run_from_that_start(u, v, case):
    name, opt, hyper = case
    s = Settings(name, opt, hyper, steps=150, tol=1e-3)
    m = s.model_obj()
    start = [lo + w * (hi - lo) for w, (lo, hi) in zip((u, v), m.box)]
    view = core.trajectory(s, start)
    view.ds = core.compute(view.doc)
    ref = fd.run(m, fd.optim.get_optimizer(opt, **hyper), [start], 150, tol=1e-3,
                 record_every=1, progress=False)
    assert np.array_equal(view.paths, ref.path, equal_nan=True)
    assert np.array_equal(view.ends, ref.params, equal_nan=True)
    assert np.array_equal(view.status, ref.status)
    assert np.array_equal(view.steps_taken, ref.steps)


def test_sgd_shows_an_ensemble_of_seeds_each_a_run_of_its_own():
    s = Settings("gabor", "gd", {"lr": 0.02}, steps=100, tol=1e-3, batch_size=5)
    view = core.trajectory(s, (0.6, 15.0))
    view.ds = core.compute(view.doc)
    assert view.paths.shape == (core.SGD_SEEDS, 101, 2)
    m = s.model_obj()
    for k in range(core.SGD_SEEDS):
        ref = fd.run(m, fd.optim.gd(lr=0.02), [(0.6, 15.0)], 100, tol=1e-3, batch_size=5,
                     seed=k, record_every=1, progress=False)
        assert np.array_equal(view.paths[k], ref.path[0], equal_nan=True)
    assert len({p.tobytes() for p in view.paths}) == core.SGD_SEEDS  # the seeds differ


def test_a_diverging_learning_rate_is_data_not_a_crash():
    """GD on L = (phi0^2 + 10 phi1^2)/2 diverges for lr > 2/10."""
    s = Settings("quadratic", "gd", {"lr": 0.25}, steps=400)
    view = core.trajectory(s, (1.0, 1.0))
    view.ds = core.compute(view.doc)
    assert view.status.tolist() == [2]


# ---------------------------------------------------------------------------------- basins
def _label_reference(m, ends, status):
    """Plain loops: converged ends -> the attractor within 2 * CLUSTER_TOL (scaled
    max-norm) of their location, unconverged ones -> the nearest attractor within NEAR, else
    -2; diverged -1."""
    from fastdescent.analysis import box_widths, find_attractors

    w = box_widths(m)
    att, _ = find_attractors(ends, status, scale=w, tol=core.CLUSTER_TOL, loss=m.loss,
                             hessian=m.hessian)
    loc = np.asarray(att.locations)
    out = []
    for p, s in zip(ends, status):
        if s == 2:
            out.append(-1)
            continue
        d = [max(abs(p[i] - a[i]) / w[i] for i in range(2)) for a in loc]
        k = int(np.argmin(d)) if d else -1
        if s == 1:
            assert d[k] <= 2 * core.CLUSTER_TOL + 1e-12
            out.append(k)
        else:
            out.append(k if d and d[k] <= core.NEAR else -2)
    return np.array(out)


def test_basin_labels_and_statistics():
    ex = fd.explore("himmelblau", "gd", lr=0.01, steps=60, tol=1e-3, show=False)
    b = ex.basins(n=32)
    st_ = b.ds["status"].values.reshape(-1)
    ends = b.ds["params"].values.reshape(-1, 2)
    assert {0, 1} <= set(st_.tolist())  # both kinds of label occur here
    assert np.array_equal(b.labels.reshape(-1), _label_reference(ex.settings.model_obj(),
                                                                  ends, st_))
    # Himmelblau's four minima, each a basin
    kinds = list(b.attractors.kinds)
    assert kinds.count("minimum") == 4
    assert np.allclose(sorted(b.attractors.losses), 0.0, atol=1e-5)
    counts = np.bincount(b.labels[b.labels >= 0].ravel(), minlength=len(b.attractors))
    assert np.allclose(b.fractions.fractions, counts / counts.sum())
    assert b.converged == pytest.approx(np.mean(st_ == 1))
    assert 1.0 <= b.dimension <= 2.0 and 0 < b.entropy[0] < math.log(6)


def test_a_zoomed_window_keeps_the_parent_attractors():
    ex = fd.explore("himmelblau", "gd", lr=0.01, steps=80, tol=1e-3, show=False)
    parent = ex.basins(n=24)
    win = [[0.0, 4.0], [0.0, 4.0]]
    child = ex.basins(n=24, window=win, reference=parent.attractors)
    a0, a1 = child.axes
    assert a0[0] == 0.0 and a0[-1] == 4.0 and a1[0] == 0.0 and a1[-1] == 4.0
    k = len(parent.attractors)
    assert np.array_equal(np.asarray(child.attractors.locations)[:k],
                          np.asarray(parent.attractors.locations))


def _meanings(colors_of_labels: dict) -> dict:
    """Colour -> the set of legend entries drawn in it (``"other"`` for the attractors in
    ``style.OTHER_ATTRACTORS_COLOR``, the label otherwise)."""
    from fastdescent.plotting import style

    out: dict = {}
    for g, c in colors_of_labels.items():
        out.setdefault(c.upper(), set()).add("other" if c == style.OTHER_ATTRACTORS_COLOR
                                             else g)
    return out


def test_basin_colours_have_one_meaning_each():
    """Rastrigin's box holds 121 minima, more than the palette's 12 colours: the 12 largest
    basins get 12 distinct palette colours, every smaller one the "other attractors" colour,
    and no colour of the map, its legend (figure and page) or its image means two things."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from fastdescent.explore.app import basin_legend, label_image
    from fastdescent.explore.figures import draw
    from fastdescent.plotting import style

    ex = fd.explore("rastrigin", "gd", lr=0.002, steps=300, show=False)
    b = ex.basins(n=24)
    K, P = len(b.attractors), len(style.ATTRACTOR_COLORS)
    assert K > P
    fr = b.fractions.fractions
    colors = style.basin_colors(fr)
    other = np.array([c == style.OTHER_ATTRACTORS_COLOR for c in colors])
    assert other.sum() == K - P
    assert sorted(np.array(colors)[~other]) == sorted(style.ATTRACTOR_COLORS)
    assert fr[~other].min() >= fr[other].max()  # the palette goes to the largest basins
    assert style.OTHER_ATTRACTORS_COLOR not in {*style.ATTRACTOR_COLORS, style.DIVERGED_COLOR,
                                                style.NOT_CONVERGED_COLOR}
    shown = {g: colors[g] for g in range(K)}
    shown.update({-1: style.DIVERGED_COLOR, -2: style.NOT_CONVERGED_COLOR})
    assert all(len(m) == 1 for m in _meanings(shown).values())

    # the page's image: each pixel in its label's colour
    img = label_image(b.labels, colors).view(np.uint8).reshape(b.n, b.n, 4)
    lab = b.labels.T
    for g in np.unique(lab):
        want = np.array([int(shown[g][i:i + 2], 16) for i in (1, 3, 5)])
        assert (img[lab == g][:, :3] == want).all()
    # the page's legend: one swatch per meaning, distinct colours
    html = basin_legend(colors, fr, "es")
    swatches = re.findall(r"background:(#[0-9A-Fa-f]{6})", html)
    assert len(swatches) == len(set(swatches)) == P + 3
    assert f"Otros atractores ({K - P}): " in html

    # the exported figure: legend patches of distinct colours, one "other attractors" entry
    fig = draw(b, "es")
    try:
        leg = fig.axes[0].get_legend()
        faces = [mpl.colors.to_hex(h.get_facecolor()) for h in leg.legend_handles]
        texts = [t.get_text() for t in leg.get_texts()]
        assert len(faces) == len(set(faces)) == P + 1  # 12 basins + others (all converged)
        assert texts[faces.index(style.OTHER_ATTRACTORS_COLOR.lower())] == \
            f"Otros atractores ({K - P})"
        rgb = np.asarray(fig.axes[0].collections[0].get_array()).reshape(-1, 3)
        drawn = {mpl.colors.to_hex(c) for c in rgb}  # the map's cells
        assert drawn == set(faces)
    finally:
        plt.close(fig)


def test_a_zoom_keeps_the_basin_colours_it_can():
    """Zoomed with its parent's attractors and colours, a basin that has a palette colour in
    both maps has the same one; the zoom still gives one meaning per colour."""
    from fastdescent.plotting import style

    ex = fd.explore("rastrigin", "gd", lr=0.002, steps=300, show=False)
    parent = ex.basins(n=24)
    child = ex.basins(n=24, window=[[-1.6, 2.4], [-2.4, 1.6]], reference=parent.attractors,
                      colors=parent.colors)
    K, P = len(parent.attractors), len(style.ATTRACTOR_COLORS)
    assert len(child.attractors) > P
    palette = set(style.ATTRACTOR_COLORS)
    kept = [k for k in range(K) if parent.colors[k] in palette and child.colors[k] in palette]
    assert kept and all(child.colors[k] == parent.colors[k] for k in kept)
    named = [c for c in child.colors if c != style.OTHER_ATTRACTORS_COLOR]
    assert len(named) == len(set(named)) == P
    fr = child.fractions.fractions
    other = np.array([c == style.OTHER_ATTRACTORS_COLOR for c in child.colors])
    assert fr[~other].min() >= fr[other].max()


def test_label_image_with_few_attractors_keeps_the_palette_order():
    from fastdescent.explore.app import label_image
    from fastdescent.plotting import style

    lab = np.array([[0, 1, 2], [-1, -2, 2]])
    img = label_image(lab).view(np.uint8).reshape(3, 2, 4)
    for g, c in [(0, style.ATTRACTOR_COLORS[0]), (1, style.ATTRACTOR_COLORS[1]),
                 (2, style.ATTRACTOR_COLORS[2]), (-1, style.DIVERGED_COLOR),
                 (-2, style.NOT_CONVERGED_COLOR)]:
        assert (img[lab.T == g][:, :3] == [int(c[i:i + 2], 16) for i in (1, 3, 5)]).all()


# ------------------------------------------------------------------------ hyperparameter map
def test_hypermap_matches_the_analytic_stability_boundary():
    """Momentum on L = (phi0^2 + 10 phi1^2)/2 diverges for lr > 2(1+b)/((1-b) 10)."""
    ex = fd.explore("quadratic", "momentum", steps=400, tol=1e-6, show=False)
    h = ex.hypermap("beta", n=24, window=[[-2.5, 0.5], [0.0, 0.9]], start=(1.0, 1.0))
    lam = 10.0
    thr = 2 * (1 + h.ys) / ((1 - h.ys) * lam)
    assert h.lam == pytest.approx(lam, rel=1e-9)
    assert np.allclose(h.theory[1], thr, rtol=1e-9)
    lr = h.xs[:, None]
    div = h.status == 2
    assert not div[lr < 0.9 * thr[None, :]].any()
    assert div[lr > 1.1 * thr[None, :]].all()
    assert h.dimension == pytest.approx(1.0, abs=0.25)  # a smooth boundary


# ----------------------------------------------------------------------- export round trip
def _views():
    ex = fd.explore("gabor", "adam", lr=0.05, steps=40, tol=1e-3, show=False)
    sgd = fd.explore("gabor", "gd", lr=0.02, steps=30, batch_size=6, show=False)
    mom = fd.explore("quadratic", "momentum", steps=60, show=False)
    return {
        "trajectory": lambda: ex.trajectory((1.2345678901234567, 13.3)),
        "sgd": lambda: sgd.trajectory((-0.3, 9.1)),
        "basins-zoom": lambda: ex.basins(n=16, window=[[-1.1, 2.7], [10.0 / 3, 15.5]]),
        "hypermap": lambda: mom.hypermap("beta", n=8, start=(0.7, -0.4)),
        "formula": lambda: fd.explore(formula=HIMMELBLAU, box=((-5, 5), (-5, 5)), lr=0.01,
                                      steps=50, show=False).basins(n=12),
    }


#: Himmelblau's function: four minima of loss 0, one of them at (3, 2)
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


@pytest.mark.parametrize("which", ["trajectory", "sgd", "basins-zoom", "hypermap", "formula"])
def test_export_reproduces_the_view_bit_for_bit(which, tmp_path, monkeypatch):
    """The exported TOML, run by ``fastdescent run``, gives the view's arrays exactly."""
    view = _views()[which]()
    paths = view.export(tmp_path / "out", "es")
    toml, png, pdf = paths
    assert toml.suffix == ".toml" and png.suffix == ".png" and pdf.suffix == ".pdf"
    assert png.stat().st_size > 10_000 and pdf.stat().st_size > 5_000
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "rerun.nc"
    assert main(["run", str(toml), "-o", str(out), "--no-progress"]) == 0
    _ds_equal(view.ds, fd.load(out))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_exported_figures_are_slide_ready(lang):
    import matplotlib.pyplot as plt

    from fastdescent.explore.figures import draw
    from fastdescent.plotting.quality import audit

    for which, make in _views().items():
        fig = draw(make(), lang)
        try:
            problems = audit(fig, lang)
            assert not problems, (which, problems)
            title = fig.axes[0].get_title()
            if lang == "es":  # numbers with the decimal comma
                assert re.search(r"\d,\d", title) and not re.search(r"\d\.\d", title)
        finally:
            plt.close(fig)


# --------------------------------------------------------------------------- bad requests
@pytest.mark.parametrize("call, words", [
    (lambda s: core.basins(s, n=100_000), "too large"),
    (lambda s: core.basins(s, n=1), ">= 2"),
    (lambda s: core.basins(s, n=16, window=[[1.0, 1.0], [0.0, 2.0]]), "empty"),
    (lambda s: core.basins(s, n=16, window=[[0.0, 1.0], [2.0, 2.0]]), "empty"),
    (lambda s: core.hypermap(s, "nope"), "no second hyperparameter"),
    (lambda s: core.compute(core.trajectory(s.with_(hyper={"lr": -1.0}), (0, 1)).doc), "lr"),
    (lambda s: core.trajectory(s.with_(steps=0), (0, 1)), "steps"),
    (lambda s: core.trajectory(s, (0, float("nan"))), "finite"),
    (lambda s: core.model("no_such_model"), "two-parameter models: linear_regression_1d"),
])
def test_bad_requests_are_refused_with_a_reason(call, words):
    with pytest.raises(ExploreError, match=words):
        call(Settings("gabor", "gd", {"lr": 0.05}))


def test_a_typed_formula_is_a_model_of_the_explorer():
    """A loss typed as a formula: its two symbols are the parameters (alphabetical), the
    views compute on it, and its view documents carry the formula (so an exported TOML
    rebuilds it; the round trip is in test_export_reproduces_the_view_bit_for_bit)."""
    ex = fd.explore(formula=HIMMELBLAU, box=((-5, 5), (-5, 5)), lr=0.01, show=False)
    s = ex.settings
    assert s.model == core.FORMULA and s.box == ((-5.0, 5.0), (-5.0, 5.0))
    assert s.formula.params == ("x", "y") and s.label == HIMMELBLAU
    m = s.model_obj()
    assert m.n_params == 2 and m.loss([3.0, 2.0]) == 0.0
    v = ex.trajectory((0.0, 0.0))
    ref = fd.run(m, fd.optim.gd(lr=0.01), [[0.0, 0.0]], 200, tol=1e-3, record_every=1,
                 progress=False)
    assert np.array_equal(v.paths[0], ref.path[0])
    assert v.doc["model"] == {"formula": HIMMELBLAU, "params": ["x", "y"],
                              "box": [[-5.0, 5.0], [-5.0, 5.0]]}
    b = ex.basins(n=16)
    assert len(b.attractors) == 4  # Himmelblau's four minima
    assert fd.explore(formula="(a - 1)**2 + 10*(b - a**2)**2",
                      show=False).settings.formula.params == ("a", "b")


@pytest.mark.parametrize("formula, box, words", [
    ("", None, "type a formula"),
    ("x**2 + y**2 + z**2", None, "exactly two symbols .* got 3: x, y, z"),
    ("x**2", None, "exactly two symbols .* got 1: x"),
    ("x**2 + y**2", ((1, -1), (0, 1)), "x0 < x1"),
    ("x**2 + y**2", "1, 2, 3", "four numbers"),
    ("x**2 + foo(y)", None, "unknown function 'foo'"),
    ("x**2 +* y", None, "formula"),
])
def test_bad_formulas_are_refused_with_a_reason(formula, box, words):
    with pytest.raises(ExploreError, match=words):
        f = core.formula(formula, ((-1, 1), (-1, 1)) if box is None else box)
        core.formula_model(f)
    with pytest.raises(ExploreError, match="box goes with formula"):
        fd.explore("gabor", box=((0, 1), (0, 1)), show=False)


def test_unknown_names_are_refused_by_the_explorer():
    with pytest.raises(ExploreError, match="unknown optimizer"):
        fd.explore("gabor", "no_such_rule", show=False)
    with pytest.raises(ExploreError, match="no hyperparameter 'beta'"):
        fd.explore("gabor", "gd", beta=0.9, show=False)


def test_the_page_without_the_extra_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "bokeh", None)
    with pytest.raises(ImportError, match=r"pip install fastdescent\[explore\]"):
        fd.explore("gabor", "gd")
    assert main(["explore", "--no-browser", "--port", "0"]) == 1
    assert "pip install fastdescent[explore]" in capsys.readouterr().err


def test_fd_explore_is_the_callable_module():
    import fastdescent.explore as mod

    assert fd.explore is mod and callable(fd.explore)
    assert isinstance(fd.explore("gabor", show=False), mod.Explorer)


# ---------------------------------------------------------------------------------- worker
def _collector():
    got, done = [], threading.Event()

    def on_result(ch, serial, value, final):
        got.append((ch, serial, value, final))
        if final:
            done.set()
    return got, done, on_result


def test_a_newer_request_replaces_the_running_one():
    got, done, on_result = _collector()
    errors = []
    w = Worker(on_result, lambda *a: errors.append(a))
    started, go = threading.Event(), threading.Event()
    ran = []

    def slow(tag):
        started.set()
        go.wait(30)
        for i in range(1000):
            ran.append(tag)
            yield Partial((tag, i)) if i == 0 else None
        return tag

    def quick(tag):
        yield
        return tag

    w.submit("basins", slow, "old")
    assert started.wait(30)
    w.submit("basins", quick, "new")
    go.set()
    assert done.wait(30)
    w.close()
    assert ran.count("old") <= 1  # dropped at its next chunk
    assert [g[2] for g in got] == ["new"] and got[0][1] == 2 and not errors


def test_a_trajectory_runs_before_a_map_finishes():
    got, done, on_result = _collector()
    both = threading.Event()
    w = Worker(lambda *a: (on_result(*a), len([g for g in got if g[3]]) == 2 and both.set()),
               lambda *a: None, priority={"trajectory": 0, "basins": 1})
    started, go = threading.Event(), threading.Event()

    def long_map():
        started.set()
        go.wait(30)
        for _ in range(200):
            yield
        return "map"

    def click():
        yield
        return "trajectory"

    w.submit("basins", long_map)
    assert started.wait(30)
    w.submit("trajectory", click)
    go.set()
    assert both.wait(30)
    w.close()
    assert [g[2] for g in got if g[3]] == ["trajectory", "map"]


def test_a_failing_job_is_reported_and_the_worker_lives_on():
    got, done, on_result = _collector()
    errors = []
    w = Worker(on_result, lambda ch, s, exc: errors.append(str(exc)))

    def bad():
        yield
        raise ExploreError("zoom window is empty")

    def good():
        yield
        return 1

    w.submit("basins", bad)
    w.submit("hypermap", good)
    assert done.wait(30)
    w.close()
    assert errors == ["zoom window is empty"] and [g[2] for g in got] == [1]


# ---------------------------------------------------------------------------- the document
def test_the_page_is_built_from_the_registries():
    pytest.importorskip("bokeh")
    from bokeh.document import Document

    from fastdescent.explore.app import Session

    doc = Document()
    sess = Session(doc, "es", Settings("gabor", "momentum", {"lr": 0.01}))
    try:
        names = {m.name for m in doc.models if m.name}
        assert {"traj", "basins", "hypermap", "message", "export", "model", "optimizer",
                "hyper-lr", "hyper-beta", "surface_plot", "basins_plot",
                "hyper_plot"} <= names
        assert [o[0] for o in sess.opt_sel.options] == list(core.optimizers())
        assert [o[0] for o in sess.model_sel.options] == [*core.surface_models(),
                                                          core.FORMULA]
        lr = doc.select_one({"name": "hyper-lr"})
        assert 10 ** lr.value == pytest.approx(0.01)
        assert sess.opt_sel.value == "momentum" and sess.tabs.tabs[1].title == "Cuencas"
        assert "replace('.', ',')" in sess.fmt.code  # decimal comma on the axes
    finally:
        sess.worker.close()


def test_the_explore_command_line(capsys):
    assert main(["explore", "--help"]) == 0
    out = capsys.readouterr().out
    assert all(k in out for k in ("--port", "--no-browser", "--lang {es,en}"))
    assert main(["explore", "--port", "70000"]) == 2
    assert "--port must be in [0, 65535]" in capsys.readouterr().err
    assert main(["explore", "--lang", "fr"]) == 2
    pytest.importorskip("bokeh")
    assert main(["explore", "--model", "no_such_model", "--no-browser"]) == 2
    assert "two-parameter models" in capsys.readouterr().err
    assert main(["explore", "--formula", "x*y*z", "--no-browser"]) == 2
    assert "exactly two symbols" in capsys.readouterr().err
    assert main(["explore", "--formula", "x*y", "--box", "1", "0", "0", "1",
                 "--no-browser"]) == 2
    assert "x0 < x1" in capsys.readouterr().err


def test_the_bokeh_application_builds_the_page():
    """What Jupyter embeds (``Explorer.show``) and the server serves: ``Explorer.app``."""
    pytest.importorskip("bokeh")
    ex = fd.explore("rosenbrock", "adam", lang="es", lr=0.01, show=False)
    doc = ex.app.create_document()
    assert doc.title == "Explorador de fastdescent"
    assert doc.select_one({"name": "optimizer"}).value == "adam"
    assert 10 ** doc.select_one({"name": "hyper-lr"}).value == pytest.approx(0.01)
