"""Tests of fastdescent.analysis on real engine output (attractors, stability, convergence,
convexity). Models used by the engine: himmelblau and quadratic only (compile time)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import fastdescent as fd
from fastdescent.analysis import (CONCAVE, CONVEX, SADDLE, Attractors, attractors,
                                  basin_summary, compare_optimizers, convexity_map,
                                  fraction_at_global_min, hyper_map, iteration_matrix,
                                  loss_bands, measured_boundary, second_derivative,
                                  spectral_radius, stability_interval, stability_threshold,
                                  stable, steps_distribution)
from fastdescent.engine import status as S
from fastdescent.optim import adam, gd, momentum, nesterov, normalized, rmsprop, torch_sgd

HB = fd.models.himmelblau()
KNOWN_MIN = np.array([p.params for p in HB.minima if p.kind == "minimum"])
SADDLES = np.array([p.params for p in HB.minima if p.kind == "saddle"])
MAXIMUM = np.array([p.params for p in HB.minima if p.kind == "maximum"])
LAM = 4.0
QUAD = fd.models.quadratic([LAM])


@pytest.fixture(scope="module")
def hb_sweep():
    """GD lr=0.01 from a 40x40 grid over Himmelblau's box, stopping at |g| < 1e-6."""
    return fd.sweep(HB, gd(lr=0.01), fd.grid(HB, 40), 3000, tol=1e-6)


@pytest.fixture(scope="module")
def hb_att(hb_sweep):
    return attractors(hb_sweep, HB)


# ============================================================================ attractors
def test_himmelblau_attractors_are_exactly_the_four_minima(hb_sweep, hb_att):
    att, lab = hb_att
    assert np.all(hb_sweep.status.values == S.CONVERGED)
    assert len(att) == 4 and att.kinds == ("minimum",) * 4
    # one-to-one with the catalogued minima
    d = np.max(np.abs(att.locations[:, None, :] - KNOWN_MIN[None]), axis=2)
    assert np.all(np.sort(d.min(axis=1)) < 1e-5)
    assert sorted(d.argmin(axis=1).tolist()) == [0, 1, 2, 3]
    assert np.all(att.losses < 1e-10) and np.all(np.diff(att.losses) >= 0)  # sorted by loss
    assert isinstance(lab, xr.DataArray) and lab.dims == ("phi0", "phi1")
    assert np.array_equal(lab.phi0.values, hb_sweep.phi0.values)
    assert lab.values.min() == 0 and lab.values.max() == 3
    assert att.counts.sum() == 1600
    # every endpoint is at its labelled attractor
    ends = hb_sweep.params.values.reshape(-1, 2)
    assert np.max(np.abs(ends - att.locations[lab.values.ravel()])) < 1e-6


def test_result_input_gives_the_same_labels(hb_sweep, hb_att):
    att, lab = hb_att
    starts = fd.grid(HB, 40).points
    res = fd.run(HB, gd(lr=0.01), starts, 3000, tol=1e-6)
    att_r, lab_r = attractors(res)  # model from the Result
    assert isinstance(lab_r, np.ndarray) and lab_r.shape == (1600,)
    assert np.array_equal(att_r.locations, att.locations)
    assert np.array_equal(lab_r, lab.values.ravel())


def test_start_on_saddle_and_maximum_is_found_and_classified():
    # exact critical points (gradient ~1e-13 < tol: converged at step 0), plus starts nudged
    # off a saddle that roll to minima
    nudged = SADDLES[:2] + np.array([[0.05, 0.05], [-0.05, 0.05]])
    init = np.vstack([SADDLES, MAXIMUM, nudged, SADDLES[:1]])
    res = fd.run(HB, gd(lr=0.005), init, 5000, tol=1e-6)
    assert np.all(res.status == S.CONVERGED)
    att, lab = attractors(res)
    kinds = [att.kinds[i] for i in lab]
    assert kinds[:4] == ["saddle"] * 4 and kinds[4] == "maximum"
    assert kinds[5:7] == ["minimum", "minimum"] and kinds[7] == "saddle"
    assert lab[7] == lab[0]  # same saddle, same label
    for i in range(4):
        assert np.allclose(att.locations[lab[i]], SADDLES[i], atol=1e-8)
        assert math.isclose(att.losses[lab[i]], HB.minima[5 + i].loss, rel_tol=1e-9)
    assert att.kinds.count("saddle") == 4 and att.kinds.count("maximum") == 1


