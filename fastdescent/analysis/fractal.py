r"""The fractal-trainability paper's boundary dimension: box counts over a zoom sequence.

Sohl-Dickstein (2024), "The boundary of neural network trainability is fractal", estimates the
dimension of the trainable / untrainable boundary of each map (frame) of a zoom sequence and
reports the median over the sequence. For one frame (:func:`spanning_box_counts`):

* **edges**: the cells of the ``(R-1, C-1)`` grid of 2 x 2 neighbourhoods that hold both
  outcomes (the notebook's sign change of its signed readout in a 2 x 2 window);
* **counts**: for box sizes :math:`s` log-spaced from 10 cells to the frame's size
  (``unique(int(logspace(1, log10(min(R-1, C-1)), bins)))``, porespy's default), the number
  :math:`N(s)` of boxes, tiling the edge grid from its corner, that hold *some but not all*
  edge cells ("boxes spanning phases", ``porespy.metrics.boxcount``);
* **local slopes**: :math:`D(s) = -\,d\log N/d\log s`, by central differences in
  :math:`\log s` (one-sided at the ends, ``numpy.gradient``).

:func:`zoom_dimension` pools the local slopes of every frame and takes their **median**; its
uncertainty is the standard deviation of that median over bootstrap resamples of the frames
(of the slopes, for a single frame).

Differences from :func:`fastdescent.analysis.boundary_dimension` (the package's estimator):
that one marks a cell whose label differs from the next cell along an axis, counts every box
holding a boundary cell, uses box sizes :math:`1, 2, 4, \dots \le \min(R, C)/8` and one
least-squares slope over them on one map. The paper's counts exclude boxes filled with edge
cells, start at 10-cell boxes (so a map needs well over 10 cells per side) and reach the whole
frame, and the median over local slopes and frames is robust to the curvature of
:math:`\log N` that a single fit averages over. On the same map the two need not agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["spanning_edges", "spanning_box_counts", "SpanningCounts", "zoom_dimension",
           "ZoomDimension"]


def spanning_edges(outcome) -> np.ndarray:
    """The paper's edge map: ``(R-1, C-1)`` booleans, True where the 2 x 2 neighbourhood
    ``outcome[i:i+2, j:j+2]`` holds both outcomes.

    Examples
    --------
    >>> spanning_edges(np.array([[1, 1, 0], [1, 1, 0]])).astype(int)
    array([[0, 1]])
    """
    o = np.asarray(outcome).astype(bool)
    if o.ndim != 2 or min(o.shape) < 2:
        raise ValueError(f"outcome must be a 2-D map of at least 2 x 2 cells, got shape "
                         f"{o.shape}")
    n = (o[1:, 1:].astype(np.int8) + o[:-1, 1:] + o[1:, :-1] + o[:-1, :-1])
    return (n > 0) & (n < 4)


@dataclass(frozen=True)
class SpanningCounts:
    """Box counts of one frame (:func:`spanning_box_counts`).

    Examples
    --------
    A straight boundary (the left half of a 64 x 64 frame trainable) has slopes near 1:

    >>> import numpy as np
    >>> from fastdescent.analysis.fractal import spanning_box_counts
    >>> c = spanning_box_counts(np.mgrid[0:64, 0:64][1] < 32, bins=4)
    >>> c.sizes.tolist(), c.counts.tolist()
    ([10, 18, 34, 63], [7, 4, 2, 1])
    >>> bool(np.all(np.abs(c.slopes - 1.0) < 0.15))
    True
    """

    sizes: np.ndarray  #: box sizes s (cells)
    counts: np.ndarray  #: boxes holding some but not all edge cells, N(s)
    slopes: np.ndarray  #: local dimension -d log N / d log s at each size


def spanning_box_counts(outcome, bins: int = 10) -> SpanningCounts:
    """Box counts and local slopes of one frame's boundary (module notes).

    Parameters
    ----------
    outcome : array_like of bool, shape (R, C)
        The trainable map of one frame.
    bins : int
        Log-spaced box sizes from 10 cells to ``min(R-1, C-1)`` before rounding to integers
        and removing repeats.

    Examples
    --------
    A straight boundary is one-dimensional (the local slopes scatter around 1: boxes of a
    few cells per frame count few, discrete boxes):

    >>> o = np.zeros((257, 257), bool); o[:, 100:] = True
    >>> bc = spanning_box_counts(o)
    >>> bc.sizes
    array([ 10,  14,  20,  29,  42,  60,  86, 124, 178, 256])
    >>> bool(abs(np.median(bc.slopes) - 1.0) < 0.1)
    True
    """
    e = spanning_edges(outcome)
    n = min(e.shape)
    if n < 11:
        raise ValueError(f"outcome must have at least 12 x 12 cells (box sizes start at 10), "
                         f"got shape {np.shape(outcome)}")
    sizes = np.unique(np.logspace(1, np.log10(n), int(bins)).astype(int))
    r, c = e.shape
    counts = np.empty(sizes.size, dtype=np.int64)
    for t, s in enumerate(sizes.tolist()):
        rr, cc = -(-r // s) * s, -(-c // s) * s
        pad = np.zeros((rr, cc), dtype=bool)
        pad[:r, :c] = e
        cells = pad.reshape(rr // s, s, cc // s, s)
        full = np.zeros((rr, cc), dtype=bool)  # a partial box at the far edge holds fewer
        full[:r, :c] = True                     # cells: "all" means all of the cells it holds
        k = cells.sum(axis=(1, 3))
        m = full.reshape(rr // s, s, cc // s, s).sum(axis=(1, 3))
        counts[t] = int(np.sum((k > 0) & (k < m)))
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = (-np.gradient(np.log(counts.astype(float)), np.log(sizes.astype(float)))
                  if sizes.size > 1 else np.full(1, np.nan))
    return SpanningCounts(sizes, counts, slopes)


@dataclass(frozen=True)
class ZoomDimension:
    """The paper's dimension of a zoom sequence (:func:`zoom_dimension`).

    Examples
    --------
    Two frames with straight boundaries (vertical, diagonal): a dimension near 1, with the
    bootstrap spread of the median and each frame's median slope:

    >>> import numpy as np
    >>> from fastdescent.analysis.fractal import zoom_dimension
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> z = zoom_dimension([xx < 32, xx < yy], bins=4, n_boot=200)
    >>> len(z.frames), z.frame_medians.shape, bool(0.9 < z.dimension < 1.4)
    (2, (2,), True)
    """

    dimension: float  #: median of the pooled local slopes
    uncertainty: float  #: bootstrap standard deviation of that median
    frames: tuple  #: SpanningCounts of each frame
    frame_medians: np.ndarray  #: median local slope of each frame


def zoom_dimension(frames, bins: int = 10, n_boot: int = 2000, seed: int = 0) -> ZoomDimension:
    """Median local box-counting slope over a zoom sequence, with its bootstrap uncertainty.

    Parameters
    ----------
    frames : sequence of array_like of bool
        The trainable map of each frame (each at least 12 x 12).
    bins : int
        Box sizes per frame (:func:`spanning_box_counts`).
    n_boot : int
        Bootstrap resamples of the frames (of the slopes, for one frame).
    seed : int
        Seed of the resampling (the estimate itself does not depend on it).

    Returns
    -------
    ZoomDimension
        NaN dimension when no frame has a finite slope.

    Examples
    --------
    >>> o = np.zeros((257, 257), bool); o[:, 100:] = True
    >>> zd = zoom_dimension([o, o.T])
    >>> bool(abs(zd.dimension - 1.0) < 0.1)
    True
    """
    counted = tuple(spanning_box_counts(f, bins) for f in frames)
    if not counted:
        raise ValueError("frames must hold at least one map")
    per = [c.slopes[np.isfinite(c.slopes)] for c in counted]
    pooled = np.concatenate(per) if per else np.empty(0)
    med = np.array([np.median(p) if p.size else np.nan for p in per])
    if pooled.size == 0:
        return ZoomDimension(np.nan, np.nan, counted, med)
    rng = np.random.default_rng(seed)
    boots = np.empty(int(n_boot))
    for i in range(boots.size):
        if len(per) > 1:
            pick = rng.integers(0, len(per), len(per))
            sample = np.concatenate([per[j] for j in pick])
        else:
            sample = rng.choice(pooled, pooled.size)
        boots[i] = np.median(sample) if sample.size else np.nan
    return ZoomDimension(float(np.median(pooled)), float(np.nanstd(boots)), counted, med)
