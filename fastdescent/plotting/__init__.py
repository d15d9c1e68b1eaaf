"""Figures for lecture material (matplotlib only), in English or Spanish.

Every drawing function takes ``ax=None`` (a new house-style figure is made) and returns the
Axes it drew on; labels follow ``lang="en"`` or ``lang="es"``.

>>> import fastdescent as fd
>>> from fastdescent import plotting as fp
>>> m = fd.models.gabor()
>>> res = fd.run(m, fd.optim.gd(lr=0.01), [[0.6, 15.0]], 100, record_every=1,
...              progress=False)
>>> fig, ax = fp.figure()
>>> ax = fp.loss_surface(m, ax, lang="es", n=60)
>>> ax = fp.trajectory(res.path[0], ax, numbered=True)
>>> import os, tempfile
>>> paths = fp.save(fig, os.path.join(tempfile.mkdtemp(), "gabor_gd"))   # PNG and PDF
>>> sorted(p.suffix for p in paths)
['.pdf', '.png']

Modules
-------
:mod:`~fastdescent.plotting.style`
    Palette (Okabe--Ito), fixed colours per optimizer / status / attractor, markers per
    critical-point kind, :func:`use_style`, :func:`figure`, :func:`save`.
:mod:`~fastdescent.plotting.i18n`
    :func:`t` and the translation table (numbers with the decimal comma in Spanish);
    :func:`param_label` for parameter axes; :class:`~fastdescent.plotting.i18n.Texts` for a
    figure script's own strings.
:mod:`~fastdescent.plotting.quality`
    :func:`~fastdescent.plotting.quality.audit`: text size at slide size, overlaps, clipping,
    decimal mark.
:mod:`~fastdescent.plotting.surfaces`
    :func:`loss_surface`, :func:`loss_surface_3d`, :func:`trajectory`, :func:`trajectories`,
    :func:`mark_attractors`, :func:`mark_points`.
:mod:`~fastdescent.plotting.maps`
    :func:`basin_map`, :func:`hyper_map`, :func:`convexity_map` (+ :func:`convexity_codes`).
:mod:`~fastdescent.plotting.curves`
    :func:`convergence_bands`, :func:`steps_histogram`, :func:`model_fit`, :func:`line_1d`.
:mod:`~fastdescent.plotting.predict`
    NumPy predictions :math:`f(x;\\phi)` of the lecture's data models.
"""
from . import i18n, predict, quality, style
from .curves import (convergence_bands, line_1d, loss_quantiles, model_fit,  # noqa: F401
                     steps_histogram)
from .i18n import optimizer_label, param_label, t
from .maps import basin_map, convexity_codes, convexity_map, hyper_map
from .style import (attractor_color, figure, kind_marker, localize, optimizer_color,  # noqa: F401
                    save, use_style)
from .surfaces import (loss_surface, loss_surface_3d, mark_attractors, mark_points, trajectories,
                       trajectory, update_legend)

__all__ = [
    "use_style", "figure", "save", "localize", "optimizer_color", "attractor_color", "kind_marker",
    "t", "param_label", "optimizer_label",
    "loss_surface", "loss_surface_3d", "trajectory", "trajectories", "mark_attractors",
    "mark_points", "update_legend",
    "basin_map", "hyper_map", "convexity_map", "convexity_codes",
    "convergence_bands", "loss_quantiles", "steps_histogram", "model_fit", "line_1d",
    "style", "i18n", "predict", "quality",
]
