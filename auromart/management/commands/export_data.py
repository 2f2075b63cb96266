"""`manage.py export_data RESOURCE FILE`: write a resource's rows to a CSV or XLSX file.

The same resources as the admin's export (auromart.spreadsheets.RESOURCES):
natural keys, no database ids, formula-like text escaped. A file exported by
a resource that can be imported imports back unchanged (every row skipped).
"""

import os

from django.core.management.base import BaseCommand, CommandError
from import_export.formats import base_formats

from auromart.spreadsheets import RESOURCES, Progress, format_for, resource_class


class Command(BaseCommand):
    help = "Export a spreadsheet resource (products, stock, orders, ...) to a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("resource", help="One of: " + ", ".join(sorted(RESOURCES)))
        parser.add_argument("file", help="The .csv or .xlsx file to write (replaced if it exists)")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="Default: from the file's extension."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, resource, file, format, no_progress, **options):
        if resource not in RESOURCES:
            raise CommandError(
                f"Unknown resource “{resource}”. Choose one of: {', '.join(sorted(RESOURCES))}."
            )
        try:
            file_format = format_for(f"x.{format}" if format else file)
        except ValueError as exc:
            raise CommandError(f"{exc} Or say which with --format csv|xlsx.") from exc

        res = resource_class(resource)()
        queryset = res.get_queryset()
        progress = Progress(
            self.stderr,
            total=queryset.count(),
            label=f"Exporting {resource}",
            enabled=not no_progress,
        )
        res.progress = progress
        binary = isinstance(file_format, base_formats.XLSX)
        dataset = res.export(queryset=queryset, force_native_type=binary)
        progress.finish()
        data = file_format.export_data(dataset)
        try:
            if binary:
                with open(file, "wb") as handle:
                    handle.write(data)
            else:
                with open(file, "w", encoding="utf-8", newline="") as handle:
                    handle.write(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {len(dataset):,} {resource} rows to {os.path.basename(file)}."
            )
        )
