"""Checks that a drawn figure reads on a slide: text size, overlaps, clipping, decimal mark.

:func:`audit` renders a figure the way :func:`fastdescent.plotting.save` writes it (Agg,
``bbox_inches="tight"``) while recording every piece of text the renderer actually draws, and
returns a list of :class:`Problem`:

* ``"wide"`` -- the saved figure is wider than :data:`~fastdescent.plotting.style.SLIDE_WIDTH`
  (13.33 in): it is not designed at slide size.
* ``"small"`` -- a text is smaller than :data:`~fastdescent.plotting.style.MIN_TEXT_PT` (12 pt)
  when the figure is shown as large as fits on a 16:9 slide, i.e. scaled by
  ``s = min(13.33 / W, 7.5 / H)`` for a saved size of W x H inches. Mathtext shrinks sub- and
  superscripts to 70 % of the text size, so a 12 pt text has 8.4 pt scripts
  (:data:`~fastdescent.plotting.style.MIN_SCRIPT_PT` = 8 pt).
* ``"overlap"`` -- two drawn texts overlap by more than :data:`OVERLAP_PT` in both directions.
* ``"clipped"`` -- a text reaches past its clip box (partly hidden) or past the saved canvas.
* ``"decimal"`` -- in a Spanish figure (``lang="es"``), a number written with a decimal point
  (``2.5``) instead of the decimal comma (``2,5``).

Only text that is drawn counts: tick labels outside the view limits, empty strings and
invisible artists are never reported. :func:`assert_slide_ready` raises with every problem
listed, for tests::

    fig = draw(data, "es")
    assert_slide_ready(fig, "es")
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from matplotlib.text import Text

from . import style as S

__all__ = ["Problem", "DrawnText", "audit", "drawn_texts", "assert_slide_ready", "slide_scale",
           "OVERLAP_PT"]

#: Two texts overlap when their boxes share more than this many points in x and in y (the
#: boxes of matplotlib include the descent and a little leading, so touching lines of one
#: legend share a fraction of a point).
OVERLAP_PT = 1.0

_DECIMAL_POINT = re.compile(r"\d\.\d")


@dataclass(frozen=True)
class DrawnText:
    """A text as the renderer drew it: string, size (pt), box in points of the saved figure
    (x0, y0, x1, y1), its clip box (or None) and the artist.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.plotting.quality import drawn_texts
    >>> fig, ax = fp.figure()
    >>> _ = ax.set_title("Basins")
    >>> texts, width, height = drawn_texts(fig)
    >>> [(d.text, d.size) for d in texts if d.text == "Basins"]
    [('Basins', 12.0)]
    >>> plt.close(fig)
    """

    text: str
    size: float
    box: tuple
    clip: tuple | None
    artist: object

    def __str__(self) -> str:
        s = self.text.replace("\n", " ")
        return repr(s if len(s) <= 48 else s[:45] + "...")


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`audit`: ``kind`` (``"wide"``, ``"small"``, ``"overlap"``,
    ``"clipped"``, ``"decimal"``) and a message naming the text(s).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.plotting.quality import audit
    >>> fig, ax = fp.figure()
    >>> _ = ax.set_title("tiny", fontsize=4)
    >>> [p.kind for p in audit(fig)]
    ['small']
    >>> plt.close(fig)
    """

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def _saved_box(fig, renderer):
    """The saved canvas (as ``savefig(bbox_inches="tight")``) in display units."""
    import matplotlib as mpl

    pad = mpl.rcParams["savefig.pad_inches"]
    bbox = fig.get_tightbbox(renderer).padded(pad)
    return bbox.transformed(fig.dpi_scale_trans)


