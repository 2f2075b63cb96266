"""`manage.py import_data RESOURCE FILE [--dry-run]`: a CSV or XLSX file too large for the admin.

`--images ZIP` (products only): after the sheet is imported, the pictures in
the zip are added to the products whose SKU their file names carry
(catalog.services_media.product_images_import_zip: MAT-0001.jpg, MAT-0001_2.jpg).

Uses the same resources as the admin (auromart.spreadsheets.RESOURCES), so the
same checks apply, and the same rule: the whole file or nothing (one
transaction). The file is read as a stream and validated and written
IMPORT_BATCH_ROWS rows at a time, so memory stays flat whatever its size
(measured in docs/performance.md). Prints a
progress bar on stderr, then a summary (created, updated, skipped, errors with
their spreadsheet row and column) on stdout. Exits 1 when the file has errors
(nothing is written then), 0 otherwise.
"""

import os
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from import_export.formats import base_formats

from auromart.spreadsheet_batches import import_in_batches
from auromart.spreadsheets import (
    RESOURCES,
    Progress,
    check_xlsx,
    count_rows,
    format_for,
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
            "--batch-size",
            type=int,
            choices=range(1, 100_001),
            metavar="N",
            help="Rows read and validated at a time (1-100000). Default IMPORT_BATCH_ROWS.",
        )
        parser.add_argument(
            "--images",
            metavar="ZIP",
            help="With products: a zip of pictures named by SKU (SKU.jpg, SKU_2.jpg).",
        )

    def handle(
        self,
        *args,
        resource,
        file,
        dry_run,
        format,
        max_errors,
        no_progress,
        images,
        batch_size=None,
        **options,
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
        name = os.path.basename(file)
        try:
            handle = open(file, "rb")  # noqa: SIM115  (closed below, after the import)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        with handle:
            try:
                if isinstance(file_format, base_formats.XLSX):
                    check_xlsx(handle)  # before counting: bounds what is unpacked
                total = count_rows(handle, file_format, stop_after=settings.IMPORT_MAX_ROWS_CLI)
            except ValueError as exc:  # not a workbook, unpacks too large
                raise CommandError(f"Cannot read {file}: {exc}") from exc
            limit = settings.IMPORT_MAX_ROWS_CLI
            if total > limit:
                raise CommandError(
                    f"Cannot read {file}: The file has more than {limit:,} rows; "
                    f"the limit here is {limit:,}."
                )
            progress = Progress(
                self.stderr,
                total=total,
                label=f"{'Checking' if dry_run else 'Importing'} {name}",
                enabled=not no_progress,
            )
            res = resource_class(resource)(keep_rows=False, batched=True)
            started = time.monotonic()
            try:
                # One transaction for the whole file, read and written in batches:
                # any error (or a dry run) rolls every batch back.
                with transaction.atomic():
                    outcome = import_in_batches(
                        resource=res,
                        stream=handle,
                        file_format=file_format,
                        batch_size=batch_size or settings.IMPORT_BATCH_ROWS,
                        progress=progress,
                        keep_errors=max_errors,
                        file_name=name,
                    )
                    if dry_run or outcome.error_count:
                        transaction.set_rollback(True)
            except ValueError as exc:  # a damaged workbook, a CSV that is not UTF-8
                raise CommandError(
                    f"Cannot read {file} as {file_format.get_title()}: {exc}"
                ) from exc
            seconds = time.monotonic() - started
        progress.finish()

        totals = outcome.totals
        rows = outcome.rows
        self.stdout.write(
            f"{resource} from {name}: {rows:,} rows read and processed in {seconds:.1f} s "
            f"({rows / max(seconds, 1e-9):,.0f} rows/s, in batches of "
            f"{batch_size or settings.IMPORT_BATCH_ROWS:,})"
        )
        count = outcome.error_count
        self.stdout.write(
            f"created {totals['new']:,}, updated {totals['update']:,}, "
            f"skipped {totals['skip']:,} (unchanged), errors {count:,}"
        )
        if count:
            self.stdout.write("Errors (spreadsheet row: row 1 is the header):")
            for error in outcome.errors:
                self.stdout.write(f"  {error}")
            if count > len(outcome.errors):
                self.stdout.write(f"  ... and {count - len(outcome.errors):,} more")
            raise CommandError(
                f"{count:,} error(s) in {name}: nothing was imported. "
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
