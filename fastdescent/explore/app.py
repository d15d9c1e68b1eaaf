"""The explorer's page: Bokeh widgets and plots, one ``Session`` per browser tab.

Controls move ``fastdescent.explore.core.Settings``; every change sends the views it
affects to the session's ``fastdescent.explore.worker.Worker`` (a newer request of a
view replaces an older one), and results come back to the page through Bokeh's
``add_next_tick_callback`` (the UI thread never computes). A click on the surface starts a
trajectory there; a rectangle dragged (box select) on the basin or hyperparameter map
recomputes that window; a request the engine refuses (an empty window, a grid too large, a
hyperparameter out of its range) is shown as a message in the page.
"""
from __future__ import annotations

import math
import re
from functools import partial

import numpy as np

from ..plotting import i18n, style
from ..plotting.i18n import number, optimizer_label, param_label
from . import core
from .figures import T, settings_line, status_name
from .worker import Partial, Worker

__all__ = ["Session", "make_document", "plain"]

_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
          "lambda": "λ", "mu": "μ", "nu": "ν", "rho": "ρ", "sigma": "σ", "tau": "τ",
          "phi": "φ", "theta": "θ", "omega": "ω"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def plain(text: str) -> str:
    """Label text without TeX: ``"Offset, $\\phi_{0}$"`` -> ``"Offset, φ₀"``.

    Examples
    --------
    >>> from fastdescent.explore.app import plain
    >>> plain("Tasa de aprendizaje, $\\\\alpha$"), plain("$\\\\phi_{1}$")
    ('Tasa de aprendizaje, α', 'φ₁')
    """
    def conv(m):
        s = m.group(1)
        s = re.sub(r"\\([A-Za-z]+)", lambda g: _GREEK.get(g.group(1), g.group(1)), s)
        s = re.sub(r"_\{(\d+)\}|_(\d)", lambda g: (g.group(1) or g.group(2)).translate(_SUB), s)
        return s.replace("{", "").replace("}", "")
    return re.sub(r"\$([^$]*)\$", conv, str(text))


def _rgba(hex_color: str, alpha: int = 255) -> int:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return int(np.array([r, g, b, alpha], np.uint8).view(np.uint32)[0])


def label_image(labels: np.ndarray, colors=None) -> np.ndarray:
    """RGBA image (uint32) of a label grid in the house colours, transposed so that rows are
    the y axis: attractor ``k`` in ``colors[k]`` (default ``style.basin_colors`` of the
    basins' areas: beyond 12 attractors the smaller basins share "other attractors"),
    diverged and not converged in their greys."""
    lab = labels.T
    if colors is None:
        colors = style.basin_colors(np.bincount(lab[lab >= 0].ravel(),
                                                minlength=int(max(lab.max(), -1)) + 1))
    img = np.empty(lab.shape, dtype=np.uint32)
    for g in np.unique(lab):
        img[lab == g] = _rgba(colors[g] if g >= 0 else style.attractor_color(int(g)))
    return img


def basin_legend(colors, fractions, lang: str) -> str:
    """HTML legend of a basin map: a swatch and the basin fraction of each attractor with a
    palette colour, one swatch "other attractors (n)" with their total fraction when the
    smaller basins share ``style.OTHER_ATTRACTORS_COLOR``, then not converged and
    diverged; attractors without a basin in the map (a zoom's) are left out."""
    fr = np.asarray(fractions, dtype=float)
    items = [(c, number(float(f), lang, ".2f")) for c, f in zip(colors, fr)
             if c != style.OTHER_ATTRACTORS_COLOR and f > 0]
    other = [k for k, c in enumerate(colors) if c == style.OTHER_ATTRACTORS_COLOR and fr[k] > 0]
    if other:
        items.append((style.OTHER_ATTRACTORS_COLOR,
                      i18n.t("other_attractors", lang, k=len(other)) + ": "
                      + number(float(fr[other].sum()), lang, ".2f")))
    items += [(style.NOT_CONVERGED_COLOR, i18n.t("not_converged", lang)),
              (style.DIVERGED_COLOR, i18n.t("diverged", lang))]
    return " &nbsp; ".join(_swatch(c, text) for c, text in items)


