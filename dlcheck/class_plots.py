"""The class report's plots: matplotlib figures rendered to SVG text that is inlined in the page.

Nothing in an SVG refers outside it: glyphs are drawn as paths (no font is fetched or needed), the
prolog with its DTD address is dropped, and the metadata block is left out. Output is byte-for-byte
deterministic (a fixed `svg.hashsalt`, no date), so rerunning a batch rewrites an identical report.
Each SVG's ids get a prefix of its own: several SVGs inline in one page share one id namespace.
matplotlib is imported inside the functions (in `_plot`): `dlcheck list` must not pay for it.
Figures are built with `matplotlib.figure.Figure`, never pyplot, so no global backend or figure
registry of the calling process is touched.
"""

from __future__ import annotations

import re
import statistics
from html import escape

# Okabe-Ito: distinguishable with every common colour-vision deficiency; the two bar series of a
# chart also differ by hatching, and every bar carries its number as text.
BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#555555"
WIDTH_INCHES = 10  # the page's width at 96 px per inch: text in the plots reads at the page's size
STYLE = {
    "svg.hashsalt": "dlcheck-class-report",  # clip-path ids from a fixed salt: deterministic output
    "svg.fonttype": "path",  # text as paths: renders identically everywhere, fetches nothing
    "svg.id": None,
    "font.family": "DejaVu Sans",  # shipped inside matplotlib itself
    "font.size": 10,
    "text.parse_math": False,  # an id or title with '$' is text, not mathtext
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def score_histogram(percents: list[float]) -> str:
    """Students per band of 10 % of the assignment's points (the last band includes 100 %)."""
    counts = [0] * 10
    for percent in percents:
        counts[min(int(percent // 10), 9)] += 1

    def draw(axes):
        bars = axes.bar([10 * i + 5 for i in range(10)], counts, width=10, color=BLUE, edgecolor="white")
        axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2)
        if percents:
            median = statistics.median(percents)
            axes.axvline(median, color=GREY, linestyle="--", linewidth=1.2, label=f"median {median:.0f} %")
            _legend_above(axes)
        axes.set_xlim(0, 100)
        axes.set_xticks(range(0, 101, 10))
        axes.set_xlabel("score, % of the assignment's points")
        axes.set_ylabel("students")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.margins(y=0.15)

    bands = ", ".join(f"{10 * i}–{10 * i + 10} %: {c}" for i, c in enumerate(counts) if c)
    return _plot("hist", "Score distribution", f"Histogram of {len(percents)} graded students' scores. {bands}.",
                 2.8, draw)


def exercise_rates(exercises: list[str], pass_rates: list[float | None], mean_percents: list[float | None]) -> str:
    """Per exercise, side by side: % of students passing, and the mean score as % of its points."""
    def draw(axes):
        positions = range(len(exercises))
        passed = axes.barh([p - 0.2 for p in positions], _zeros(pass_rates), height=0.4, color=BLUE,
                           label="pass rate")
        mean = axes.barh([p + 0.2 for p in positions], _zeros(mean_percents), height=0.4, color="white",
                         edgecolor=ORANGE, hatch="///", label="mean score")
        axes.bar_label(passed, labels=[_pct(v) for v in pass_rates], padding=3, fontsize=9)
        axes.bar_label(mean, labels=[_pct(v) for v in mean_percents], padding=3, fontsize=9)
        axes.set_xlim(0, 112)
        axes.set_xticks(range(0, 101, 20))
        _per_exercise(axes, exercises, "% of graded students (pass rate) · % of the exercise's points (mean score)")

    described = "; ".join(f"{e}: pass rate {_pct(p)}, mean score {_pct(m)}"
                          for e, p, m in zip(exercises, pass_rates, mean_percents))
    return _plot("rates", "Pass rate and mean score per exercise", described + ".", 0.9 + 0.55 * len(exercises),
                 draw)


def exercise_times(exercises: list[str], medians: list[float | None], maxima: list[float | None]) -> str:
    """Per exercise: the median grading time as a bar, the longest as a diamond."""
    def draw(axes):
        positions = range(len(exercises))
        axes.barh(positions, _zeros(medians), height=0.5, color=GREEN, label="median")
        shown = [(p, m, x) for p, m, x in zip(positions, medians, maxima) if x is not None]
        axes.plot([x for _, _, x in shown], [p for p, _, _ in shown], linestyle="none", marker="D", color=GREY,
                  markersize=5, label="longest")
        for position, median, longest in shown:  # the numbers after the diamond, clear of bar and marker
            axes.annotate(f"{median:.2f} s · longest {longest:.2f} s", (longest, position), xytext=(7, 0),
                          textcoords="offset points", va="center", fontsize=9)
        longest = max((m for m in maxima if m is not None), default=0.0)
        axes.set_xlim(0, max(longest, 0.001) * 1.45)
        _per_exercise(axes, exercises, "seconds to grade one student's file")

    described = "; ".join(f"{e}: median {_seconds(m)}, longest {_seconds(x)}"
                          for e, m, x in zip(exercises, medians, maxima))
    return _plot("times", "Grading time per exercise", described + ".", 0.9 + 0.45 * len(exercises), draw)


def _plot(key: str, title: str, description: str, height: float, draw) -> str:
    """`draw(axes)` on a figure of the page's width, as labelled SVG text whose ids start with `key`."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
        draw(figure.add_subplot())
        return _labelled(_svg(figure, key), key, title, description)


def _svg(figure, key: str) -> str:
    """The figure as SVG text for inlining: no prolog, no metadata, ids prefixed by `key`."""
    import io

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', text)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", text)


def _labelled(svg: str, key: str, title: str, description: str) -> str:
    """Give the SVG a role, an accessible name (<title>) and a text equivalent (<desc>)."""
    opening = svg.index(">") + 1
    head = svg[:opening - 1] + f' role="img" aria-labelledby="{key}-title {key}-desc" class="plot">'
    return (head + f'<title id="{key}-title">{escape(title)}</title>'
            f'<desc id="{key}-desc">{escape(description)}</desc>' + svg[opening:])


def _per_exercise(axes, exercises: list[str], label: str) -> None:
    """One row per exercise, the assignment's first on top as in the tables."""
    axes.set_yticks(range(len(exercises)), exercises)
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.set_xlabel(label)
    _legend_above(axes)


def _legend_above(axes) -> None:
    axes.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)


def _zeros(values: list[float | None]) -> list[float]:
    return [0.0 if v is None else v for v in values]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} %"


def _seconds(value: float | None) -> str:
    return "not run" if value is None else f"{value:.2f} s"
