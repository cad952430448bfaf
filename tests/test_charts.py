"""Server-rendered SVG bar charts: readable without sight or colour, CSP-safe, same numbers as CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from journal import charts

SVG = "{http://www.w3.org/2000/svg}"


def _chart(rows=None) -> charts.Chart:
    return charts.Chart(
        id="adaptations",
        title="Adaptations tried and working",
        description="Per category, how many adaptations were tried and how many work.",
        row_heading="Category",
        series=(charts.Series("tried", "Tried"), charts.Series("working", "Working")),
        rows=rows if rows is not None else [
            ("Compenseren", {"tried": 4, "working": 2}),
            ("Differentiëren", {"tried": 2, "working": 0}),
        ],
    )


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_svg_is_labelled_by_its_title_and_description():
    svg = _parse(charts.render_svg(_chart()))
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    found = {el.get("id"): el for el in svg.iter() if el.get("id")}
    assert [found[i].tag for i in ids] == [SVG + "title", SVG + "desc"]
    assert found[ids[0]].text == "Adaptations tried and working"
    desc = found[ids[1]].text
    # The description carries the numbers too, for someone who cannot see the bars.
    assert "Compenseren: Tried 4, Working 2" in desc
    assert "Differentiëren: Tried 2, Working 0" in desc


def test_every_value_is_written_as_text_and_every_row_is_named():
    svg = _parse(charts.render_svg(_chart()))
    texts = [t.text for t in svg.iter(SVG + "text")]
    assert "Compenseren" in texts and "Differentiëren" in texts
    assert texts.count("4") == 1 and texts.count("2") == 2 and texts.count("0") == 1
    # The legend names both series.
    assert "Tried" in texts and "Working" in texts


def test_bar_lengths_follow_the_numbers():
    svg = _parse(charts.render_svg(_chart()))
    bars = [r for r in svg.iter(SVG + "rect") if "bar" in (r.get("class") or "").split()]
    widths = [int(b.get("width")) for b in bars]
    assert len(widths) == 4
    tried_a, working_a, tried_b, working_b = widths
    assert tried_a > tried_b > working_b == 0
    assert tried_a == 2 * working_a == 2 * tried_b


def test_no_script_and_no_inline_style_so_the_csp_allows_it():
    markup = str(charts.render_svg(_chart()))
    svg = _parse(markup)
    assert all(el.tag != SVG + "script" for el in svg.iter())
    assert all("style" not in el.attrib for el in svg.iter())
    assert all(not any(k.startswith("on") for k in el.attrib) for el in svg.iter())
    assert "href" not in markup


def test_labels_are_escaped():
    chart = _chart([('<script>alert(1)</script> & "x"', {"tried": 1, "working": 1})])
    markup = str(charts.render_svg(chart))
    assert "<script>" not in markup
    svg = _parse(markup)  # still well-formed XML
    assert any((t.text or "").startswith("<script>") for t in svg.iter(SVG + "text"))


def test_one_series_has_no_legend_and_long_labels_are_shortened():
    chart = charts.Chart(id="one", title="T", description="D", row_heading="Area",
                         series=(charts.Series("n", "Trajectories"),),
                         rows=[("A very long focus area label that goes on and on", {"n": 3})])
    svg = _parse(charts.render_svg(chart))
    texts = [t.text for t in svg.iter(SVG + "text")]
    assert "Trajectories" not in texts
    assert any(t.endswith("…") and len(t) <= charts.MAX_LABEL_CHARS for t in texts)
    # The full label stays available as the bar's own title.
    titles = [t.text for t in svg.iter(SVG + "title")]
    assert any("goes on and on" in (t or "") for t in titles)


def test_empty_chart():
    assert _chart([]).empty
    assert _chart([("X", {"tried": 0, "working": 0})]).empty
    assert not _chart().empty
    _parse(charts.render_svg(_chart([])))  # still valid


def test_csv_has_the_same_numbers_as_the_table():
    chart = _chart()
    rows = list(csv.reader(io.StringIO(charts.to_csv(chart))))
    assert rows == [["Category", "Tried", "Working"], ["Compenseren", "4", "2"],
                    ["Differentiëren", "2", "0"]]
    header, body = chart.table()
    assert rows[0] == header and [r[0] for r in rows[1:]] == [b[0] for b in body]


def test_csv_neutralises_spreadsheet_formulas():
    chart = _chart([("=HYPERLINK(\"x\")", {"tried": 1}), ("-2+3", {"tried": 1})])
    rows = list(csv.reader(io.StringIO(charts.to_csv(chart))))
    assert rows[1][0] == "'=HYPERLINK(\"x\")" and rows[2][0] == "'-2+3"