def status_image(status: np.ndarray) -> np.ndarray:
    st = status.T
    img = np.empty(st.shape, dtype=np.uint32)
    for code, colour in style.STATUS_COLORS.items():
        img[st == code] = _rgba(colour)
    return img


class Session:
    """The widgets, plots and state of one browser tab (see the module docstring).

    Building it adds the page to ``doc`` and requests the visible views from its worker
    thread; the worker stops when the document's session ends (``worker.close()`` stops it
    by hand).

    Parameters
    ----------
    doc : bokeh.document.Document
        The document the page is added to.
    lang : {"en", "es"}
        Language of the page.
    settings : Settings, optional
        The initial model, optimizer and hyperparameters (default ``Settings()``).
    export_dir : path
        Where the export button writes the figure and the TOML file.

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.

    Examples
    --------
    The controls are read from the registries (needs Bokeh, ``pip install
    fastdescent[explore]``):

    >>> from bokeh.document import Document
    >>> from fastdescent.explore import core
    >>> from fastdescent.explore.app import Session
    >>> sess = Session(Document(), "es", core.Settings("gabor", "momentum", {"lr": 0.01}))
    >>> sess.opt_sel.value, sess.tabs.tabs[1].title, [w.name for w in sess.hyper_col.children]
    ('momentum', 'Cuencas', ['hyper-lr', 'hyper-beta'])
    >>> sess.worker.close()
    """

    def __init__(self, doc, lang: str = "en", settings: core.Settings | None = None,
                 export_dir="explore"):
        from bokeh.models import (Button, ColumnDataSource, CustomJSTickFormatter, Div,
                                  LinearColorMapper, Select, Slider, Spinner, TabPanel, Tabs,
                                  TextInput)
        from bokeh.palettes import Viridis256
        from bokeh.plotting import figure

        i18n.check_lang(lang)
        self.doc, self.lang, self.export_dir = doc, lang, export_dir
        self.s = settings or core.Settings()
        self.start = None
        self.basin_window = None
        self.hyper_window = None
        self.views = {}
        self.worker = Worker(self._result, self._error,
                             priority={"trajectory": 0, "surface": 0, "formula": 0, "basins": 1,
                                       "hypermap": 1})
        L = lang
        comma = "es" == lang
        dec = ".replace('.', ',')" if comma else ""
        self.fmt = CustomJSTickFormatter(code=f"return String(Number(tick.toPrecision(10))){dec};")
        self.logfmt = CustomJSTickFormatter(
            code=f"return String(Number((10 ** tick).toPrecision(2))){dec};")

        # ---------------------------------------------------------------- controls
        self.model_sel = Select(title=T("model_select", L), value=self.s.model, name="model",
                                options=[(n, n) for n in core.surface_models()]
                                + [(core.FORMULA, T("formula_option", L))])
        f = self.s.formula
        self.formula_in = TextInput(
            title=T("formula_label", L), name="formula", value=f.text if f else "",
            placeholder="(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
        self.fbox_in = TextInput(
            title=T("formula_box_label", L), name="formula_box",
            value=", ".join(f"{v:g}" for b in (f.box if f else ((-5, 5), (-5, 5))) for v in b))
        self.opt_sel = Select(title=T("optimizer", L), value=self.s.optimizer, name="optimizer",
                              options=[(n, optimizer_label(n, L)) for n in core.optimizers()])
        self.steps_sl = Slider(title=T("steps_label", L), start=10, end=1000, step=10,
                               value=self.s.steps, name="steps", format=self.fmt)
        self.tol_sl = Slider(title=T("tol_label", L), start=-8, end=-1, step=0.5,
                             value=math.log10(self.s.tol), name="tol", format=self.fmt)
        self.batch_sp = Spinner(title=T("batch_label", L), low=0, step=1,
                                value=self.s.batch_size, name="batch")
        self.grid_sp = Spinner(title=T("grid_label", L), low=2, step=16, value=128, name="grid")
        self.y_sel = Select(title=T("yhyper_label", L), name="yhyper")
        self.export_btn = Button(label=T("export", L), name="export", button_type="primary")
        self.reset_btn = Button(label=T("reset_zoom", L), name="reset")
        self.msg = Div(text="", name="message", width=330,
                       styles={"color": "#B00020", "font-size": "14px"})
        self.busy = Div(text="", name="busy", width=330, styles={"color": "#555555"})
        self.info = Div(text=T("click_hint", L) + "<br>" + T("zoom_hint", L), width=330,
                        name="info", styles={"font-size": "13px"})
        from bokeh.layouts import column

        self.hyper_col = column(name="hyper")
        self._build_sliders()

        # ---------------------------------------------------------------- plots
        tools = "pan,wheel_zoom,reset,save"
        self.cmap = LinearColorMapper(palette=Viridis256)
        (x0, x1), (y0, y1) = self.s.box
        self.surf = figure(width=640, height=520, tools=tools, name="surface_plot",
                           toolbar_location="above", x_range=(x0, x1), y_range=(y0, y1))
        self.surf_src = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[]),
                                         name="surface")
        self.surf.image("image", x="x", y="y", dw="dw", dh="dh", source=self.surf_src,
                        color_mapper=self.cmap)
        from bokeh.models import ColorBar

        self.surf.add_layout(ColorBar(color_mapper=self.cmap, title=T("surface_scale", L),
                                      formatter=self.fmt, title_text_font_size="13px",
                                      major_label_text_font_size="12px"), "right")
        self.traj_src = ColumnDataSource(dict(xs=[], ys=[]), name="traj")
        colour = style.optimizer_color(self.s.optimizer)
        self.traj_glyph = self.surf.multi_line("xs", "ys", source=self.traj_src, line_width=2.5,
                                               line_color=colour).glyph
        self.pts_src = ColumnDataSource(dict(x=[], y=[], step=[]), name="points")
        self.pts_glyph = self.surf.scatter("x", "y", source=self.pts_src, size=4,
                                           fill_color=colour, line_color=colour).glyph
        self.num_src = ColumnDataSource(dict(x=[], y=[], text=[]), name="numbers")
        self.surf.text("x", "y", text="text", source=self.num_src, text_font_size="13px",
                       x_offset=6, y_offset=-5, text_color="black",
                       background_fill_color="white", background_fill_alpha=0.75)
        self.ends_src = ColumnDataSource(dict(x=[], y=[]), name="ends")
        self.surf.scatter("x", "y", source=self.ends_src, size=11, marker="star",
                          fill_color="white", line_color="black")
        self.traj_div = Div(text="", name="traj_info", width=640, styles={"font-size": "14px"})

        self.bas = figure(width=640, height=520, tools="box_select,pan,reset,save",
                          name="basins_plot", toolbar_location="above", x_range=(x0, x1),
                          y_range=(y0, y1), active_drag="box_select")
        self.bas_src = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[], final=[]),
                                       name="basins")
        self.bas.image_rgba("image", x="x", y="y", dw="dw", dh="dh", source=self.bas_src)
        self.att_src = ColumnDataSource(dict(x=[], y=[], color=[]), name="attractors")
        self.bas.scatter("x", "y", source=self.att_src, size=15, marker="star",
                         fill_color="white", line_color="black")
        self.bas_div = Div(text="", name="basins_info", width=640, styles={"font-size": "14px"})

        self.hyp = figure(width=640, height=520, tools="box_select,pan,reset,save",
                          name="hyper_plot", toolbar_location="above", x_range=(-4, 0),
                          y_range=(0, 1), active_drag="box_select")
        self.hyp_src = ColumnDataSource(dict(image=[], x=[], y=[], dw=[], dh=[], final=[]),
                                       name="hypermap")
        self.hyp.image_rgba("image", x="x", y="y", dw="dw", dh="dh", source=self.hyp_src)
        self.theory_src = ColumnDataSource(dict(x=[], y=[]), name="theory")
        self.hyp.line("x", "y", source=self.theory_src, line_dash="dashed", line_width=2.5,
                      line_color="black", legend_label=plain(i18n.t("theory", L)))
        self.hyp.legend.location = "top_left"
        self.hyp_div = Div(text="", name="hyper_info", width=640, styles={"font-size": "14px"})
        self.hyp.xaxis.axis_label = plain(i18n.t("learning_rate", L))
        self.hyp.xaxis.formatter = self.logfmt
        self.hyp.yaxis.formatter = self.fmt
        for f in (self.surf, self.bas):
            f.xaxis.formatter = self.fmt
            f.yaxis.formatter = self.fmt
        for f in (self.surf, self.bas, self.hyp):
            f.axis.axis_label_text_font_size = "15px"
            f.axis.major_label_text_font_size = "13px"

        self.tabs = Tabs(name="tabs", tabs=[
            TabPanel(title=T("surface_tab", L), child=column(self.surf, self.traj_div)),
            TabPanel(title=T("basins_tab", L), child=column(self.bas, self.bas_div)),
            TabPanel(title=T("hyper_tab", L), child=column(self.hyp, self.hyp_div))])

        from bokeh.events import DoubleTap, SelectionGeometry, Tap
        from bokeh.layouts import row

        self.surf.on_event(Tap, self._tap)
        self.surf.on_event(DoubleTap, self._tap)  # two quick clicks: two starts
        self.bas.on_event(SelectionGeometry, partial(self._select, "basins"))
        self.hyp.on_event(SelectionGeometry, partial(self._select, "hypermap"))
        self.model_sel.on_change("value", self._model)
        self.formula_in.on_change("value", self._formula)
        self.fbox_in.on_change("value", self._formula)
        self.opt_sel.on_change("value", self._optimizer)
        self.steps_sl.on_change("value_throttled", lambda a, o, n: self._set(steps=int(n)))
        self.tol_sl.on_change("value_throttled", lambda a, o, n: self._set(tol=10.0 ** n))
        self.batch_sp.on_change("value", lambda a, o, n: self._set(batch_size=int(n or 0)))
        self.grid_sp.on_change("value", lambda a, o, n: self._refresh(("basins",)))
        self.y_sel.on_change("value", lambda a, o, n: self._refresh(("hypermap",), reset=True))
        self.tabs.on_change("active", lambda a, o, n: self._refresh(self._stale()))
        self.export_btn.on_click(self._export)
        self.reset_btn.on_click(self._reset)

        controls = column(Div(text=f"<h2>{T('app_title', L)}</h2>"), self.model_sel,
                          self.formula_in, self.fbox_in, self.opt_sel, self.hyper_col, self.steps_sl, self.tol_sl,
                          self.batch_sp, self.grid_sp, self.y_sel, self.reset_btn,
                          self.export_btn, self.busy, self.msg, self.info, width=350)
        doc.add_root(row(controls, self.tabs, name="root"))
        doc.title = T("app_title", L)
        doc.on_session_destroyed(lambda ctx: self.worker.close())
        self._axes_labels()
        self.start = tuple(0.5 * (a + b) for a, b in self.s.box)
        self._dirty = {"surface", "trajectory", "basins", "hypermap"}
        self._msgs = {}  # view -> its message; a refresh clears only the refreshed views' own
        self._refresh(("surface", "trajectory", "basins", "hypermap"))

    # ------------------------------------------------------------------ controls
    def _build_sliders(self):
        """New slider widgets for the optimizer's hyperparameters (the previous ones are
        renamed first, so each ``hyper-<name>`` is one model in the page)."""
        from bokeh.models import CustomJSTickFormatter, Slider

        dec = ".replace('.', ',')" if self.lang == "es" else ""
        vals = self.s.hyper_values()
        self._retired = getattr(self, "_retired", 0)
        for w in self.hyper_col.children:
            self._retired += 1
            w.update(name=f"retired-{self._retired}", visible=False)
        widgets = []
        for sp in core.sliders(self.s.optimizer):
            v = vals[sp.name]
            if sp.log:
                fmt = CustomJSTickFormatter(
                    code=f"return String(Number((10 ** tick).toPrecision(3))){dec};")
                w = Slider(start=math.log10(sp.lo), end=math.log10(sp.hi), value=math.log10(v),
                           step=sp.step, format=fmt, title=sp.name, name=f"hyper-{sp.name}")
            else:
                w = Slider(start=sp.lo, end=sp.hi, value=v, step=sp.step or 0.01,
                           format=self.fmt, title=sp.name, name=f"hyper-{sp.name}")
            # every move requests the views; a newer request replaces the older one
            w.on_change("value", lambda a, o, n, name=sp.name, log=sp.log:
                        self._set(hyper={name: 10.0 ** n if log else float(n)}))
            widgets.append(w)
        self.hyper_col.children = widgets
        others = [h for h in self.s.hyper_values() if h != next(iter(self.s.hyper_values()))]
        self.y_sel.options = ["–"] + others
        self.y_sel.value = next((o for o in others if o in ("beta", "momentum")),
                                others[0] if others else "–")

    def _axes_labels(self):
        if self.s.model == core.FORMULA:  # the formula's symbols (its model is built later)
            names = self.s.formula.params if self.s.formula else ("", "")
        else:
            m = self.s.model_obj()
            names = tuple(plain(param_label(m, k, self.lang)) for k in (0, 1))
        for f in (self.surf, self.bas):
            f.xaxis.axis_label, f.yaxis.axis_label = names
        y = self.y_sel.value
        self.hyp.yaxis.axis_label = "" if y in (None, "–") else plain(i18n.math_name(y))

    def _model(self, attr, old, new):
        if new == core.FORMULA and self.s.formula is None:  # nothing typed yet
            self._set_msg("formula", T("error", self.lang, msg=_escape(
                "type a formula of two parameters in the formula box first")))
            if old is not None:
                self.model_sel.value = old  # the page stays on its model
            return
        self.s = self.s.with_(model=new)
        self.start = tuple(0.5 * (a + b) for a, b in self.s.box)
        self.basin_window = self.hyper_window = None
        self._axes_labels()
        self._refresh(("surface", "trajectory", "basins", "hypermap"), reset=True)

    def _formula(self, attr, old, new):
        """A typed formula (or its box): its symbols and box are checked here, its model is
        built (parsed, differentiated, compiled) off this thread; once built it becomes the
        page's model (``_draw_formula``), and a formula that does not build leaves the page on
        its model with the reason in the message line."""
        self._msgs.pop("formula", None)
        try:
            f = core.formula(self.formula_in.value, core.check_box(self.fbox_in.value))
        except core.ExploreError as exc:
            self._set_msg("formula", T("error", self.lang, msg=_escape(str(exc))))
            return
        self._show_msgs()
        self.busy.text = T("computing", self.lang)
        self.worker.submit("formula", self._job_formula, self.s, f)

    @staticmethod
    def _job_formula(s, f):
        yield
        core.formula_model(f)
        return f

    def _draw_formula(self, f, final):
        self.s = self.s.with_(formula=f)
        if self.model_sel.value != core.FORMULA:
            self.model_sel.value = core.FORMULA  # calls _model
        else:
            self._model(None, None, core.FORMULA)

    def _optimizer(self, attr, old, new):
        self.s = self.s.with_(optimizer=new)
        colour = style.optimizer_color(new)
        self.traj_glyph.line_color = colour
        self.pts_glyph.fill_color = self.pts_glyph.line_color = colour
        self._build_sliders()
        self._axes_labels()
        self._refresh(("trajectory", "basins", "hypermap"), reset=True)

    def _set(self, **changes):
        self.s = self.s.with_(**changes)
        self._refresh(("trajectory", "basins", "hypermap"))

    def _reset(self):
        self.basin_window = self.hyper_window = None
        self._refresh(("basins", "hypermap"))

    def _tap(self, event):
        if event.x is None or event.y is None:
            return
        self.start = (float(event.x), float(event.y))
        self._refresh(("trajectory",))

    def _select(self, which, event):
        g = event.geometry
        if not event.final or g.get("type") != "rect":
            return
        window = [[g["x0"], g["x1"]], [g["y0"], g["y1"]]]
        if which == "basins":
            self.basin_window = window
        else:
            self.hyper_window = window
        self._refresh((which,))

    # ------------------------------------------------------------------ requests
    def _visible(self):
        return {0: ("surface", "trajectory"), 1: ("basins",), 2: ("hypermap",)}[self.tabs.active]

    def _stale(self):
        return tuple(v for v in self._visible() if v in self._dirty)

    def _refresh(self, which, reset=False):
        """Mark ``which`` views stale and request those visible now."""
        if reset and "hypermap" in which:
            self.hyper_window = None
        self._dirty |= set(which)
        for v in which:
            self._msgs.pop(v, None)
        self._msgs.pop("export", None)
        self._show_msgs()
        self.busy.text = T("computing", self.lang)
        for v in which:
            if v in self._visible() or v == "trajectory":
                self._dirty.discard(v)
                self.worker.submit(v, getattr(self, f"_job_{v}"), self.s, self._args(v))

    def _args(self, v):
        if v == "trajectory":
            return self.start
        if v == "basins":
            parent = None if self.basin_window is None else self.views.get("basins")
            return (self.grid_sp.value, self.basin_window, getattr(parent, "attractors", None),
                    getattr(parent, "colors", None))
        if v == "hypermap":
            y = self.y_sel.value
            return (None if y in (None, "–") else y, self.hyper_window, self.start)
        return None

    # jobs: generator functions run by the worker thread
    @staticmethod
    def _job_surface(s, _):
        yield
        return core.surface(s, 200)

    @staticmethod
    def _job_trajectory(s, start):
        view = core.trajectory(s, start)
        view.ds = yield from core.steps(view.doc)
        return view

    @staticmethod
    def _job_basins(s, args):
        n, window, reference, colors = args
        try:
            n = int(n)
        except (TypeError, ValueError):
            raise core.ExploreError(f"grid must be an integer, got {n!r}") from None
        full = core.basins(s, n, window)  # validates n and the window first
        coarse_n = max(16, n // 8)
        if coarse_n < n:
            coarse = core.basins(s, coarse_n, window)
            coarse.ds = yield from core.steps(coarse.doc)
            coarse.analyse(reference, colors)
            yield Partial(coarse)
            reference, colors = coarse.attractors, coarse.colors  # no colour flips at the end
        full.ds = yield from core.steps(full.doc)
        return full.analyse(reference, colors)

    @staticmethod
    def _job_hypermap(s, args):
        y, window, start = args
        full = core.hypermap(s, y, 64, window, start)
        coarse = core.hypermap(s, y, 16, full.window, start)
        coarse.ds = yield from core.steps(coarse.doc)
        yield Partial(coarse.analyse())
        full.ds = yield from core.steps(full.doc)
        return full.analyse()

    # ------------------------------------------------------------------ results
    def _result(self, channel, serial, value, final):
        self.doc.add_next_tick_callback(partial(self._show, channel, serial, value, final))

    def _error(self, channel, serial, exc):
        self.doc.add_next_tick_callback(partial(self._show_error, channel, exc))

    def _show_error(self, channel, exc):
        if self.worker.idle():
            self.busy.text = ""
        if not isinstance(exc, (core.ExploreError, ValueError, TypeError, MemoryError)):
            import traceback

            traceback.print_exception(exc)
        msg = str(exc) or type(exc).__name__
        self._set_msg(channel, T("error", self.lang, msg=_escape(msg)))

    def _set_msg(self, view, text):
        self._msgs[view] = text
        self._show_msgs()

    def _show_msgs(self):
        """The page's message line: the current message of each view (a view's message lasts
        until that view is recomputed, so another view's update never hides it)."""
        self.msg.text = "<br>".join(t for t in self._msgs.values() if t)

    def _show(self, channel, serial, value, final):
        if self.worker.idle():
            self.busy.text = ""
        if serial != self.worker.latest(channel):
            return
        getattr(self, f"_draw_{channel}")(value, final)

    def _draw_surface(self, value, final):
        x, y, L = value
        Lp = np.log10(np.maximum(L - np.nanmin(L), 0) + 1e-3 * max(np.ptp(L), 1e-12))
        self.surf_src.data = dict(image=[Lp], x=[x[0]], y=[y[0]], dw=[x[-1] - x[0]],
                                  dh=[y[-1] - y[0]])
        self.surf.x_range.start, self.surf.x_range.end = float(x[0]), float(x[-1])
        self.surf.y_range.start, self.surf.y_range.end = float(y[0]), float(y[-1])

    def _draw_trajectory(self, view, final):
        self.views["trajectory"] = view
        paths, taken = view.paths, view.steps_taken
        xs, ys = [], []
        for p, k in zip(paths, taken):
            q = p[:int(k) + 1]
            q = q[np.all(np.isfinite(q), axis=1)]
            xs.append(q[:, 0])
            ys.append(q[:, 1])
        self.traj_src.data = dict(xs=xs, ys=ys)
        first = paths[0][:int(taken[0]) + 1]
        first = first[np.all(np.isfinite(first), axis=1)]
        self.pts_src.data = dict(x=first[:, 0], y=first[:, 1], step=np.arange(len(first)))
        idx = numbered(first, view.settings.box)
        self.num_src.data = dict(x=first[idx, 0], y=first[idx, 1], text=[str(i) for i in idx])
        ends = view.ends
        ok = np.all(np.isfinite(ends), axis=1)
        self.ends_src.data = dict(x=ends[ok, 0], y=ends[ok, 1])
        L = self.lang
        st = view.status
        if len(st) == 1:
            text = T("traj_end", L, loss=number(float(view.losses[0]), L, ".4g"),
                     steps=int(taken[0]), status=status_name(st[0], L))
        else:
            fin = view.losses[np.isfinite(view.losses)]
            text = T("ensemble", L, n=len(st),
                     mean=number(float(fin.mean()), L, ".4g") if fin.size else "–",
                     sd=number(float(fin.std()), L, ".2g") if fin.size else "–",
                     conv=int((st == 1).sum()), div=int((st == 2).sum()))
        head = T("traj_title", L, x=number(view.start[0], L, ".4g"),
                 y=number(view.start[1], L, ".4g"))
        self.traj_div.text = f"<b>{head}</b>: {text}<br>{_escape(settings_line(view, L))}"
        if np.any(st == 2):
            self._set_msg("trajectory", T("diverged_msg", L))

    def _draw_basins(self, view, final):
        if final:
            self.views["basins"] = view
        a0, a1 = view.axes
        dx = (a0[-1] - a0[0]) / (len(a0) - 1)
        dy = (a1[-1] - a1[0]) / (len(a1) - 1)
        colors = view.colors
        self.bas_src.data = dict(image=[label_image(view.labels, colors)], x=[a0[0] - dx / 2],
                                 y=[a1[0] - dy / 2], dw=[a0[-1] - a0[0] + dx],
                                 dh=[a1[-1] - a1[0] + dy], final=[bool(final)])
        self.bas.x_range.start, self.bas.x_range.end = a0[0] - dx / 2, a0[-1] + dx / 2
        self.bas.y_range.start, self.bas.y_range.end = a1[0] - dy / 2, a1[-1] + dy / 2
        att = view.attractors
        loc = np.asarray(att.locations).reshape(-1, 2) if len(att) else np.zeros((0, 2))
        inside = ((loc[:, 0] >= a0[0]) & (loc[:, 0] <= a0[-1]) & (loc[:, 1] >= a1[0])
                  & (loc[:, 1] <= a1[-1]))
        self.att_src.data = dict(x=loc[inside, 0], y=loc[inside, 1],
                                 color=[colors[k] for k in np.nonzero(inside)[0]])
        L = self.lang
        fr = view.fractions
        frs = ", ".join(number(f, L, ".2f") for f in fr.fractions[:8]) or "–"
        sb, sbb = view.entropy
        stats = T("basins_stats", L, k=len(att), fr=frs, dv=number(fr.diverged, L, ".2f"),
                  cv=number(view.converged, L, ".2f"), sb=_num(sb, L), sbb=_num(sbb, L),
                  d=_num(view.dimension, L))
        head = T("basins_title", L, n=view.n)
        if not final:
            head += " (" + T("preview", L, n=view.n) + ")"
        self.bas_div.text = (f"<b>{head}</b><br>{stats}<br>{_escape(settings_line(view, L))}"
                             f"<br>{basin_legend(colors, fr.fractions, L)}"
                             f" ☆ {i18n.t('attractor', L).lower()}")

    def _draw_hypermap(self, view, final):
        if final:
            self.views["hypermap"] = view
        lx = np.log10(view.xs)
        dx = (lx[-1] - lx[0]) / (len(lx) - 1)
        if view.y is None:
            yy, dy = np.array([0.0, 1.0]), 1.0
        else:
            yy = view.ys
            dy = (yy[-1] - yy[0]) / (len(yy) - 1)
        self.hyp_src.data = dict(image=[status_image(view.status)], x=[lx[0] - dx / 2],
                                 y=[yy[0] - dy / 2], dw=[lx[-1] - lx[0] + dx],
                                 dh=[(yy[-1] - yy[0]) + dy], final=[bool(final)])
        self.hyp.x_range.start, self.hyp.x_range.end = lx[0] - dx / 2, lx[-1] + dx / 2
        self.hyp.y_range.start, self.hyp.y_range.end = yy[0] - dy / 2, yy[-1] + dy / 2
        if view.theory is not None and view.y is not None:
            ys, thr = view.theory
            ok = np.isfinite(thr) & (thr > 0)
            self.theory_src.data = dict(x=np.log10(thr[ok]), y=ys[ok])
        elif view.theory is not None:
            t = float(view.theory[1][0])
            self.theory_src.data = dict(x=[math.log10(t)] * 2, y=[yy[0], yy[-1]])
        else:
            self.theory_src.data = dict(x=[], y=[])
        self.hyp.legend.visible = view.theory is not None
        L = self.lang
        st = view.status
        head = T("hyper_title", L, x=number(view.start[0], L, ".4g"),
                 y=number(view.start[1], L, ".4g"))
        if not final:
            head += " (" + T("preview", L, n=len(view.xs)) + ")"
        stats = T("hyper_stats", L, conv=int((st == 1).sum()), div=int((st == 2).sum()),
                  lam=_num(view.lam, L), d=_num(view.dimension, L))
        self.hyp_div.text = (f"<b>{head}</b><br>{stats}<br>{_escape(settings_line(view, L))}"
                             f"<br>{swatches(((1, 'converged'), (0, 'not_converged'), (2, 'diverged')), L)}")

    # ------------------------------------------------------------------ export
    def _export(self):
        which = {0: "trajectory", 1: "basins", 2: "hypermap"}[self.tabs.active]
        view = self.views.get(which)
        if view is None:
            self._set_msg("export", T("computing", self.lang))
            return
        try:
            paths = view.export(self.export_dir, self.lang)
        except (OSError, ValueError) as exc:
            self._show_error(which, exc)
            return
        self._msgs.pop("export", None)
        self._show_msgs()
        self.info.text = T("exported", self.lang,
                           paths="<br>".join(_escape(str(p)) for p in paths))


def numbered(path: np.ndarray, box, min_sep: float = 0.05, most: int = 15) -> list[int]:
    """Steps of ``path`` (K, 2) to number: the start, then each point at least ``min_sep`` of
    the box (scaled max-norm) from the last numbered one, at most ``most`` of them."""
    w = np.array([b - a for a, b in box], dtype=float)
    out = [0]
    for i in range(1, len(path)):
        if np.max(np.abs(path[i] - path[out[-1]]) / w) >= min_sep:
            out.append(i)
            if len(out) >= most:
                break
    return out


def swatches(items, lang: str, labels: bool = False) -> str:
    """HTML legend: a colour swatch and the name of each ``(code, key)``: status codes, or
    with ``labels`` the basin labels -2 (not converged) and -1 (diverged)."""
    return " &nbsp; ".join(
        _swatch(style.attractor_color(code) if labels else style.STATUS_COLORS[code],
                i18n.t(key, lang)) for code, key in items)


def _swatch(colour: str, text: str) -> str:
    return (f'<span style="white-space:nowrap"><span style="display:inline-block;width:14px;'
            f'height:14px;background:{colour};border:1px solid #333;vertical-align:middle">'
            f'</span> {_escape(text)}</span>')


def _num(v, lang):
    return "–" if v is None or not np.isfinite(v) else number(float(v), lang, ".3g")


def _escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def make_document(doc, lang: str = "en", settings=None, export_dir="explore"):
    """Build the explorer in a Bokeh document (the handler of the Bokeh application).

    Parameters
    ----------
    doc : bokeh.document.Document
        The document of a new browser session.
    lang, settings, export_dir :
        As for ``Session``.

    Returns
    -------
    bokeh.document.Document
        ``doc``, holding the page.

    Examples
    --------
    Needs Bokeh (``pip install fastdescent[explore]``); ending the session stops its worker:

    >>> from bokeh.document import Document
    >>> from fastdescent.explore.app import make_document
    >>> doc = make_document(Document(), "es")
    >>> doc.title, doc.select_one({"name": "model"}).value
    ('Explorador de fastdescent', 'gabor')
    >>> for end in doc.session_destroyed_callbacks:
    ...     end(None)
    """
    Session(doc, lang, settings, export_dir)
    return doc
