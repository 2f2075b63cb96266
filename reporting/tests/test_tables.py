"""ReportTable's CSV: machine-readable figures, formula escaping, the totals row."""

import csv
import datetime
import io
from decimal import Decimal

from reporting.tables import Column, ReportTable, table_csv


def test_csv_has_key_headers_plain_figures_escaped_text_and_totals():
    table = ReportTable(
        title="Sales by product",
        columns=[
            Column("label", "Product"),
            Column("day", "Day", "date"),
            Column("units", "Units", "int"),
            Column("revenue", "Revenue", "money"),
            Column("share", "Share", "percent"),
        ],
        rows=[
            {
                "label": "=HYPERLINK(1)",
                "day": datetime.date(2026, 11, 3),
                "units": 3,
                "revenue": Decimal("1234.5"),
                "share": Decimal("0.250"),
            },
            {"label": "Tea", "day": None, "units": 1, "revenue": Decimal("0.05"), "share": None},
        ],
        totals={"units": 4, "revenue": Decimal("1234.55"), "share": Decimal("1")},
    )
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows == [
        ["label", "day", "units", "revenue", "share"],
        ["'=HYPERLINK(1)", "2026-11-03", "3", "1234.50", "0.25"],
        ["Tea", "", "1", "0.05", ""],
        ["TOTAL", "", "4", "1234.55", "1"],
    ]
