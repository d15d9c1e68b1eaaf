"""The grid studies of ``experiments/research``.

Fast tests check the pieces that need no engine run (registry, 1-D box counting, the zoom
rule, the reparameterized two-layer network) and that every study's figures, drawn from its
quick data in both languages, are slide-ready (:mod:`fastdescent.plotting.quality`); the
quick data of a study is computed once per process (``data`` caches it) and shared by the
tests. The remaining checks of the studies' numbers and files are marked slow.
"""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from experiments import research  # noqa: E402
from experiments.research import _common, basins, fractal_lr, lr_momentum, sd_table  # noqa: E402,E501


# ------------------------------------------------------------------------------ fast
def test_registry():
    assert set(research.STUDIES) == {"basins", "lr_momentum", "fractal_lr", "sd_table"}
    for sid, mod in research.STUDIES.items():
        assert mod.ID == sid
        assert callable(mod.data) and callable(mod.draw) and callable(mod.main)
        assert isinstance(mod.TITLE, str) and mod.TITLE


def test_run_studies_rejects_unknown(tmp_path):
    with pytest.raises(ValueError, match="unknown study"):
        research.run_studies(only="nope", outdir=tmp_path)
    with pytest.raises(ValueError, match="unknown language"):
        research.run_studies(only="basins", lang="fr", outdir=tmp_path)


def test_full_resolution_constants():
    assert basins.GRID >= 1024 and basins.GRID_QUICK <= 256
    assert fractal_lr.N_LR >= 10**6 and fractal_lr.N_LR_QUICK == 10**4
    assert fractal_lr.ZOOMS_2D == 3
    assert sd_table.RES >= 48 and sd_table.FRAMES >= 3 and sd_table.STEPS >= 100
    assert set(sd_table.CONFIGS) == set(sd_table.PAPER)


def _cantor(level: int) -> np.ndarray:
    """Mask of the middle-thirds Cantor set on 3**level cells."""
    keep = np.ones(1, dtype=bool)
    for _ in range(level):
        keep = np.concatenate([keep, np.zeros_like(keep), keep])
    return keep


