"""`manage.py import_data RESOURCE FILE [--dry-run]`: a CSV or XLSX file too large for the admin.

`--images ZIP` (products only): after the sheet is imported, the pictures in
the zip are added to the products whose SKU their file names carry
(catalog.services_media.product_images_import_zip: MAT-0001.jpg, MAT-0001_2.jpg).

Uses the same resources as the admin (auromart.spreadsheets.RESOURCES), so the
same checks apply, and the same rule: the whole file or nothing. Prints a
progress bar on stderr, then a summary (created, updated, skipped, errors with
their spreadsheet row and column) on stdout. Exits 1 when the file has errors
(nothing is written then), 0 otherwise.
"""

import os
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from import_export.formats import base_formats

from auromart.spreadsheets import (
    RESOURCES,
    Progress,
    check_row_count,
    check_xlsx,
    format_for,
    read_dataset,
    resource_class,
)


def importable_names():
    return sorted(name for name in RESOURCES if resource_class(name).importable)


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file through a spreadsheet resource (products, stock, ...). "
        "All rows are written or none; --dry-run checks without writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", help="One of: " + ", ".join(importable_names()))
        parser.add_argument(
            "file", help="A .csv (UTF-8) or .xlsx file; the first row names the columns"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="Default: from the file's extension."
        )
        parser.add_argument(
            "--max-errors",
            type=int,
            default=200,
            help="How many errors to list (all are counted). Default 200.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--images",
            metavar="ZIP",
            help="With products: a zip of pictures named by SKU (SKU.jpg, SKU_2.jpg).",
        )

    def handle(
        self, *args, resource, file, dry_run, format, max_errors, no_progress, images, **options
    ):
        if images and resource != "products":
            raise CommandError("--images goes with the products resource only.")
        if resource not in importable_names():
            raise CommandError(
                f"Unknown resource “{resource}”. Importable: {', '.join(importable_names())}."
            )
        try:
            file_format = format_for(f"x.{format}" if format else file)
        except ValueError as exc:
            raise CommandError(f"{exc} Or say which with --format csv|xlsx.") from exc
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        try:
            if isinstance(file_format, base_formats.XLSX):
                check_xlsx(data)  # before counting: bounds what is unpacked
            check_row_count(data, file_format, limit=settings.IMPORT_MAX_ROWS_CLI)
        except ValueError as exc:  # not a workbook, unpacks too large, too many rows
            raise CommandError(f"Cannot read {file}: {exc}") from exc

        started = time.monotonic()
        try:
            dataset = read_dataset(data, file_format)
        except Exception as exc:  # a damaged workbook, a CSV that is not UTF-8
            raise CommandError(f"Cannot read {file} as {file_format.get_title()}: {exc}") from exc
        read_seconds = time.monotonic() - started

        name = os.path.basename(file)
        progress = Progress(
            self.stderr,
            total=len(dataset),
            label=f"{'Checking' if dry_run else 'Importing'} {name}",
            enabled=not no_progress,
        )
        res = resource_class(resource)(keep_rows=False, progress=progress)
        started = time.monotonic()
        result = res.import_data(dataset, dry_run=dry_run, file_name=name)
        seconds = time.monotonic() - started
        progress.finish()

        totals = result.totals
        errors = result.error_report
        rows = len(dataset)
        self.stdout.write(
            f"{resource} from {name}: {rows:,} rows read in {read_seconds:.1f} s, "
            f"processed in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s)"
        )
        self.stdout.write(
            f"created {totals['new']:,}, updated {totals['update']:,}, "
            f"skipped {totals['skip']:,} (unchanged), errors {len(errors):,}"
        )
        if errors:
            self.stdout.write("Errors (spreadsheet row: row 1 is the header):")
            for error in errors[:max_errors]:
                self.stdout.write(f"  {error}")
            if len(errors) > max_errors:
                self.stdout.write(f"  ... and {len(errors) - max_errors:,} more")
            raise CommandError(
                f"{len(errors):,} error(s) in {name}: nothing was imported. "
                "Fix them and run the command again."
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS("Dry run: the file is valid; nothing was written.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
            if images:
                self._pictures(images)

    def _pictures(self, path: str) -> None:
        from catalog.models import Product
        from catalog.services_media import product_images_import_zip

        try:
            with open(path, "rb") as archive:
                report = product_images_import_zip(archive=archive, products=Product.objects.all())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"pictures from {os.path.basename(path)}: added {report['added']:,}, "
            f"no product for {len(report['unmatched']):,}, errors {len(report['errors']):,}"
        )
        for line in report["errors"][:50]:
            self.stdout.write(f"  {line}")
