"""A report as a table: what pages, exports (CSV, XLSX, PDF) and the API all render.

Selectors compute the figures in the database and return a ReportTable;
nothing downstream computes again, so a page, its CSV, its XLSX, its PDF and
the API answer show the same numbers.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from auromart.spreadsheets import escape_formula

Kind = Literal["text", "int", "money", "decimal", "percent", "date", "days"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "text"


@dataclass
class ReportTable:
    """Rows of dicts keyed by column key; `totals` (same keys, optional) is the footer row.

    Values are Python values: Decimal for money ("money", to the cent) and for
    "decimal", "percent" (a fraction: Decimal("0.25") is 25 %) and "days"
    (a number of days, may be fractional); int for "int"; datetime.date for
    "date"; str for "text". None means "no figure" (printed empty).
    """

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    subtitle: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # shown above the table and in exports

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]


def cell_text(value: Any, kind: Kind) -> str:
    """The plain text of a value in CSV and in the API's CSV: machine-readable, no symbols."""
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind in ("decimal", "percent", "days"):
        return format(Decimal(value).normalize(), "f")
    if kind == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    if kind == "int":
        return str(int(value))
    return escape_formula(str(value))


def table_csv(table: ReportTable) -> str:
    """The table as CSV text: a header of column keys, one line per row, then the totals row.

    Headers are the column keys (stable for scripts); text that a spreadsheet
    would run as a formula is escaped with a leading apostrophe.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.keys)
    for row in table.rows:
        writer.writerow([cell_text(row.get(c.key), c.kind) for c in table.columns])
    if table.totals is not None:
        writer.writerow(
            [
                cell_text(table.totals.get(c.key), c.kind) if i else "TOTAL"
                for i, c in enumerate(table.columns)
            ]
        )
    return out.getvalue()
