"""The house style of fastdescent figures (lecture slides and printed notes).

One palette, used the same way in every figure:

* **Qualitative colours** come from the colour-blind-safe Okabe--Ito palette (Okabe & Ito 2008,
  "Color Universal Design"), extended with a few colours of Paul Tol's *muted* scheme for the
  optimizers beyond the lecture's six. Every optimizer name has one fixed colour
  (:data:`OPTIMIZER_COLORS`, :func:`optimizer_color`), every attractor index one fixed colour
  (:data:`ATTRACTOR_COLORS`, :func:`attractor_color`); "diverged" and "not converged" have
  their own fixed greys (:data:`DIVERGED_COLOR`, :data:`NOT_CONVERGED_COLOR`), never used for
  anything else. A basin map with more attractors than :data:`ATTRACTOR_COLORS` gives its
  largest basins the palette's colours and all the others one colour of their own, "other
  attractors" (:data:`OTHER_ATTRACTORS_COLOR`, :func:`basin_colors`): no colour has two
  meanings in one figure.
* **Markers** encode the kind of a critical point (:data:`KIND_MARKERS`): global minimum ★,
  local minimum ●, saddle point ✕, maximum ▲, degenerate ◆, unknown ■.
* **Colormaps** are perceptually uniform: :data:`LOSS_CMAP` (``viridis``) for loss surfaces and
  loss maps, :data:`STEPS_CMAP` (``cividis``) for step counts.
* **Sizes** (:data:`RC`) are chosen for slides: a figure is designed at most
  :data:`SLIDE_WIDTH` x :data:`SLIDE_HEIGHT` inches (a 16:9 slide, 13.33 x 7.5 in) and every text
  is at least :data:`MIN_TEXT_PT` = 12 pt at that size (13 pt body text, 12 pt ticks and
  legends); 2 pt lines, embedded TrueType fonts in PDF, PNG at 150 dpi.
  :mod:`fastdescent.plotting.quality` checks a drawn figure against these rules.
* **Numbers** follow the language: :func:`localize` gives every axis of a Spanish figure
  tick labels with the decimal comma (``0,5``), independently of the operating system's locale.

Use :func:`use_style` (a context manager that also works as a plain call), :func:`figure` to
create figures, and :func:`save` to write PNG and PDF together. The drawing functions of
:mod:`fastdescent.plotting` draw under the active house style whether or not it was applied
globally.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
import logging
from pathlib import Path
from typing import Sequence

import matplotlib as mpl
import numpy as np

__all__ = [
    "OKABE_ITO", "PALETTE", "OPTIMIZER_COLORS", "ATTRACTOR_COLORS", "DIVERGED_COLOR",
    "NOT_CONVERGED_COLOR", "CONVERGED_COLOR", "STATUS_COLORS", "REGION_COLORS", "KIND_MARKERS",
    "LOSS_CMAP", "STEPS_CMAP", "RC", "SLIDE_PANEL", "SLIDE_WIDTH", "SLIDE_HEIGHT", "MIN_TEXT_PT",
    "MIN_SCRIPT_PT", "PRINT_WIDTH", "DPI",
    "OTHER_ATTRACTORS_COLOR", "optimizer_color", "attractor_color", "basin_colors",
    "kind_marker", "use_style", "figure", "save", "localize",
]

#: The Okabe--Ito colour-blind-safe palette, by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# Extra colours from Paul Tol's colour-blind-safe "muted" scheme.
_TOL = {"indigo": "#332288", "wine": "#882255", "teal": "#44AA99", "olive": "#999933",
        "green": "#117733", "rose": "#CC6677", "sand": "#DDCC77"}

#: The default colour cycle (Okabe--Ito without black and yellow, then Tol's extras).
PALETTE = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"],
           OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"],
           _TOL["wine"], _TOL["teal"], _TOL["olive"], _TOL["indigo"])

#: Names that figures use for a registered optimizer (``sgd`` is ``torch_sgd``).
OPTIMIZER_ALIASES = {"sgd": "torch_sgd"}


class _OptimizerColors(Mapping):
    """Optimizer name -> its fixed colour, read from the optimizer registry (each rule's record
    carries its colour), plus the aliases of :data:`OPTIMIZER_ALIASES`."""

    def __getitem__(self, name):
        from ..optim.registry import all_rules

        name = OPTIMIZER_ALIASES.get(name, name)
        for rule in all_rules():
            if rule.name == name:
                return rule.color
        raise KeyError(name)

    def __iter__(self):
        from ..optim.registry import all_rules

        return iter([r.name for r in all_rules()] + list(OPTIMIZER_ALIASES))

    def __len__(self):
        return len(list(iter(self)))


#: One fixed colour per optimizer (registry names of :mod:`fastdescent.optim`, and aliases).
OPTIMIZER_COLORS = _OptimizerColors()

#: Colour of diverged trajectories / starting points (label -1).
DIVERGED_COLOR = "#3B3B3B"
#: Colour of trajectories that did not converge within their step budget (label -2).
NOT_CONVERGED_COLOR = "#BBBBBB"
#: Colour of converged trajectories when they are shown by status only.
CONVERGED_COLOR = OKABE_ITO["bluish_green"]
#: Engine status code -> colour (0 step limit, 1 converged, 2 diverged, -1 not run).
STATUS_COLORS = {0: NOT_CONVERGED_COLOR, 1: CONVERGED_COLOR, 2: DIVERGED_COLOR, -1: "#FFFFFF"}

#: Attractor ``k`` of a basin map has colour ``ATTRACTOR_COLORS[k % len(...)]``.
ATTRACTOR_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"],
                    OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"],
                    OKABE_ITO["yellow"], _TOL["wine"], _TOL["teal"], _TOL["olive"],
                    _TOL["indigo"], _TOL["sand"])

#: Colour shared by the basins beyond the ``len(ATTRACTOR_COLORS)`` largest of a basin map,
#: labelled "other attractors" (Paul Tol's light cyan, distinct from every attractor colour
#: and from the greys of "diverged" and "not converged", also under simulated colour-vision
#: deficiencies).
OTHER_ATTRACTORS_COLOR = "#99DDFF"

#: Curvature regions of :func:`fastdescent.plotting.convexity_map` (code -> colour):
#: 0 convex, 1 concave, 2 saddle, 3 degenerate.
REGION_COLORS = {0: OKABE_ITO["yellow"], 1: _TOL["rose"], 2: "#D9D9D9", 3: NOT_CONVERGED_COLOR}

#: Marker per critical-point kind ("global_minimum" / "local_minimum" refine "minimum").
KIND_MARKERS = {
    "global_minimum": "*",
    "local_minimum": "o",
    "minimum": "*",
    "saddle": "X",
    "maximum": "^",
    "degenerate": "D",
    "unknown": "s",
}
#: Marker sizes (points) per marker, so that stars look as big as circles.
MARKER_SIZES = {"*": 16, "o": 10, "X": 11, "^": 10, "D": 8, "s": 8}

#: Colormap of loss surfaces and loss maps (perceptually uniform).
LOSS_CMAP = "viridis"
#: Colormap of step counts (perceptually uniform, colour-blind safe).
STEPS_CMAP = "cividis"

#: Resolution of saved PNG files.
DPI = 150
#: Width and height (inches) of a 16:9 slide: the largest a slide figure is designed at.
SLIDE_WIDTH, SLIDE_HEIGHT = 13.33, 7.5
#: Smallest text (points) when the figure is shown as large as fits on a slide.
MIN_TEXT_PT = 12.0
#: Smallest sub- or superscript (points) at that size (mathtext shrinks scripts to 70 %).
MIN_SCRIPT_PT = 8.0
#: Size (inches) of one panel of a slide figure (three fit side by side on a slide).
SLIDE_PANEL = (4.3, 3.5)
#: Width (inches) of a printed page's text block (figures for print fill it).
PRINT_WIDTH = 6.3

#: Matplotlib settings of the house style.
RC = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "legend.frameon": True,
    "legend.framealpha": 0.85,
    "figure.titlesize": 15,
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "axes.linewidth": 1.0,
    "xtick.major.width": 1.0,
    "ytick.major.width": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "image.cmap": LOSS_CMAP,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "mathtext.fontset": "dejavusans",
}

# The style the drawing functions apply: the top of this stack (use_style pushes onto it).
_ACTIVE: list = [RC]


def optimizer_color(name) -> str:
    """The fixed colour of an optimizer (a name like ``"adam"`` or an ``Optimizer``).

    Raises
    ------
    KeyError
        If the optimizer has no colour.

    Parameters
    ----------
    name : str, Rule or Optimizer

    Returns
    -------
    str
        A hex colour.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fp.optimizer_color("adam"), fp.optimizer_color(fd.optim.gd(lr=0.1))
    ('#D55E00', '#0072B2')
    """
    key = str(getattr(name, "name", name))
    if key not in OPTIMIZER_COLORS:
        key = key.lower()
    if key not in OPTIMIZER_COLORS:
        raise KeyError(f"no colour for optimizer {key!r}; known: {', '.join(OPTIMIZER_COLORS)}")
    return OPTIMIZER_COLORS[key]


def attractor_color(k: int) -> str:
    """Colour of attractor ``k`` (>= 0); label -1 diverged and -2 not converged get greys.

    Raises
    ------
    ValueError
        If ``k`` is below -2.

    Parameters
    ----------
    k : int
        Attractor label (or -1, -2).

    Returns
    -------
    str
        A hex colour.

    Examples
    --------
    >>> from fastdescent import plotting as fp
    >>> fp.attractor_color(0), fp.attractor_color(-1), fp.attractor_color(-2)
    ('#0072B2', '#3B3B3B', '#BBBBBB')
    """
    k = int(k)
    if k == -1:
        return DIVERGED_COLOR
    if k == -2:
        return NOT_CONVERGED_COLOR
    if k < 0:
        raise ValueError(f"attractor labels are >= 0, -1 (diverged) or -2 (not converged), "
                         f"got {k}")
    return ATTRACTOR_COLORS[k % len(ATTRACTOR_COLORS)]


def basin_colors(sizes, prefer=None) -> list[str]:
    """Colour of each attractor of one basin map, given the sizes of its basins.

    With at most :math:`P` = ``len(ATTRACTOR_COLORS)`` (12) attractors, attractor ``k`` has
    ``attractor_color(k)``. With more, the :math:`P` largest basins (ties: the lower label)
    get distinct palette colours: an attractor among them keeps its preferred colour
    (``prefer[k]`` when that is a palette colour, else ``ATTRACTOR_COLORS[k]`` for
    ``k < P``) unless a larger basin has it, the others take the palette colours left free,
    largest basin first; every smaller basin is drawn in :data:`OTHER_ATTRACTORS_COLOR`, one
    legend entry "other attractors". So two attractors never share a palette colour.

    Parameters
    ----------
    sizes : array of float (K,)
        The size of each attractor's basin (a fraction or a count of starts).
    prefer : sequence of str, optional
        Colours to keep where possible, by label (a zoomed map passes its parent's, so that
        a basin keeps its colour).

    Returns
    -------
    list of str
        ``K`` hex colours.

    Raises
    ------
    ValueError
        If ``sizes`` is not 1-D or holds a negative or non-finite value.

    Examples
    --------
    >>> from fastdescent.plotting import style
    >>> style.basin_colors([0.5, 0.3, 0.2]) == [style.attractor_color(k) for k in range(3)]
    True
    >>> sizes = [0.01] + [0.05] * 12 + [0.3]  # 14 attractors: 0 is the smallest basin
    >>> c = style.basin_colors(sizes)
    >>> c[0] == style.OTHER_ATTRACTORS_COLOR, c[13] == style.ATTRACTOR_COLORS[0]
    (True, True)
    >>> len(set(c)), c.count(style.OTHER_ATTRACTORS_COLOR)
    (13, 2)
    """
    s = np.asarray(sizes, dtype=float)
    if s.ndim != 1 or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"sizes must be a 1-D array of finite numbers >= 0, got {sizes!r}")
    P = len(ATTRACTOR_COLORS)
    prefer = list(prefer or [])
    if len(s) <= P and not prefer:
        return [ATTRACTOR_COLORS[k] for k in range(len(s))]
    top = [int(k) for k in np.argsort(-s, kind="stable")[:P]]  # largest first, ties: lower k
    out = [OTHER_ATTRACTORS_COLOR] * len(s)
    taken = set()
    for k in top:
        want = prefer[k] if k < len(prefer) and prefer[k] in ATTRACTOR_COLORS else \
            (ATTRACTOR_COLORS[k] if k < P else None)
        if want is not None and want not in taken:
            out[k] = want
            taken.add(want)
    free = iter(c for c in ATTRACTOR_COLORS if c not in taken)
    for k in top:
        if out[k] == OTHER_ATTRACTORS_COLOR:
            out[k] = next(free)
    return out


def kind_marker(kind: str) -> str:
    """Marker of a critical-point kind (``"global_minimum"``, ``"saddle"``, ...).

    Raises
    ------
    KeyError
        If ``kind`` is unknown.

    Parameters
    ----------
    kind : str
        A key of :data:`~fastdescent.plotting.style.KIND_MARKERS`.

    Returns
    -------
    str
        A matplotlib marker.

    Examples
    --------
    >>> from fastdescent import plotting as fp
    >>> fp.kind_marker("global_minimum"), fp.kind_marker("saddle")
    ('*', 'X')
    """
    if kind not in KIND_MARKERS:
        raise KeyError(f"unknown kind {kind!r}; known: {', '.join(KIND_MARKERS)}")
    return KIND_MARKERS[kind]


class use_style:  # noqa: N801 - used like a function
    """Apply the house style (plus ``overrides``, rcParams names) to matplotlib.

    As a plain call it changes ``matplotlib.rcParams`` for the rest of the session; as a
    context manager it restores them on exit::

        with fastdescent.plotting.use_style(**{"font.size": 14}):
            fig, ax = fastdescent.plotting.figure()
            ...

    While active, the overrides also apply inside the drawing functions.

    Raises
    ------
    KeyError
        If an override is not a matplotlib rcParam.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from fastdescent import plotting as fp
    >>> before = mpl.rcParams["font.size"]
    >>> with fp.use_style(**{"font.size": 20}):
    ...     inside = mpl.rcParams["font.size"]
    >>> inside, mpl.rcParams["font.size"] == before
    (20.0, True)
    """

    def __init__(self, **overrides):
        unknown = [k for k in overrides if k not in mpl.rcParams]
        if unknown:
            raise KeyError(f"unknown matplotlib rcParams: {', '.join(unknown)}")
        self._saved = dict(mpl.rcParams.copy())
        self._style = {**_ACTIVE[-1], **overrides}
        mpl.rcParams.update(self._style)
        _ACTIVE.append(self._style)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        dict.update(mpl.rcParams, self._saved)  # as matplotlib.rc_context does
        for i in range(len(_ACTIVE) - 1, 0, -1):
            if _ACTIVE[i] is self._style:
                # drop this style and any applied (without ``with``) inside the block
                del _ACTIVE[i:]
                break
        return False


def _context():
    """rc_context of the active house style (used by every drawing function)."""
    return mpl.rc_context(_ACTIVE[-1])


def styled(fn):
    """Decorator: run a drawing function under the active house style."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _context():
            return fn(*args, **kwargs)

    return wrapper


