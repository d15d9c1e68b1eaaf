"""The lecture figures (experiments/lecture, fastdescent.figures): the numbers behind each
figure, the files every script writes (quick mode), Spanish labels, the committed PNGs."""
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import fastdescent as fd  # noqa: E402
from experiments.lecture import REGISTRY  # noqa: E402
from fastdescent import figures as F  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IDS = list(REGISTRY)


def quick(fid):
    mod = REGISTRY[fid].load()
    return mod, mod.data(True)


# ------------------------------------------------------------------------------ registry
def test_registry_ids_files_titles():
    assert IDS[:10] == [f"6.{k}" for k in range(1, 11)]
    assert {"convex", "convex-2d", "problems", "momentum-weights", "schedules",
            "hyperparameters"} <= set(IDS)
    assert IDS.index("convex-2d") == IDS.index("convex") + 1
    assert list(F.FIGURES) == IDS
    for fid, fig in F.FIGURES.items():
        assert fig.id == fid
        assert all(f.startswith(fid + "-") for f in fig.files)
        assert [Path(f).suffix for f in fig.files] == [".png", ".pdf"]
        assert fig.title["en"] and fig.title["es"] and fig.title["en"] != fig.title["es"]
        assert str(fig.title) == fig.title["en"]
        assert fig.module.startswith("experiments.lecture.fig_")


def test_make_figures_rejects_unknown_ids_and_languages(tmp_path):
    with pytest.raises(ValueError, match="valid ids"):
        F.make_figures(only=["6.99"], outdir=tmp_path)
    with pytest.raises(ValueError, match="language"):
        F.make_figures(lang="fr", only=["6.2"], outdir=tmp_path)


