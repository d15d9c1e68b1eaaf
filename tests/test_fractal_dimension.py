"""The fractal-trainability paper's dimension estimator (fastdescent.analysis.fractal): the
box counts against a direct loop written from porespy's ``boxcount`` (boxes holding some but
not all edge cells), the edge map against the notebook's sign-change rule, and known sets."""
from __future__ import annotations

import numpy as np
import pytest

from fastdescent.analysis import boundary_dimension, spanning_box_counts, spanning_edges, \
    zoom_dimension


def _edges_ref(outcome):
    """The notebook's extract_edges: sign(max * min) < 0 over each 2 x 2 window of a signed
    readout (trainable: negative)."""
    v = np.where(outcome, -1.0, 1.0)
    Y = np.stack((v[1:, 1:], v[:-1, 1:], v[1:, :-1], v[:-1, :-1]), axis=-1)
    return np.sign(Y.max(-1) * Y.min(-1)) < 0


def _boxcount_ref(im, bins=10):
    """porespy.metrics.boxcount, 2-D, as a loop: sizes, counts, -gradient slopes."""
    Ds = np.unique(np.logspace(1, np.log10(min(im.shape)), bins).astype(int))
    N = []
    for d in Ds:
        result = 0
        for i in range(0, im.shape[0], d):
            for j in range(0, im.shape[1], d):
                temp = im[i:i + d, j:j + d]
                result += np.any(temp)
                result -= np.all(temp)
        N.append(result)
    return Ds, np.array(N), -np.gradient(np.log(np.array(N, float)), np.log(Ds))


@pytest.mark.parametrize("seed", range(4))
def test_counts_match_the_direct_loop(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(40, 90, 2))
    # a rough boundary: a random walk front plus specks
    front = np.cumsum(rng.normal(0, 2, shape[0])) + shape[1] / 2
    o = np.arange(shape[1])[None, :] > front[:, None]
    o ^= rng.random(shape) < 0.02
    e = spanning_edges(o)
    assert np.array_equal(e, _edges_ref(o))
    bc = spanning_box_counts(o)
    sizes, counts, slopes = _boxcount_ref(e)
    assert np.array_equal(bc.sizes, sizes) and np.array_equal(bc.counts, counts)
    np.testing.assert_allclose(bc.slopes, slopes, rtol=1e-12)


def test_known_sets():
    line = np.zeros((513, 513), bool)
    line[:, 200:] = True
    zd = zoom_dimension([line, line.T])
    assert abs(zd.dimension - 1.0) < 0.1
    # a boundary that fills the plane (independent random outcomes): D close to 2
    noise = np.random.default_rng(0).random((513, 513)) < 0.5
    assert zoom_dimension([noise]).dimension > 1.8
    # the package's estimator on the same straight line agrees, with its own definition
    assert abs(boundary_dimension(line.astype(int)).dimension - 1.0) < 0.05


def test_uncertainty_and_bad_input():
    rng = np.random.default_rng(1)
    frames = [np.cumsum(rng.normal(size=(200, 200)), axis=1) > 0 for _ in range(3)]
    zd = zoom_dimension(frames)
    assert zd.frame_medians.shape == (3,) and len(zd.frames) == 3
    assert 0 < zd.uncertainty < 0.5
    assert min(zd.frame_medians) - 1e-12 <= zd.dimension <= max(zd.frame_medians) + 1e-12
    with pytest.raises(ValueError, match="at least 12 x 12"):
        spanning_box_counts(np.zeros((8, 8), bool))
    with pytest.raises(ValueError, match="2-D map"):
        spanning_edges(np.zeros(5))
    with pytest.raises(ValueError, match="at least one map"):
        zoom_dimension([])