def drawn_texts(fig):
    """Draw ``fig`` with Agg and return ``(texts, width_in, height_in)``: every
    :class:`DrawnText` the renderer drew and the saved (tight) size in inches.

    Box coordinates are points (1/72 in) from the saved canvas's lower-left corner.

    Parameters
    ----------
    fig : Figure

    Returns
    -------
    (list of DrawnText, float, float)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.plotting.quality import drawn_texts
    >>> fig, ax = fp.figure()
    >>> _ = ax.set_xlabel("Step")
    >>> texts, width, height = drawn_texts(fig)
    >>> [(d.text, d.size) for d in texts if d.text == "Step"], bool(width < 13.33)
    ([('Step', 13.0)], True)
    >>> plt.close(fig)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()  # first draw: constrained layout settles
    renderer = fig.canvas.get_renderer()
    records: list = []
    seen: set = set()
    original = renderer.draw_text
    # The Text being drawn: a multi-line Text draws each line with ``mtext=None``, so the
    # artist is taken from the enclosing Text.draw call (its box covers all its lines).
    drawing: list = []
    text_draw = Text.draw

    def tracking_draw(self, rend):
        drawing.append(self)
        try:
            return text_draw(self, rend)
        finally:
            drawing.pop()

    def recording_draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        artist = mtext if mtext is not None else (drawing[-1] if drawing else None)
        key = id(artist) if artist is not None else None
        if s and s.strip() and (key is None or key not in seen):
            if key is not None:
                seen.add(key)
            clip = gc.get_clip_rectangle()
            # Text.draw passes y measured from the top when the renderer flips y (Agg does)
            y_up = renderer.height - y if renderer.flipy() else y
            records.append((s, prop.get_size_in_points(), artist, x, y_up, prop, angle, ismath,
                            None if clip is None else tuple(clip.extents)))
        return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = recording_draw_text
    Text.draw = tracking_draw
    try:
        fig.draw(renderer)
    finally:
        Text.draw = text_draw
        del renderer.draw_text
    canvas = _saved_box(fig, renderer)
    to_pt = 72.0 / fig.dpi
    x0, y0 = canvas.x0, canvas.y0
    texts = []
    for s, size, mtext, x, y, prop, angle, ismath, clip in records:
        if mtext is not None:
            if not mtext.get_visible() or (mtext.get_alpha() is not None
                                            and mtext.get_alpha() == 0):
                continue
            bb = mtext.get_window_extent(renderer)
            ext = (bb.x0, bb.y0, bb.x1, bb.y1)
            text = mtext.get_text()
        else:
            w, h, d = renderer.get_text_width_height_descent(s, prop, ismath)
            ext = (x, y - d, x + w, y + h - d)
            text = s
        box = tuple((v - o) * to_pt for v, o in zip(ext, (x0, y0, x0, y0)))
        cbox = None if clip is None else tuple(
            (v - o) * to_pt for v, o in zip(clip, (x0, y0, x0, y0)))
        texts.append(DrawnText(text, float(size), box, cbox, mtext))
    return texts, canvas.width / fig.dpi, canvas.height / fig.dpi


def slide_scale(width_in: float, height_in: float) -> float:
    """Factor by which a figure of that size is enlarged (or reduced) to fill a 16:9 slide.

    Parameters
    ----------
    width_in, height_in : float
        The figure's size in inches.

    Returns
    -------
    float
        The magnification when the figure fills the slide (limited by width or height).

    Examples
    --------
    A figure drawn at 6.65 in wide is shown twice as large on a 13.33 in slide:

    >>> from fastdescent.plotting.quality import slide_scale
    >>> round(slide_scale(6.665, 3.75), 6), slide_scale(13.33, 7.5)
    (2.0, 1.0)
    """
    return min(S.SLIDE_WIDTH / width_in, S.SLIDE_HEIGHT / height_in)


def _overlap(a, b) -> bool:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx > OVERLAP_PT and dy > OVERLAP_PT


def _visible(tx: DrawnText) -> tuple:
    """The part of a text's box inside its clip box (what can collide with other text)."""
    if tx.clip is None:
        return tx.box
    (x0, y0, x1, y1), c = tx.box, tx.clip
    return (max(x0, c[0]), max(y0, c[1]), min(x1, c[2]), min(y1, c[3]))


