"""A live explorer: loss surfaces, clicked trajectories, basin and hyperparameter maps, zoom.

``fastdescent explore`` (or ``explore`` in Python and Jupyter) starts a local web page
built on a Bokeh server: pick a model and an optimizer, move its hyperparameters, click on
the loss surface to start a trajectory there, watch the basin map and the learning-rate map
refine, drag a rectangle to recompute a window. Every view is an experiment document computed
by the engine (``fastdescent.explore.core``) and exports its figure and the TOML file that
reproduces its numbers with ``fastdescent run``.

The page needs the optional extra: ``pip install fastdescent[explore]`` (Bokeh); the views
themselves (``Explorer`` ``.trajectory``, ``.basins``, ``.hypermap``) need nothing more
than the package.
"""
from __future__ import annotations

import socket
from pathlib import Path

from . import core
from .core import ExploreError, Settings

__all__ = ["explore", "Explorer", "Settings", "ExploreError", "require_bokeh", "serve"]

EXTRA_HINT = "pip install fastdescent[explore]"


def require_bokeh():
    """Import Bokeh, or raise ImportError naming the extra that installs it.

    Returns
    -------
    module
        The ``bokeh`` package.

    Raises
    ------
    ImportError
        If Bokeh is not installed (the message names ``pip install fastdescent[explore]``).

    Examples
    --------
    Where the ``explore`` extra (Bokeh) is installed:

    >>> from fastdescent.explore import require_bokeh
    >>> bokeh = require_bokeh()
    >>> bokeh.__name__
    'bokeh'
    """
    try:
        import bokeh  # noqa: F401
    except ImportError:
        raise ImportError(f"the explorer's page needs Bokeh: {EXTRA_HINT}") from None
    return bokeh


class Explorer:
    """The explorer's state and views; ``serve()`` / ``show()`` put it in a page.

    Parameters
    ----------
    model, optimizer : str
        Registry names (a model with two parameters; any registered optimizer).
    lang : {"en", "es"}
        Language of the page and of the exported figures.
    export_dir : path
        Where the page's export button writes ``<view>-<model>-<optimizer>.{png,pdf,toml}``.
    steps, tol, batch_size :
        Run settings (see ``fastdescent.explore.core.Settings``).
    formula : str, optional
        A loss of two parameters typed as a formula (:func:`fastdescent.models.formula`, no
        data; its two symbols are the parameters, in alphabetical order) instead of
        ``model``.
    box : ((x0, x1), (y0, y1)), optional
        The formula's box (default ``((-2, 2), (-2, 2))``).
    **hyper
        Hyperparameters of the optimizer (``lr=0.05``).

    Examples
    --------
    The views are computed without a browser; each reproduces with ``fastdescent run``:

    >>> import fastdescent as fd
    >>> ex = fd.explore("gabor", "adam", lr=0.05, show=False)
    >>> v = ex.trajectory((0.6, 15.0))
    >>> v.paths.shape
    (1, 201, 2)
    >>> b = ex.basins(n=16)
    >>> b.labels.shape, round(float(b.fractions.fractions.sum()), 6)
    ((16, 16), 1.0)
    >>> print(v.toml().splitlines()[2])
    title = "Explorer: adam on gabor from (0.6, 15)"

    A loss typed as a formula (Himmelblau's function) in its box:

    >>> ex = fd.explore(formula="(x**2 + y - 11)**2 + (x + y**2 - 7)**2", box=((-5, 5), (-5, 5)),
    ...                 lr=0.01, show=False)
    >>> v = ex.trajectory((0.0, 0.0))
    >>> [round(float(c), 4) for c in v.ends[0]]  # one of its four minima
    [3.0, 2.0]
    """

    def __init__(self, model="gabor", optimizer="gd", *, lang="en", export_dir="explore",
                 steps=200, tol=1e-3, batch_size=0, formula=None, box=None, **hyper):
        from ..plotting.i18n import check_lang

        check_lang(lang)
        f = None
        if formula is not None:
            f = core.formula(formula, ((-2.0, 2.0), (-2.0, 2.0)) if box is None else box)
            model = core.FORMULA
        elif box is not None:
            raise ExploreError("box goes with formula (a registry model has its own box)")
        else:
            core.model(model)
        if optimizer not in core.optimizers():
            raise ExploreError(f"unknown optimizer {optimizer!r}; valid optimizers: "
                               f"{', '.join(core.optimizers())}")
        s = Settings(model, optimizer, {}, steps, tol, batch_size, f)
        unknown = set(hyper) - set(s.hyper_values())
        if unknown:
            raise ExploreError(f"{optimizer} has no hyperparameter {sorted(unknown)[0]!r}; "
                               f"its hyperparameters: {', '.join(s.hyper_values())}")
        self.settings = s.with_(hyper=hyper)
        self.lang = lang
        self.export_dir = Path(export_dir)

    # ------------------------------------------------------------------ views (no browser)
    def trajectory(self, start):
        """The computed ``fastdescent.explore.core.TrajectoryView`` from ``start``."""
        v = core.trajectory(self.settings, start)
        v.ds = core.compute(v.doc)
        return v

    def basins(self, n: int = 128, window=None, reference=None, colors=None):
        """The computed and analysed ``fastdescent.explore.core.BasinView`` (``reference``
        and ``colors``: a parent view's attractors and colours, kept in a zoom)."""
        v = core.basins(self.settings, n, window)
        v.ds = core.compute(v.doc)
        return v.analyse(reference, colors)

    def hypermap(self, y=None, n: int = 64, window=None, start=None):
        """The computed and analysed ``fastdescent.explore.core.HyperView``."""
        v = core.hypermap(self.settings, y, n, window, start)
        v.ds = core.compute(v.doc)
        return v.analyse()

    # ------------------------------------------------------------------ the page
    @property
    def app(self):
        """The Bokeh ``bokeh.application.Application`` of the page."""
        require_bokeh()
        from functools import partial

        from bokeh.application import Application
        from bokeh.application.handlers.function import FunctionHandler

        from .app import make_document

        return Application(FunctionHandler(partial(
            make_document, lang=self.lang, settings=self.settings,
            export_dir=str(self.export_dir))))

    def serve(self, port: int = 5006, open_browser: bool = True):
        """Serve the page on ``http://localhost:port`` until interrupted (localhost only)."""
        serve(self, port=port, open_browser=open_browser)

    def show(self, notebook_url="localhost:8888"):
        """Show the page inline in Jupyter (Bokeh's embedded server in the kernel)."""
        require_bokeh()
        from bokeh.io import output_notebook, show

        output_notebook(hide_banner=True)
        show(self.app, notebook_url=notebook_url)

    def _ipython_display_(self):
        self.show()

    def __repr__(self):
        s = self.settings
        return f"<Explorer {s.model}/{s.optimizer} {s.hyper_values()} lang={self.lang}>"


