"""Analysis of engine output: attractors and basins, stability, convergence, convexity.

* :mod:`.basins` - attractors, basin fractions, basin entropy and fractal measures on plain
  arrays (final points, status codes, label grids);
* :mod:`.attractors` - the same on a :class:`~fastdescent.Result` or a sweep Dataset, with the
  model's box as length scale and its Hessian to classify the attractors;
* :mod:`.stability` - analytic divergence thresholds of the linear rules on quadratics,
  iteration matrices and spectral radii, and measured stability maps of sweeps;
* :mod:`.convergence` - loss bands, steps to tolerance, success at the global minimum,
  optimizer comparison tables;
* :mod:`.convexity` - Hessian determinant / eigenvalues and convexity regions over a grid;
* :mod:`.fractal` - the fractal-trainability paper's boundary dimension of a zoom sequence.
"""
from .attractors import BasinSummary, attractors, basin_summary, box_widths
from .basins import (KINDS, LABEL_DIVERGED, LABEL_NOT_CONVERGED, STATUS_CONVERGED,
                     STATUS_DIVERGED, STATUS_MAX_STEPS, Attractors, BasinFractions,
                     BoundaryDimension, LogLogFit, UncertaintyExponent, basin_entropy,
                     basin_fractions, boundary_cells, boundary_dimension, box_entropy_map,
                     classify_critical_point, find_attractors, uncertainty_exponent)
from .convergence import (GlobalMinFraction, StepsDistribution, compare_optimizers,
                          fraction_at_global_min, loss_bands, steps_distribution)
from .convexity import (CONCAVE, CONVEX, DEGENERATE, REGION_NAMES, SADDLE, convexity_map,
                        regions, second_derivative)
from .fractal import (SpanningCounts, ZoomDimension, spanning_box_counts, spanning_edges,
                      zoom_dimension)
from .stability import (LINEAR_RULES, NONLINEAR, hyper_map, iteration_matrix,
                        measured_boundary, spectral_radius, stability_interval,
                        stability_threshold, stable)

__all__ = [
    # basins (plain arrays)
    "LABEL_DIVERGED", "LABEL_NOT_CONVERGED", "STATUS_MAX_STEPS", "STATUS_CONVERGED",
    "STATUS_DIVERGED", "KINDS", "Attractors", "BasinFractions", "LogLogFit",
    "UncertaintyExponent", "BoundaryDimension", "classify_critical_point", "find_attractors",
    "basin_fractions", "basin_entropy", "box_entropy_map", "uncertainty_exponent",
    "boundary_dimension", "boundary_cells",
    # the fractal-trainability paper's estimator
    "spanning_edges", "spanning_box_counts", "SpanningCounts", "zoom_dimension",
    "ZoomDimension",
    # engine output
    "attractors", "basin_summary", "BasinSummary", "box_widths",
    # stability
    "LINEAR_RULES", "NONLINEAR", "stability_threshold", "stability_interval",
    "iteration_matrix", "spectral_radius", "stable", "hyper_map", "measured_boundary",
    # convergence
    "loss_bands", "steps_distribution", "StepsDistribution", "fraction_at_global_min",
    "GlobalMinFraction", "compare_optimizers",
    # convexity
    "convexity_map", "second_derivative", "regions", "CONVEX", "CONCAVE", "SADDLE",
    "DEGENERATE", "REGION_NAMES",
]