def test_basin_summary_on_a_real_sweep(hb_sweep, hb_att):
    bs = basin_summary(hb_sweep, HB)
    f = bs.fractions
    assert math.isclose(float(np.sum(f.fractions)), 1.0, abs_tol=1e-12)
    assert f.n_converged == 1600 and f.diverged == 0 and f.not_converged == 0
    assert np.all((f.stderr > 0) & (f.stderr < 0.02))
    assert np.allclose(f.fractions, 0.25, atol=0.05)  # four basins of similar size
    assert 0 < bs.entropy <= math.log(4) and 0 < bs.boundary_entropy <= math.log(4)
    assert np.isfinite(bs.alpha) and 0.3 < bs.alpha <= 1.3
    assert np.isfinite(bs.dimension.dimension) and 0.7 < bs.dimension.dimension < 1.5
    assert np.array_equal(bs.labels.values, hb_att[1].values)


def test_subwindow_with_reference_keeps_labels(hb_sweep, hb_att):
    att, lab = hb_att
    xs = hb_sweep.phi0.values
    ys = hb_sweep.phi1.values
    # a window aligned with the parent grid at twice its resolution: every other point is a
    # parent point, the sub-grid resolves the basin boundaries between them
    i0, i1, j0, j1 = 20, 36, 4, 30
    box = [(xs[i0], xs[i1]), (ys[j0], ys[j1])]
    sub = fd.sweep(HB, gd(lr=0.01), fd.grid(HB, (2 * (i1 - i0) + 1, 2 * (j1 - j0) + 1),
                                               box=box), 3000, tol=1e-6)
    att2, lab2 = attractors(sub, HB, reference=att)
    assert np.array_equal(att2.locations[:4], att.locations) and len(att2) == 4
    shared = lab2.values[::2, ::2]
    assert np.array_equal(shared, lab.values[i0:i1 + 1, j0:j1 + 1])
    # endpoints are at the location of their (parent-numbered) attractor
    ends = sub.params.values.reshape(-1, 2)
    assert np.max(np.abs(ends - att.locations[lab2.values.ravel()])) < 1e-4
    # without the reference the numbering is the window's own (here it differs)
    att3, lab3 = attractors(sub, HB)
    assert len(att3) < 4 and not np.array_equal(lab3.values, lab2.values)


def test_reference_appends_new_attractors():
    att_ref = Attractors(KNOWN_MIN[:1], [0.0], ("minimum",), [0])
    res = fd.run(HB, gd(lr=0.01), [[4.0, 3.0], [-4.0, -4.0]], 3000, tol=1e-6)
    att, lab = attractors(res, reference=att_ref)
    assert np.array_equal(att.locations[0], KNOWN_MIN[0]) and len(att) == 2
    assert lab.tolist() == [0, 1] and att.counts.tolist() == [1, 1]


# ============================================================================ stability theory
LINEAR_CASES = [
    ("gd", {}),
    ("momentum", dict(beta=0.0)),
    ("momentum", dict(beta=0.5)),
    ("momentum", dict(beta=0.9)),
    ("nesterov", dict(beta=0.5)),
    ("nesterov", dict(beta=0.9)),
    ("torch_sgd", dict(momentum=0.9)),
    ("torch_sgd", dict(momentum=0.5, dampening=0.5)),
    ("torch_sgd", dict(momentum=0.9, nesterov=True)),
    ("torch_sgd", dict(momentum=0.5, weight_decay=1.0)),
    ("torch_sgd", dict(dampening=0.7)),  # momentum 0: plain GD, dampening ignored
]


def test_closed_forms():
    assert stability_threshold("gd", LAM) == 2 / LAM
    b = 0.9
    assert math.isclose(stability_threshold("momentum", LAM, beta=b), 2 * (1 + b) / (1 - b) / LAM)
    assert math.isclose(stability_threshold("nesterov", LAM, beta=b),
                        2 * (1 + b) / ((1 + 2 * b) * (1 - b)) / LAM)
    # lecture momentum(a, b) == torch_sgd(lr=a (1-b), momentum=b) step for step
    assert math.isclose(stability_threshold("torch_sgd", LAM, momentum=b),
                        (1 - b) * stability_threshold("momentum", LAM, beta=b))
    # ... and == torch_sgd(momentum=b, dampening=b) asymptotically
    assert math.isclose(stability_threshold("torch_sgd", LAM, momentum=b, dampening=b),
                        stability_threshold("momentum", LAM, beta=b))
    assert stability_threshold("torch_sgd", LAM, dampening=0.7) == 2 / LAM
    assert math.isclose(stability_threshold("torch_sgd", LAM, weight_decay=1.0), 2 / (LAM + 1))
    assert stability_threshold("gd", -1.0) == 0.0
    assert stability_threshold("torch_sgd", LAM, momentum=1.2) == 0.0  # D = mu > 1
    assert stability_threshold(momentum(beta=0.5), LAM) == stability_threshold(
        "momentum", LAM, beta=0.5)


