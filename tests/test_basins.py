"""Tests of fastdescent.analysis.basins on constructed endpoints and label grids."""
from __future__ import annotations

import math

import numpy as np
import pytest

from fastdescent.analysis.basins import (
    LABEL_DIVERGED,
    LABEL_NOT_CONVERGED,
    Attractors,
    basin_entropy,
    basin_fractions,
    boundary_cells,
    boundary_dimension,
    box_entropy_map,
    classify_critical_point,
    find_attractors,
    uncertainty_exponent,
)

N = 256
II, JJ = np.mgrid[0:N, 0:N]


# ============================================================================ label grids
def _straight(col=101):
    return (JJ >= col).astype(np.int64)


def _circle():
    return ((II - 127.3) ** 2 + (JJ - 128.6) ** 2 < 80.0 ** 2).astype(np.int64)


def _random(n_labels, shape=(N, N), seed=0):
    return np.random.default_rng(seed).integers(0, n_labels, shape)


@pytest.mark.parametrize("col", [101, 128])
def test_straight_boundary_dimension_and_alpha(col):
    g = _straight(col)
    d = boundary_dimension(g)
    assert abs(d.dimension - 1.0) < 0.1
    assert np.array_equal(d.sizes, [1, 2, 4, 8, 16, 32])
    assert d.counts[0] == N  # one marked cell per row
    u = uncertainty_exponent(g)
    assert abs(u.alpha - 1.0) < 0.15
    assert abs(u.dimension - 1.0) < 0.15  # D = 2 - alpha
    # f(eps) = 2 eps / width of the tested region, exactly
    width = N - 2 * u.eps.max()
    assert np.allclose(u.fraction, 2 * u.eps / width)
    assert u.fit.r2 > 0.999
    assert np.allclose(u.fit(u.eps), u.fraction)


def test_tilted_line_and_circle_have_dimension_one():
    for g in ((II > 0.37 * JJ + 60).astype(np.int64), _circle()):
        assert abs(boundary_dimension(g).dimension - 1.0) < 0.1
        assert abs(uncertainty_exponent(g).alpha - 1.0) < 0.15


@pytest.mark.parametrize("n_labels", [2, 3])
def test_random_labels_fill_the_plane(n_labels):
    g = _random(n_labels)
    assert abs(boundary_dimension(g).dimension - 2.0) < 0.1
    u = uncertainty_exponent(g)
    assert abs(u.alpha) < 0.1
    # f = 1 - P(all four neighbours equal the centre) = 1 - n^-4
    assert np.allclose(u.fraction, 1 - n_labels ** -4.0, atol=0.01)


def test_rougher_boundaries_give_larger_dimension():
    # Weierstrass graphs of dimension 1.3 < 1.5 < 1.7 as boundaries; at 256 cells the
    # estimates are biased low, but they must lie in (1, 2) and keep the order (and alpha the
    # reverse order).
    x = np.arange(N) / N * 2 * np.pi
    dims, alphas = [], []
    for d_true in (1.3, 1.5, 1.7):
        h = sum(2.0 ** ((d_true - 2) * k) * np.sin(2.0 ** k * x + k) for k in range(12))
        g = (II > 128 + 60 * h[None, :] / np.abs(h).max()).astype(np.int64)
        dims.append(boundary_dimension(g).dimension)
        alphas.append(uncertainty_exponent(g).alpha)
    assert 1.05 < dims[0] < dims[1] < dims[2] < 1.9
    assert 0.95 > alphas[0] > alphas[1] > alphas[2] > 0.1


def test_boundary_cells_one_sided():
    g = _straight(5)[:8, :8]
    for grid in (g, g.T):
        b = boundary_cells(grid)
        assert b.sum() == 8
    assert np.all(boundary_cells(g)[:, 4]) and np.all(boundary_cells(g.T)[4, :])
    d = boundary_dimension(_straight(101).T)
    assert d.counts[0] == N and abs(d.dimension - 1.0) < 0.1


def test_single_label_grid():
    g = np.full((64, 64), 3)
    s_b, s_bb = basin_entropy(g)
    assert s_b == 0.0
    assert math.isnan(s_bb)  # documented: no boundary box -> NaN
    assert math.isnan(boundary_dimension(g).dimension)
    assert np.all(boundary_dimension(g).counts == 0)
    u = uncertainty_exponent(g)
    assert math.isnan(u.alpha) and np.all(u.fraction == 0)


