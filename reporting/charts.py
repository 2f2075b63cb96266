"""Charts drawn on the server as SVG text: the same markup in a page and in a WeasyPrint PDF.

Every function takes plain data (labels and numbers, no querysets) and returns
one `<svg>` element as a string. Every label and number is escaped here, so
the result may go into a template with `mark_safe` / `|safe`. No JavaScript,
no fonts or URLs to fetch, no `style` attributes: colours are presentation
attributes and text takes the surrounding text colour (`currentColor`).

Each chart has role="img", a <title> and a <desc> (a sentence summing the
data up) joined by aria-labelledby; a table with the figures for screen
readers is the page's job. The drawing is sized by its viewBox and stretches
to the width of its container.

Written by hand rather than with matplotlib or pygal: the output is small,
deterministic (tests can measure bars), carries per-bar tooltips, and needs
no fonts embedded.
"""

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from auromart.formatting import money_display as money_text
from auromart.formatting import number_display

# Bootstrap 5.3's palette, as the site's CSS uses it.
PRIMARY = "#0d6efd"
SUCCESS = "#198754"
WARNING = "#ffc107"
DANGER = "#dc3545"
SECONDARY = "#6c757d"
GRID = "#dee2e6"

WIDTH = 640  # viewBox width; the chart stretches to its container
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
FONT_SIZE = 12
TITLE_SIZE = 14
# Row labels of horizontal bars and cover rows: 170 units wide, right-aligned. 22 characters
# of a wide sans (DejaVu Sans, ~7 units a character at 12) fit; 26 ran past the left edge.
LABEL_CHARS = 22
# A label on a line of its own across the chart (the cover chart): about 7 units a character.
ROW_LABEL_CHARS = 84

# Characters XML 1.0 forbids even when escaped (a NUL in a product name must not break the page).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Number = Decimal | int | float


def _text(value: Any) -> str:
    """Escaped text for an element's content or an attribute value."""
    return escape(_XML_ILLEGAL.sub("", str(value)), quote=True)


