"""Charts as PNG bytes, drawn with matplotlib's object API on the Agg canvas.

No pyplot: its global figure state is not safe in a worker that draws several reports,
and Agg needs no display. PNG, not SVG, because most mail clients do not show SVG.
"""

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .document import Chart

PALETTE = ["#0b3d91", "#f5a623", "#2a9d8f", "#a4161a", "#6c757d", "#5b2c83", "#1f7a3a", "#e76f51"]
WIDTH, HEIGHT, DPI = 6.4, 3.2, 110


def _dollars(value: float, _position: int) -> str:
    if abs(value) < 0.005:
        return "$0"
    if abs(value) >= 1000:
        return f"${value / 1000:,.0f}k" if value % 1000 == 0 or abs(value) >= 10_000 else f"${value / 1000:,.1f}k"
    return f"${value:,.0f}"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    # Fixed margins rather than bbox_inches="tight", which draws the figure twice.
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _legend_below(figure: Figure, axes, entries: int) -> None:
    """The legend under the chart, where it never covers a bar or the line."""
    axes.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=min(4, entries))
    figure.subplots_adjust(bottom=max(figure.subplotpars.bottom, 0.24))


def _axes(title: str, money: bool):
    figure = Figure(figsize=(WIDTH, HEIGHT))
    figure.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.14)
    axes = figure.subplots()
    axes.set_title(title, fontsize=11, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    axes.set_axisbelow(True)
    if money:
        axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure, axes


def bar_chart(
    *,
    name: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    stacked: bool = False,
    money: bool = True,
) -> Chart:
    """Bars per category: side by side (this period vs the last), or stacked (costs)."""
    figure, axes = _axes(title, money)
    positions = list(range(len(categories)))
    count = max(len(series), 1)
    width = 0.8 if stacked else 0.8 / count
    bottoms = [0.0] * len(categories)
    for index, (label, values) in enumerate(series.items()):
        values = [float(v) for v in values]
        colour = PALETTE[index % len(PALETTE)]
        if stacked:
            axes.bar(positions, values, width, bottom=bottoms, label=label, color=colour)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        else:
            offset = (index - (count - 1) / 2) * width
            axes.bar([p + offset for p in positions], values, width, label=label, color=colour)
    if not any(float(v) for values in series.values() for v in values):
        axes.set_ylim(0, 1)  # all zero: a flat axis, not "$-0" ticks
    rotated = len(categories) > 6
    axes.set_xticks(positions, list(categories), fontsize=8, rotation=30 if rotated else 0)
    if rotated:
        figure.subplots_adjust(bottom=0.26)
    if len(series) > 1:
        _legend_below(figure, axes, len(series))
    return Chart(name=name, title=title, png=_png(figure))


def trend_chart(
    *,
    name: str,
    title: str,
    months: Sequence[str],
    bars: Mapping[str, Sequence[float]],
    line: tuple[str, Sequence[float]],
) -> Chart:
    """Stacked monthly bars (costs) with a line on top (net)."""
    figure, axes = _axes(title, money=True)
    positions = list(range(len(months)))
    bottoms = [0.0] * len(months)
    for index, (label, values) in enumerate(bars.items()):
        values = [float(v) for v in values]
        axes.bar(positions, values, 0.6, bottom=bottoms, label=label, color=PALETTE[index % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    label, values = line
    axes.plot(positions, [float(v) for v in values], marker="o", color="#111111", label=label, linewidth=1.8)
    axes.axhline(0, color="#999999", linewidth=0.8)
    axes.set_xticks(positions, list(months), fontsize=8)
    _legend_below(figure, axes, len(bars) + 1)
    return Chart(name=name, title=title, png=_png(figure))
