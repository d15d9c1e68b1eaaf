"""Point: the offset phi0 moves the Gabor function along x (as phi0 grows the function moves
left, its centre is at x = -phi0 / (0.06 phi1)) and the frequency phi1 squeezes it about its
centre (as phi1 grows the function gets narrower).

Figure 6.2: the Gabor model f(x) = sin(z) exp(-z^2/32), z = phi0 + 0.06 phi1 x.

Panel a varies phi0 with phi1 fixed, panel b varies phi1 with phi0 fixed; the curves are the
model's own predictions (fastdescent.plotting.predict). The three curves of a panel are told
apart by line style and grey level (model curves are black/grey in every lecture figure), and
a vertical tick marks each curve's centre so the shift and the squeeze can be read off.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, math_name, number
from fastdescent.plotting.predict import predict

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.2", slug="gabor-model", order=20,
              en='The Gabor model for several parameter values',
              es='El modelo de Gabor para varios valores de los parámetros')
FIG_ID = FIGURE["id"]
OFFSETS = (-4.0, 0.0, 4.0)  # panel a: phi0, with phi1 = FIXED_FREQUENCY
FIXED_FREQUENCY = 10.0
FREQUENCIES = (5.0, 10.0, 20.0)  # panel b: phi1, with phi0 = FIXED_OFFSET
FIXED_OFFSET = 0.0
X_RANGE = (-15.0, 15.0)
N_X = 601
#: Line style and grey of the three curves of a panel (first, second, third value).
STYLES = (("-", "#000000"), ("--", "#555555"), (":", "#999999"))

T = Texts({
    "vary_offset": {"en": "Offset $\\phi_0$ moves it, {fixed}",
                    "es": "El desplazamiento $\\phi_0$ la mueve, {fixed}"},
    "vary_frequency": {"en": "Frequency $\\phi_1$ squeezes it, {fixed}",
                       "es": "La frecuencia $\\phi_1$ la comprime, {fixed}"},
    "gabor_formula": {"en": "Gabor model: $f(x) = \\sin(z)\\,e^{-z^2/32}$, "
                            "$z = \\phi_0 + 0.06\\,\\phi_1 x$;  | marks the centre, "
                            "$x = -\\phi_0 / (0.06\\,\\phi_1)$",
                      "es": "Modelo de Gabor: $f(x) = \\sin(z)\\,e^{-z^2/32}$, "
                            "$z = \\phi_0 + 0{,}06\\,\\phi_1 x$;  | marca el centro, "
                            "$x = -\\phi_0 / (0{,}06\\,\\phi_1)$"},
})


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    """The curves f(x; phi) of both panels (the model's own prediction) and their centres."""
    model = fd.models.gabor()
    x = np.linspace(*X_RANGE, N_X if not quick else 151)
    pa = np.array([[o, FIXED_FREQUENCY] for o in OFFSETS])
    pb = np.array([[FIXED_OFFSET, f] for f in FREQUENCIES])
    centre = lambda P: -P[:, 0] / (0.06 * P[:, 1])  # noqa: E731 - z = 0
    return {"model": model, "x": x, "params": (pa, pb),
            "curves": (predict(model, pa, x), predict(model, pb, x)),
            "centres": (centre(pa), centre(pb)),
            "losses": (model.loss_many(pa), model.loss_many(pb))}


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    model = d["model"]
    fig, axs = fp.figure(1, 2, sharey=True, size=(12.0, 4.6))
    for k, (ax, P, F, C) in enumerate(zip(axs, d["params"], d["curves"], d["centres"])):
        vary = 0 if k == 0 else 1
        other = 1 - vary
        for j, (p, f, c) in enumerate(zip(P, F, C)):
            ls, col = STYLES[j]
            ax.plot(d["x"], f, color=col, ls=ls, lw=2.4,
                    label=f"{math_name(model.param_names[vary])} = {number(p[vary], lang)}")
            ax.plot([c, c], [-1.12, -0.98], color=col, lw=2.4, solid_capstyle="butt")
        ax.axhline(0, color="black", lw=0.6, alpha=0.4, zorder=0)
        ax.set_xlim(*X_RANGE)
        ax.set_ylim(-1.15, 1.6)  # room for the legend above the curves
        ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
        ax.set_xlabel(T("input", lang))
        fixed = f"{math_name(model.param_names[other])} = {number(P[0][other], lang)}"
        panel_title(ax, k, T("vary_offset" if vary == 0 else "vary_frequency", lang,
                             fixed=fixed))
        ax.legend(loc="upper center", ncol=3, handlelength=2.4, columnspacing=1.2)
    axs[0].set_ylabel(T("output", lang))
    fig.suptitle(T("gabor_formula", lang), fontsize=13)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
