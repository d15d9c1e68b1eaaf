"""Figure 6.2: the Gabor model f(x) = sin(z) exp(-z^2/32), z = phi0 + 0.06 phi1 x, for several
values of the offset phi0 (frequency fixed) and of the frequency phi1 (offset fixed)."""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting.i18n import t
from fastdescent.plotting.predict import predict

from ._common import cli, make_main, panel_title, start_colors

FIG_ID = "6.2"
OFFSETS = (-4.0, 0.0, 4.0)  # panel a: phi0, with phi1 = FIXED_FREQUENCY
FIXED_FREQUENCY = 10.0
FREQUENCIES = (5.0, 10.0, 20.0)  # panel b: phi1, with phi0 = FIXED_OFFSET
FIXED_OFFSET = 0.0
X_RANGE = (-15.0, 15.0)
N_X = 601


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    """The curves f(x; phi) of both panels (the model's own prediction)."""
    model = fd.models.gabor()
    x = np.linspace(*X_RANGE, N_X if not quick else 151)
    pa = np.array([[o, FIXED_FREQUENCY] for o in OFFSETS])
    pb = np.array([[FIXED_OFFSET, f] for f in FREQUENCIES])
    return {"model": model, "x": x, "params": (pa, pb),
            "curves": (predict(model, pa, x), predict(model, pb, x)),
            "losses": (model.loss_many(pa), model.loss_many(pb))}


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, axs = fp.figure(1, 2, sharey=True, size=(11.0, 4.0))
    for k, (ax, P, F) in enumerate(zip(axs, d["params"], d["curves"])):
        vary = 0 if k == 0 else 1
        other = 1 - vary
        for j, (p, f) in enumerate(zip(P, F)):
            ax.plot(d["x"], f, color=start_colors(len(P))[j],
                    label=f"{fp.i18n.math_name(model.param_names[vary])} = {p[vary]:g}")
        ax.axhline(0, color="black", lw=0.6, alpha=0.4, zorder=0)
        ax.set_xlim(*X_RANGE)
        ax.set_ylim(-1.15, 1.15)
        ax.set_xlabel(t("input", lang))
        fixed = (f"{fp.i18n.math_name(model.param_names[other])} = {P[0][other]:g}")
        panel_title(ax, k, t("vary_offset" if vary == 0 else "vary_frequency", lang,
                             fixed=fixed))
        ax.legend(loc="lower right", fontsize=10)
    axs[0].set_ylabel(t("output", lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