def _figsize(nrows: int, ncols: int, size) -> tuple[float, float]:
    if size == "slide":
        w = min(SLIDE_WIDTH, SLIDE_PANEL[0] * ncols)
        return (w, min(SLIDE_HEIGHT, SLIDE_PANEL[1] * nrows))
    if size == "print":
        w = PRINT_WIDTH
        return (w, w / ncols * 0.75 * nrows)
    try:
        w, h = (float(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be 'slide', 'print' or (width, height) in inches, "
                         f"got {size!r}") from None
    return (w, h)


def figure(nrows: int = 1, ncols: int = 1, *, size="slide", projection: str | None = None,
           sharex=False, sharey=False, squeeze: bool = True, **kwargs):
    """A new figure in the house style: ``fig, ax = figure()``; ``fig, axs = figure(1, 3)``.

    Parameters
    ----------
    nrows, ncols : int
        Grid of panels (as :func:`matplotlib.pyplot.subplots`).
    size : "slide", "print" or (width, height)
        ``"slide"``: 4.3 x 3.5 in per panel, at most 13.33 x 7.5 in; ``"print"``: the whole figure is 6.3 in wide (a
        page's text block) with 4:3 panels; or an explicit size in inches.
    projection : str, optional
        ``"3d"`` for :func:`~fastdescent.plotting.loss_surface_3d`.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots` (``layout`` defaults to
        ``"constrained"``).

    Returns
    -------
    (Figure, Axes or array of Axes)
        As :func:`matplotlib.pyplot.subplots`.

    Raises
    ------
    ValueError
        If ``nrows`` or ``ncols`` is below 1.

    Examples
    --------
    Three slide panels of 4.3 x 3.5 in side by side:

    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> fig, axs = fp.figure(1, 3)
    >>> axs.shape, [float(v) for v in fig.get_size_inches().round(2)]
    ((3,), [12.9, 3.5])
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    nrows, ncols = int(nrows), int(ncols)
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be >= 1, got {nrows}, {ncols}")
    subplot_kw = dict(kwargs.pop("subplot_kw", None) or {})
    if projection is not None:
        subplot_kw["projection"] = projection
    kwargs.setdefault("layout", "constrained")
    kwargs.setdefault("figsize", _figsize(nrows, ncols, size))
    with _context():
        return plt.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=squeeze,
                            subplot_kw=subplot_kw, **kwargs)


def new_axes(projection: str | None = None):
    """One new Axes in a new house-style figure (used when a function gets ``ax=None``)."""
    _, ax = figure(projection=projection)
    return ax


def save(fig, path_stem, formats: Sequence[str] = ("png", "pdf"), *, dpi: int = DPI,
         lang: str | None = None, **kwargs) -> list[Path]:
    """Write ``fig`` as ``path_stem.png`` (``dpi``, default 150) and ``path_stem.pdf``.

    With ``lang="es"`` the tick labels are first given the decimal comma (:func:`localize`).
    Parent folders are created. A ``path_stem`` that already ends with one of ``formats``
    (``"fig/basins.pdf"``) has that suffix dropped. PDF metadata carry no creation date, so
    saving the same figure twice gives identical files. Returns the written paths.

    Raises
    ------
    ValueError
        If ``formats`` is empty or names a format matplotlib cannot write.

    Parameters
    ----------
    fig : Figure
    path_stem : str or Path
        The file name without suffix (a suffix among ``formats`` is dropped).
    formats : sequence of str
        File formats.
    dpi : int
        Resolution of raster formats.
    lang : {"en", "es"}, optional
        ``"es"``: the decimal comma on the ticks first.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure()
    >>> _ = ax.plot([0, 1], [0.5, 1.5])
    >>> paths = fp.save(fig, os.path.join(tempfile.mkdtemp(), "figs", "line"), lang="es")
    >>> [p.name for p in paths], ax.yaxis.get_major_formatter()(0.5, 0)
    (['line.png', 'line.pdf'], '0,5')
    >>> plt.close(fig)
    """
    if isinstance(formats, str):
        formats = (formats,)
    fmts = [str(f).lower().lstrip(".") for f in formats]
    if not fmts:
        raise ValueError("formats must name at least one format, e.g. ('png', 'pdf')")
    supported = fig.canvas.get_supported_filetypes()
    bad = [f for f in fmts if f not in supported]
    if bad:
        raise ValueError(f"unsupported format {bad[0]!r}; supported: {', '.join(supported)}")
    stem = Path(path_stem)
    if stem.suffix.lower().lstrip(".") in fmts:
        stem = stem.with_suffix("")
    if lang is not None:
        localize(fig, lang)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    user_meta = kwargs.pop("metadata", None)
    # fontTools logs a harmless warning about the zero timestamps of embedded font subsets
    head_log = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    old_level = head_log.level
    head_log.setLevel(logging.ERROR)
    try:
        written = _save_all(fig, stem, fmts, dpi, user_meta, kwargs)
    finally:
        head_log.setLevel(old_level)
    return written


def _save_all(fig, stem, fmts, dpi, user_meta, kwargs):
    written = []
    with _context():
        for f in fmts:
            path = stem.with_name(stem.name + "." + f)
            meta = user_meta
            if meta is None:
                meta = {"CreationDate": None} if f == "pdf" else (
                    {"Software": None} if f == "png" else None)
            fig.savefig(path, format=f, dpi=dpi, metadata=meta, **kwargs)
            written.append(path)
    return written


def lighten(color, amount: float):
    """``color`` blended with white: ``amount`` 0 keeps it, 1 gives white (arrays allowed)."""
    rgb = np.asarray(mpl.colors.to_rgb(color))
    a = np.clip(np.asarray(amount, dtype=float), 0.0, 1.0)[..., None]
    return rgb * (1.0 - a) + a


class DecimalCommaFormatter(mpl.ticker.Formatter):
    """Wraps a tick formatter and writes its numbers with the decimal comma.

    Every call is delegated to the wrapped formatter (so its choice of ticks, offset and
    precision is kept) and the labels pass through :func:`fastdescent.plotting.i18n.
    decimal_comma`. It does not depend on the process's locale, unlike matplotlib's
    ``axes.formatter.use_locale``.
    """

    def __init__(self, base):
        self.base = base

    def set_axis(self, axis):
        self.axis = axis
        self.base.set_axis(axis)

    def __call__(self, x, pos=None):
        from .i18n import decimal_comma

        return decimal_comma(self.base(x, pos))

    def format_ticks(self, values):
        from .i18n import decimal_comma

        return [decimal_comma(s) for s in self.base.format_ticks(values)]

    def set_locs(self, locs):
        self.locs = locs
        self.base.set_locs(locs)

    def get_offset(self):
        from .i18n import decimal_comma

        return decimal_comma(self.base.get_offset())

    def format_data(self, value):
        from .i18n import decimal_comma

        return decimal_comma(self.base.format_data(value))

    def format_data_short(self, value):
        from .i18n import decimal_comma

        return decimal_comma(self.base.format_data_short(value))


def localize(fig, lang: str):
    """Give every axis of ``fig`` (colour bars, insets and 3-D axes included) the number format of
    ``lang``: for ``"es"`` the decimal comma (``DecimalCommaFormatter``), for ``"en"``
    nothing changes. Idempotent; returns ``fig``.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.

    Parameters
    ----------
    fig : Figure
    lang : {"en", "es"}

    Returns
    -------
    Figure
        ``fig``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure()
    >>> _ = ax.plot([0.0, 2.5], [0.0, 1.0])
    >>> fig = fp.localize(fig, "es")
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_xticklabels()][:3]
    ['−0,5', '0,0', '0,5']
    >>> plt.close(fig)
    """
    from .i18n import check_lang

    check_lang(lang)
    if lang != "es":
        return fig
    stack = list(fig.get_axes())
    while stack:
        ax = stack.pop()
        stack.extend(getattr(ax, "child_axes", ()))  # inset axes
        for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", None)):
            if axis is None:
                continue
            for get, put in ((axis.get_major_formatter, axis.set_major_formatter),
                             (axis.get_minor_formatter, axis.set_minor_formatter)):
                f = get()
                if not isinstance(f, DecimalCommaFormatter):
                    put(DecimalCommaFormatter(f))
    return fig