# ============================================================================ basin entropy
@pytest.mark.parametrize("box", [2, 4])
def test_checkerboard_entropy_is_log2(box):
    g = (II + JJ) % 2
    s_b, s_bb = basin_entropy(g, box=box)
    assert s_b == pytest.approx(math.log(2), abs=1e-12)
    assert s_bb == pytest.approx(math.log(2), abs=1e-12)


def test_entropy_of_one_box_by_hand():
    g = np.array([[0, 0], [0, 1]])
    s_b, s_bb = basin_entropy(g, box=2)
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert s_b == pytest.approx(expected) and s_bb == pytest.approx(expected)


def test_negative_labels_count_as_labels():
    g = np.where(JJ[:10, :10] < 5, LABEL_DIVERGED, LABEL_NOT_CONVERGED)
    s_b, s_bb = basin_entropy(g, box=10)
    assert s_b == pytest.approx(math.log(2))
    g[:, :3] = 0  # three labels: 0 (30%), -1 (20%), -2 (50%)
    s_b, _ = basin_entropy(g, box=10)
    p = np.array([0.3, 0.2, 0.5])
    assert s_b == pytest.approx(-(p * np.log(p)).sum())


def test_straight_boundary_entropy():
    # boundary at column 101 with box 5: boxes in column 20 (cells 100..104) hold 1:4 cells
    g = _straight(101)[:250, :250]
    s_b, s_bb = basin_entropy(g, box=5)
    e = -(0.2 * math.log(0.2) + 0.8 * math.log(0.8))
    assert s_bb == pytest.approx(e)
    assert s_b == pytest.approx(e / 50)
    m = box_entropy_map(g, box=5)
    assert m.shape == (50, 50) and np.count_nonzero(m) == 50 and np.all(m[:, 20] > 0)


def _expected_plugin_entropy(n_labels, n_cells):
    """E[-sum p_hat log p_hat] for n_cells iid uniform labels: n E[(X/N) log(N/X)],
    X ~ Binomial(N, 1/n)."""
    q = 1.0 / n_labels
    e = 0.0
    for x in range(1, n_cells + 1):
        pmf = math.comb(n_cells, x) * q ** x * (1 - q) ** (n_cells - x)
        e += pmf * (x / n_cells) * math.log(n_cells / x)
    return n_labels * e


@pytest.mark.parametrize("n_labels", [2, 3, 5])
def test_random_labels_entropy_matches_finite_sample_expectation(n_labels):
    box = 5
    g = _random(n_labels, shape=(400, 400), seed=n_labels)
    s_b, s_bb = basin_entropy(g, box=box)
    expected = _expected_plugin_entropy(n_labels, box * box)
    per_box = box_entropy_map(g, box=box)
    # 6400 independent boxes: tolerance = 5 standard errors of the mean
    tol = 5 * per_box.std() / math.sqrt(per_box.size)
    assert abs(s_b - expected) < tol
    assert tol < 0.01
    # the plug-in bias is real: log n is clearly above the estimate (Miller: (n-1)/(2N))
    assert math.log(n_labels) - s_b > 0.5 * (n_labels - 1) / (2 * box * box)
    assert s_bb >= s_b


def test_entropy_crops_partial_boxes_and_validates():
    g = (II + JJ)[:13, :12] % 2
    assert box_entropy_map(g, box=5).shape == (2, 2)
    with pytest.raises(ValueError, match="box"):
        basin_entropy(g, box=20)
    with pytest.raises(ValueError, match="box"):
        basin_entropy(g, box=0)
    with pytest.raises(TypeError, match="box"):
        basin_entropy(g, box=2.5)
    with pytest.raises(TypeError, match="label_grid"):
        basin_entropy(g.astype(float))
    with pytest.raises(ValueError, match="label_grid"):
        basin_entropy(np.zeros(10, dtype=int))


