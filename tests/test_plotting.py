"""Tests of fastdescent.plotting: every function runs headless on real runs and draws the
expected artists; style, i18n and predictions are checked directly."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection, QuadMesh  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

import fastdescent as fd  # noqa: E402
from fastdescent import plotting as fp  # noqa: E402
from fastdescent.analysis.basins import find_attractors  # noqa: E402
from fastdescent.plotting import i18n, predict, style  # noqa: E402

PKG = Path(fp.__file__).parent


# ----------------------------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lin():
    return fd.models.linear_regression_1d()


@pytest.fixture(scope="module")
def gabor():
    return fd.models.gabor()


@pytest.fixture(scope="module")
def lin_run(lin):
    """Two GD paths on the lecture's line fit (figure 6.1), recorded at every step."""
    return fd.run(lin, fd.optim.gd(lr=0.01), [[0.4, -0.6], [1.8, 0.8]], 30, record_every=1)


@pytest.fixture(scope="module")
def gabor_basins(gabor):
    """GD from a 10 x 10 grid of starts on the Gabor loss, with attractors and labels."""
    g = fd.grid(gabor, 10)
    res = fd.run(gabor, fd.optim.gd(lr=0.01), g.points, 1500, tol=1e-3, record_every=25)
    A, labels = find_attractors(res.params, res.status,
                                scale=np.ptp(np.asarray(gabor.box), axis=1), tol=1e-3,
                                hessian=gabor.hessian, loss=gabor.loss)
    return g, res, A, labels


def _legend_texts(ax):
    leg = ax.get_legend()
    return [] if leg is None else [t.get_text() for t in leg.get_texts()]


def _of_type(ax, cls):
    return [c for c in ax.collections if isinstance(c, cls)
            and not (cls is PolyCollection and isinstance(c, Quiver))]


# ----------------------------------------------------------------------------------- i18n
def test_every_key_has_every_language():
    for key, entry in i18n.TABLE.items():
        assert set(entry) == set(i18n.LANGS), key
        for lang in i18n.LANGS:
            assert isinstance(entry[lang], str) and entry[lang], (key, lang)
            assert i18n.t(key, lang) == entry[lang]
    required = ["loss", "step", "learning_rate", "momentum", "offset", "frequency", "intercept",
                "slope", "converged", "diverged", "not_converged", "global_minimum",
                "local_minimum", "saddle_point", "maximum", "basin_of_attraction"]
    for key in required:
        assert key in i18n.TABLE
    assert i18n.t("offset", "es") == "Desplazamiento"
    assert i18n.t("attractor_k", "es", k=3) == "Atractor 3"


def test_t_errors():
    with pytest.raises(ValueError, match="language"):
        i18n.t("loss", "fr")
    with pytest.raises(ValueError):
        i18n.t("no_such_key", "de")  # the language is checked first
    with pytest.raises(KeyError):
        i18n.t("no_such_key", "es")


