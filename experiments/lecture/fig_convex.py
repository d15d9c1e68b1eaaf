"""Convexity slide: three 1-D losses -- non-convex with several minima, convex, non-convex
with a flat region -- and the second-derivative test (convex where L'' > 0 everywhere).

Top row: the loss with its minima (from the models) and the regions where L'' > 0 / L'' < 0;
bottom row: L'' itself (fastdescent.analysis.second_derivative, the models' exact Hessians).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.analysis import second_derivative
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, make_main, panel_title

FIG_ID = "convex"
MODELS = ("multimodal_1d", "convex_1d", "plateau_1d")  # the slide's order


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    out = []
    for name in MODELS:
        m = fd.models.get_model(name)
        x = np.linspace(*m.box[0], 300 if quick else 1000)
        h = second_derivative(m, x)
        out.append({"name": name, "model": m, "x": x, "loss": m.loss_many(x[:, None]),
                    "d2": h, "convex": bool(np.all(h > 0)),
                    "n_minima": sum(1 for p in m.minima if p.kind == "minimum")})
    return {"panels": out}


def draw(d: dict, lang: str = "en"):
    panels = d["panels"]
    fig, axs = fp.figure(2, len(panels), size=(14.0, 6.4), sharex="col",
                         gridspec_kw={"height_ratios": [2.0, 1.0]})
    for k, p in enumerate(panels):
        ax, axh = axs[0, k], axs[1, k]
        fp.line_1d(p["model"], ax, lang=lang)
        ax.set_xlabel("")
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_ylim(min(p["loss"]) - 0.15, max(p["loss"]) + 0.1)
        panel_title(ax, k, t("convex_title" if p["convex"] else "non_convex_title", lang))
        h = p["d2"]
        axh.axhline(0, color="black", lw=0.8)
        axh.fill_between(p["x"], 0, h, where=h > 0, color=S.REGION_COLORS[0], alpha=0.5, lw=0)
        axh.fill_between(p["x"], 0, h, where=h < 0, color=S.REGION_COLORS[1], alpha=0.5, lw=0)
        axh.plot(p["x"], h, color="black", lw=1.4)
        lim = np.max(np.abs(h)) * 1.1
        axh.set_ylim(-lim if np.min(h) < 0 else -0.1 * lim, lim)
        axh.set_xlabel(fp.i18n.param_label(p["model"], 0, lang))
        axh.set_ylabel("$L''$")
        verdict = t("d2_positive" if p["convex"] else "d2_changes_sign", lang)
        axh.set_title(verdict, fontsize=11, loc="left")
    axs[0, 0].set_ylabel(t("loss", lang))
    # one legend for the whole figure: curvature regions and kinds of minima
    handles, labels = [], []
    for ax in axs[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            base = lab.split(",")[0]
            if base not in labels:
                handles.append(h)
                labels.append(base)
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=10.5)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
