"""Exports of a ReportTable parse back to the table's figures: CSV, XLSX, PDF."""

import csv
import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import BadRequest
from openpyxl import load_workbook

from auromart.formatting import money_display
from reporting import charts, exports
from reporting.tables import Column, ReportTable

COLUMNS = [
    Column("label", "Product"),
    Column("day", "First sale", "date"),
    Column("units", "Units", "int"),
    Column("revenue", "Revenue", "money"),
    Column("share", "Share", "percent"),
    Column("cover", "Cover (days)", "days"),
]


def make_table(count: int = 3) -> ReportTable:
    rows = [
        {
            "label": f"Item {n:03d}",
            "day": datetime.date(2026, 11, 1) + datetime.timedelta(days=n % 28),
            "units": n * 3,
            "revenue": Decimal("1234.55") * n,
            "share": Decimal(n) / Decimal(count * (count + 1) // 2),
            "cover": Decimal("3.25") + n,
        }
        for n in range(1, count + 1)
    ]
    rows[0]["label"] = '=HYPERLINK("http://x") <b>&'
    rows[-1]["cover"] = None
    return ReportTable(
        title="Sales by product",
        subtitle="November 2026",
        columns=COLUMNS,
        rows=rows,
        totals={
            "units": sum(r["units"] for r in rows),
            "revenue": sum((r["revenue"] for r in rows), Decimal(0)),
            "share": Decimal(1),
        },
        filters={"Distributor": "Deccan Distribution", "Region": "South"},
    )


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


# --- display_text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("1234567.5"), "money", "₹12,34,567.50"),
        (1234, "int", "1,234"),
        (Decimal("0.25"), "percent", "25.0%"),
        (Decimal("0.93335"), "percent", "93.3%"),
        (Decimal("4.255"), "decimal", "4.26"),
        (Decimal("3.25"), "days", "3.3"),
        (datetime.date(2026, 11, 3), "date", "3 Nov 2026"),
        (None, "money", ""),
        ("Tea", "text", "Tea"),
    ],
)
def test_display_text(value, kind, text):
    assert exports.display_text(value, kind) == text


# --- CSV ------------------------------------------------------------------------------


def test_csv_response_parses_back_to_the_figures():
    table = make_table()
    response = exports.export_response(table, "csv", filename="sales 2026/11")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sales-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == [c.key for c in COLUMNS]
    assert rows[1][0].startswith("'=HYPERLINK")
    assert [Decimal(r[3]) for r in rows[1:-1]] == [r["revenue"] for r in table.rows]
    assert rows[-1][:4] == ["TOTAL", "", "18", f"{table.totals['revenue']:.2f}"]


# --- XLSX -----------------------------------------------------------------------------


def read_sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def header_row(sheet) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == "Product")


def test_xlsx_cells_are_typed_and_match_the_table_to_the_cent():
    table = make_table()
    response = exports.export_response(table, "xlsx", filename="sales")
    assert response["Content-Disposition"] == 'attachment; filename="sales.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_sheet(response.content)
    assert sheet["A1"].value == "Sales by product" and sheet["A1"].font.b
    firsts = [sheet.cell(row=r, column=1).value for r in range(1, 8)]
    assert "Distributor:" in firsts and "Region:" in firsts
    head = header_row(sheet)
    assert [c.value for c in sheet[head]] == [c.label for c in COLUMNS]
    assert sheet.freeze_panes == f"A{head + 1}"
    assert all(c.font.b for c in sheet[head])
    assert sheet.auto_filter.ref == f"A{head}:F{head + len(table.rows)}"

    for offset, row in enumerate(table.rows, start=1):
        cells = sheet[head + offset]
        assert cells[0].value == (row["label"] if offset > 1 else "'" + row["label"])
        assert cells[0].data_type == "s"  # text, never a formula
        assert cells[1].value.date() == row["day"] and cells[1].is_date
        assert cells[2].value == row["units"] and cells[2].number_format == "0"
        assert Decimal(str(cells[3].value)).quantize(Decimal("0.01")) == row["revenue"]
        assert cells[3].number_format == "#,##0.00"
        assert Decimal(str(cells[4].value)) == pytest.approx(row["share"])
        assert cells[4].number_format == "0.0%"
        if row["cover"] is None:
            assert cells[5].value is None
        else:
            assert Decimal(str(cells[5].value)) == row["cover"]

    totals = sheet[head + len(table.rows) + 1]
    assert totals[0].value == "Total" and all(c.font.b for c in totals)
    assert totals[2].value == 18
    assert Decimal(str(totals[3].value)) == table.totals["revenue"] == Decimal("7407.30")
    assert sheet.max_row == head + len(table.rows) + 1
    assert sheet.column_dimensions["A"].width >= len('=HYPERLINK("http://x") <b>&')