def test_fractal_measures_validate():
    g = _straight()
    with pytest.raises(ValueError, match="eps_cells"):
        uncertainty_exponent(g, eps_cells=[1, 200])
    with pytest.raises(ValueError, match="eps_cells"):
        uncertainty_exponent(g, eps_cells=[4])
    with pytest.raises(ValueError, match="eps_cells"):
        uncertainty_exponent(g, eps_cells=[0, 2])
    with pytest.raises(ValueError, match="label_grid"):
        uncertainty_exponent(g[:8, :8])
    with pytest.raises(ValueError, match="sizes"):
        boundary_dimension(g, sizes=[1, 1000])
    with pytest.raises(TypeError, match="label_grid"):
        boundary_dimension(g.astype(np.float32))
    u = uncertainty_exponent(g, eps_cells=[3, 1, 9])
    assert np.array_equal(u.eps, [1, 3, 9])


# ============================================================================ basin fractions
def test_basin_fractions():
    labels = np.array([0] * 6 + [1] * 3 + [2] * 1
                      + [LABEL_DIVERGED] * 4 + [LABEL_NOT_CONVERGED] * 6)
    res = basin_fractions(labels.reshape(4, 5))
    fr, se = res  # unpacks as (fractions, stderr)
    assert np.allclose(fr, [0.6, 0.3, 0.1]) and fr.sum() == pytest.approx(1.0)
    assert np.allclose(se, np.sqrt(fr * (1 - fr) / 10))
    assert np.array_equal(res.counts, [6, 3, 1])
    assert (res.n_converged, res.n_total) == (10, 20)
    assert res.diverged == pytest.approx(0.2) and res.not_converged == pytest.approx(0.3)
    assert res.diverged_stderr == pytest.approx(math.sqrt(0.2 * 0.8 / 20))
    fr5, _ = basin_fractions(labels, n_attractors=5)
    assert np.allclose(fr5, [0.6, 0.3, 0.1, 0, 0])


def test_basin_fractions_edge_cases():
    res = basin_fractions(np.array([-1, -1, -2]), n_attractors=2)
    assert np.all(np.isnan(res.fractions)) and res.n_converged == 0
    assert res.diverged == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="n_attractors"):
        basin_fractions(np.array([0, 3]), n_attractors=2)
    with pytest.raises(ValueError, match="labels"):
        basin_fractions(np.array([0, -3]))
    with pytest.raises(TypeError, match="labels"):
        basin_fractions(np.array([0.0, 1.0]))


# ============================================================================ attractors
CENTERS = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0], [3.0, -1.0]])
SCALE = np.array([8.0, 8.0])  # tol * scale = 8e-3


def _loss(phi):
    return float(phi @ phi)


def _synthetic(m=4000, seed=0, centers=CENTERS, noise=1e-4):
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(centers), m)
    x = centers[which] + rng.normal(scale=noise, size=(m, centers.shape[1]))
    status = rng.choice(np.array([0, 1, 2], dtype=np.int8), p=[0.1, 0.8, 0.1], size=m)
    x[status == 2] = np.where(rng.random((int((status == 2).sum()), 1)) < 0.5, np.nan, 1e300)
    return x, status, which


def test_find_attractors_recovers_known_points():
    x, status, which = _synthetic()
    att, labels = find_attractors(x, status, scale=SCALE, tol=1e-3, loss=_loss)
    assert len(att) == 4 and labels.dtype == np.int64
    # sorted by loss: centres 0, 1, 2, 3 have losses 0, 2, 5, 10
    assert np.allclose(att.locations, CENTERS, atol=1e-3 * SCALE)
    assert np.allclose(att.losses, [_loss(c) for c in att.locations])
    assert np.all(np.diff(att.losses) > 0)
    assert att.kinds == ("unknown",) * 4
    conv = status == 1
    assert np.array_equal(labels[conv], which[conv])
    assert np.array_equal(att.counts, np.bincount(which[conv], minlength=4))
    assert np.all(labels[status == 2] == LABEL_DIVERGED)
    assert np.all(labels[status == 0] == LABEL_NOT_CONVERGED)
    # each location is one of the endpoints of its cluster
    for k in range(4):
        members = x[conv & (labels == k)]
        assert np.any(np.all(members == att.locations[k], axis=1))
    with pytest.raises(ValueError):
        att.locations[0, 0] = 1.0  # read-only