def test_box_count_1d_known_sets():
    n = 4096
    one = np.zeros(n, dtype=int)
    one[n // 3:] = 1  # a single boundary point
    d0 = _common.box_count_1d(one)
    assert d0["n_boundary"] == 1 and abs(d0["dimension"]) < 1e-12
    alt = np.arange(n) % 2  # every cell is a boundary cell: fills the line
    assert _common.box_count_1d(alt)["dimension"] == pytest.approx(1.0, abs=1e-3)
    # a Cantor set of boundary cells: D = log 2 / log 3 with boxes of 3**k cells
    keep = _cantor(8)
    codes = np.zeros(keep.size + 1, dtype=int)
    codes[1:] = np.cumsum(keep) % 2  # outcome flips right after each kept cell
    codes = codes[:-1]
    pts = _common.boundary_points_1d(codes)
    assert pts.size == keep.sum() - 1
    d = _common.box_count_1d(codes, sizes=[3**k for k in range(1, 6)])
    assert d["dimension"] == pytest.approx(math.log(2) / math.log(3), abs=0.03)


def test_zoom_window_centres_on_the_main_boundary_not_on_specks():
    # trainable below a straight edge at row 40, plus isolated diverged specks far inside the
    # trainable region: the window must straddle the edge (both outcomes >= a quarter)
    g = np.zeros((128, 128), dtype=bool)
    g[:40, :] = True
    g[5:35:4, 5:120:7] = False
    starts, cell = _common.zoom_window(g, 20)
    r0, c0 = starts
    share = g[r0:r0 + 20, c0:c0 + 20].mean()
    assert 0.25 <= share <= 0.75
    assert cell[0] == 39  # the cell before the edge along the row axis
    assert abs(cell[1] - 63.5) <= 0.5  # nearest the grid's centre
    # ties go to the boundary cell nearest the given centre
    assert _common.zoom_window(g, 20, centre=(40, 5))[1] == (39, 5)
    # 1-D: the window holds both outcomes; a single boundary point is found
    o = np.zeros(1000, dtype=bool)
    o[:600] = True
    (s0,), (c,) = _common.zoom_window(o, 100)
    assert c == 599 and s0 == 549
    # no boundary: the window is centred on the grid (share rule falls back)
    (s1,), _ = _common.zoom_window(np.ones(100, bool), 10)
    assert 0 <= s1 <= 90
    with pytest.raises(ValueError, match="width"):
        _common.zoom_window(o, 2000)


def test_wrap_keeps_mathtext_whole():
    text = "A long caption with $L(\\phi) = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)$ " * 6
    lines = _common.wrap(text, 60).split("\n")
    assert len(lines) > 2
    assert all(line.count("$") % 2 == 0 for line in lines)
    assert " ".join(lines).split() == text.split()


def test_loglog_slope():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    s, i, r2 = _common.loglog_slope(x, 3.0 * x**1.5)
    assert s == pytest.approx(1.5) and math.exp(i) == pytest.approx(3.0) and r2 == 1.0
    assert math.isnan(_common.loglog_slope([1.0], [1.0])[0])


def test_scaled_net_is_two_layer_net_and_reparameterizes_the_lr():
    """The kernel (run as plain Python) equals two_layer_net's at s = 1; at any s, one GD step
    on (U, c) with lr a moves (W1, b1) like GD with lr a s**2 and (W2, b2) like lr a."""
    from fastdescent.models import two_layer_net
    from fastdescent.models.network import net_loss_grad

    base = two_layer_net(3)
    X, Y, c = base.X, base.Y, base.consts
    H = 3
    n1 = H + H  # first-layer parameters (din = 1)
    w = fractal_lr.initial_weights(base)
    assert w.shape == (base.n_params,)

    def full_grad(kernel, p):
        g = np.zeros((p.size, 1))
        work = np.zeros((H + 1, 1))
        loss = sum(kernel(p[:, None], 0, X, Y, i, c, work, g) for i in range(X.shape[0]))
        return loss, g[:, 0]

    gb = np.zeros(w.size)
    lb = sum(net_loss_grad.py_func(w, X[i], Y[i], c, gb, np.zeros(H + 1))
             for i in range(X.shape[0]))
    for s in (1.0, 0.3, 2.5):
        lr1, lr2 = 0.01 * s * s, 0.01
        start = fractal_lr.net_starts(base, w, [lr1], [lr2])[0]
        assert start[-1] == pytest.approx(s)
        ls, gs = full_grad(fractal_lr.scaled_net_example.py_func, start)
        assert ls == pytest.approx(lb, rel=1e-12)
        assert gs[-1] == 0.0  # the scale is frozen
        new = start - lr2 * gs  # one GD step in the reparameterized coordinates
        W_new = np.concatenate([new[:n1] * s, new[n1:-1]])
        W_ref = np.concatenate([w[:n1] - lr1 * gb[:n1], w[n1:] - lr2 * gb[n1:]])
        np.testing.assert_allclose(W_new, W_ref, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------ slow
@pytest.mark.slow
def test_basins_data_quick():
    d = basins.data(quick=True)
    assert set(d["runs"]) == set(basins.OPTIMIZERS)
    g = d["global_index"]
    assert d["reference"].kinds[g] == "minimum"
    assert d["reference"].losses[g] == pytest.approx(min(
        d["reference"].losses[i] for i, k in enumerate(d["reference"].kinds) if k == "minimum"))
    for name, r in d["runs"].items():
        fr = r["summary"].fractions
        assert fr.fractions.sum() == pytest.approx(1.0)
        assert np.all(fr.stderr >= 0)
        n = r["labels"].size
        shares = fr.n_converged / n + fr.diverged + fr.not_converged
        assert shares == pytest.approx(1.0)
        assert 0.05 < r["global_fraction"] < 0.95
        assert r["labels"].shape == (basins.GRID_QUICK, basins.GRID_QUICK)
        assert 1.0 <= r["summary"].dimension.dimension <= 2.0
        assert 0 < r["summary"].entropy < math.log(len(d["reference"]) + 2)
    # the shared reference: the global minimum has the same index (and location) everywhere
    locs = [d["runs"][k]["summary"].attractors.locations[g] for k in basins.OPTIMIZERS]
    assert np.allclose(locs, locs[0])


@pytest.mark.slow
def test_lr_momentum_boundary_matches_theory_on_quadratic():
    d = lr_momentum.data(quick=True)
    mb = d["quadratic"]["boundary"]
    b, lo, th = (np.asarray(mb[v].values, float) for v in ("boundary", "lower", "theory"))
    ratio = d["quadratic"]["lrs"][1] / d["quadratic"]["lrs"][0]
    assert np.all(np.isfinite(b)) and np.all(mb["monotone"].values)
    # divergence is never seen below the threshold (rho < 1 there) ...
    assert np.all(th <= b * (1 + 1e-12))
    # ... and is found within one grid step above it, or two where the threshold lies just
    # below a grid value (rho barely above 1: the run needs more than STEPS steps to blow up)
    assert np.all(b <= th * ratio**2)
    assert np.mean((lo < th) & (th <= b)) >= 0.8
    # closed form: 2 (1 + beta) / ((1 - beta) lambda_max)
    beta = mb["beta"].values
    np.testing.assert_allclose(th, 2 * (1 + beta) / ((1 - beta) * 100.0))
    hm = d["quadratic"]["hm"]
    tot = hm["converged"] + hm["diverged"] + hm["stuck"]
    np.testing.assert_allclose(tot.values, 1.0)
    g = d["gabor"]
    assert g["lam"] == pytest.approx(11.33, abs=0.05)
    assert np.all(np.isfinite(np.asarray(g["boundary"]["boundary"].values)))


@pytest.mark.slow
def test_fractal_lr_dimensions():
    d = fractal_lr.data(quick=True)
    for lv in d["cosine"]["levels"]:
        assert lv["lrs"].size == fractal_lr.N_LR_QUICK
        assert lv["box"]["n_boundary"] > 10
        assert 0.0 < lv["box"]["dimension"] < 1.0
        assert 0.0 < lv["trainable"].mean() < 1.0
    first = d["cosine"]["levels"][0]
    assert np.all(first["trainable"][first["lrs"] < 1.0])  # alpha < 1 always trains
    levels = d["net"]["levels"]
    assert len(levels) == 3
    for lv in levels:
        assert 0.0 < lv["trainable"].mean() < 1.0
        assert 0.9 <= lv["dimension"].dimension <= 2.0
    assert 1.0 <= levels[-1]["dimension"].dimension <= 2.0


def test_sd_table_quick():
    """The quick table: every configuration's zoom sequence (frames narrowing by ZOOM around a
    boundary cell, both outcomes present in frame 0), its dimension and the Markdown table."""
    d = sd_table.data(quick=True)
    rows = d["summary"]["table"]
    assert set(rows) == set(sd_table.PAPER)
    for key, v in d["configs"].items():
        frames = v["frames"]
        assert len(frames) == sd_table.FRAMES_QUICK
        assert frames[0]["trainable"].shape == (sd_table.RES_QUICK,) * 2
        assert 0.0 < frames[0]["trainable"].mean() < 1.0
        for a, b in zip(frames, frames[1:]):
            wa = a["window"][0][1] - a["window"][0][0]
            wb = b["window"][0][1] - b["window"][0][0]
            assert wb == pytest.approx(wa / sd_table.ZOOM)
        assert rows[key]["paper"] == sd_table.PAPER[key]
        assert np.isfinite(rows[key]["uncertainty"])
    # frame 0 of the tanh map (a sweep, rows = output-layer rate) is cell for cell a direct
    # fd.run of the same rates
    import fastdescent as fd

    m, p0 = sd_table.model_for("tanh")
    f = d["configs"]["tanh"]["frames"][0]
    lr_in, lr_out = (a.ravel() for a in np.meshgrid(f["x"], f["y"]))
    res = fd.run(m, fd.optim.gd(lr={"input": lr_in, "output": lr_out}),
                 np.broadcast_to(p0, (lr_in.size, p0.size)), steps=sd_table.STEPS_QUICK,
                 reduction="mean", bound=np.inf, progress=False,
                 criterion=fd.LossRatio(sd_table.K_TAIL_QUICK, sd_table.THRESHOLD))
    assert np.array_equal(res.trainable.reshape(f["trainable"].shape), f["trainable"])
    md = sd_table.table_text(d)
    assert md.count("\n") == 1 + len(sd_table.PAPER) and "| tanh | 1.66 |" in md


@pytest.mark.slow
@pytest.mark.parametrize("sid", ["basins", "lr_momentum", "fractal_lr", "sd_table"])
def test_main_writes_files(tmp_path, sid):
    mod = research.STUDIES[sid]
    paths = mod.main("es", quick=True, outdir=tmp_path)
    figs = [p for p in paths if p.suffix in (".png", ".pdf")]
    assert figs and all(p.parent == tmp_path / "es" for p in figs)
    assert all(p.name.startswith(f"{sid}-") for p in figs)
    assert {p.suffix for p in figs} == {".png", ".pdf"}
    assert all(p.stat().st_size > 1000 for p in figs)
    assert all(p.stat().st_size > 100 for p in paths)
    assert (tmp_path / f"{sid}-summary.json").exists()


@pytest.mark.slow
def test_run_studies_both_languages(tmp_path):
    paths = research.run_studies(only=["lr_momentum"], quick=True, outdir=tmp_path)
    for lang in ("en", "es"):
        for slug in ("quadratic", "gabor"):
            assert (tmp_path / lang / f"lr_momentum-{slug}.png").exists()
            assert (tmp_path / lang / f"lr_momentum-{slug}.pdf").exists()
    assert len(paths) == 2 * (2 * 2 + 1)


# ------------------------------------------------------------------------------ slide-ready
@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("sid", ["basins", "lr_momentum", "fractal_lr", "sd_table"])
def test_research_figures_are_slide_ready(sid, lang):
    """Every figure of every study, drawn from quick data as it is saved (ticks localized),
    passes the slide audit: <= 13.33 in wide, text >= 12 pt at slide size, no overlaps,
    nothing clipped, decimal comma in Spanish."""
    from fastdescent.plotting import localize
    from fastdescent.plotting.quality import assert_slide_ready

    mod = research.STUDIES[sid]
    figs = mod.draw(mod.data(quick=True), lang)
    assert figs and all(isinstance(k, str) for k in figs)
    try:
        for slug, fig in figs.items():
            try:
                assert_slide_ready(localize(fig, lang), lang)
            except AssertionError as e:
                raise AssertionError(f"{sid}-{slug} ({lang}): {e}") from None
    finally:
        for fig in figs.values():
            plt.close(fig)
