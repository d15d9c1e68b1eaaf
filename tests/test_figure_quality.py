"""Slide readiness of every lecture and research figure (fastdescent.plotting.quality).

Each figure is drawn from its quick-mode numbers in both languages, exactly as it is saved
(tick labels localized), and audited: saved width at most 13.33 in, every text at least 12 pt
when the figure fills a 16:9 slide, no two texts overlapping, nothing clipped, and no decimal
point in a Spanish figure. The first tests show that the audit catches each of these faults.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from experiments.lecture import REGISTRY  # noqa: E402
from experiments.lecture._common import render  # noqa: E402
from fastdescent import plotting as fp  # noqa: E402
from fastdescent.plotting import quality as Q  # noqa: E402

LANGS = ("es", "en")


def kinds(fig, lang=None):
    return sorted({p.kind for p in Q.audit(fig, lang)})


# ------------------------------------------------------------------------------ the audit
def good_figure(lang="en"):
    fig, ax = fp.figure(1, 2, size=(10.0, 4.0))
    for a in ax:
        a.plot([0, 1], [0.25, 0.75], label="line")
        a.set_xlabel("x")
        a.set_ylabel("y")
        a.legend()
    return fp.style.localize(fig, lang)


def test_a_slide_ready_figure_passes():
    for lang in LANGS:
        fig = good_figure(lang)
        try:
            assert Q.audit(fig, lang) == []
            Q.assert_slide_ready(fig, lang)
        finally:
            plt.close(fig)


def test_small_text_is_caught():
    fig = good_figure()
    fig.axes[0].set_title("tiny", fontsize=9)
    try:
        problems = Q.audit(fig)
        assert [p.kind for p in problems] == ["small"]
        assert "'tiny'" in problems[0].message
        with pytest.raises(AssertionError, match="tiny"):
            Q.assert_slide_ready(fig)
    finally:
        plt.close(fig)


def test_text_size_is_judged_at_slide_size():
    # 10 pt text in a 6.5 in wide figure is 20 pt when the figure fills the slide ...
    fig, ax = fp.figure(size=(6.5, 3.0))
    ax.set_title("ten points", fontsize=10)
    try:
        assert "small" not in kinds(fig)
    finally:
        plt.close(fig)
    # ... and 12 pt text in a 13 x 9 in figure is shrunk below 12 pt to fit the height
    fig, ax = fp.figure(size=(13.0, 9.0))
    ax.set_title("twelve points", fontsize=12)
    try:
        assert "small" in kinds(fig)
    finally:
        plt.close(fig)


def test_wide_figure_is_caught():
    fig, ax = fp.figure(size=(16.0, 4.0))
    ax.set_title("wide", fontsize=20)
    ax.set_axis_off()
    try:
        assert kinds(fig) == ["wide"]
    finally:
        plt.close(fig)


def test_overlapping_texts_are_caught():
    fig = good_figure()
    fig.axes[0].text(0.5, 0.5, "first label", fontsize=14)
    fig.axes[0].text(0.52, 0.51, "second label", fontsize=14)
    try:
        problems = Q.audit(fig)
        assert [p.kind for p in problems] == ["overlap"]
        assert "first label" in problems[0].message and "second label" in problems[0].message
    finally:
        plt.close(fig)


def test_colliding_corner_tick_labels_are_caught():
    # the y tick label at the bottom and the x tick label at the left meet at the corner
    fig, ax = fp.figure(size=(6.0, 4.0))
    ax.set_xlim(-10, 15)
    ax.set_ylim(2.5, 22.5)
    ax.tick_params(pad=-2)
    ax.set_yticks([2.5, 12.5, 22.5])
    ax.set_xticks([-10, 0, 15])
    ax.yaxis.set_tick_params(pad=-22)
    try:
        assert "overlap" in kinds(fig)
    finally:
        plt.close(fig)


def test_clipped_text_is_caught():
    fig = good_figure()
    fig.axes[0].text(0.95, 0.5, "cut at the edge", fontsize=14, clip_on=True)
    try:
        assert kinds(fig) == ["clipped"]
    finally:
        plt.close(fig)


def test_decimal_point_in_spanish_is_caught():
    fig, ax = fp.figure(size=(6.0, 4.0))
    ax.plot([0, 1], [0, 0.5])
    ax.set_title("L = 2.5")
    try:
        # unlocalized tick labels (0.0, 0.2, ...) and the title are both caught
        problems = Q.audit(fig, "es")
        assert {p.kind for p in problems} == {"decimal"}
        assert any("L = 2.5" in p.message for p in problems)
        assert Q.audit(fig, "en") == []
        fp.style.localize(fig, "es")
        ax.set_title(fp.i18n.t("loss_symbol", "es") + " = " + fp.i18n.number(2.5, "es"))
        assert Q.audit(fig, "es") == []
        assert ax.get_title() == "$L$ = 2,5"
    finally:
        plt.close(fig)


def test_localized_ticks_use_the_comma_and_keep_positions():
    fig, ax = fp.figure(size=(6.0, 4.0))
    ax.plot([0, 1], [0, 0.5])
    fig.canvas.draw()
    before = [t.get_text() for t in ax.get_yticklabels()]
    fp.style.localize(fig, "es")
    fp.style.localize(fig, "es")  # idempotent
    fig.canvas.draw()
    after = [t.get_text() for t in ax.get_yticklabels()]
    try:
        assert after == [s.replace(".", ",") for s in before]
        assert any("," in s for s in after)
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------------ the figures
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fid", list(REGISTRY))
def test_lecture_figure_is_slide_ready(fid, lang):
    mod = REGISTRY[fid].load()
    fig = render(mod.draw, mod.data(True), lang)
    try:
        Q.assert_slide_ready(fig, lang)
    finally:
        plt.close(fig)


def test_multiline_text_is_placed_where_it_is_drawn():
    # a two-line text at the top of the axes: its box is at the top, over both lines
    fig, ax = fp.figure(size=(6.0, 4.0))
    txt = ax.text(0.5, 0.95, "first line\nsecond line", transform=ax.transAxes, va="top")
    try:
        texts, w, h = Q.drawn_texts(fig)
        mine = [tx for tx in texts if tx.artist is txt]
        assert len(mine) == 1 and mine[0].text == "first line\nsecond line"
        x0, y0, x1, y1 = mine[0].box
        assert y1 > 0.8 * h * 72 and y1 - y0 > 2 * 12  # near the top, two lines tall
        # a second text on its second line is caught
        ax.text(0.5, 0.95, "\nsecond line too", transform=ax.transAxes, va="top")
        assert "overlap" in kinds(fig)
    finally:
        plt.close(fig)


def test_localize_reaches_inset_axes():
    fig, ax = fp.figure(size=(6.0, 4.0))
    inset = ax.inset_axes([0.6, 0.6, 0.35, 0.35])
    inset.plot([0, 1], [0, 0.5])
    fp.style.localize(fig, "es")
    try:
        assert Q.audit(fig, "es") == []
    finally:
        plt.close(fig)