def _num(value: float) -> str:
    """A coordinate, short: 12.0 -> "12", 12.3456 -> "12.35"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def label_text(label: Any) -> str:
    """A category label as people read it: a date as "3 Nov 2026", anything else as str()."""
    if isinstance(label, datetime.datetime):
        label = label.date()
    if isinstance(label, datetime.date):
        return f"{label.day} {label:%b %Y}"
    return str(label)


def _short_date(day: datetime.date, with_year: bool) -> str:
    return f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:%b}"


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last of them an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def value_text(value: Number | None, *, money: bool = False) -> str:
    """A figure for a label or tooltip: ₹1,234.50 for money, 1,234 or 1,234.5 otherwise."""
    if value is None:
        return "no figure"
    if money:
        return money_text(value)
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return number_display(amount)
    return number_display(amount, max(0, -amount.normalize().as_tuple().exponent))


def _tick_text(value: Decimal, step: Decimal, *, money: bool) -> str:
    """An axis tick: as many decimals as the step needs, ₹ and thousands separators for money."""
    places = max(0, -step.normalize().as_tuple().exponent)
    if money:
        return money_text(value, places=places)
    return number_display(value, places)


def nice_ticks(
    low: Number, high: Number, *, count: int = 5, integer: bool = False
) -> list[Decimal]:
    """Evenly spaced ticks in steps of 1, 2 or 5 times a power of ten, covering [low, high].

    The first tick is <= low, the last >= high; about `count` intervals.
    `integer` keeps the step a whole number (counts of orders). An empty
    range (all zeros) becomes 0..1.
    """
    low, high = Decimal(str(low)), Decimal(str(high))
    if high < low:
        low, high = high, low
    if high == low:
        if high == 0:
            high = Decimal(1)
        elif high > 0:
            low = min(low, Decimal(0))
        else:
            high = Decimal(0)
    raw = (high - low) / max(count, 1)
    exponent = raw.adjusted()
    base = Decimal(1).scaleb(exponent)
    step = next(base * m for m in (1, 2, 5, 10) if base * m >= raw)
    if integer and step < 1:
        step = Decimal(1)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    last = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    ticks = []
    tick = first
    while tick <= last:
        ticks.append(tick.normalize() if tick else Decimal(0))
        tick += step
    return ticks


def _chart_id(kind: str, title: str, data: Iterable) -> str:
    digest = hashlib.sha1(f"{kind}|{title}|{list(data)!r}".encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _svg(*, kind: str, title: str, desc: str, height: float, body: list[str], data) -> str:
    """The outer <svg> with its accessible name and description."""
    chart_id = _chart_id(kind, title, data)
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart report-chart-{kind}" '
            f'id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'viewBox="0 0 {WIDTH} {_num(height)}" width="100%" '
            f'preserveAspectRatio="xMidYMid meet" font-family="{_text(FONT)}" '
            f'font-size="{FONT_SIZE}" fill="currentColor">',
            f'<title id="{chart_id}-title">{_text(title)}</title>',
            f'<desc id="{chart_id}-desc">{_text(desc)}</desc>',
            f'<text x="0" y="{TITLE_SIZE + 2}" font-size="{TITLE_SIZE}" font-weight="bold" '
            f'aria-hidden="true">{_text(title)}</text>',
            *body,
            "</svg>",
        ]
    )


def _no_data(kind: str, title: str, message: str = "No data for this period.") -> str:
    height = 90
    body = [
        f'<rect x="0.5" y="28.5" width="{WIDTH - 1}" height="{height - 30}" fill="none" '
        f'stroke="{GRID}" stroke-dasharray="4 3"/>',
        f'<text x="{WIDTH / 2}" y="{height / 2 + 18}" text-anchor="middle" '
        f'fill="{SECONDARY}">{_text(message)}</text>',
    ]
    return _svg(kind=kind, title=title, desc=message, height=height, body=body, data=[])


def _extremes(labelled: Sequence[tuple[str, Decimal]], *, money: bool) -> str:
    top_label, top = max(labelled, key=lambda p: p[1])
    low_label, low = min(labelled, key=lambda p: p[1])
    return (
        f"Highest {value_text(top, money=money)} ({top_label}); "
        f"lowest {value_text(low, money=money)} ({low_label})."
    )


# --- Line chart -----------------------------------------------------------------------


def line_chart(
    points: Sequence[tuple[Any, Number | None]],
    *,
    title: str,
    y_label: str = "",
    money: bool = False,
) -> str:
    """A line over the points in order (orders per day, revenue per month).

    Labels are dates or text. With dates, points sit at their date on the
    axis, so a missing day shows as a wider step; a None value is a gap (the
    line breaks there, it does not pretend a figure). Counts get whole-number
    ticks; `money` formats ticks and tooltips as ₹ amounts.
    """
    kind = "line"
    present = [(label, Decimal(str(v))) for label, v in points if v is not None]
    if not present:
        return _no_data(kind, title)

    all_dates = all(isinstance(label, datetime.date) for label, _ in points)
    values = [v for _, v in present]
    integer = not money and all(v == v.to_integral_value() for v in values)
    ticks = nice_ticks(min(min(values), 0), max(max(values), 0), integer=integer)
    y_min, y_max = ticks[0], ticks[-1]

    tick_labels = [_tick_text(t, ticks[1] - ticks[0], money=money) for t in ticks]
    left = 12 + 7 * max(len(t) for t in tick_labels)
    top, right, plot_h = (52 if y_label else 36), 12, 200
    bottom = top + plot_h
    height = bottom + 28
    plot_w = WIDTH - left - right

    def y_of(value: Decimal) -> float:
        return bottom - float((value - y_min) / (y_max - y_min)) * plot_h

    n = len(points)
    if all_dates and n > 1:
        first_day = min(label for label, _ in points)
        span = max((max(label for label, _ in points) - first_day).days, 1)

        def x_of(i: int) -> float:
            return left + plot_w * (points[i][0] - first_day).days / span

    else:

        def x_of(i: int) -> float:
            return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    body = []
    for tick, text in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{_text(text)}</text>'
        )
    body.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{_num(y_of(Decimal(0)))}" '
        f'y2="{_num(y_of(Decimal(0)))}" stroke="{SECONDARY}" stroke-width="1"/>'
    )

    # X labels: at most ~8, evenly picked, the first and last always shown.
    with_year = all_dates and len({label.year for label, _ in points}) > 1
    wanted = min(n, 8 if all_dates else 6)
    shown = sorted({round(i * (n - 1) / max(wanted - 1, 1)) for i in range(wanted)})
    for i in shown:
        label = points[i][0]
        text = _short_date(label, with_year) if all_dates else truncate(label_text(label), 14)
        anchor = "middle"
        if n > 1 and i == 0:
            anchor = "start"
        elif n > 1 and i == n - 1:
            anchor = "end"
        x = x_of(i)
        body.append(
            f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{bottom}" y2="{bottom + 4}" '
            f'stroke="{SECONDARY}"/>'
            f'<text x="{_num(x)}" y="{bottom + 18}" text-anchor="{anchor}">{_text(text)}</text>'
        )
    if y_label:
        body.append(
            f'<text x="0" y="{top - 14}" font-size="11" fill="{SECONDARY}">{_text(y_label)}</text>'
        )

    # The line, broken at None values.
    runs: list[list[str]] = [[]]
    for i, (_, value) in enumerate(points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_num(x_of(i))},{_num(y_of(Decimal(str(value))))}")
    for run in runs:
        if len(run) > 1:
            body.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{PRIMARY}" '
                f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    # Dots with tooltips: every point when they fit, else only lone points (a run of one).
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        lone = (i == 0 or points[i - 1][1] is None) and (i == n - 1 or points[i + 1][1] is None)
        if n <= 62 or lone:
            tip = f"{label_text(label)}: {value_text(value, money=money)}"
            body.append(
                f'<circle cx="{_num(x_of(i))}" cy="{_num(y_of(Decimal(str(value))))}" '
                f'r="{3.5 if n <= 31 else 2.5}" fill="{PRIMARY}" '
                f'data-value="{_text(value)}"><title>{_text(tip)}</title></circle>'
            )

    labelled = [(label_text(label), v) for label, v in present]
    total = sum(values, Decimal(0))
    desc = (
        f"Line chart, {n} point{'s' * (n != 1)} from {label_text(points[0][0])} "
        f"to {label_text(points[-1][0])}. "
        + _extremes(labelled, money=money)
        + f" Total {value_text(total, money=money)}."
        + (f" {n - len(present)} without a figure." if len(present) < n else "")
    )
    return _svg(kind=kind, title=title, desc=desc, height=height, body=body, data=points)


# --- Bar chart ----------------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[Any, Number | None]],
    *,
    title: str,
    money: bool = False,
    horizontal: bool = True,
    max_items: int = 10,
) -> str:
    """Bars in the given order (sort before calling: largest first for a top ten).

    Only the first `max_items` are drawn; the description says how many were
    left out. Long labels are cut with an ellipsis; each bar's <title> holds
    the full label and figure (a tooltip). None counts as no bar.
    """
    kind = "bar"
    rows = [(label_text(label), Decimal(str(v or 0))) for label, v in items]
    if not rows:
        return _no_data(kind, title)
    hidden = max(len(rows) - max_items, 0)
    rows = rows[:max_items]
    values = [v for _, v in rows]
    integer = not money and all(v == v.to_integral_value() for v in values)
    ticks = nice_ticks(min(min(values), 0), max(max(values), 0), count=4, integer=integer)
    step = ticks[1] - ticks[0]
    tick_labels = [_tick_text(t, step, money=money) for t in ticks]
    body: list[str] = []

    if horizontal:
        label_w, value_w, row_h, top = 170, 96, 26, 44
        left, right = label_w + 8, WIDTH - value_w
        plot_w = right - left
        height = top + row_h * len(rows) + 24

        def x_of(value: Decimal) -> float:
            return left + float((value - ticks[0]) / (ticks[-1] - ticks[0])) * plot_w

        for tick, text in zip(ticks, tick_labels, strict=True):
            x = x_of(tick)
            body.append(
                f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top - 4}" '
                f'y2="{top + row_h * len(rows)}" stroke="{GRID}"/>'
                f'<text x="{_num(x)}" y="{top + row_h * len(rows) + 16}" '
                f'text-anchor="middle" fill="{SECONDARY}">{_text(text)}</text>'
            )
        zero = x_of(Decimal(0))
        for i, (label, value) in enumerate(rows):
            y = top + i * row_h
            x_end = x_of(value)
            tip = f"{label}: {value_text(value, money=money)}"
            body.append(
                f"<g><title>{_text(tip)}</title>"
                f'<text x="{label_w}" y="{_num(y + row_h / 2 + 4)}" text-anchor="end">'
                f"{_text(truncate(label, LABEL_CHARS))}</text>"
                f'<rect class="bar" x="{_num(min(zero, x_end))}" y="{_num(y + 4)}" '
                f'width="{_num(abs(x_end - zero))}" height="{row_h - 8}" fill="{PRIMARY}" '
                f'data-value="{_text(value)}"/>'
                f'<text x="{_num(max(zero, x_end) + 5)}" y="{_num(y + row_h / 2 + 4)}">'
                f"{_text(value_text(value, money=money))}</text></g>"
            )
        body.append(
            f'<line x1="{_num(zero)}" x2="{_num(zero)}" y1="{top - 4}" '
            f'y2="{top + row_h * len(rows)}" stroke="{SECONDARY}"/>'
        )
    else:
        left = 12 + 7 * max(len(t) for t in tick_labels)
        top, plot_h, right = 44, 200, WIDTH - 8
        bottom = top + plot_h
        height = bottom + 40
        slot = (right - left) / len(rows)
        chars = max(int(slot / 7), 3)

        def y_of(value: Decimal) -> float:
            return bottom - float((value - ticks[0]) / (ticks[-1] - ticks[0])) * plot_h

        for tick, text in zip(ticks, tick_labels, strict=True):
            y = y_of(tick)
            body.append(
                f'<line x1="{left}" x2="{_num(right)}" y1="{_num(y)}" y2="{_num(y)}" '
                f'stroke="{GRID}"/>'
                f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" '
                f'fill="{SECONDARY}">{_text(text)}</text>'
            )
        zero = y_of(Decimal(0))
        for i, (label, value) in enumerate(rows):
            x = left + i * slot
            y_end = y_of(value)
            tip = f"{label}: {value_text(value, money=money)}"
            body.append(
                f"<g><title>{_text(tip)}</title>"
                f'<rect class="bar" x="{_num(x + slot * 0.15)}" y="{_num(min(zero, y_end))}" '
                f'width="{_num(slot * 0.7)}" height="{_num(abs(zero - y_end))}" '
                f'fill="{PRIMARY}" data-value="{_text(value)}"/>'
                f'<text x="{_num(x + slot / 2)}" y="{_num(min(zero, y_end) - 4)}" '
                f'text-anchor="middle" font-size="11">'
                f"{_text(truncate(value_text(value, money=money), chars + 2))}</text>"
                f'<text x="{_num(x + slot / 2)}" y="{bottom + 18}" text-anchor="middle">'
                f"{_text(truncate(label, chars))}</text></g>"
            )
        body.append(
            f'<line x1="{left}" x2="{_num(right)}" y1="{_num(zero)}" y2="{_num(zero)}" '
            f'stroke="{SECONDARY}"/>'
        )

    desc = (
        f"Bar chart of {len(rows)} item{'s' * (len(rows) != 1)}. "
        + _extremes(rows, money=money)
        + (f" {hidden} more not shown." if hidden else "")
    )
    return _svg(kind=kind, title=title, desc=desc, height=height, body=body, data=items)


# --- Days of stock cover ------------------------------------------------------------


def _days_text(days: Decimal) -> str:
    rounded = days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,.1f}"
    return f"{text} day" if rounded == 1 else f"{text} days"


def cover_chart(
    items: Sequence[tuple[Any, Number | None]],
    *,
    title: str,
    warn_below: Number = 7,
    max_items: int = 20,
    max_days: Number = 90,
) -> str:
    """Days of stock cover per item, lowest first: the items about to run out lead.

    Cover under `warn_below` days is drawn in the warning colour and marked
    "low" (0 days: red, "out"), so the chart reads in greyscale too; a dashed
    line marks the threshold. None (no sales, so no rate to divide by) is
    written as "no sales" with no bar. Cover beyond `max_days` is drawn to the
    edge with its true figure, so one slow seller does not flatten the rest.
    """
    kind = "cover"
    warn = Decimal(str(warn_below))
    rows = [
        (label_text(label), None if days is None else Decimal(str(days))) for label, days in items
    ]
    if not rows:
        return _no_data(kind, title, "No stock items to show.")
    rows.sort(key=lambda r: (r[1] is None, r[1] if r[1] is not None else 0))
    hidden = max(len(rows) - max_items, 0)
    rows = rows[:max_items]
    figures = [d for _, d in rows if d is not None]
    cap = Decimal(str(max_days))
    high = min(max([*figures, warn]), cap)
    ticks = nice_ticks(0, high, count=5)
    step = ticks[1] - ticks[0]

    # Each row: its label on a line of its own (the whole width, so names stay readable on a
    # phone), the bar under it, the figure at the bar's end.
    value_w, row_h, top, left = 112, 36, 50, 4
    right = WIDTH - value_w
    plot_w = right - left
    bottom = top + row_h * len(rows)
    height = bottom + 24

    def x_of(days: Decimal) -> float:
        return left + float(min(days, ticks[-1]) / ticks[-1]) * plot_w

    body: list[str] = []
    for tick in ticks:
        x = x_of(tick)
        body.append(
            f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>'
            f'<text x="{_num(x)}" y="{bottom + 16}" text-anchor="middle" '
            f'fill="{SECONDARY}">{_text(_tick_text(tick, step, money=False))}</text>'
        )
    x_warn = x_of(warn)
    body.append(
        f'<line x1="{_num(x_warn)}" x2="{_num(x_warn)}" y1="{top - 4}" y2="{bottom}" '
        f'stroke="{DANGER}" stroke-dasharray="4 3" stroke-opacity="0.7"/>'
        f'<text x="{_num(x_warn)}" y="{top - 8}" text-anchor="middle" font-size="11" '
        f'fill="{DANGER}">{_text(_days_text(warn))}</text>'
    )
    low = out = 0
    for i, (label, days) in enumerate(rows):
        y = top + i * row_h
        bar_y, bar_h = y + 17, 13
        mid = _num(bar_y + bar_h - 2)
        parts = [
            f'<text x="{left}" y="{_num(y + 13)}">{_text(truncate(label, ROW_LABEL_CHARS))}</text>'
        ]
        if days is None:
            figure = "no sales"
            parts.append(
                f'<text x="{left}" y="{mid}" fill="{SECONDARY}" font-style="italic">no sales</text>'
            )
        else:
            figure = _days_text(days)
            if days <= 0:
                colour, note = DANGER, " (out)"
                out += 1
            elif days < warn:
                colour, note = WARNING, " (low)"
                low += 1
            else:
                colour, note = SUCCESS, ""
            figure += note
            width = x_of(days) - left
            # An empty shelf still gets a visible stub in the danger colour.
            drawn = max(width, 3)
            parts.append(
                f'<rect class="bar" x="{left}" y="{bar_y}" width="{_num(drawn)}" '
                f'height="{bar_h}" fill="{colour}" data-value="{_text(days)}"/>'
            )
            if days > ticks[-1]:  # beyond the axis: a break mark at the bar's end
                parts.append(
                    f'<path d="M{_num(right - 8)},{bar_y - 2} l6,{bar_h + 4}" '
                    f'stroke="#fff" stroke-width="3"/>'
                )
            parts.append(f'<text x="{_num(left + drawn + 5)}" y="{mid}">{_text(figure)}</text>')
        parts.insert(0, f"<g><title>{_text(f'{label}: {figure}')}</title>")
        parts.append("</g>")
        body.append("".join(parts))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="{SECONDARY}"/>')
    no_sales = sum(1 for _, d in rows if d is None)
    desc = (
        f"Days of stock cover for {len(rows)} item{'s' * (len(rows) != 1)}, lowest first. "
        f"{out} out of stock, {low} under {_days_text(warn)}, {no_sales} with no sales."
        + (f" {hidden} more not shown." if hidden else "")
    )
    return _svg(kind=kind, title=title, desc=desc, height=height, body=body, data=items)


def fill_days(
    points: Iterable[tuple[datetime.date, Number]],
    start: datetime.date,
    end: datetime.date,
    fill: Number = 0,
) -> list[tuple[datetime.date, Number]]:
    """Every day from `start` to `end` with its value, `fill` for days the data lacks.

    A database GROUP BY day returns no row for a day without orders; for
    orders per day that day is a real 0, so fill it before charting.
    """
    known = dict(points)
    days = (end - start).days
    return [
        (day, known.get(day, fill))
        for day in (start + datetime.timedelta(days=i) for i in range(days + 1))
    ]
