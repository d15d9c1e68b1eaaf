"""Latency of the live explorer, measured in a real browser (headless Chromium, Playwright).

    python benchmarks/explore_latency.py                      # print the table
    python benchmarks/explore_latency.py --write benchmarks/RESULTS.md
    python benchmarks/explore_latency.py --screenshots docs/_static/explore
    python benchmarks/explore_latency.py --frameworks         # Bokeh server vs Panel

Each number is the time from an action in the page (a mouse click on the surface, a slider
value as a released drag sends it, a rectangle dragged on the map) until the page's Bokeh
document holds the new data, polled on animation frames in the page (``performance.now()``):
what the user waits for, server computation and transfer included. Every action is repeated
``--repeat`` times (alternating the settings so each request computes anew); the median and
the best are reported, with ``uptime``'s load average before and after, since the machine is
shared.

``--frameworks`` serves the same minimal page (a slider; on release the server sends a new
128 x 128 RGBA image) with a plain Bokeh server and with Panel, and times the round trip of
each, alternating the two, to compare the frameworks' own overhead.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from explore_page import Page, Server, free_port, why_not  # noqa: E402


def cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _stats(ms):
    return statistics.median(ms), min(ms)


def measure(repeat: int, shots: Path | None):
    rows = []
    exports = Path("/tmp") / f"fastdescent-explore-bench-{os.getpid()}"
    with Server(export_dir=exports) as srv, Page(srv.url) as pg:
        pg.wait_idle("traj")
        # warm up: every kernel compiled, every view drawn once (a map is computed when its
        # tab is first shown: mark before showing it)
        for tab, src in ((1, "basins"), (2, "hypermap")):
            pg.mark(src)
            pg.tab(tab)
            pg.wait_changed(src, final=True, timeout_ms=120_000)
        pg.tab(0)
        # 1. clicked trajectory
        ms = []
        for k in range(repeat):
            pg.mark("traj")
            pg.click_at("surface_plot", -6.0 + 0.37 * k, 8.0 + 0.41 * k)
            ms.append(pg.wait_changed("traj"))
        rows.append(("clicked trajectory (Gabor, GD, 200 steps, every step drawn)", ms, 150))
        if shots:
            pg.click_at("surface_plot", -6.5, 19.0)
            time.sleep(1.0)
            pg.screenshot(shots / "surface.png")
        # 2. basin map after a slider release, GD then Adam
        pg.tab(1)
        for opt, lr in (("gd", (0.06, 0.05)), ("adam", (0.06, 0.05))):
            if opt != "gd":
                pg.mark("basins")
                pg.set_value("optimizer", opt)
                pg.wait_changed("basins", final=True, timeout_ms=120_000)
            prev, full = [], []
            for k in range(repeat):
                pg.mark("basins")
                pg.set_slider("hyper-lr", __import__("math").log10(lr[k % 2]))
                prev.append(pg.wait_changed("basins", timeout_ms=120_000))
                full.append(pg.wait_changed("basins", final=True, timeout_ms=120_000))
            rows.append((f"basin map 128 x 128, {opt}, 200 steps: coarse preview (16 x 16)",
                         prev, 200))
            rows.append((f"basin map 128 x 128, {opt}, 200 steps: full map", full, 1000))
        if shots:
            pg.screenshot(shots / "basins.png")
        # 3. zoom
        ms = []
        for k in range(repeat):
            pg.mark("basins")
            pg.drag_rect("basins_plot", -4.0 + 0.1 * k, 8.0, 3.0, 16.0 - 0.1 * k)
            ms.append(pg.wait_changed("basins", final=True, timeout_ms=120_000))
        rows.append(("zoom: dragged window recomputed at 128 x 128 (adam)", ms, None))
        if shots:
            pg.screenshot(shots / "zoom.png")
            pg.mark("hypermap")
            pg.tab(2)
            pg.wait_changed("hypermap", final=True, timeout_ms=120_000)
            time.sleep(0.5)
            pg.screenshot(shots / "hypermap.png")
        console = list(pg.console)
    # the engine alone, in this process, on the same machine at the same time: what the
    # full-map rows above cost without the page
    from fastdescent.explore import core

    for opt, hyper in (("gd", {"lr": 0.05}), ("adam", {"lr": 0.05})):
        s = core.Settings("gabor", opt, hyper, steps=200, tol=1e-3)
        ms = []
        for k in range(repeat + 1):
            v = core.basins(s.with_(hyper={"lr": hyper["lr"] * (1 + 0.1 * (k % 2))}), 128)
            t = time.perf_counter()
            v.ds = core.compute(v.doc)
            v.analyse()
            ms.append(1e3 * (time.perf_counter() - t))
        rows.append((f"engine alone (no page): 128 x 128 basin map, {opt}, 200 steps, "
                     f"computed and labelled", ms[1:], None))
    if shots:
        with Server(lang="es", export_dir=exports) as srv, Page(srv.url) as pg:
            pg.mark("basins")
            pg.tab(1)
            pg.wait_changed("basins", final=True, timeout_ms=120_000)
            time.sleep(0.5)
            pg.screenshot(shots / "basins-es.png")
    return rows, console


# ------------------------------------------------------------------------------ frameworks
def _image(v: float):
    import numpy as np

    rng = np.random.default_rng(int(v * 1000))
    return rng.integers(0, 2 ** 32, (128, 128), dtype=np.uint32)


def serve_bokeh(port: int):
    from bokeh.models import ColumnDataSource, Slider
    from bokeh.layouts import column
    from bokeh.plotting import figure
    from bokeh.server.server import Server as BServer

    def app(doc):
        src = ColumnDataSource(dict(image=[_image(0)]), name="img")
        f = figure(width=400, height=400, x_range=(0, 1), y_range=(0, 1))
        f.image_rgba("image", x=0, y=0, dw=1, dh=1, source=src)
        s = Slider(start=0, end=1, step=0.001, value=0, name="s")
        s.on_change("value_throttled", lambda a, o, n: setattr(src, "data",
                                                               dict(image=[_image(n)])))
        doc.add_root(column(s, f))

    srv = BServer({"/": app}, port=port, address="127.0.0.1",
                  allow_websocket_origin=[f"localhost:{port}"])
    srv.start()
    srv.io_loop.start()


def serve_panel(port: int):
    import panel as pn
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure

    def app():
        src = ColumnDataSource(dict(image=[_image(0)]), name="img")
        f = figure(width=400, height=400, x_range=(0, 1), y_range=(0, 1))
        f.image_rgba("image", x=0, y=0, dw=1, dh=1, source=src)
        s = pn.widgets.FloatSlider(start=0, end=1, step=0.001, value=0)
        s.param.watch(lambda e: setattr(src, "data", dict(image=[_image(e.new)])),
                      "value_throttled")
        return pn.Column(s, pn.pane.Bokeh(f))

    pn.serve({"/": app}, port=port, address="127.0.0.1", show=False,
             websocket_origin=[f"localhost:{port}"])


_FIND = """(() => { const ms = Array.from(Bokeh.documents[0].all_models);
    window.__src = ms.find(m => m.properties.data !== undefined && m.data.image !== undefined);
    window.__sl = ms.find(m => m.properties.value_throttled !== undefined
                          && m.properties.start !== undefined); })()"""


def frameworks(repeat: int):
    procs, pages = {}, {}
    try:
        for name in ("bokeh", "panel"):
            port = free_port()
            procs[name] = subprocess.Popen([sys.executable, __file__, f"--serve-{name}",
                                            str(port)])
            time.sleep(0.2)
            deadline = time.monotonic() + 60
            import socket

            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            pages[name] = _RawPage(f"http://localhost:{port}/")
        res = {n: [] for n in pages}
        for k in range(repeat):
            for name in (("bokeh", "panel") if k % 2 == 0 else ("panel", "bokeh")):
                res[name].append(pages[name].roundtrip((k + 1) / (repeat + 2)))
        return res
    finally:
        for p in pages.values():
            p.close()
        for p in procs.values():
            p.terminate()


_BROWSER = []


class _RawPage(Page):
    def __init__(self, url):
        from playwright.sync_api import sync_playwright

        from explore_page import chromium_path

        if not _BROWSER:
            pw = sync_playwright().start()
            _BROWSER.append(pw.chromium.launch(executable_path=chromium_path(),
                                               args=["--no-sandbox"]))
        self.page = _BROWSER[0].new_page()
        self.page.goto(url)
        self.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                                    "Bokeh.documents[0].all_models.size > 3", timeout=60_000)
        time.sleep(1.0)
        self.page.evaluate(_FIND)

    def close(self):
        self.page.close()

    def roundtrip(self, v):
        self.page.evaluate("(v) => { window.__old = window.__src.data; "
                           "window.__t0 = performance.now(); window.__sl.value = v; "
                           "window.__sl.value_throttled = v; }", v)
        h = self.page.wait_for_function(
            "() => window.__src.data !== window.__old ? performance.now() - window.__t0 : false",
            polling="raf", timeout=30_000)
        return float(h.json_value())


# ------------------------------------------------------------------------------------ main
def table(rows, before, after, repeat) -> str:
    out = ["## Live explorer: latency in the browser", "",
           f"Command: `python benchmarks/explore_latency.py --repeat {repeat}` (`.venv`, "
           f"explore extra, headless Chromium)  ",
           f"Machine: {cpu()}, {os.cpu_count()} cores, "
           f"shared with other sessions: load average (1, 5, 15 min) {before} before, "
           f"{after} after  ",
           "Each row: from the action in the page to the new data in the page's document, "
           "measured in the page; median and best of the repeats.", "",
           "| action | median (ms) | best (ms) | target (ms) | met (median) |",
           "|---|---:|---:|---:|---|"]
    for name, ms, target in rows:
        med, best = _stats(ms)
        met = "-" if target is None else ("yes" if med <= target else "no")
        out.append(f"| {name} | {med:.0f} | {best:.0f} | {target or '-'} | {met} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", metavar="RESULTS.md", help="replace this section in the file")
    ap.add_argument("--screenshots", metavar="DIR", help="save a screenshot of each view")
    ap.add_argument("--frameworks", action="store_true", help="Bokeh server vs Panel")
    ap.add_argument("--serve-bokeh", type=int, metavar="PORT", help=argparse.SUPPRESS)
    ap.add_argument("--serve-panel", type=int, metavar="PORT", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.serve_bokeh:
        return serve_bokeh(a.serve_bokeh)
    if a.serve_panel:
        return serve_panel(a.serve_panel)
    reason = why_not()
    if reason:
        sys.exit(f"explore_latency: cannot run: {reason}")
    if a.frameworks:
        before = load()
        res = frameworks(a.repeat)
        print(f"load before {before}, after {load()}")
        for name, ms in res.items():
            med, best = _stats(ms)
            print(f"{name}: median {med:.1f} ms, best {best:.1f} ms over {len(ms)} "
                  f"(alternating)")
        return 0
    shots = Path(a.screenshots) if a.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    before = load()
    rows, console = measure(a.repeat, shots)
    text = table(rows, before, load(), a.repeat)
    print(text)
    if console:
        print("console errors:", console)
    if a.write:
        p = Path(a.write)
        old = p.read_text() if p.exists() else ""
        head = "## Live explorer: latency in the browser"
        if head in old:
            pre, _, rest = old.partition(head)
            nxt = rest.find("\n## ")
            old = pre + (rest[nxt + 1:] if nxt >= 0 else "")
        p.write_text(old.rstrip("\n") + "\n\n" + text)
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