def test_every_key_used_by_the_package_exists():
    used = set()
    for f in PKG.glob("*.py"):
        src = f.read_text()
        used |= set(re.findall(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']\s*[,)]", src))
    assert len(used) > 20
    missing = sorted(k for k in used if k not in i18n.TABLE)
    assert not missing


def test_param_labels(lin, gabor):
    assert i18n.param_label(gabor, 0, "es") == "Desplazamiento, $\\phi_{0}$"
    assert i18n.param_label(gabor, "phi1", "es").startswith("Frecuencia")
    assert i18n.param_label(gabor, 1, "en").startswith("Frequency")
    assert i18n.param_label(lin, 0, "es").startswith("Ordenada en el origen")
    assert i18n.param_label(lin, 1, "es").startswith("Pendiente")
    assert i18n.param_label("rosenbrock", 1, "es") == "$\\phi_{1}$"
    assert i18n.param_label(None, 0) == "$\\phi_{0}$"
    assert i18n.math_name("phi") == "$\\phi$"
    assert i18n.math_name("w0_1") == "$w0_{1}$"
    assert i18n.math_name("beta") == "$\\beta$"
    with pytest.raises(ValueError):
        i18n.param_label(gabor, 0, "xx")


# ----------------------------------------------------------------------------------- style
def test_fixed_colours():
    lecture = ["gd", "line_search", "momentum", "nesterov", "normalized", "adam"]
    cols = [style.optimizer_color(n) for n in lecture]
    assert len(set(cols)) == len(cols)
    for name in list(fd.optim.named_optimizers) + ["sgd"]:
        assert style.optimizer_color(name).startswith("#")
    assert style.optimizer_color(fd.optim.adam()) == style.OPTIMIZER_COLORS["adam"]
    with pytest.raises(KeyError):
        style.optimizer_color("nope")
    reserved = {style.DIVERGED_COLOR, style.NOT_CONVERGED_COLOR}
    assert len(reserved) == 2
    assert not reserved & set(style.OPTIMIZER_COLORS.values())
    assert not reserved & set(style.ATTRACTOR_COLORS)
    assert style.attractor_color(-1) == style.DIVERGED_COLOR
    assert style.attractor_color(-2) == style.NOT_CONVERGED_COLOR
    assert style.kind_marker("global_minimum") == "*"
    assert style.kind_marker("local_minimum") == "o"
    assert style.kind_marker("saddle") == "X"
    assert style.kind_marker("maximum") == "^"


def test_use_style_context_and_call():
    before = matplotlib.rcParams["font.size"]
    with fp.use_style(**{"font.size": 21}):
        assert matplotlib.rcParams["font.size"] == 21
        assert matplotlib.rcParams["lines.linewidth"] == style.RC["lines.linewidth"]
    assert matplotlib.rcParams["font.size"] == before
    saved = dict(matplotlib.rcParams.copy())
    try:
        fp.use_style()
        assert matplotlib.rcParams["pdf.fonttype"] == 42
    finally:
        dict.update(matplotlib.rcParams, saved)
    with pytest.raises(KeyError):
        fp.use_style(**{"no.such": 1})


def test_figure_and_save(tmp_path):
    fig, axs = fp.figure(1, 2, size="print")
    assert len(axs) == 2
    assert fig.get_size_inches()[0] == pytest.approx(style.PRINT_WIDTH)
    axs[0].plot([0, 1], [0, 1])
    paths = fp.save(fig, tmp_path / "sub" / "fig.png")
    assert [p.name for p in paths] == ["fig.png", "fig.pdf"]
    for p in paths:
        assert p.exists() and p.stat().st_size > 1000
    assert paths[1].read_bytes()[:4] == b"%PDF"
    h, w = plt.imread(paths[0]).shape[:2]
    assert w > 0.8 * style.PRINT_WIDTH * style.DPI  # ~150 dpi (bbox tight trims a little)
    with pytest.raises(ValueError):
        fp.save(fig, tmp_path / "x", formats=("nope",))


# ----------------------------------------------------------------------------------- surfaces
def test_loss_surface(lin, gabor):
    ax = fp.loss_surface(lin, n=40, lang="es")
    assert len(_of_type(ax, ContourSet)) == 2  # filled + thin lines
    assert len(ax.figure.axes) == 2  # colour bar
    assert "Ordenada en el origen" in ax.get_xlabel()
    assert "Pendiente" in ax.get_ylabel()
    assert ax.figure.axes[1].get_ylabel() == "Pérdida"
    ax = fp.loss_surface(gabor, n=30, log=True, filled=False, colorbar=False)
    assert len(_of_type(ax, ContourSet)) == 1
    assert len(ax.figure.axes) == 1
    assert ax.get_xlabel().startswith("Offset")
    with pytest.raises(ValueError, match="line_1d"):
        fp.loss_surface(fd.models.convex_1d())


def test_loss_surface_3d(lin):
    ax = fp.loss_surface_3d(lin, n=20, lang="es")
    assert ax.name == "3d"
    assert ax.get_zlabel() == "Pérdida"
    assert len(ax.collections) == 1
    _, ax2 = fp.figure()
    with pytest.raises(ValueError, match="3-D"):
        fp.loss_surface_3d(lin, ax2, n=10)


def test_trajectory_numbered(lin, lin_run):
    path = lin_run.path[0]
    ax = fp.loss_surface(lin, n=30)
    fp.trajectory(path, ax, numbered=True, min_sep=0.0, label="GD")
    K = path.shape[0]
    assert len(ax.texts) == K
    assert [t.get_text() for t in ax.texts[:3]] == ["0", "1", "2"]
    assert len(_of_type(ax, Quiver)) == 1
    assert len(ax.lines) == 2  # path + start marker
    assert "GD" in _legend_texts(ax)
    # thinning keeps the first number, drops crowded ones
    ax = fp.trajectory(path, numbered=True)
    assert 2 <= len(ax.texts) < K
    ax = fp.trajectory(path, arrows=False, start=False)
    assert len(ax.lines) == 1 and not _of_type(ax, Quiver)
    with pytest.raises(ValueError):
        fp.trajectory(path[:, :1])


def test_trajectory_trims_stopped_paths(lin):
    res = fd.run(lin, fd.optim.gd(lr=0.02), [0.4, -0.6], 400, tol=1e-2, record_every=1)
    assert res.converged[0] and res.steps[0] < 400
    ax = fp.trajectory(res.path[0], arrows=False, start=False)
    assert len(ax.lines[0].get_xdata()) == res.steps[0] + 1


def test_trajectory_3d(lin, lin_run):
    ax = fp.loss_surface_3d(lin, n=15)
    fp.trajectory(lin_run.path[0], ax, z=lin_run.loss_path[0])
    assert len(ax.lines) == 2
    with pytest.raises(ValueError, match="z="):
        fp.trajectory(lin_run.path[0], ax)


def test_trajectories(gabor, gabor_basins):
    g, res, A, labels = gabor_basins
    ax = fp.trajectories(res, lang="es")
    lcs = _of_type(ax, LineCollection)
    assert len(lcs) == 1 and len(lcs[0].get_segments()) == res.n
    texts = _legend_texts(ax)
    counts = res.counts()
    assert len(texts) == len(counts)
    assert any(f"Converge ({counts['converged']})" in s for s in texts)
    assert all(s.startswith("Descenso de gradiente") for s in texts)
    ax = fp.trajectories(res, labels=labels, max_paths=40, arrows=True)
    assert len(_of_type(ax, LineCollection)[0].get_segments()) <= 40
    assert len(_legend_texts(ax)) == len(np.unique(labels))
    ax = fp.trajectories(res.path, by=None, color="k", label="x")
    assert _legend_texts(ax) == ["x"]
    no_path = fd.run(gabor, fd.optim.gd(lr=0.01), [0.5, 10.0], 5)
    with pytest.raises(ValueError, match="record_every"):
        fp.trajectories(no_path)


def test_mark_attractors(gabor_basins):
    _, _, A, _ = gabor_basins
    ax = fp.mark_attractors(A, lang="es")
    assert len(ax.lines) == len(A)
    texts = _legend_texts(ax)
    assert len(texts) == len(A)
    assert texts[0].startswith("Mínimo global")
    assert f"{A.losses[0]:.3g}".replace(".", ",") in texts[0]  # the decimal comma
    assert ax.lines[0].get_marker() == "*"
    if len(A) > 1 and A.kinds[1] == "minimum":
        assert ax.lines[1].get_marker() == "o"
        assert texts[1].startswith("Mínimo local")


def test_mark_points(lin):
    ax = fp.mark_points(lin.minima, lang="es")
    loss = f"{lin.minima[0].loss:.3g}".replace(".", ",")  # the decimal comma
    assert _legend_texts(ax) == [f"Mínimo global, $L$ = {loss}"]
    pts = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]
    ax = fp.mark_points(pts, ["saddle", "saddle", "maximum"])
    assert len(ax.lines) == 3
    assert _legend_texts(ax) == ["Saddle point", "Maximum"]
    assert [ln.get_marker() for ln in ax.lines] == ["X", "X", "^"]
    ax = fp.mark_points(pts, model=lin)  # losses from the model
    assert len(_legend_texts(ax)) == 3
    with pytest.raises(KeyError):
        fp.mark_points(pts, ["bad", "saddle", "maximum"])


# ----------------------------------------------------------------------------------- maps
def test_basin_map(gabor, gabor_basins):
    g, res, A, labels = gabor_basins
    a0, a1 = g.axes["phi0"], g.axes["phi1"]
    lab = labels.reshape(g.shape)  # (len(a0), len(a1)): the grid's "ij" layout
    ax = fp.basin_map(lab, (a0, a1), A, steps=res.steps.reshape(g.shape), indexing="ij",
                      model=gabor, lang="es")
    assert len(_of_type(ax, QuadMesh)) == 1
    assert len(ax.figure.axes) == 2  # steps colour bar
    leg = ax.get_legend()
    assert leg.get_title().get_text() == "Cuencas de atracción"
    assert len(_legend_texts(ax)) == len(np.unique(labels))
    assert "Desplazamiento" in ax.get_xlabel()
    if (labels == -2).any():
        assert "No converge" in _legend_texts(ax)
    # the xy layout of the same map, without attractors: "Attractor k" names
    ax = fp.basin_map(lab.T, (a0, a1))
    assert any(s.startswith("Attractor") for s in _legend_texts(ax))
    assert len(ax.figure.axes) == 1
    with pytest.raises(ValueError, match="indexing"):
        fp.basin_map(lab[:, :-1], (a0, a1[:-1]))
    with pytest.raises(ValueError):
        fp.basin_map(np.full_like(lab, -3), (a0, a1), indexing="ij")


def test_basin_map_dataarray():
    xr = pytest.importorskip("xarray")
    lab = np.zeros((4, 3), dtype=np.int64)
    lab[2:] = 1
    lab[0, 0] = -1
    da = xr.DataArray(lab, dims=("phi0", "phi1"),
                      coords={"phi0": np.linspace(0, 1, 4), "phi1": np.linspace(0, 2, 3)})
    ax = fp.basin_map(da)
    assert ax.get_xlim() == pytest.approx((-1 / 6, 1 + 1 / 6))
    assert set(_legend_texts(ax)) == {"Attractor 0", "Attractor 1", "Diverged"}


@pytest.fixture(scope="module")
def momentum_sweep(lin):
    lrs = np.geomspace(1e-3, 0.2, 6)
    betas = np.array([0.0, 0.5, 0.9])
    opt = fd.optim.momentum(lr=np.repeat(lrs, 3), beta=np.tile(betas, 6))
    res = fd.run(lin, opt, np.tile([0.4, -0.6], (18, 1)), 300, tol=1e-3)
    return lrs, betas, res


def test_hyper_map_2d(momentum_sweep):
    lrs, betas, res = momentum_sweep
    status = res.status.reshape(6, 3)
    ax = fp.hyper_map(status, lrs, betas, indexing="ij", theory=lambda a: 1 - a, lang="es")
    assert len(_of_type(ax, QuadMesh)) == 1
    assert len(ax.lines) == 1  # the analytic boundary
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel().startswith("Tasa de aprendizaje")
    assert ax.get_ylabel().startswith("Momentum")  # the slides keep the English term
    texts = _legend_texts(ax)
    assert "Frontera analítica" in texts
    names = {1: "Converge", 0: "No converge", 2: "Diverge"}
    assert {names[c] for c in np.unique(status)} <= set(texts)
    ax = fp.hyper_map(res.loss.reshape(6, 3), lrs, betas, kind="loss", indexing="ij",
                      theory=(lrs, np.full(6, 0.5)))
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "Loss"
    ax = fp.hyper_map(res.steps.reshape(6, 3).T, lrs, betas, kind="steps", log_x=False)
    assert ax.figure.axes[1].get_ylabel() == "Steps"
    with pytest.raises(ValueError, match="kind"):
        fp.hyper_map(status, lrs, betas, kind="bad", indexing="ij")


def test_hyper_map_1d(momentum_sweep):
    lrs, _, res = momentum_sweep
    status = res.status.reshape(6, 3)[:, 0]
    ax = fp.hyper_map(status, lrs, theory=[0.05, 0.1])
    assert len(ax.patches) >= 1  # status bands
    assert len(ax.lines) == 2  # two vertical theory lines
    loss = res.loss.reshape(6, 3)[:, 0].copy()
    loss[-1] = np.nan
    ax = fp.hyper_map(loss, lrs, kind="loss", theory=lambda a: 1 / a, lang="es")
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "Pérdida"
    assert "Diverge" in _legend_texts(ax)


def test_convexity_map(gabor):
    axes = (np.linspace(-10, 10, 25), np.linspace(2.5, 22.5, 20))
    codes = fp.convexity_codes(gabor, axes)
    assert codes.shape == (20, 25)
    assert set(np.unique(codes)) <= {0, 1, 2, 3}
    assert {0, 2} <= set(np.unique(codes))
    ax = fp.convexity_map(codes, axes, model=gabor, lang="es")
    assert len(_of_type(ax, QuadMesh)) == 1
    texts = _legend_texts(ax)
    assert "Convexa" in texts and "Silla" in texts
    assert ax.get_legend().get_title().get_text() == "Curvatura"
    with pytest.raises(ValueError):
        fp.convexity_map(codes + 5, axes)


# ----------------------------------------------------------------------------------- curves
def test_convergence_bands(gabor_basins):
    _, res, _, _ = gabor_basins
    ax = fp.convergence_bands(res)
    assert len(_of_type(ax, PolyCollection)) == 2  # 10-90 and 25-75 bands
    assert len(ax.lines) == 1
    assert _legend_texts(ax) == ["Gradient descent"]
    assert ax.get_yscale() == "log"
    q = fp.loss_quantiles(res, q=(0.25, 0.5, 0.75))
    ax = fp.convergence_bands(res.record_steps, q, lang="es")
    assert len(_of_type(ax, PolyCollection)) == 1
    assert _legend_texts(ax) == ["Cuantiles 0,25–0,75", "Mediana"]  # decimal comma
    assert ax.get_xlabel() == "Paso"
    arr = np.vstack([q[0.25], q[0.5], q[0.75]])
    ax = fp.convergence_bands(res.record_steps, arr, label="GD", color="k", log_y=False)
    assert len(ax.lines) == 1 and ax.get_yscale() == "linear"
    with pytest.raises(ValueError):
        fp.convergence_bands(res.record_steps[:-1], q)


def test_steps_histogram(gabor_basins):
    _, res, _, _ = gabor_basins
    ax = fp.steps_histogram(res, lang="es")
    assert len(ax.patches) >= 1
    n = int(res.converged.sum())
    assert _legend_texts(ax) == [f"Descenso de gradiente ({n}/{res.n} convergen)"]
    ax = fp.steps_histogram(res.steps, bins=10, log=True)
    assert ax.get_xscale() == "log"
    assert ax.get_legend() is None


def test_model_fit_regression(lin, gabor):
    ax = fp.model_fit(gabor, [0.0, 16.0], lang="es", n=100)
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 100
    assert len(ax.collections) == 1  # the data
    assert ax.get_xlabel() == "Entrada, $x$"
    assert _legend_texts(ax) == ["Modelo", "Datos"]
    ax = fp.model_fit(lin, np.array([[0.8, 0.5], [0.6, -0.2], [1.0, 0.0]]), data=False)
    assert len(ax.lines) == 3 and not ax.collections


def test_model_fit_classification():
    b = fd.models.binary_classification()
    ax = fp.model_fit(b, b.minima[0].params, colorbar=True, lang="es")
    assert len(_of_type(ax, ContourSet)) == 2  # probability + boundary
    texts = _legend_texts(ax)
    assert texts == ["Clase 0", "Clase 1", "Frontera de decisión"]
    mc = fd.models.multiclass_classification()
    ax = fp.model_fit(mc, np.random.default_rng(0).normal(size=mc.n_params))
    assert len(_legend_texts(ax)) == 4
    assert ax.get_ylabel() == "Input, $x_2$"


def test_line_1d():
    m = fd.models.multimodal_1d()
    ax = fp.line_1d(m, n=400, path=np.linspace(0.1, 0.3, 5), numbered=True, lang="es")
    polys = _of_type(ax, PolyCollection)
    assert len(polys) == 2  # convex and concave shading
    texts = _legend_texts(ax)
    assert "Convexa ($L''>0$)" in texts and "Cóncava ($L''<0$)" in texts
    assert sum(s.startswith("Mínimo global") for s in texts) == 1
    assert sum(s.startswith("Mínimo local") for s in texts) == len(m.minima) - 1
    assert len(ax.texts) >= 2  # numbered iterates
    ax = fp.line_1d(m, minima=False, curvature=False)
    assert len(ax.lines) == 1 and not ax.collections
    with pytest.raises(ValueError, match="1-parameter"):
        fp.line_1d(fd.models.linear_regression_1d())


def test_all_functions_make_their_own_axes(lin, lin_run, gabor_basins):
    _, res, A, _ = gabor_basins
    axes = [fp.loss_surface(lin, n=20), fp.trajectory(lin_run.path[0]),
            fp.trajectories(lin_run), fp.mark_attractors(A), fp.mark_points(lin.minima),
            fp.convergence_bands(res), fp.steps_histogram(res),
            fp.model_fit(lin, lin.minima[0].params),
            fp.basin_map(np.zeros((3, 2), int), (np.arange(2), np.arange(3))),
            fp.hyper_map(np.ones(3, int), np.array([0.1, 0.2, 0.3])),
            fp.convexity_map(np.zeros((2, 2), int), (np.arange(2), np.arange(2)))]
    figs = {id(ax.figure) for ax in axes}
    assert len(figs) == len(axes)
    for ax in axes:
        assert isinstance(ax, matplotlib.axes.Axes)
        ax.figure.canvas.draw()


# ----------------------------------------------------------------------------------- predict
@pytest.mark.parametrize("name", ["gabor", "linear_regression_1d", "binary_classification",
                                  "multiclass_classification", "two_layer_net"])
def test_predictions_reproduce_the_loss(name):
    m = fd.models.get_model(name)
    rng = np.random.default_rng(7)
    scale = np.ptp(np.asarray(m.box), axis=1) / 4
    ps = np.asarray(m.box).mean(axis=1) + scale * rng.standard_normal((6, m.n_params))
    ref = m.loss_many(ps)
    np.testing.assert_allclose(predict.loss_from_prediction(m, ps), ref, rtol=1e-12)
    if predict.task(m) == "regression":
        for p, L in zip(ps, ref):
            f = predict.predict(m, p)
            assert np.sum((f - m.Y[:, 0]) ** 2) == pytest.approx(L, rel=1e-12, abs=1e-12)
    assert predict.predict(m, ps).shape[0] == 6


def test_predict_shapes_and_errors(lin):
    x = np.linspace(-1, 1, 7)
    assert predict.predict(lin, [1.0, 2.0], x) == pytest.approx(1.0 + 2.0 * x)
    assert predict.predict(lin, [[1.0, 2.0], [0.0, 1.0]], x).shape == (2, 7)
    assert predict.family(fd.models.polynomial_regression(2, x, x ** 2, name="mine")) == \
        "polynomial"
    with pytest.raises(ValueError, match="no prediction"):
        predict.family(fd.models.rosenbrock())
    with pytest.raises(ValueError):
        predict.predict(lin, [1.0, 2.0, 3.0])
