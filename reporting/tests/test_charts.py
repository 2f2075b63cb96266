"""The SVG charts: well-formed, escaped, accessible, scaled to the data."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from reporting import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
DAY = datetime.date(2026, 1, 1)
NASTY = '<script>alert(1)</script>&"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter("{http://www.w3.org/2000/svg}rect") if el.get("class") == "bar"]


def tick_values(root: ET.Element, money: bool = False) -> list[Decimal]:
    """The numeric axis ticks: texts that are numbers (with ₹ and separators removed)."""
    found = []
    for text in texts(root):
        plain = text.replace("₹", "").replace(",", "")
        try:
            found.append(Decimal(plain))
        except ArithmeticError:
            continue
    return found


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    title_el = root.find("svg:title", NS)
    desc_el = root.find("svg:desc", NS)
    assert title_el.text == title and desc_el.text
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"
    assert "<script" not in ET.tostring(root, encoding="unicode")


@pytest.mark.parametrize(
    "svg",
    [
        charts.line_chart([(NASTY, 3), ("b", 4)], title=NASTY),
        charts.bar_chart([(NASTY, Decimal("12.50"))], title=NASTY, money=True),
        charts.bar_chart([(NASTY, 1)], title=NASTY, horizontal=False),
        charts.cover_chart([(NASTY, Decimal("2"))], title=NASTY),
    ],
    ids=["line", "bar", "column", "cover"],
)
def test_labels_and_titles_are_escaped_and_come_back_as_text(svg):
    root = parse(svg)
    assert_accessible(root, NASTY)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    all_text = " ".join(texts(root)) + " ".join(
        t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")
    )
    assert "<script>alert(1)" in all_text  # the label survives, as text


def test_control_characters_do_not_break_the_xml():
    parse(charts.bar_chart([("nul\x00 and bell\x07", 1)], title="t\x0b"))


@pytest.mark.parametrize("chart", [charts.line_chart, charts.bar_chart, charts.cover_chart])
def test_no_data_is_a_message_not_an_error(chart):
    root = parse(chart([], title="Nothing"))
    assert_accessible(root, "Nothing")
    assert any("No " in t for t in texts(root))
    assert not bars(root)


def test_line_with_one_point_draws_a_dot_in_the_middle():
    root = parse(charts.line_chart([(DAY, 5)], title="One"))
    dots = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(dots) == 1
    width = float(root.get("viewBox").split()[2])
    assert 0.3 * width < float(dots[0].get("cx")) < 0.7 * width
    assert "1 Jan" in texts(root)
    assert max(tick_values(root)) >= 5


def test_all_zeros_gives_a_flat_line_on_a_0_to_1_axis():
    root = parse(charts.line_chart([(DAY + datetime.timedelta(i), 0) for i in range(5)], title="Z"))
    line = root.find("svg:polyline", NS)
    ys = {pair.split(",")[1] for pair in line.get("points").split()}
    assert len(ys) == 1
    assert tick_values(root)[0] == 0 and tick_values(root)[-1] == 1


def test_a_year_of_days_keeps_every_point_but_few_labels():
    points = [(DAY + datetime.timedelta(i), i % 17) for i in range(366)]
    root = parse(charts.line_chart(points, title="Orders per day"))
    line = root.find("svg:polyline", NS)
    assert len(line.get("points").split()) == 366
    date_labels = [t for t in texts(root) if any(m in t for m in ("Jan", "Jun", "Dec", "Jul"))]
    assert 2 <= len([t for t in texts(root) if t[:1].isdigit() and " " in t]) <= 8
    assert date_labels[-1].startswith("1 Jan")  # 2027: the year has 366 points to 1 Jan 2027


def test_none_breaks_the_line_and_missing_dates_keep_their_place():
    points = [
        (DAY, 3),
        (DAY + datetime.timedelta(1), 4),
        (DAY + datetime.timedelta(2), None),
        (DAY + datetime.timedelta(3), 5),
        (DAY + datetime.timedelta(9), 6),
    ]
    root = parse(charts.line_chart(points, title="Gaps"))
    runs = root.findall("svg:polyline", NS)
    assert [len(r.get("points").split()) for r in runs] == [2, 2]
    xs = [float(c.get("cx")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    # Day 3 -> day 9 is six times as wide as day 0 -> day 1.
    assert (xs[3] - xs[2]) == pytest.approx(6 * (xs[1] - xs[0]), rel=0.01)


def test_line_dots_carry_money_tooltips():
    root = parse(charts.line_chart([(DAY, Decimal("1234.5")), ("x", 2)], title="M", money=True))
    tips = [c.find("svg:title", NS).text for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert tips[0] == "1 Jan 2026: ₹1,234.50"


def test_fill_days_puts_zero_on_days_without_rows():
    filled = charts.fill_days(
        [(DAY, 2), (DAY + datetime.timedelta(2), 5)], DAY, DAY + datetime.timedelta(3)
    )
    assert [v for _, v in filled] == [2, 0, 5, 0]


@pytest.mark.parametrize("horizontal", [True, False])
def test_bars_scale_to_the_largest_and_ticks_cover_it(horizontal):
    items = [("A", Decimal("1234.50")), ("B", Decimal("617.25")), ("C", Decimal("0"))]
    root = parse(charts.bar_chart(items, title="Revenue", money=True, horizontal=horizontal))
    size = "width" if horizontal else "height"
    lengths = [float(b.get(size)) for b in bars(root)]
    assert [b.get("data-value") for b in bars(root)] == ["1234.50", "617.25", "0"]
    assert lengths[0] == max(lengths)
    assert lengths[1] == pytest.approx(lengths[0] / 2, abs=0.02)
    assert lengths[2] == 0
    ticks = tick_values(root)
    axis = [t for t in ticks if t not in (Decimal("1234.50"), Decimal("617.25"))]
    top = max(axis)
    assert top >= Decimal("1234.50") and min(axis) == 0
    # The 1-2-5 rule: the step between ticks is 1, 2 or 5 times a power of ten.
    steps = {b - a for a, b in zip(sorted(set(axis)), sorted(set(axis))[1:], strict=False)}
    assert len(steps) == 1
    assert steps.pop().normalize().as_tuple().digits[0] in (1, 2, 5)
    # The largest bar is max / top tick of the plot.
    if horizontal:
        plot = [float(x.get("x1")) for x in root.iter("{http://www.w3.org/2000/svg}line")]
        span = max(plot) - min(plot)
        assert lengths[0] == pytest.approx(span * float(Decimal("1234.50") / top), rel=0.01)
    assert "₹1,234.50" in texts(root)


def test_long_labels_are_cut_with_the_full_label_in_the_tooltip():
    name = "Deccan Distribution and Logistics Private Limited, Bengaluru"
    root = parse(charts.bar_chart([(name, 5)], title="By distributor"))
    shown = [t for t in texts(root) if t.startswith("Deccan")]
    assert shown and shown[0].endswith("…") and len(shown[0]) <= 26
    tips = [g.find("svg:title", NS).text for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert tips == [f"{name}: 5"]


def test_bar_chart_draws_max_items_and_says_how_many_more():
    items = [(f"P{i}", 100 - i) for i in range(15)]
    root = parse(charts.bar_chart(items, title="Top", max_items=10))
    assert len(bars(root)) == 10
    assert "5 more not shown" in root.find("svg:desc", NS).text


def test_nice_ticks_use_1_2_5_steps():
    assert charts.nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(0, 0) == [Decimal(n) / 5 for n in range(6)]
    assert charts.nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert charts.nice_ticks(0, Decimal("0.03")) == [
        0,
        Decimal("0.01"),
        Decimal("0.02"),
        Decimal("0.03"),
    ]


def test_cover_chart_warns_below_the_threshold_and_names_no_sales():
    items = [
        ("Rice", Decimal("10")),
        ("Oil", None),
        ("Dal", Decimal("3.5")),
        ("Tea", Decimal("0")),
        ("Ghee", Decimal("400")),
    ]
    root = parse(charts.cover_chart(items, title="Cover", warn_below=7))
    fills = {b.get("data-value"): b.get("fill") for b in bars(root)}
    assert fills == {
        "0": charts.DANGER,
        "3.5": charts.WARNING,
        "10": charts.SUCCESS,
        "400": charts.SUCCESS,
    }
    words = texts(root)
    assert "no sales" in words and "3.5 days (low)" in words and "0 days (out)" in words
    assert "400 days" in words
    # Lowest first, "no sales" last.
    labels = [t for t in words if t in {"Rice", "Oil", "Dal", "Tea", "Ghee"}]
    assert labels == ["Tea", "Dal", "Rice", "Ghee", "Oil"]
    # 400 days is capped at the axis end, not 40 times the 10-day bar.
    widths = {b.get("data-value"): float(b.get("width")) for b in bars(root)}
    assert widths["400"] < 12 * widths["10"]
    assert "1 out of stock, 1 under 7 days, 1 with no sales" in root.find("svg:desc", NS).text
