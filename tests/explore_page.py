"""Drive the explorer's page in headless Chromium (Playwright): used by tests/test_explore_browser.py
and benchmarks/explore_latency.py.

``why_not()`` says why the browser tests cannot run here (no Chromium, no Playwright, no
Bokeh), or None. :class:`Page` starts ``fastdescent explore`` in a subprocess on a free
localhost port and drives it with real mouse events (clicks on the canvas, rectangles
dragged with the box-select tool, tab headers, buttons) or, for sliders, by setting the
value a released slider sends (``value_throttled``); every wait polls the Bokeh document in
the page on animation frames and returns the milliseconds since the action began.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def chromium_path() -> str | None:
    """A Chromium executable: $FASTDESCENT_CHROMIUM, else the first of CHROMIUM_NAMES on PATH."""
    env = os.environ.get("FASTDESCENT_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


def why_not() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return "the explore extra is not installed (pip install fastdescent[explore])"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if chromium_path() is None:
        return "no Chromium on PATH (apt-get install chromium)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``fastdescent explore --no-browser`` on a free port, in a subprocess (a context manager)."""

    def __init__(self, lang="en", export_dir="explore", extra=()):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}/"
        cmd = [sys.executable, "-m", "fastdescent", "explore", "--no-browser", "--port",
               str(self.port), "--lang", lang, "--export-dir", str(export_dir), *extra]
        self.log = Path(export_dir).parent / f"explore-server-{self.port}.log"
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the explorer exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError("the explorer did not start within 120 s")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_MODEL = "Bokeh.documents[0].get_model_by_name"


class Page:
    """The explorer in a headless Chromium page (a context manager)."""

    def __init__(self, url: str, width=1100, height=820):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=chromium_path(),
                                                args=["--no-sandbox"])
        self.page = self.browser.new_page(viewport={"width": width, "height": height})
        self.console = []  # (type, text) of every console error or page error
        self.page.on("console", lambda m: self.console.append((m.type, m.text))
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))
        self.page.goto(url)
        self.page.wait_for_function(
            f"() => window.Bokeh && Bokeh.documents.length > 0 && {_MODEL}('traj') != null",
            timeout=120_000)

    def close(self):
        self.browser.close()
        self._pw.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- reading the document
    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def data(self, source: str) -> dict:
        """The columns of the ColumnDataSource named ``source`` (arrays as lists)."""
        return self.js(f"""(n) => {{ const d = {_MODEL}(n).data; const o = {{}};
            for (const k in d) o[k] = Array.from(d[k], v => (v && v.length !== undefined
                && typeof v !== 'string') ? Array.from(v) : v);
            return o; }}""", source)

    def text(self, name: str) -> str:
        return self.js(f"(n) => {_MODEL}(n).text", name)

    def mark(self, *sources):
        """Remember the current data objects of ``sources`` and the time (before an action)."""
        self.js("""(names) => { window.__fd = {t0: performance.now(), old: {}};
            for (const n of names) window.__fd.old[n] = Bokeh.documents[0]
                .get_model_by_name(n).data; }""", list(sources))

    def wait_changed(self, source: str, timeout_ms=60_000, final=False) -> float:
        """Milliseconds from :meth:`mark` until ``source``'s data was replaced (``final``:
        by a final result, not a coarse preview), measured in the page on animation frames."""
        cond = f"{_MODEL}('{source}').data !== window.__fd.old['{source}']"
        if final:
            cond += f" && {_MODEL}('{source}').data.final[0] === true"
        h = self.page.wait_for_function(
            f"() => ({cond}) ? performance.now() - window.__fd.t0 : false",
            polling="raf", timeout=timeout_ms)
        return float(h.json_value())

    def wait_idle(self, source: str, settle_ms=400, timeout_ms=60_000):
        """Wait until ``source`` has had data and not changed for ``settle_ms``."""
        self.page.wait_for_function(f"() => {_MODEL}('{source}').data.image === undefined || "
                                    f"{_MODEL}('{source}').data.image.length > 0",
                                    timeout=timeout_ms)
        last = None
        t_end = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < t_end:
            cur = self.js(f"() => {{ const d = {_MODEL}('{source}').data; "
                          f"window.__fd_seen = window.__fd_seen || new WeakMap(); "
                          f"if (!window.__fd_seen.has(d)) window.__fd_seen.set(d, Math.random());"
                          f" return window.__fd_seen.get(d); }}")
            if cur == last:
                return
            last = cur
            time.sleep(settle_ms / 1000)

    # ---------------------------------------------------------------- acting
    def tab(self, index: int):
        """Show tab ``index`` and wait until its plot is laid out (clicks land where meant)."""
        self.page.locator(".bk-tab").nth(index).click()
        plot = ("surface_plot", "basins_plot", "hyper_plot")[index]
        self.page.wait_for_function(
            f"() => {_MODEL}('tabs').active === {index} && "
            f"Bokeh.index.get_one({_MODEL}('{plot}')).el.getBoundingClientRect().width > 0")
        self.page.wait_for_timeout(300)

    def set_slider(self, name: str, value: float):
        """Set a slider as a released drag does (``value`` and ``value_throttled``)."""
        self.js(f"""([n, v]) => {{ const s = {_MODEL}(n); s.value = v;
            s.value_throttled = v; }}""", [name, value])

    def set_value(self, name: str, value):
        self.js(f"([n, v]) => {{ {_MODEL}(n).value = v; }}", [name, value])

    def click_button(self, name: str):
        label = self.js(f"(n) => {_MODEL}(n).label", name)
        self.page.get_by_role("button", name=label).click()

    def canvas_box(self, plot: str) -> dict:
        """Pixel box of ``plot``'s frame (the data area) in the page."""
        return self.js(f"""(n) => {{
            const p = {_MODEL}(n); const v = Bokeh.index.get_one(p);
            const f = v.frame.bbox; const r = v.el.getBoundingClientRect();
            const c = v.canvas_view.el.getBoundingClientRect();
            return {{left: c.left + f.left, top: c.top + f.top, width: f.width,
                     height: f.height, x0: p.x_range.start, x1: p.x_range.end,
                     y0: p.y_range.start, y1: p.y_range.end}}; }}""", plot)

    def to_pixels(self, plot: str, x: float, y: float):
        b = self.canvas_box(plot)
        px = b["left"] + (x - b["x0"]) / (b["x1"] - b["x0"]) * b["width"]
        py = b["top"] + (b["y1"] - y) / (b["y1"] - b["y0"]) * b["height"]
        return px, py

    def click_at(self, plot: str, x: float, y: float):
        px, py = self.to_pixels(plot, x, y)
        self.page.mouse.click(px, py)

    def drag_rect(self, plot: str, x0, y0, x1, y1):
        a = self.to_pixels(plot, x0, y0)
        b = self.to_pixels(plot, x1, y1)
        m = self.page.mouse
        m.move(*a)
        m.down()
        for k in range(1, 6):
            m.move(a[0] + (b[0] - a[0]) * k / 5, a[1] + (b[1] - a[1]) * k / 5)
        m.up()

    def screenshot(self, path):
        self.page.screenshot(path=str(path))