def test_find_attractors_is_order_independent():
    x, status, _ = _synthetic(seed=1)
    # plus a two-point cluster whose members are exactly equidistant from its mean (a tie)
    x = np.vstack([x, [[10.0, 10.0], [10.0 + 2.0 ** -10, 10.0]]])
    status = np.r_[status, 1, 1].astype(np.int8)
    a0, l0 = find_attractors(x, status, scale=SCALE)  # no loss: order by coordinates
    assert len(a0) == 5
    assert np.all(np.diff(a0.locations[:, 0]) > 0)
    perms = [np.arange(len(x))[::-1]] + [np.random.default_rng(s).permutation(len(x))
                                          for s in range(3)]
    for perm in perms:
        a1, l1 = find_attractors(x[perm], status[perm], scale=SCALE)
        assert np.array_equal(a1.locations, a0.locations)  # bit for bit
        assert np.array_equal(a1.counts, a0.counts)
        assert np.array_equal(l1, l0[perm])


def test_clusters_straddling_cell_edges_and_chains():
    rng = np.random.default_rng(2)
    delta = 1e-3 * SCALE
    # a tight cloud centred exactly on a grid corner spreads over 4 cells: one attractor
    cloud = rng.normal(scale=1e-4, size=(500, 2))
    # a chain of points 0.9 delta apart along x: one attractor although it is 45 delta long
    chain = np.c_[np.arange(50) * 0.9 * delta[0], np.full(50, 1.0)]
    # two points 2.5 delta apart: always separate
    pair = np.array([[5.0, 5.0], [5.0 + 2.5 * delta[0], 5.0]])
    x = np.vstack([cloud, chain, pair])
    att, labels = find_attractors(x, np.ones(len(x), np.int8), scale=SCALE)
    assert len(att) == 4
    assert len(set(labels[:500])) == 1 and len(set(labels[500:550])) == 1
    assert labels[-1] != labels[-2]


@pytest.mark.parametrize("p", [1, 3, 6])
def test_clustering_bounds_single_linkage(p):
    """Clusters lie between single linkage at delta and at 2 delta (scaled max-norm)."""
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(p)
    scale = rng.uniform(0.5, 2.0, p)
    delta = 1e-3 * scale
    x = rng.uniform(0, 6, (400, p)) * delta  # dense enough for chains to form
    _, labels = find_attractors(x, np.ones(400, np.int8), scale=scale)
    d = np.max(np.abs(x[:, None, :] - x[None, :, :]) / delta, axis=2)
    _, fine = connected_components(d <= 1.0, directed=False)
    _, coarse = connected_components(d <= 2.0, directed=False)
    for comp in np.unique(fine):  # every delta-component lies inside one cluster
        assert len(set(labels[fine == comp])) == 1
    for lab in np.unique(labels):  # every cluster lies inside one 2 delta-component
        assert len(set(coarse[labels == lab])) == 1
    different = labels[:, None] != labels[None, :]
    assert np.all(d[different] > 1.0)


def test_kinds_from_hessians():
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    hess = {0: np.diag([1.0, 2.0]), 1: np.diag([-1.0, -3.0]), 2: np.diag([1.0, -1.0]),
            3: np.diag([1.0, 1e-12]), 4: np.array([[0.0, 1.0], [1.0, 0.0]])}
    x = np.repeat(pts, 3, axis=0)
    att, _ = find_attractors(x, np.ones(len(x), np.int8), scale=[10.0, 10.0],
                             hessian=lambda phi: hess[int(round(phi[0]))])
    assert att.kinds == ("minimum", "maximum", "saddle", "degenerate", "saddle")
    assert classify_critical_point(np.diag([1.0, -1.0, 0.0])) == "saddle"  # indefinite
    assert classify_critical_point(np.diag([-1.0, 0.0])) == "degenerate"
    assert classify_critical_point(np.zeros((2, 2))) == "degenerate"
    assert classify_critical_point(np.diag([np.nan, 1.0])) == "unknown"
    assert classify_critical_point([[2.0, 1.0], [0.0, 2.0]]) == "minimum"  # symmetrised