def test_xlsx_strips_characters_a_workbook_cannot_hold():
    table = ReportTable(
        title="A/B: [x]", columns=[Column("label", "L")], rows=[{"label": "bell\x07"}]
    )
    sheet = read_sheet(exports.table_xlsx(table))
    assert sheet.title == "A B   x"
    assert sheet[header_row_of(sheet, "L") + 1][0].value == "bell"


def header_row_of(sheet, label: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == label)


def test_xlsx_of_an_empty_table_has_the_header_and_no_rows():
    table = ReportTable(title="Empty", columns=COLUMNS, rows=[])
    sheet = read_sheet(exports.table_xlsx(table))
    assert sheet.max_row == header_row(sheet)


# --- PDF ------------------------------------------------------------------------------


def test_pdf_holds_title_filters_every_row_and_the_figures_as_formatted():
    table = make_table()
    response = exports.export_response(table, "pdf", filename="sales")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sales.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in ("Sales by product", "November 2026", "Deccan Distribution", "Generated"):
        assert expected in text
    for row in table.rows:
        assert row["label"] in text
        assert exports.display_text(row["revenue"], "money") in text
        assert exports.display_text(row["day"], "date") in text
        assert exports.display_text(row["share"], "percent") in text
    assert "Total" in text and "₹7,407.30" in text and "100.0%" in text
    assert "Page 1 of 1" in text


def test_a_long_pdf_repeats_the_header_and_numbers_its_pages():
    table = make_table(300)
    pdf = exports.table_pdf(table)
    pages = page_count(pdf)
    assert pages > 3
    full = pdf_text(pdf)
    for row in table.rows:
        assert row["label"] in full
    for page in (2, pages):
        text = pdf_text(pdf, page)
        assert "Product" in text and "Revenue" in text  # the repeated header
        assert f"Page {page} of {pages}" in text
    # The totals are printed once, at the end.
    assert money_display(table.totals["revenue"]) in pdf_text(pdf, pages)
    assert full.count("Total ") == 1


def test_pdf_draws_the_charts():
    table = make_table()
    chart_svg = charts.bar_chart(
        [(r["label"], r["revenue"]) for r in table.rows], title="Revenue by product", money=True
    )
    cover_svg = charts.cover_chart([("Rice", Decimal("3"))], title="Days of stock cover")
    plain = exports.table_pdf(table)
    with_charts = exports.table_pdf(table, charts=[chart_svg, cover_svg])
    text = pdf_text(with_charts)
    assert "Revenue by product" in text and "Days of stock cover" in text
    assert "3 days (low)" in text
    assert "Revenue by product" not in pdf_text(plain)
    assert len(with_charts) > len(plain)


def test_a_wide_table_prints_landscape():
    columns = [Column(f"c{i}", f"Col {i}", "int") for i in range(9)]
    table = ReportTable(title="Wide", columns=columns, rows=[{f"c{i}": i for i in range(9)}])
    info = subprocess.run(
        ["pdfinfo", "-"], input=exports.table_pdf(table), capture_output=True, check=True
    ).stdout.decode()
    size = next(x for x in info.splitlines() if x.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4])  # width > height


def test_unknown_format_is_a_bad_request():
    with pytest.raises(BadRequest, match="csv, xlsx, pdf"):
        exports.export_response(make_table(), "docx", filename="x")