@pytest.mark.parametrize("name,hyper", LINEAR_CASES + [
    ("torch_sgd", dict(momentum=1.5, nesterov=True)),  # stable interval bounded below
    ("torch_sgd", dict(momentum=0.99, dampening=0.1, weight_decay=0.3))])
def test_thresholds_match_the_spectral_radius_of_the_kernel(name, hyper):
    lo, hi = stability_interval(name, LAM, **hyper)
    assert stability_threshold(name, LAM, **hyper) == hi
    rho = lambda lr: spectral_radius(name, lr, LAM, **hyper)  # noqa: E731
    assert rho(hi * (1 - 1e-7)) < 1 < rho(hi * (1 + 1e-7))
    assert stable(name, 0.999 * hi, LAM, **hyper) and not stable(name, 1.001 * hi, LAM, **hyper)
    if lo > 0:
        assert rho(lo * (1 - 1e-7)) > 1 > rho(lo * (1 + 1e-7))
        assert not stable(name, 0.5 * lo, LAM, **hyper)
    # bisection on the spectral radius alone finds the same boundary
    a, b = (lo + hi) / 2, 10 * hi
    for _ in range(60):
        mid = (a + b) / 2
        a, b = (mid, b) if rho(mid) < 1 else (a, mid)
    assert math.isclose(a, hi, rel_tol=1e-9)


def test_iteration_matrix_is_the_hand_derived_one():
    lr, beta = 0.1, 0.9
    M = iteration_matrix("momentum", lr, LAM, beta=beta)  # state (phi, m)
    a = lr * LAM
    assert np.allclose(M, [[1 - a * (1 - beta), -lr * beta], [(1 - beta) * LAM, beta]])
    M = iteration_matrix("torch_sgd", lr, LAM, momentum=beta, nesterov=True)  # (phi, buf)
    assert np.allclose(M, [[1 - a * (1 + beta), -lr * beta ** 2], [LAM, beta]])
    assert np.allclose(iteration_matrix("gd", lr, LAM), [[1 - a]])


@pytest.mark.parametrize("name,hyper", LINEAR_CASES)
def test_measured_boundary_of_lr_sweep_matches_theory(name, hyper):
    theory = stability_threshold(name, LAM, **hyper)
    # a 0.5 % grid around the theory, offset by half a cell so that the first point above
    # the boundary is 0.25 % above it (diverges within 10000 steps: rho >= 1.005)
    lr = theory * (0.9 + 0.005 * (np.arange(40) + 0.5))
    opt = fd.optim.get_optimizer(name, **hyper)
    ds = fd.sweep(QUAD, opt, [[1.0], [-0.3]], 10000, lr=lr, tol=1e-8)
    mb = measured_boundary(ds, "lr", lam=LAM)
    assert math.isclose(float(mb.theory), theory)
    assert float(mb.lower) < theory <= float(mb.boundary)
    assert float(mb.resolution) == pytest.approx(0.005 * theory)
    assert bool(mb.monotone)
    hm = hyper_map(ds, "lr")
    below = hm.sel(lr=lr[lr < theory])
    assert np.all(below.diverged.values == 0)
    assert np.all(hm.sel(lr=lr[lr > theory]).diverged.values == 1)
    # converged ones far below the threshold: their median steps grow towards it
    assert np.all(np.isfinite(below.median_steps.values[:5]))


