"""A ReportTable as a download: CSV (tables.table_csv), XLSX (openpyxl) and PDF (WeasyPrint).

The figures come from the table as the selector computed them; nothing is
computed again here, so every format shows the page's numbers. XLSX cells
are typed (numbers stay numbers, dates stay dates) with number formats for
the display; PDF cells are formatted with `display_text`, as people read
them (₹1,234.50, 25.0 %, 3 Nov 2026).
"""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from auromart.formatting import date_display, money_display, number_display
from auromart.pdf import render_pdf
from auromart.spreadsheets import escape_formula

from .tables import Column, Kind, ReportTable, table_csv

EXPORT_FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "percent": "0.0%",
    "int": "0",
    "decimal": "#,##0.00",
    "days": "#,##0.0",
    "date": "yyyy-mm-dd",
}
TOTAL_LABEL = "Total"
PDF_TEMPLATE = "reporting/report_pdf.html"
PDF_STYLESHEETS = ("auromart/pdf/document.css", "reporting/report_pdf.css")
WIDE_TABLE = 7  # more columns than this: the PDF is printed landscape


def display_text(value: Any, kind: Kind) -> str:
    """A figure as people read it on a page or in the PDF: ₹1,234.50, 1,234, 25.0%, 3 Nov 2026."""
    if value is None:
        return ""
    if kind == "money":
        return money_display(value)
    if kind == "int":
        return number_display(int(value))
    if kind == "percent":
        share = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{share}%"
    if kind == "decimal":
        return number_display(value, 2)
    if kind == "days":
        return number_display(value, 1)
    if kind == "date" and isinstance(value, datetime.date):
        return date_display(value)
    return str(value)


def _is_numeric(kind: Kind) -> bool:
    return kind in ("int", "money", "decimal", "percent", "days")


def _clean_text(text: str) -> str:
    """Text for a cell: no control characters (openpyxl refuses them), no live formula."""
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", text))


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if _is_numeric(kind):
        return Decimal(value)
    if kind == "date" and isinstance(value, datetime.date):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return value
    return _clean_text(str(value))


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Report"
    return cleaned[:31]


def table_xlsx(table: ReportTable) -> bytes:
    """The table as an XLSX workbook: title, filters, a frozen header, typed rows, bold totals."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    workbook.properties.title = _clean_text(table.title)
    workbook.properties.creator = settings.SITE_NAME

    sheet.append([_clean_text(table.title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    if table.subtitle:
        sheet.append([_clean_text(table.subtitle)])
    for name, value in table.filters.items():
        sheet.append([_clean_text(f"{name}:"), _clean_text(str(value))])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append(["Generated:", generated])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])

    sheet.append([_clean_text(column.label) for column in table.columns])
    header_row = sheet.max_row  # after append: an empty append([]) leaves max_row behind
    header_fill = PatternFill("solid", fgColor="F1F3F5")
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        if _is_numeric(column.kind):
            cell.alignment = Alignment(horizontal="right")

    def write_row(values: dict[str, Any], *, bold: bool = False) -> None:
        sheet.append([_xlsx_value(values.get(c.key), c.kind) for c in table.columns])
        row = sheet.max_row
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=row, column=index)
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if bold:
                cell.font = Font(bold=True)

    for row in table.rows:
        write_row(row)
    last_data_row = sheet.max_row
    if table.totals is not None:
        totals = dict(table.totals)
        first = table.columns[0]
        if totals.get(first.key) is None:
            totals[first.key] = TOTAL_LABEL
        write_row(totals, bold=True)

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if table.rows:
        sheet.auto_filter.ref = (
            f"A{header_row}:{get_column_letter(len(table.columns))}{last_data_row}"
        )
    for index, column in enumerate(table.columns, start=1):
        texts = [column.label] + [display_text(r.get(column.key), column.kind) for r in table.rows]
        if table.totals:
            texts.append(display_text(table.totals.get(column.key), column.kind))
        width = max(len(t) for t in texts) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 60)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf_rows(table: ReportTable) -> tuple[list[list[tuple[str, bool]]], list[tuple[str, bool]]]:
    """Cells as (text, numeric) for the template; the totals row labelled "Total"."""

    def cells(values: dict[str, Any]) -> list[tuple[str, bool]]:
        return [
            (display_text(values.get(c.key), c.kind), _is_numeric(c.kind)) for c in table.columns
        ]

    rows = [cells(row) for row in table.rows]
    totals: list[tuple[str, bool]] = []
    if table.totals is not None:
        totals = cells(table.totals)
        if not totals[0][0]:
            totals[0] = (TOTAL_LABEL, False)
    return rows, totals


def table_pdf(table: ReportTable, *, charts: list[str] | tuple[str, ...] = ()) -> bytes:
    """The table as a PDF: title, filters, the charts (SVG from reporting.charts), the table.

    The table's header repeats on every page; the footer says "Page N of M"
    and the report's title. `charts` must be SVG built by reporting.charts
    (which escapes every label): they are put in as they are.
    """
    rows, totals = _pdf_rows(table)
    columns: list[tuple[Column, bool]] = [(c, _is_numeric(c.kind)) for c in table.columns]
    return render_pdf(
        PDF_TEMPLATE,
        {
            "table": table,
            "columns": columns,
            "rows": rows,
            "totals": totals,
            "charts": [mark_safe(chart) for chart in charts],  # escaped in charts.py
            "wide": len(table.columns) > WIDE_TABLE,
            "generated_at": timezone.localtime(),
            "site_name": settings.SITE_NAME,
        },
        stylesheets=PDF_STYLESHEETS,
    )


def _filename(stem: str, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "report"
    if stem.lower().endswith(f".{fmt}"):
        stem = stem[: -len(fmt) - 1]
    return f"{stem}.{fmt}"


def export_response(
    table: ReportTable,
    fmt: str,
    *,
    filename: str,
    charts: list[str] | tuple[str, ...] = (),
) -> HttpResponse:
    """The table as a download in `fmt` (csv, xlsx or pdf), named `filename`.<fmt>.

    An unknown format raises BadRequest (Django answers 400), so a view can
    pass the query string's value straight in.
    """
    if fmt == "csv":
        body: bytes = table_csv(table).encode("utf-8")
    elif fmt == "xlsx":
        body = table_xlsx(table)
    elif fmt == "pdf":
        body = table_pdf(table, charts=charts)
    else:
        raise BadRequest(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}.")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_filename(filename, fmt)
    )
    return response