def audit(fig, lang: str | None = None, *, min_pt: float = S.MIN_TEXT_PT,
          max_width: float = S.SLIDE_WIDTH) -> list[Problem]:
    """The slide-readiness problems of ``fig`` (an empty list when it is slide-ready).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, drawn but not yet closed.
    lang : {"es", "en"}, optional
        With ``"es"``, numbers with a decimal point are reported.
    min_pt : float
        Smallest text size (points) at slide size.
    max_width : float
        Largest saved width (inches).

    Returns
    -------
    list of Problem
        Empty when the figure is slide-ready.

    Examples
    --------
    A decimal point in a Spanish figure is a problem; :func:`~fastdescent.plotting.localize`
    fixes the tick labels, the title needs :func:`~fastdescent.plotting.t` or
    :func:`~fastdescent.plotting.i18n.number`:

    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.plotting.quality import audit
    >>> fig, ax = fp.figure()
    >>> _ = ax.set_title("lr = 0.5")
    >>> [str(p) for p in audit(fp.localize(fig, "es"), "es")]
    ["decimal: 'lr = 0.5' has a decimal point in a Spanish figure (write 2,5, not 2.5)"]
    >>> plt.close(fig)
    """
    texts, w, h = drawn_texts(fig)
    problems: list[Problem] = []
    if w > max_width + 0.01:
        problems.append(Problem("wide", f"saved width {w:.2f} in > {max_width:.2f} in"))
    scale = slide_scale(w, h)
    for tx in texts:
        shown = tx.size * scale
        if shown < min_pt - 1e-6:
            problems.append(Problem("small", f"{tx} is {shown:.1f} pt at slide size "
                                             f"({tx.size:.1f} pt in a {w:.1f} x {h:.1f} in "
                                             f"figure), below {min_pt:g} pt"))
    shown_boxes = [_visible(tx) for tx in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _overlap(shown_boxes[i], shown_boxes[j]):
                problems.append(Problem("overlap", f"{texts[i]} overlaps {texts[j]}"))
    w_pt, h_pt = w * 72.0, h * 72.0
    for tx in texts:
        x0, y0, x1, y1 = tx.box
        if x0 < -0.5 or y0 < -0.5 or x1 > w_pt + 0.5 or y1 > h_pt + 0.5:
            problems.append(Problem("clipped", f"{tx} reaches past the saved canvas"))
        elif tx.clip is not None:
            c = tx.clip
            inside = x0 >= c[0] - 0.5 and y0 >= c[1] - 0.5 and x1 <= c[2] + 0.5 and y1 <= c[3] + 0.5
            visible = _overlap(tx.box, c) or (x0 < c[2] and x1 > c[0] and y0 < c[3] and y1 > c[1])
            if visible and not inside:
                problems.append(Problem("clipped", f"{tx} is cut by its axes' clip box"))
    if lang == "es":
        for tx in texts:
            if _DECIMAL_POINT.search(tx.text.replace("{,}", ",")):
                problems.append(Problem("decimal", f"{tx} has a decimal point in a Spanish "
                                                   f"figure (write 2,5, not 2.5)"))
    return problems


def assert_slide_ready(fig, lang: str | None = None, **kwargs) -> None:
    """Raise AssertionError listing every problem :func:`audit` finds in ``fig``.

    Parameters
    ----------
    fig : Figure
    lang : {"en", "es"}, optional
        Also check the decimal mark of that language.
    **kwargs
        Thresholds of :func:`audit`.

    Raises
    ------
    AssertionError
        Listing every problem :func:`audit` finds.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.plotting.quality import assert_slide_ready
    >>> fig, ax = fp.figure()
    >>> _ = ax.set_title("Loss")
    >>> assert_slide_ready(fig, "en")
    >>> _ = ax.set_xlabel("tiny", fontsize=3)
    >>> assert_slide_ready(fig, "en")
    Traceback (most recent call last):
        ...
    AssertionError: 1 slide-readiness problem(s):
      small: 'tiny' is ... pt at slide size ...
    >>> plt.close(fig)
    """
    problems = audit(fig, lang, **kwargs)
    if problems:
        lines = "\n  ".join(str(p) for p in problems)
        raise AssertionError(f"{len(problems)} slide-readiness problem(s):\n  {lines}")