def test_hyper_map_and_boundary_with_a_y_dim():
    lr = np.geomspace(0.3, 12.0, 320)
    betas = [0.0, 0.5, 0.9]
    ds = fd.sweep(QUAD, momentum(), [[1.0], [0.5], [-2.0]], 4000, lr=lr, beta=betas, tol=1e-8)
    hm = hyper_map(ds, "lr", "beta")
    assert hm.converged.dims == ("lr", "beta")
    tot = hm.converged + hm.diverged + hm.stuck
    assert np.allclose(tot.values, 1.0) and np.all(hm.n.values == 3)
    conv = hm.converged.values == 1
    assert np.all(np.isnan(hm.median_steps.values[hm.converged.values == 0]))
    assert np.all(np.isfinite(hm.median_steps.values[conv]))
    assert np.all(hm.median_loss.values[conv] < 1e-12)
    mb = measured_boundary(ds, "lr", "beta", lam=LAM)
    th = mb.theory.values
    assert np.allclose(th, [2 * (1 + b) / (1 - b) / LAM for b in betas])
    # boundary within one cell (the theory may sit right below a grid point, whose slow
    # divergence then takes longer than the step budget)
    assert np.all(mb.lower.values < th)
    assert np.all(mb.boundary.values - th <= 2 * mb.resolution.values)


@pytest.mark.parametrize("opt", [adam(), normalized(), rmsprop(), fd.optim.torch_adam()])
def test_adaptive_rules_have_no_threshold_and_do_not_diverge(opt):
    assert math.isnan(stability_threshold(opt.name, LAM))
    with pytest.raises(ValueError, match="not a linear map"):
        stable(opt.name, 0.1, LAM)
    lrs = np.array([0.1, 1.0, 10.0])  # GD's threshold is 0.5
    ds = fd.sweep(QUAD, opt, [[1.0], [-3.0]], 2000, lr=lrs, record_every=20)
    assert not np.any(ds.status.values == S.DIVERGED)
    amp = np.abs(ds.path.isel(record=slice(-20, None))).max(("record", "param", "init"))
    assert np.all(amp.values <= 3.2 * lrs)  # oscillation (if any) of order lr


# ============================================================================ convergence
@pytest.fixture(scope="module")
def hb_runs():
    starts = fd.random_starts(HB, 200, seed=1)
    r_gd = fd.run(HB, gd(lr=0.01), starts, 2000, tol=1e-5, record_every=10)
    # lr = 0.02 > 2 / lambda_max at two of the four minima: those attract no trajectory
    r_big = fd.run(HB, gd(lr=0.02), starts, 2000, tol=1e-5, record_every=10)
    r_mom = fd.run(HB, momentum(lr=0.01, beta=0.9), starts, 2000, tol=1e-5, record_every=10)
    return r_gd, r_big, r_mom


def test_loss_bands(hb_runs):
    r = hb_runs[0]
    b = loss_bands(r)
    assert b.loss.dims == ("quantile", "step") and int(b.n) == 200
    assert np.array_equal(b.step.values, r.record_steps)
    assert np.all(np.diff(b.loss.values, axis=0) >= 0)  # ordered in the quantile
    assert float(b.loss.sel(quantile=0.5).isel(step=0)) > 1.0
    assert float(b.loss.sel(quantile=0.9).isel(step=-1)) < 1e-8
    bc = loss_bands(r, quantiles=[0.5], include="converged")
    assert int(bc.n) == int(r.converged.sum())


def test_steps_distribution(hb_runs):
    r = hb_runs[0]
    sd = steps_distribution(r)
    assert sd.n_total == 200 and sd.n_converged == int(r.converged.sum())
    assert np.all(np.diff(sd.steps) >= 0) and sd.ecdf[-1] == 1.0
    assert sd.success[-1] == sd.n_converged / 200 and sd.counts.sum() == sd.n_converged
    assert sd.median == np.median(r.steps[r.converged])


def test_fraction_at_global_min_and_compare(hb_runs, hb_sweep):
    r_gd, r_big, r_mom = hb_runs
    g = fraction_at_global_min(r_gd)
    assert g.fraction == 1.0 and g.n_total == 200 and len(g.locations) == 4
    assert g.source == "known"
    gb = fraction_at_global_min(r_big)
    assert gb.fraction == float(np.mean(r_big.converged)) and 0.2 < gb.fraction < 0.8
    att, lab = attractors(r_big)
    unstable = [i for i, l in enumerate(att.locations)
                if 0.02 * np.linalg.eigvalsh(HB.hessian(l)).max() > 2]
    assert len(att) == 2 and not unstable  # only the two minima GD can converge to
    assert np.all((lab >= 0) == r_big.converged)
    assert fraction_at_global_min(hb_sweep, HB).fraction == 1.0
    t = compare_optimizers({"gd": r_gd, "gd_big": r_big, "momentum": r_mom})
    assert list(t.optimizer.values) == ["gd", "gd_big", "momentum"]
    assert t.global_min.sel(optimizer="gd") == 1.0
    assert float(t.stuck.sel(optimizer="gd_big")) == pytest.approx(1 - gb.fraction)
    assert np.allclose((t.converged + t.diverged + t.stuck).values, 1.0)
    assert t.n_attractors.sel(optimizer="gd") == 4
    # lecture momentum at the same lr is slower here: its rate is >= sqrt(beta) = 0.95 per
    # step, GD's max |1 - lr h| = 0.74 over the minima's Hessian eigenvalues h
    assert t.median_steps.sel(optimizer="momentum") > 2 * t.median_steps.sel(optimizer="gd")