# ------------------------------------------------------------------------------ the numbers
def test_6_1_path_ends_at_the_least_squares_solution():
    _, d = quick("6.1")
    model = d["model"]
    assert np.allclose(d["path"][0], [1.6, -0.5])
    assert d["status"] == fd.engine.status.CONVERGED
    assert np.allclose(d["path"][-1], model.minima[0].params, atol=1e-6)
    assert np.all(np.diff(d["loss_path"]) <= 1e-12)  # line search never goes uphill
    # a convex bowl: the Hessian is positive definite everywhere on the drawn box
    for p in d["path"][:: max(1, len(d["path"]) // 5)]:
        assert np.all(np.linalg.eigvalsh(model.hessian(p)) > 0)
    assert d["loss_path"][0] > 10 * d["loss_path"][-1]  # from a poor start to the best fit


def test_6_2_offset_moves_the_model_left_and_frequency_squeezes_it():
    _, d = quick("6.2")
    x = d["x"]
    (pa, pb), (fa, fb) = d["params"], d["curves"]
    # panel a: a larger offset moves the centre (and the whole curve) to the left
    assert np.all(np.diff(pa[:, 0]) > 0) and np.all(np.diff(d["centres"][0]) < 0)
    for j in range(1, len(pa)):
        shift = (pa[j, 0] - pa[0, 0]) / (0.06 * pa[0, 1])
        moved = np.interp(x + shift, x, fa[0], left=np.nan, right=np.nan)
        ok = np.isfinite(moved)
        assert ok.sum() > len(x) // 4 and np.allclose(fa[j][ok], moved[ok], atol=1e-2)
    # panel b: a larger frequency makes the curve narrower about the same centre
    width = [np.sqrt(np.sum(x ** 2 * f ** 2) / np.sum(f ** 2)) for f in fb]
    assert np.all(np.diff(pb[:, 1]) > 0) and np.all(np.diff(width) < 0)
    assert np.allclose(d["centres"][1], d["centres"][1][0])


def test_6_3_fit_is_the_global_minimum():
    _, d = quick("6.3")
    assert d["loss_fitted"] == pytest.approx(0.646, abs=1e-3)
    assert d["loss_fitted"] < d["loss_start"]
    assert np.allclose(d["fitted"], [0.0, 16.0], atol=0.1)
    # the stated loss is the full-batch loss of the drawn curve
    model = d["model"]
    assert model.loss(d["fitted"]) == pytest.approx(d["loss_fitted"], rel=1e-9)


def test_6_4_minima_agree_with_attractors_and_include_the_global_minimum():
    mod, d = quick("6.4")
    model, crit = d["model"], d["critical"]
    scale = fd.analysis.box_widths(model)
    newton_min = crit.locations[np.array(crit.kinds) == "minimum"]
    # every minimum of the GD sweep is a critical point found by Newton, and a true minimum
    for p in d["minima"]:
        assert np.min(np.max(np.abs(newton_min - p) / scale, axis=1)) < 5e-3
        assert np.linalg.norm(model.grad(p)) < 1e-4
        assert np.all(np.linalg.eigvalsh(model.hessian(p)) > 0)
    # the lowest is the global minimum of the box: nothing on a fine grid is lower
    a = [np.linspace(*b, 301) for b in model.box]
    assert d["minima_loss"][0] <= model.loss_on_grid(a).min() + 1e-9
    assert np.allclose(d["minima"][0], [0.0, 16.0], atol=0.05)
    assert len(d["minima"]) >= 4 and np.all(np.diff(d["minima_loss"]) >= 0)
    # the saddle: zero gradient, Hessian of both signs, and the global minimum on one side
    s = d["pass"]
    assert np.linalg.norm(model.grad(s)) < 1e-6
    ev = np.linalg.eigvalsh(model.hessian(s))
    assert ev[0] < 0 < ev[1]
    assert 0 in d["pass_reaches"]
    # the insets b-e: the global minimum, the two deepest local minima (worse fits), the saddle
    feats = mod.featured(d)
    assert [f[0] for f in feats] == ["b", "c", "d", "e"]
    assert [f[1] for f in feats] == ["global_minimum", "local_minimum", "local_minimum", "saddle"]
    assert feats[0][3] < feats[1][3] <= feats[2][3]
    assert np.allclose(feats[3][2], s)


def test_6_5_sgd_escapes_where_line_search_gd_does_not():
    mod, d = quick("6.5")
    model = d["model"]
    assert np.allclose(d["starts"][0], [3.5, 6.5])
    assert (mod.XLIM, mod.YLIM) == ((-10.0, 10.0), (2.5, 22.5))  # the book's box
    assert mod.N_SEEDS >= 200
    # the global minimum: zero gradient, nothing lower on a fine grid of the box
    assert np.linalg.norm(model.grad(d["global_min"])) < 1e-6
    a = [np.linspace(*b, 201) for b in model.box]
    assert model.loss(d["global_min"]) <= model.loss_on_grid(a).min() + 1e-9
    # GD stays in its valley (or runs off to the plateau) from every start ...
    assert not d["gd_global"].any()
    assert np.all(d["gd_loss"] > model.loss(d["global_min"]) + 1.0)
    # ... while some SGD seeds from every start end at the global minimum
    assert d["sgd_global_all"].shape == (3, d["n_seeds"])
    assert np.all(d["sgd_share"] > 0)
    # the drawn seed of each start is the one with the median final loss of its ensemble,
    # and the drawn path is that ensemble member (same stream, same final point)
    for j in range(3):
        L = d["sgd_loss_all"][j]
        s = d["sgd_seed"][j]
        assert s == mod.median_seed(L)
        assert abs(L[s] - np.median(L)) == np.min(np.abs(L - np.median(L)))
        assert np.array_equal(d["sgd_final"][j], d["sgd_final_all"][j, s])
        assert np.allclose(d["sgd_paths"][j][0], d["starts"][j])


def test_6_6_minibatch_steps_scatter_around_the_full_batch_step():
    mod, d = quick("6.6")
    d5 = quick("6.5")[1]
    model, path = d["model"], d["path"]
    N, B = model.n_examples, mod.BATCH
    # the run is figure 6.5's drawn SGD path from its start 2 (the median-rule seed)
    assert d["seed"] == d5["sgd_seed"][mod.START_INDEX]
    assert np.allclose(path, d5["sgd_paths"][mod.START_INDEX][:mod.N_STEPS + 1])
    # the minibatches of epoch 1 split the 30 points; each step is a gradient step on its own
    assert sorted(np.concatenate(d["batches"]).tolist()) == list(range(N))
    for k in range(mod.N_STEPS):
        assert np.allclose(path[k + 1], path[k] - mod.LR * d["batch_grad"][k], atol=1e-12)
    # every one of the C(30, 5) minibatches: their mean step is the full-batch step x 5/30 ...
    st = d["all_steps"]
    assert len(st) == 142506
    assert np.allclose(st.mean(axis=0), -mod.LR * B / N * model.grad(d["start"]), atol=1e-9)
    assert np.allclose(d["mean_step"], st.mean(axis=0), atol=1e-9)
    # ... and they scatter: some minibatch steps go uphill on the full-batch loss
    downhill = st @ (-model.grad(d["start"]))
    assert 0 < np.mean(downhill < 0) < 0.5
    assert np.linalg.norm(st - st.mean(axis=0), axis=1).mean() > np.linalg.norm(d["mean_step"])


def test_6_7_momentum_smoother_and_faster_over_seeds():
    mod, d = quick("6.7")
    sgd, mom = d["runs"]["sgd"], d["runs"]["momentum"]
    n = d["n_seeds"]
    assert sgd["paths"].shape == mom["paths"].shape == (n, mod.STEPS + 1, 2)
    assert np.allclose(sgd["paths"][:, 0], mod.START) and np.allclose(mom["paths"][:, 0], mod.START)
    # same minibatches: the first step of both rules is alpha times the same minibatch gradient
    # (momentum's m_0 = (1 - beta) g_0)
    step_sgd = sgd["paths"][:, 1] - sgd["paths"][:, 0]
    step_mom = mom["paths"][:, 1] - mom["paths"][:, 0]
    assert np.allclose(step_mom, (1 - mod.BETA) * step_sgd, atol=1e-12)
    # faster on average: lower mean and median final loss over the seeds
    assert mom["final"].mean() < sgd["final"].mean()
    assert np.median(mom["final"]) < np.median(sgd["final"])
    assert np.allclose(sgd["final"], sgd["loss_paths"][:, -1])
    # smoother: the path turns less, for the median seed and for most seeds
    assert np.median(mom["turn"]) < 0.8 * np.median(sgd["turn"])
    assert np.mean(mom["turn"] < sgd["turn"]) > 0.9
    # turning angle: 0 straight on, 180 straight back
    assert np.allclose(mod.turning_angles(np.array([[0, 0], [1, 0], [2, 0], [1, 0.0]])), [0, 180])
    # the drawn seed has the median gain
    gain = d["gain"]
    assert abs(gain[d["seed"]] - np.median(gain)) == np.min(np.abs(gain - np.median(gain)))
    assert n >= 20 and mod.N_SEEDS >= 200


def test_6_8_step_decomposition_matches_the_engine():
    mod, d = quick("6.8")
    model = d["model"]
    lr, b = mod.LR, mod.GEOM_BETA
    # momentum: the drawn decomposition is the engine's step
    assert np.allclose(d["next_momentum"], d["engine_next_momentum"], atol=1e-12)
    assert np.allclose(d["phi"] + d["momentum_part"] + d["grad_part"], d["next_momentum"])
    # Nesterov: the same formula with the look-ahead gradient is the engine's nesterov rule
    res = fd.run(model, fd.optim.nesterov(lr=lr, beta=b), d["start"], 6, record_every=1)
    p = res.path[0]
    for k in range(1, 5):
        m = (p[k - 1] - p[k]) / lr
        look = p[k] - lr * b * m
        nxt = p[k] - lr * (b * m + (1 - b) * model.grad(look))
        assert np.allclose(nxt, p[k + 1], atol=1e-10)
    assert np.allclose(d["look"], d["phi"] + d["momentum_part"])
    assert np.allclose(d["next_nesterov"], d["phi"] + d["momentum_part"] + d["grad_part_look"])
    # the step shown is one where the look-ahead gradient turns: Nesterov brakes
    g0, g1 = d["grad_part"], d["grad_part_look"]
    assert g0 @ g1 < 0.5 * np.linalg.norm(g0) * np.linalg.norm(g1)
    assert np.linalg.norm(d["next_nesterov"] - d["phi"]) < np.linalg.norm(
        d["next_momentum"] - d["phi"])


def test_6_8_paths_differ_and_both_end_at_a_minimum():
    mod, d = quick("6.8")
    model = d["model"]
    pm, pn = d["paths"]["momentum"], d["paths"]["nesterov"]
    assert np.allclose(pm[0], d["start"]) and np.allclose(pn[0], d["start"])
    # the compared paths differ (not one path drawn twice) ...
    assert np.max(np.linalg.norm(pm - pn, axis=1)) > 1e-2
    assert d["conv_steps"]["nesterov"] != d["conv_steps"]["momentum"]
    # ... and both end at the same minimum: gradient ~ 0, Hessian positive definite
    for name in ("momentum", "nesterov"):
        x = d["final"][name]
        assert np.linalg.norm(model.grad(x)) < 1e-5
        assert np.all(np.linalg.eigvalsh(model.hessian(x)) > 0)
    assert np.linalg.norm(d["final"]["momentum"] - d["final"]["nesterov"]) < 1e-4
    # the ensemble: Nesterov needs fewer steps from most starts, and the start drawn has the
    # median step ratio
    same = d["same"]
    sm, sn = d["ens_steps"]["momentum"][same], d["ens_steps"]["nesterov"][same]
    assert same.sum() >= 20 and np.mean(sn < sm) > 0.6 and np.median(sn) < np.median(sm)
    ratio = sn / sm
    k = np.nonzero(np.all(d["starts"][same] == d["start"], axis=1))[0][0]
    assert abs(ratio[k] - np.median(ratio)) == np.min(np.abs(ratio - np.median(ratio)))


def test_6_9_behaviours_of_the_slide():
    mod, d = quick("6.9")
    runs = d["runs"]
    # GD alpha 1.0 oscillates across the valley: phi1 flips sign nearly every step
    p = runs["gd_large"]["path"][-50:, 1]
    assert np.mean(np.sign(p[1:]) != np.sign(p[:-1])) > 0.9
    assert np.min(np.abs(p)) > 0.05 and runs["gd_large"]["loss"] > 0.1
    # GD alpha 0.05 is stable but slow along the valley
    small = runs["gd_small"]
    assert abs(small["final"][1]) < 1e-3 and small["final"][0] < 0.5
    # normalized gradients: every step moves alpha in each coordinate, bouncing near (0.7, 0)
    norm = runs["normalized"]
    steps = np.abs(np.diff(norm["path"][-20:], axis=0))
    assert np.allclose(steps, norm["hyper"]["lr"], rtol=1e-6)
    assert np.max(np.abs(norm["path"][-20:] - [0.7, 0.0])) <= 0.05 + 1e-9
    # Adam converges to the minimum (0.7, 0)
    adam = runs["adam"]
    assert np.allclose(adam["final"], [0.7, 0.0], atol=0.01)
    assert np.linalg.norm(adam["path"][-1] - adam["path"][-2]) < 0.005


def test_6_9_reported_loss_is_the_two_cycle_average():
    mod, d = quick("6.9")
    norm, adam = d["runs"]["normalized"], d["runs"]["adam"]
    lp = norm["loss_path"]
    # normalized gradients end in a 2-cycle: the loss alternates between two values
    assert np.allclose(lp[-6::2], lp[-2], rtol=1e-6) and np.allclose(lp[-5::2], lp[-1], rtol=1e-6)
    lo, hi = sorted([lp[-1], lp[-2]])
    assert hi > 1e3 * max(lo, 1e-300)
    # the reported number is the mean over whole cycles, not the lower point the step count
    # happens to end on, and it is the same for an even and an odd step count
    assert mod.LAST_K % 2 == 0
    assert norm["last_mean"] == pytest.approx(lp[-mod.LAST_K:].mean())
    assert norm["last_mean"] == pytest.approx(0.5 * (lo + hi), rel=1e-6)
    odd = fd.run(d["model"], fd.optim.normalized(**norm["hyper"]), mod.START, mod.STEPS + 1,
                 record_every=1)
    assert odd.loss_path[0][-mod.LAST_K:].mean() == pytest.approx(norm["last_mean"], rel=1e-6)
    # the figure does not suggest that sign-GD beats Adam: Adam's reported loss is lower
    assert adam["last_mean"] < norm["last_mean"] / 10
    # the curves of panel e average each 2-cycle
    assert np.allclose(mod.pair_mean(lp)[-4:], 0.5 * (lo + hi), rtol=1e-6)


def test_6_10_brackets_shrink_around_the_minimum():
    _, d = quick("6.10")
    br = d["brackets"]
    assert np.allclose(br[0], [0, 0.33, 0.66, 1.0])
    assert np.all(np.diff(br, axis=1) > 0)  # a < b < c < d
    assert np.all(br[1:, 0] >= br[:-1, 0]) and np.all(br[1:, 3] <= br[:-1, 3])
    assert set(d["rules"]) <= {1, 2, 3} and len(d["rules"]) == len(br) - 1
    assert abs(d["result"] - d["minimum"][0]) < 0.01


def test_6_10_titles_describe_the_bracket_shown():
    mod, d = quick("6.10")
    fig = mod.draw(d, "en")
    try:
        titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    finally:
        plt.close(fig)
    assert len(titles) == mod.N_PANELS
    for k, title in enumerate(titles):
        la, lb, lc, ld = d["bracket_losses"][k]  # L at the points drawn in panel k
        if la < min(lb, lc, ld):
            assert "$L(a)$ lowest" in title
        elif lb < lc:
            assert "$L(b) < L(c)$" in title and "d $\\leftarrow$ c" in title
        else:
            assert "$L(b) \\geq L(c)$" in title and "a $\\leftarrow$ b" in title
        # the rule named is the one that turns the bracket shown into the next bracket
        nxt = d["brackets"][k + 1]
        br = d["brackets"][k]
        if "d $\\leftarrow$ c" in title:
            assert nxt[0] == br[0] and nxt[3] == pytest.approx(br[2])
        elif "a $\\leftarrow$ b" in title:
            assert nxt[0] == pytest.approx(br[1]) and nxt[3] == br[3]
        assert title.startswith(("a) Initial", f"{'abc'[k]}) After round {k}"))


def test_convexity_second_derivative_test():
    mod, d = quick("convex")
    verdict = {p["name"]: p["convex"] for p in d["panels"]}
    assert verdict == {"multimodal_1d": False, "convex_1d": True, "plateau_1d": False}
    assert [p["n_minima"] for p in d["panels"]] == [3, 1, 1]
    for p in d["panels"]:
        # L'' of the figure is the model's exact second derivative (central differences)
        m, x = p["model"], p["x"][5:-5:25]
        h = 1e-4
        fd2 = (m.loss_many((x + h)[:, None]) - 2 * m.loss_many(x[:, None])
               + m.loss_many((x - h)[:, None])) / h ** 2
        assert np.allclose(p["d2"][5:-5:25], fd2, rtol=1e-4, atol=1e-3 * np.abs(p["d2"]).max())
        # every sample has exactly one region: flat where L' and L'' both vanish, else sign L''
        flat = p["region"] == 3
        assert np.all(np.abs(p["d2"][flat]) <= mod.FLAT_RTOL * np.abs(p["d2"]).max())
        assert np.all(np.abs(p["d1"][flat]) <= mod.FLAT_RTOL * np.abs(p["d1"]).max())
        assert np.all((p["d2"][p["region"] == 0] > 0))
        assert np.all((p["d2"][p["region"] == 1] <= 0))
    multi, convex, plateau = d["panels"]
    assert convex["flat_point"] is None and multi["flat_point"] is None
    # the plateau is one flat region reaching the end of the box, and the flat point lies on it
    (lo, hi), = plateau["flat_runs"]
    assert hi == plateau["x"][-1] and 0.45 < lo < 0.7
    x, loss, g, h2 = plateau["flat_point"]
    assert lo < x < hi and abs(g) < 1e-3 and abs(h2) < 0.1 and loss > 0.99


def test_convex_2d_regions_are_the_hessian_signs():
    mod, d = quick("convex-2d")
    from fastdescent.analysis import CONCAVE, CONVEX, SADDLE
    lin, gab = d["panels"]
    assert lin["name"] == "linear_regression_1d" and gab["name"] == "gabor"
    assert np.all(lin["region"] == CONVEX)  # the linear regression is convex
    assert lin["eig_min"].min() > 0 and np.allclose(lin["det"], np.prod(lin["eig_min"]))
    codes = set(np.unique(gab["region"]))
    assert {CONVEX, CONCAVE, SADDLE} <= codes  # the Gabor loss is not
    # at sample points the shaded region is the sign pattern of the eigenvalues of a
    # finite-difference Hessian (central differences of the model's loss)
    rng = np.random.default_rng(0)
    for p in d["panels"]:
        m = p["model"]
        ii = rng.integers(0, len(p["a1"]), 40)
        jj = rng.integers(0, len(p["a0"]), 40)
        checked = 0
        for i, j in zip(ii, jj):
            x = np.array([p["a0"][j], p["a1"][i]])
            hstep = 1e-4 * np.ptp(np.asarray(m.box), axis=1)
            H = np.empty((2, 2))
            for a in range(2):
                for b in range(2):
                    ea, eb = np.eye(2)[a] * hstep[a], np.eye(2)[b] * hstep[b]
                    H[a, b] = (m.loss(x + ea + eb) - m.loss(x + ea - eb) - m.loss(x - ea + eb)
                               + m.loss(x - ea - eb)) / (4 * hstep[a] * hstep[b])
            lam = np.linalg.eigvalsh(0.5 * (H + H.T))
            if np.min(np.abs(lam)) < 1e-3 * np.max(np.abs(lam)):
                continue  # too close to det H = 0 for the difference quotient
            want = CONVEX if lam.min() > 0 else CONCAVE if lam.max() < 0 else SADDLE
            assert p["region"][i, j] == want, (m.name, x, lam)
            assert np.sign(p["det"][i, j]) == np.sign(np.prod(lam))
            checked += 1
        assert checked >= 30
    # the marked critical points are where the shading says: minima convex, saddles indefinite
    for loc, kind, _ in gab["points"]:
        lam = np.linalg.eigvalsh(gab["model"].hessian(loc))
        if kind.endswith("minimum"):
            assert lam.min() > 0
        elif kind == "saddle":
            assert lam.min() < 0 < lam.max()
    assert gab["eig_min"].min() > 0 and gab["eig_saddle"][0] < 0 < gab["eig_saddle"][1]
    assert 0 < gab["share_convex"] < 0.5


def test_convex_region_colours_are_not_optimizer_colours():
    from experiments.lecture import fig_convex
    from fastdescent.plotting.style import OPTIMIZER_COLORS

    # the hues of the optimizers the lecture draws (Tol rose, the extra colour the house style
    # allows for non-optimizer categories, is also AdaGrad's, which no lecture figure draws)
    lecture = ("gd", "line_search", "sgd", "momentum", "nesterov", "normalized", "adam")
    used = {c.upper() for c in fig_convex.CURVATURE_COLORS.values() if c.startswith("#")}
    assert not used & {OPTIMIZER_COLORS[k].upper() for k in lecture}
    assert used <= {"#F0E442", "#DDCC77", "#CC6677", "#D9D9D9", "#FFFFFF"}


def test_problems_are_fitted():
    mod, d = quick("problems")
    from fastdescent.plotting.style import OPTIMIZER_COLORS

    for p in d["panels"]:
        assert p["loss"] < 0.6 * p["loss_path"][0]
        assert p["loss_path"][-1] == pytest.approx(p["loss"])
        if p["known_minimum"] is not None and p["name"] != "univariate_regression":
            assert p["loss"] == pytest.approx(p["known_minimum"], rel=0.05)  # 60 steps
    # models, data and classes use greys only: optimizer hues stay with the optimizers
    greys = [c for _, c in mod.CLASS_STYLE] + list(mod.CLASS_REGION)
    rgb = np.array([matplotlib.colors.to_rgb(c) for c in greys])
    assert np.allclose(rgb, rgb[:, :1])
    assert not {matplotlib.colors.to_hex(c) for c in greys} & {
        c.lower() for c in OPTIMIZER_COLORS.values()}


def test_momentum_weights_match_the_engine():
    mod, d = quick("momentum-weights")
    for b in mod.BETAS:
        assert np.allclose(d["engine_sums"][b], d["sums"][b], atol=1e-4)
        assert d["weights"][b].sum() == pytest.approx(1 - b ** mod.K)


def test_schedules_let_sgd_settle():
    mod, d = quick("schedules")
    fm, fq = d["final_median"], d["final_quantiles"]
    assert np.allclose(d["factors"]["constant"], 1.0)
    assert d["n_seeds"] >= 16 and mod.N_SEEDS >= 200
    # every decaying schedule ends lower than the constant one in the median over the seeds,
    # and even its 75 % quantile is below the constant schedule's 25 % quantile
    for k in ("step", "exponential", "inverse_time", "cosine"):
        assert fm[k] < 0.1 * fm["constant"]
        assert fq[k][0.75] < fq["constant"][0.25]
    # the statistics are those of the stored final losses
    for k, q in fq.items():
        assert q[0.5] == pytest.approx(np.median(d["final"][k]))
        assert d["median"][k][-1] == pytest.approx(np.median(d["final"][k]))
    # step decay equals the constant schedule before its first drop: same seeds, same path
    assert np.array_equal(d["median"]["step"][:51], d["median"]["constant"][:51])
    # no optimizer colours: every curve is SGD, schedules differ by line style and grey
    styles = [mod.STYLES[k] for k, _ in mod.SCHEDULES]
    assert len(set(styles)) == len(styles)
    rgb = np.array([matplotlib.colors.to_rgb(c) for _, c in styles])
    assert np.allclose(rgb, rgb[:, :1])


def test_hyperparameter_sweep():
    mod, d = quick("hyperparameters")
    assert d["linear_diverged"]["gd"][-1] and not d["linear_diverged"]["gd"][0]
    assert np.nanmin(d["linear"]["gd"]) < 1e-2  # a good learning rate gets close to L*
    for name in d["linear"]:
        div = d["linear_diverged"][name]
        # divergence is flagged exactly where the plotted final loss is missing, every other
        # run has a finite final loss
        assert np.array_equal(div, ~np.isfinite(d["linear"][name]))
        assert np.all(np.isfinite(d["linear_loss"][name][~div]))
        # it is the high-rate end that diverges: the flags form a suffix in the learning rate
        if div.any():
            assert np.all(div[np.argmax(div):])
    # the Gabor panel shows a statistic that varies with the rate: the share of the starts
    # at the global minimum, zero for tiny rates, a sizeable share at good rates
    for name, share in d["gabor"].items():
        assert share.shape == d["lr"].shape and np.all((share >= 0) & (share <= 1))
        assert share[0] == 0 and share.max() > 0.1
    # the global minimum is the lowest minimum of the Gabor loss (gradient ~ 0, H > 0)
    gab = fd.models.gabor()
    assert np.linalg.norm(gab.grad(d["global_min"])) < 1e-6
    assert np.linalg.eigvalsh(gab.hessian(d["global_min"])).min() > 0
    assert d["global_loss"] == pytest.approx(gab.loss(d["global_min"]))
    # the rule labels state the fixed hyperparameters
    assert "0.9" in mod.rule_label("momentum", {"beta": 0.9}, "en")
    assert "0,99" in mod.rule_label("adam", {"beta": 0.9, "gamma": 0.99}, "es")


# ------------------------------------------------------------------------------ files, languages
@pytest.mark.parametrize("fid", IDS)
def test_every_script_writes_its_files(fid, tmp_path):
    mod = REGISTRY[fid].load()
    paths = mod.main(lang="en", quick=True, outdir=tmp_path)
    assert sorted(p.name for p in paths) == sorted(REGISTRY[fid].files)
    for p in paths:
        assert p.parent == tmp_path / "en" and p.stat().st_size > 1000


_ENGLISH = re.compile(r"\b(Loss|Step|Steps|Input|Output|Offset|Frequency|minimum|Minimum|"
                      r"descent|Learning rate|Data|Model|Round|bracket|seeds|Convex|Class|"
                      r"Fitted|Initial|After|Look-ahead|part|Parameter|Weight)\b")


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    for ax in fig.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        if hasattr(ax, "get_zlabel"):
            out.append(ax.get_zlabel())
        out += [t.get_text() for t in ax.texts]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
            out.append(ax.get_legend().get_title().get_text())
    return [s for s in out if s]


@pytest.mark.parametrize("fid", IDS)
def test_spanish_labels(fid):
    mod, d = quick(fid)
    fig_en, fig_es = mod.draw(d, "en"), mod.draw(d, "es")
    try:
        en, es = _texts(fig_en), _texts(fig_es)
    finally:
        plt.close(fig_en)
        plt.close(fig_es)
    assert es and en != es
    leftover = [s for s in es if _ENGLISH.search(s)]
    assert not leftover, f"English text in the Spanish figure {fid}: {leftover}"


def test_make_figures_both_languages_and_cli(tmp_path, capsys):
    paths = F.make_figures(only="6.2", quick=True, outdir=tmp_path)
    assert {p.parent.name for p in paths} == {"es", "en"} and len(paths) == 4
    assert capsys.readouterr().out.count("wrote ") == 4
    assert F.main(["--only", "momentum-weights", "--lang", "es", "--quick", "-o",
                   str(tmp_path)]) == 0
    assert (tmp_path / "es" / "momentum-weights-expansion.png").exists()
    assert not (tmp_path / "en" / "momentum-weights-expansion.png").exists()


def test_script_command_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "experiments.lecture.fig_6_2", "--lang", "es",
                        "--quick", "-o", str(tmp_path)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "es" / "6.2-gabor-model.png").exists()
    assert not (tmp_path / "en").exists()


def test_committed_pngs_exist_for_every_figure():
    missing = [f"figures/{lang}/{REGISTRY[fid].files[0]}" for fid in IDS for lang in ("en", "es")
               if not (ROOT / "figures" / lang / REGISTRY[fid].files[0]).is_file()]
    assert not missing, f"run `make figures`; missing: {missing}"


def test_research_flag_calls_run_studies(tmp_path, monkeypatch):
    import types

    seen = {}
    fake = types.ModuleType("experiments.research")
    fake.run_studies = lambda only, quick, outdir, lang: seen.update(
        args=(only, quick, outdir, lang)) or [Path(outdir) / "study.png"]
    monkeypatch.setitem(sys.modules, "experiments.research", fake)
    assert F.make_figures(only=["basins"], quick=True, outdir=tmp_path, research=True) == [
        tmp_path / "study.png"]
    assert seen["args"] == (["basins"], True, tmp_path, None)
    assert F.main(["--research", "--quick", "--lang", "es", "-o", str(tmp_path)]) == 0
    assert seen["args"] == (None, True, str(tmp_path), "es")


# ------------------------------------------------------------------------------ scripts by path
def test_library_does_not_import_the_scripts():
    # importing every module of the library leaves the experiments package unimported
    code = ("import sys, pkgutil, importlib, fastdescent\n"
            "for m in pkgutil.walk_packages(fastdescent.__path__, 'fastdescent.'):\n"
            "    importlib.import_module(m.name)\n"
            "import fastdescent.figures\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] == 'experiments'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_scripts_are_found_by_path(tmp_path, monkeypatch):
    # from another working directory the scripts of the checkout are found beside the package
    assert F.experiments_dir() == ROOT / "experiments"
    monkeypatch.setenv(F.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="--scripts"):
        F.experiments_dir(tmp_path)
    assert F.experiments_dir() == ROOT / "experiments"  # env var without scripts is skipped
    r = subprocess.run([sys.executable, "-m", "fastdescent", "figures", "--scripts",
                        str(tmp_path), "--only", "6.2"], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 2 and "no figure scripts found" in r.stderr


def test_experiments_is_not_an_installed_package():
    r = subprocess.run([sys.executable, "-c", "import experiments"], capture_output=True,
                       text=True, cwd="/")
    assert r.returncode != 0 and "No module named 'experiments'" in r.stderr


# ------------------------------------------------------------------------------ one file per figure
def test_registry_is_read_from_the_scripts(tmp_path):
    from experiments.lecture import scan

    for fid, fig in REGISTRY.items():  # every script carries its own record
        src = (ROOT / Path(*fig.module.split("."))).with_suffix(".py").read_text()
        assert f'FIGURE = dict(id="{fid}"' in src
    # a new script is a new figure, placed by its order; nothing else lists it
    (tmp_path / "fig_b.py").write_text(
        'FIGURE = dict(id="b", slug="second", order=20, en="B", es="Be")\n')
    (tmp_path / "fig_a.py").write_text(
        'FIGURE = dict(id="a", slug="first", order=10, en="A", es="A es")\n')
    figs = scan(tmp_path, package="pkg")
    assert list(figs) == ["a", "b"] and figs["b"].module == "pkg.fig_b"
    assert figs["a"].files == ("a-first.png", "a-first.pdf")
    # malformed records are refused with the file named
    (tmp_path / "fig_c.py").write_text('FIGURE = dict(id="c", slug="x", order=10, en="C", '
                                       'es="C")\n')
    with pytest.raises(ValueError, match="fig_c.py: id 'c' or order 10"):
        scan(tmp_path)
    (tmp_path / "fig_c.py").write_text('FIGURE = dict(id="c", slug="x", en="C", es="C")\n')
    with pytest.raises(ValueError, match="fig_c.py: FIGURE needs exactly the keys"):
        scan(tmp_path)
    (tmp_path / "fig_c.py").write_text('FIGURE = make("c")\n')
    with pytest.raises(ValueError, match="fig_c.py: FIGURE must be a literal"):
        scan(tmp_path)
    (tmp_path / "fig_c.py").write_text('X = 1\n')
    with pytest.raises(ValueError, match="fig_c.py: no FIGURE"):
        scan(tmp_path)


@pytest.mark.parametrize("fid", IDS)
def test_every_figure_states_its_point(fid):
    from experiments.lecture.gallery import point

    sentence = point(REGISTRY[fid].module)
    assert len(sentence.split()) >= 8 and sentence.endswith(".")


def test_gallery_page_is_generated_from_the_registry():
    from experiments.lecture import gallery

    text = gallery.markdown()
    for fid, fig in REGISTRY.items():
        assert f"../figures/en/{fig.stem}.png" in text and f"**{fid}**" in text
    assert (ROOT / "docs" / "gallery.md").read_text() == text, (
        "docs/gallery.md is stale: run python -m experiments.lecture.gallery")