def explore(model="gabor", optimizer="gd", *, lang="en", export_dir="explore", show=True,
            **kwargs) -> Explorer:
    """The live explorer (``Explorer``); in Jupyter it displays itself inline.

    ``show=False`` returns it without displaying (the views still compute); see
    ``Explorer`` for the arguments. The page needs ``pip install fastdescent[explore]``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> fd.explore("rosenbrock", "momentum", lr=1e-3, show=False)
    <Explorer rosenbrock/momentum {'lr': 0.001, 'beta': 0.9} lang=en>
    """
    ex = Explorer(model, optimizer, lang=lang, export_dir=export_dir, **kwargs)
    if show:
        require_bokeh()
    return ex


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(explorer: Explorer, port: int = 5006, open_browser: bool = True):
    """Serve ``explorer``'s page on ``http://localhost:port`` (bound to 127.0.0.1, accepting
    only local origins) until interrupted.

    Each browser tab gets its own page, built by ``explorer.app`` (a Bokeh
    ``Application``); Ctrl-C stops the server.

    Parameters
    ----------
    explorer : Explorer
        The explorer whose settings and language the page starts from.
    port : int
        The port; 0 picks a free one.
    open_browser : bool
        Open the page in the default browser.

    Raises
    ------
    ImportError
        If Bokeh is not installed.
    OSError
        If the port cannot be bound.

    Examples
    --------
    The application that ``serve`` runs, built without starting a server (needs Bokeh):

    >>> import fastdescent as fd
    >>> from fastdescent.explore import require_bokeh
    >>> bokeh = require_bokeh()
    >>> ex = fd.explore("himmelblau", "gd", lang="es", lr=0.01, show=False)
    >>> page = ex.app.create_document()
    >>> page.title, page.select_one({"name": "optimizer"}).value
    ('Explorador de fastdescent', 'gd')
    >>> for end in page.session_destroyed_callbacks:
    ...     end(None)
    """
    require_bokeh()
    from bokeh.server.server import Server

    if port == 0:
        port = free_port()
    origins = [f"localhost:{port}", f"127.0.0.1:{port}"]
    server = Server({"/": explorer.app}, port=port, address="127.0.0.1",
                    allow_websocket_origin=origins, num_procs=1)
    server.start()
    url = f"http://localhost:{port}/"
    print(f"fastdescent explorer: {url} (Ctrl-C stops it)", flush=True)
    if open_browser:
        server.io_loop.add_callback(server.show, "/")
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


class _CallableModule(type(socket)):
    """``fastdescent.explore`` is this module and callable as ``explore``: importing the
    subpackage makes it the package's attribute ``explore`` in place of the lazy function."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _CallableModule
