"""The week's shipping health as a PNG (issue 21): orders a day with the late ones, and the
rolling Late Shipment Rate against Amazon's limit. Drawn with matplotlib's Agg renderer (no
display, no network), imported only when a chart is made: it takes longer to load than the
rest of sellerbot.

Colours are the Okabe-Ito palette's blue and vermillion with grey, which readers with any
common colour-vision deficiency tell apart; the type is large enough for a phone.
"""

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.render.environment import message

# Okabe & Ito (2008), "Color Universal Design".
BLUE, VERMILLION, GREY, DARK = "#0072B2", "#D55E00", "#BBBBBB", "#333333"
# 1200 x 1000 pixels: sharp on a phone, a quick upload.
SIZE_INCHES, DPI = (12, 10), 100
FONT = 20
MARGINS = {"left": 0.12, "right": 0.98, "top": 0.92, "bottom": 0.1, "hspace": 0.12}


@dataclass(frozen=True)
class Series:
    """What the chart plots, day by day: exactly these values, nothing smoothed."""

    days: list[date]
    orders: list[int]
    late: list[int]
    # Percent; None where there are too few orders to tell (drawn as a gap, not a line).
    rate: list[float | None]
    # The weeks (their first day) whose rate cannot be told.
    too_few: list[date]


def series(health: Any) -> Series:
    """The chart's series from a ShippingHealth (bot/usecases/shipping_health.py)."""
    return Series(
        days=[d.day for d in health.days], orders=[d.orders for d in health.days],
        late=[d.late for d in health.days],
        rate=[d.rate.rate * 100 if d.rate.enough_data and d.rate.rate is not None else None
              for d in health.days],
        too_few=[week[0].day for week in health.weeks()
                 if not any(d.rate.enough_data for d in week)])


def chart_png(health: Any) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.figure import Figure  # loads here, never at start-up
    from matplotlib.ticker import MaxNLocator

    data = series(health)
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    counts, rates = figure.subplots(2, 1, sharex=True)
    # Fixed margins that fit the chart's words at this size: matplotlib's automatic layout
    # draws the figure twice to measure them, a third of the drawing time.
    figure.subplots_adjust(**MARGINS)
    figure.suptitle(_words("title", first=data.days[0], last=data.days[-1]),
                    fontsize=FONT + 6, color=DARK)
    x = list(range(len(data.days)))
    # Bars from zero for every day: a day with no orders is a bar of nothing, not a gap.
    counts.bar(x, data.orders, width=0.85, color=GREY, label=_words("orders_legend"))
    counts.bar(x, data.late, width=0.85, color=VERMILLION, label=_words("late_legend"))
    counts.set_ylabel(_words("orders_axis"), fontsize=FONT, color=DARK)
    # Orders are whole and never below none: a new seller's empty week drew -0.04 to 0.04.
    counts.set_ylim(bottom=0, top=max(1, max(data.orders, default=0)) * 1.15)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.legend(fontsize=FONT - 2, loc="upper left", frameon=False)
    _draw_rate(rates, x, data, health)
    ticks = [n for n, day in enumerate(data.days) if day.weekday() == 0]
    rates.set_xticks(ticks, [_words("day_tick", day=data.days[n]) for n in ticks])
    for axes in (counts, rates):
        axes.tick_params(labelsize=FONT - 4, colors=DARK)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlim(-0.6, len(x) - 0.4)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _draw_rate(axes: Any, x: list[int], data: Series, health: Any) -> None:
    """The rolling rate (gaps where it cannot be told), Amazon's limit, the value now."""
    target = health.current.target * 100
    axes.plot(x, [float("nan") if r is None else r for r in data.rate], color=BLUE,
              linewidth=4)
    axes.axhline(target, color=DARK, linestyle="--", linewidth=2)
    top = max([target * 2, *(r * 1.15 for r in data.rate if r is not None)])
    axes.set_ylim(0, top)
    axes.text(0, target, " " + _words("limit", target=health.current.target),
              va="bottom", fontsize=FONT - 2, color=DARK)
    axes.set_ylabel(_words("rate_axis", days=health.current.days), fontsize=FONT, color=DARK)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:g}%")
    for first in data.too_few:
        middle = data.days.index(first) + 3
        axes.text(middle, top * 0.7, _words("too_few"), ha="center", va="center",
                  fontsize=FONT - 4, color=DARK, linespacing=1.1, wrap=False)
    axes.text(len(x) - 1, top * 0.92, _words("now", rate=health.current), ha="right",
              va="top", fontsize=FONT + 6, color=BLUE, fontweight="bold")


def _words(code: str, **params: Any) -> str:
    """One of the chart's words, from templates/text/chart.txt.j2."""
    return message("chart", code, **params)