def test_reference_keeps_indices():
    x, status, which = _synthetic(seed=4)
    ref, _ = find_attractors(x, status, scale=SCALE, loss=_loss)
    # a sub-window: only centres 2 and 0, slightly moved, plus a new attractor
    rng = np.random.default_rng(5)
    new_center = np.array([[-2.0, -2.0]])
    pts = np.vstack([CENTERS[[2]] + 3e-3, CENTERS[[0]] - 3e-3, new_center])
    sub = pts[rng.integers(0, 3, 300)] + rng.normal(scale=1e-4, size=(300, 2))
    st = np.ones(300, np.int8)
    att, labels = find_attractors(sub, st, scale=SCALE, loss=_loss, reference=ref)
    assert len(att) == 5
    assert np.array_equal(att.locations[:4], ref.locations)
    assert np.array_equal(att.losses[:4], ref.losses)
    assert np.allclose(att.locations[4], new_center[0], atol=1e-3)
    near = lambda c: np.all(np.abs(sub - c) < 0.01, axis=1)  # noqa: E731
    assert np.all(labels[near(CENTERS[2] + 3e-3)] == 2)
    assert np.all(labels[near(CENTERS[0] - 3e-3)] == 0)
    assert np.all(labels[near(new_center[0])] == 4)
    assert att.counts[1] == 0 and att.counts[3] == 0 and att.counts.sum() == 300
    # the parent run itself re-labelled against its own attractors: identical labels
    again, l2 = find_attractors(x, status, scale=SCALE, reference=ref)
    assert len(again) == 4
    conv = status == 1
    assert np.array_equal(l2[conv], which[conv])


def test_all_diverged_or_not_converged():
    x = np.full((10, 2), np.nan)
    status = np.array([2] * 7 + [0] * 3, dtype=np.int8)
    att, labels = find_attractors(x, status, scale=SCALE)
    assert len(att) == 0 and att.locations.shape == (0, 2)
    assert np.array_equal(labels, [-1] * 7 + [-2] * 3)
    # only status 2 gives -1
    x, status, _ = _synthetic(seed=6)
    _, labels = find_attractors(x, status, scale=SCALE)
    assert np.array_equal(labels == LABEL_DIVERGED, status == 2)


def test_find_attractors_validates_inputs():
    x = np.zeros((5, 2))
    st = np.ones(5, np.int8)
    ok = dict(scale=SCALE)
    with pytest.raises(ValueError, match="endpoints"):
        find_attractors(np.zeros(5), st, **ok)
    with pytest.raises(ValueError, match="status"):
        find_attractors(x, st[:4], **ok)
    with pytest.raises(ValueError, match="status"):
        find_attractors(x, np.array([0, 1, 2, 3, 1]), **ok)
    with pytest.raises(TypeError, match="status"):
        find_attractors(x, st.astype(float), **ok)
    with pytest.raises(ValueError, match="scale"):
        find_attractors(x, st, scale=[1.0, -1.0])
    with pytest.raises(ValueError, match="scale"):
        find_attractors(x, st, scale=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="tol"):
        find_attractors(x, st, scale=SCALE, tol=0.0)
    bad = x.copy()
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="endpoints"):
        find_attractors(bad, st, **ok)
    with pytest.raises(TypeError, match="loss"):
        find_attractors(x, st, loss=3.0, **ok)
    with pytest.raises(ValueError, match="hessian"):
        find_attractors(x, st, hessian=lambda phi: np.eye(3), **ok)
    with pytest.raises(TypeError, match="reference"):
        find_attractors(x, st, reference=np.zeros((1, 2)), **ok)
    ref3 = Attractors(np.zeros((1, 3)), [0.0], ("minimum",), [1])
    with pytest.raises(ValueError, match="reference"):
        find_attractors(x, st, reference=ref3, **ok)
    with pytest.raises(ValueError, match="kinds"):
        Attractors(np.zeros((1, 2)), [0.0], ("valley",), [1])


def test_million_endpoints_cluster():
    # a million end points in four tight clusters: four attractors, every point labelled with
    # the attractor of its own centre (its time is measured by the benchmarks, not here)
    rng = np.random.default_rng(7)
    m = 1_000_000
    which = rng.integers(0, 4, m)
    x = CENTERS[which] + rng.normal(scale=1e-4, size=(m, 2))
    status = np.ones(m, np.int8)
    att, labels = find_attractors(x, status, scale=SCALE)
    assert len(att) == 4 and att.counts.sum() == m
    for k in range(4):
        mine = labels[which == k]
        assert np.all(mine == mine[0])
