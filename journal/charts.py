"""Accessible bar charts rendered on the server as SVG, with the table behind them.

A :class:`Chart` holds the numbers once; :func:`render_svg` draws them and
:func:`to_csv` exports them, so the picture, the HTML table and the CSV file
can never disagree. The SVG is self-contained markup: no script, no ``style``
attribute (the Content-Security-Policy forbids inline styles), colours come
from presentation attributes and classes in ``journal.css``. It carries
``role="img"``, a ``<title>`` and a ``<desc>`` (``aria-labelledby``), and every
bar has its value written next to it as text, so nobody needs colour or
sight to read it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field

from markupsafe import Markup
from markupsafe import escape

#: Bar fills per series position: dark enough on white (contrast >= 3:1 for graphics).
PALETTE = ("#1f5f8b", "#1b6b3a", "#a4262c", "#6b4a00", "#5b3f8c", "#4a5566")

#: Geometry, in SVG user units (the chart scales to its container).
WIDTH = 640
LABEL_WIDTH = 200
VALUE_GAP = 6
VALUE_ROOM = 44
BAR_HEIGHT = 16
BAR_GAP = 2
GROUP_GAP = 12
TOP = 8
LEGEND_ROW = 22
MAX_LABEL_CHARS = 30


@dataclass(frozen=True)
class Series:
    """One kind of bar in every row (for example "tried" and "working")."""

    key: str
    label: str


@dataclass
class Chart:
    """The numbers of one chart: rows of values, one value per series.

    :ivar id: unique on the page; used for element ids and file names.
    :ivar title: what the chart shows, in a few words.
    :ivar description: one sentence on how to read it.
    :ivar row_heading: the heading of the label column of the table.
    :ivar rows: ``(label, {series key: number})`` in display order; a number of
        ``None`` was suppressed (too few pupils behind it) and shows as
        :attr:`suppressed_label`, drawn as no bar.
    """

    id: str
    title: str
    description: str
    row_heading: str
    series: tuple[Series, ...]
    rows: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    suppressed_label: str = "–"

    def value(self, row: dict[str, int], series: Series) -> int:
        """Return the number of ``series`` in ``row`` (0 when missing or suppressed)."""
        return int(row.get(series.key, 0) or 0)

    def shown(self, row: dict[str, int], series: Series) -> int | str:
        """Return what a reader sees for ``series`` in ``row``: the number, or the
        suppressed label."""
        if series.key in row and row[series.key] is None:
            return self.suppressed_label
        return self.value(row, series)

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw (no rows, or every value is 0)."""
        return not any(self.value(values, s) or self.shown(values, s) == self.suppressed_label
                       for _, values in self.rows for s in self.series)

    def table(self) -> tuple[list[str], list[list]]:
        """Return the header and the rows of the table behind the chart."""
        header = [self.row_heading] + [s.label for s in self.series]
        body = [[label] + [self.shown(values, s) for s in self.series]
                for label, values in self.rows]
        return header, body


def summary(chart: Chart) -> str:
    """Return a plain-language summary of the numbers, for the chart's ``<desc>``."""
    parts = []
    for label, values in chart.rows:
        numbers = ", ".join(f"{s.label} {chart.shown(values, s)}" for s in chart.series)
        parts.append(f"{label}: {numbers}")
    return "; ".join(parts)


def _short(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def render_svg(chart: Chart) -> Markup:
    """Return the chart as an inline, accessible SVG element (horizontal bars).

    Each row is a group of bars, one per series, with the row label on the left
    and each value written at the end of its bar. A legend names the series
    when there is more than one.
    """
    cid = escape(chart.id)
    series = chart.series
    peak = max([chart.value(v, s) for _, v in chart.rows for s in series] + [1])
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    group = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    legend = LEGEND_ROW if len(series) > 1 else 0
    height = TOP + legend + len(chart.rows) * (group + GROUP_GAP) + TOP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-{cid}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="chart-{cid}-title chart-{cid}-desc" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="13">',
        f'<title id="chart-{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="chart-{cid}-desc">{escape(chart.description)} {escape(summary(chart))}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        out.append('<g class="chart-legend" aria-hidden="true">')
        for index, s in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            out.append(f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{colour}" '
                       f'class="series-{index}"/>')
            out.append(f'<text x="{x + 16}" y="{TOP + 11}" fill="#1d2430">{escape(s.label)}</text>')
            x += 24 + 8 * len(s.label)
        out.append("</g>")
    y = TOP + legend
    for label, values in chart.rows:
        out.append('<g class="chart-row">')
        middle = y + group / 2 + 4
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" '
                   f'fill="#1d2430">{escape(_short(label))}</text>')
        for index, s in enumerate(series):
            value = chart.value(values, s)
            width = round(plot * value / peak)
            colour = PALETTE[index % len(PALETTE)]
            out.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
                       f'fill="{colour}" class="bar series-{index}">'
                       f'<title>{escape(label)} · {escape(s.label)}: '
                       f'{escape(chart.shown(values, s))}</title></rect>')
            out.append(f'<text x="{LABEL_WIDTH + width + VALUE_GAP}" y="{y + BAR_HEIGHT - 4}" '
                       f'fill="#1d2430" class="bar-value">{escape(chart.shown(values, s))}</text>')
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def to_csv(chart: Chart) -> str:
    """Return the chart's table as CSV text (comma-separated, header first).

    Cells that a spreadsheet would run as a formula are prefixed with a quote.
    """
    header, body = chart.table()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(c) for c in header])
    for row in body:
        writer.writerow([_cell(c) for c in row])
    return buffer.getvalue()


def _cell(value) -> str | int:
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