# ============================================================================ convexity
def test_convexity_regions_on_known_functions():
    sad = convexity_map(fd.models.saddle(), n=21)
    assert np.all(sad.region.values == SADDLE) and np.allclose(sad.det.values, -4.0)
    q = convexity_map(fd.models.quadratic([1.0, 10.0], rotation=0.4), n=15)
    assert np.all(q.region.values == CONVEX)
    assert np.allclose(q.det.values, 10.0) and np.allclose(q.eigmin.values, 1.0)
    assert np.allclose(q.eigmax.values, 10.0) and np.allclose(q.trace.values, 11.0)
    assert np.all(convexity_map(fd.models.quadratic([-1.0, -2.0]), n=5).region == CONCAVE)
    hb = convexity_map(HB, n=61)
    assert hb.region.dims == ("phi0", "phi1")
    assert set(np.unique(hb.region.values)) == {CONVEX, CONCAVE, SADDLE}
    at = convexity_map(HB, axes=(KNOWN_MIN[:1, 0], KNOWN_MIN[:1, 1]))
    assert at.region.item() == CONVEX
    at = convexity_map(HB, axes=(MAXIMUM[:, 0], MAXIMUM[:, 1]))
    assert at.region.item() == CONCAVE
    at = convexity_map(HB, axes=(SADDLES[:1, 0], SADDLES[:1, 1]))
    assert at.region.item() == SADDLE
    # the map agrees with the model's own Hessian, point by point
    H = HB.hessian([hb.phi0.values[7], hb.phi1.values[50]])
    assert math.isclose(float(hb.det[7, 50]), np.linalg.det(H), rel_tol=1e-9)
    x = np.linspace(-2, 2, 9)
    assert np.allclose(second_derivative(fd.models.quadratic([3.0]), x), 3.0)


# ============================================================================ bad inputs
def test_bad_inputs_give_clear_errors(hb_sweep):
    with pytest.raises(ValueError, match="pass model="):
        attractors(hb_sweep)
    with pytest.raises(ValueError, match="ran on model 'himmelblau'"):
        attractors(hb_sweep, fd.models.rosenbrock())
    with pytest.raises(TypeError, match="Result or the xarray.Dataset"):
        attractors(np.zeros((3, 2)), HB)
    with pytest.raises(TypeError, match="Model"):
        attractors(hb_sweep, "himmelblau")
    with pytest.raises(ValueError, match="tol"):
        attractors(hb_sweep, HB, tol=-1.0)
    two = xr.concat([hb_sweep, hb_sweep], dim="lr")
    with pytest.raises(ValueError, match="select one value"):
        basin_summary(two, HB)
    with pytest.raises(ValueError, match="not a dim"):
        hyper_map(hb_sweep, "lr")
    with pytest.raises(ValueError, match="record_every"):
        loss_bands(hb_sweep)
    with pytest.raises(ValueError, match="unknown optimizer"):
        stability_threshold("sgd", 1.0)
    with pytest.raises(ValueError, match="beta"):
        stability_threshold("momentum", 1.0, beta=1.5)
    with pytest.raises(ValueError, match="finite"):
        stability_threshold("gd", float("nan"))
    with pytest.raises(TypeError, match="solves for it"):
        stability_threshold("gd", 1.0, lr=0.1)
    with pytest.raises(ValueError, match="bounded by about lr"):
        stable("adam", 0.1, 1.0)
    with pytest.raises(ValueError, match="second_derivative"):
        convexity_map(fd.models.quadratic([3.0]))
    with pytest.raises(ValueError, match="convexity_map"):
        second_derivative(HB, [0.0])
    with pytest.raises(ValueError, match="parameter names"):
        convexity_map(HB, params=("phi0", "w"))
    with pytest.raises(TypeError, match="non-empty dict"):
        compare_optimizers({})
