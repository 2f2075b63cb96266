"""One file imported in batches inside one transaction: memory stays flat with the file's size.

The `import_data` command and the admin's background imports read the file as
a stream (csv.reader; openpyxl in read-only mode), hand IMPORT_BATCH_ROWS rows
at a time to the resource, and keep only the totals and the errors. The
caller holds the transaction: it keeps the rows only when no batch had an
error (and not for a dry run), so the file is imported whole or not at all.
Row numbers are the spreadsheet's own (row 1 is the header), blank lines
included.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import tablib
from django.db import connection
from import_export.formats import base_formats

from .spreadsheets import HeaderError, RowError, SpreadsheetResource, is_blank


def iter_sheet_rows(stream, file_format) -> Iterator[tuple[int, list]]:
    """(spreadsheet row number, cells) for each row of a binary stream, the header first.

    XLSX: the active sheet, as django-import-export reads it. CSV: UTF-8 (a
    BOM is allowed); empty lines are numbered but not yielded.
    """
    if isinstance(file_format, base_formats.XLSX):
        import openpyxl

        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        try:
            for number, cells in enumerate(book.active.iter_rows(values_only=True), 1):
                yield number, list(cells)
        finally:
            book.close()
        return
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        for number, cells in enumerate(csv.reader(text), 1):
            if cells:
                yield number, cells
    finally:
        text.detach()  # the caller closes its stream


@dataclass
class BatchImport:
    """What a batched import found: totals by kind (new, update, skip, ...) and the errors."""

    rows: int = 0
    totals: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_errors(self, errors: list[RowError], keep: int) -> None:
        self.error_count += len(errors)
        room = keep - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])


def import_in_batches(
    *,
    resource: SpreadsheetResource,
    stream,
    file_format,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    keep_errors: int = 1000,
    file_name: str = "",
    user=None,
) -> BatchImport:
    """Import every row of `stream` through `resource` (made with batched=True).

    Must run inside transaction.atomic(). Writes as it goes and returns what it
    found; the caller rolls back when `error_count` is not 0 (or for a dry
    run). All errors are counted; the first `keep_errors` are kept. Raises
    ValueError for a file that cannot be read (not UTF-8, a damaged workbook).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("import_in_batches runs inside the caller's transaction.")
    if not resource.batched:
        raise ValueError("The resource must be made with batched=True.")
    outcome = BatchImport()
    try:
        rows = iter_sheet_rows(stream, file_format)
        first = next(rows, None)
        if first is None:
            outcome.add_errors([RowError(None, "", "The file is empty.")], keep_errors)
            return outcome
        headers = [h if h is not None else "" for h in first[1]]
        width = len(headers)
        values: list[list] = []
        numbers: list[int] = []
        flushed = False
        for number, cells in rows:
            if len(cells) > width:
                if any(not is_blank(c) for c in cells[width:]):
                    outcome.add_errors(
                        [
                            RowError(
                                number, "", "This row has more cells than the header has columns."
                            )
                        ],
                        keep_errors,
                    )
                cells = cells[:width]
            elif len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            values.append(cells)
            numbers.append(number)
            if len(values) >= batch_size:
                if not _flush(
                    resource, headers, values, numbers, outcome, keep_errors, file_name, user
                ):
                    return outcome  # the header is wrong: every batch would say so
                flushed = True
                values, numbers = [], []
                if progress is not None:
                    progress(outcome.rows)
        if values or not flushed:
            _flush(resource, headers, values, numbers, outcome, keep_errors, file_name, user)
        if progress is not None:
            progress(outcome.rows)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"This is not a UTF-8 CSV file ({exc}).") from exc
    except (KeyError, OSError, EOFError) as exc:  # openpyxl on a damaged workbook
        raise ValueError(f"This XLSX workbook cannot be read ({exc}).") from exc
    return outcome


def _flush(resource, headers, values, numbers, outcome, keep_errors, file_name, user) -> bool:
    """Import one batch; False when the header itself is wrong."""
    dataset = tablib.Dataset(*values, headers=list(headers))
    resource.row_numbers = numbers
    result = resource.import_data(dataset, dry_run=False, file_name=file_name, user=user)
    resource.forget_lookups()
    outcome.rows += len(values)
    for kind, count in result.totals.items():
        outcome.totals[kind] += count
    outcome.add_errors(result.error_report, keep_errors)
    return not any(isinstance(base.error, HeaderError) for base in result.base_errors)
