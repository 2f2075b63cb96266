"""Spreadsheet files: format by extension, parsing, the size and row limits, a progress bar.

Used by the admin's upload form (auromart.spreadsheet_admin) and the
`import_data` / `export_data` commands, through `auromart.spreadsheets`.
"""

import csv
import functools
import io
import re
import time
import zipfile

from django.conf import settings
from django.core.management.base import OutputWrapper
from import_export.formats import base_formats

FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


def format_for(filename: str):
    """The django-import-export format of a file, from its extension (csv or xlsx)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise ValueError(f"{filename}: use a .csv or .xlsx file.")
    return FORMATS[extension](encoding="utf-8-sig")


def read_dataset(data: bytes, file_format):
    """Parse a file's bytes into a tablib Dataset (CSV as UTF-8, with or without a BOM)."""
    if isinstance(file_format, base_formats.XLSX):
        check_xlsx(data)
    return file_format.create_dataset(data)


def _stream(data):
    """A binary stream at its start, for bytes or a seekable binary file (the command's)."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    data.seek(0)
    return data


def check_xlsx(data) -> None:
    """Refuse what is not an XLSX workbook, or one that would unpack to an absurd size.

    `data`: the bytes, or a seekable binary file (read as a stream, left at its start).
    """
    stream = _stream(data)
    magic = stream.read(4)
    stream.seek(0)
    if magic != b"PK\x03\x04":
        raise ValueError("This is not an XLSX workbook (an .xlsx file is a zip archive).")
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValueError("This XLSX workbook is damaged.") from exc
    limit = settings.SPREADSHEET_XLSX_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise ValueError(
            f"This workbook unpacks to {unpacked // 2**20} MB; the limit is {limit // 2**20} MB."
        )


# A worksheet row element (<row ...>, perhaps with a namespace prefix), at most this long.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s/>]")
_ROW_TAG_MAX = 32


def count_rows(data, file_format, *, stop_after: int) -> int:
    """The data rows (the header row not counted) of a CSV or XLSX file, without parsing it.

    Reads the file as a stream, so memory stays flat, and stops counting past
    `stop_after`: refusing a file with too many rows costs little. For an XLSX
    it counts the row elements of its largest worksheet (an upper bound for the
    sheet that is imported). `data`: bytes or a seekable binary file, left at its start.
    """
    stream = _stream(data)
    if isinstance(file_format, base_formats.XLSX):
        rows = _xlsx_rows(stream, stop_after=stop_after + 1)
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        rows = 0
        try:
            for row in csv.reader(text):
                if any(cell.strip() for cell in row):
                    rows += 1
                    if rows > stop_after + 1:
                        break
        finally:
            text.detach()
    stream.seek(0)
    return max(rows - 1, 0)


def _xlsx_rows(stream, *, stop_after: int) -> int:
    most = 0
    with zipfile.ZipFile(stream) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            count = 0
            pending = b""
            with archive.open(name) as sheet:
                while count <= stop_after:
                    chunk = sheet.read(1 << 20)
                    buffer = pending + chunk
                    # A tag cut by the chunk's end is counted with the next chunk.
                    cut = len(buffer) - _ROW_TAG_MAX if chunk else len(buffer)
                    count += sum(1 for m in _ROW_TAG.finditer(buffer) if m.start() < cut)
                    pending = buffer[max(cut, 0) :]
                    if not chunk:
                        break
            most = max(most, count)
    return most


def check_row_count(data: bytes, file_format, *, limit: int, hint: str = "") -> None:
    """ValueError naming the limit when the file has more than `limit` data rows."""
    if count_rows(data, file_format, stop_after=limit) > limit:
        raise ValueError(
            f"The file has more than {limit:,} rows; the limit here is {limit:,}.{hint}"
        )


# --- The commands' progress bar -----------------------------------------------------


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise."""

    WIDTH = 30

    def __init__(self, stream, *, total: int, label: str, enabled: bool = True):
        self.stream = stream
        # A command's self.stderr (OutputWrapper) ends every write with a newline.
        self._write = (
            functools.partial(stream.write, ending="")
            if isinstance(stream, OutputWrapper)
            else stream.write
        )
        self.total = max(total, 0)
        self.label = label
        self.enabled = enabled and self.total > 0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_tenth = -1
        self.done = 0

    def __call__(self, done: int) -> None:
        self.done = done
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw >= 0.2 or done >= self.total:
                self.last_draw = now
                self._write("\r" + self.line(now))
                self.stream.flush()
        else:
            tenth = min(10, done * 10 // self.total)
            if tenth > self.last_tenth:
                self.last_tenth = tenth
                self._write(self.line(now) + "\n")
                self.stream.flush()

    def line(self, now: float) -> str:
        share = min(self.done / self.total, 1.0)
        filled = int(share * self.WIDTH)
        rate = self.done / max(now - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return (
            f"{self.label} [{bar}] {self.done:,}/{self.total:,} rows "
            f"({share:.0%}, {rate:,.0f} rows/s)"
        )

    def finish(self) -> None:
        if self.enabled and self.tty:
            self._write("\n")
            self.stream.flush()
