"""Admin imports too large to preview in one request: started as a background job.

`spreadsheet_import_start` stores the upload with a job (jobs.services); the
worker's `spreadsheet_import_run` checks the file again (size, workbook, row
limit), imports it in batches inside the job's one transaction and either
succeeds with the totals or fails with the row-numbered report, having
written nothing.
"""

import io

from django.conf import settings
from import_export.formats import base_formats

from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, job_start

from .spreadsheet_batches import import_in_batches
from .spreadsheets import check_xlsx, count_rows, format_for, resource_class

KIND = "spreadsheet_import"


def spreadsheet_import_start(*, owner, resource_name: str, upload, rows: int) -> Job:
    """Queue the import of an uploaded file through the resource named `resource_name`."""
    resource = resource_class(resource_name)
    extension = format_for(upload.name).get_extension()
    return job_start(
        kind=KIND,
        owner=owner,
        label=f"{resource.get_display_name()} from {upload.name}",
        params={"resource": resource_name, "format": extension, "file_name": upload.name},
        total=rows,
        input_file=upload,
        input_name=upload.name,
    )


def spreadsheet_import_run(*, job: Job, progress) -> JobOutcome:
    """Import the job's file, all or nothing (the runner of kind "spreadsheet_import")."""
    params = job.params
    try:
        resource_cls = resource_class(params["resource"])
    except KeyError:
        raise JobFailed(f"Unknown spreadsheet “{params.get('resource')}”.") from None
    file_name = params.get("file_name", "")
    file_format = format_for(f"x.{params.get('format', '')}")
    with job.input_file.open("rb") as handle:
        data = handle.read(settings.SPREADSHEET_IMPORT_MAX_BYTES + 1)
    if len(data) > settings.SPREADSHEET_IMPORT_MAX_BYTES:
        raise JobFailed("The file is larger than the admin's upload limit; nothing was imported.")
    limit = settings.IMPORT_MAX_ROWS
    try:
        if isinstance(file_format, base_formats.XLSX):
            check_xlsx(data)
        rows = count_rows(data, file_format, stop_after=limit)
    except ValueError as exc:
        raise JobFailed(f"{exc} Nothing was imported.") from exc
    if rows > limit:
        raise JobFailed(f"The file has more than {limit:,} rows; nothing was imported.")
    progress(0, rows)
    resource = resource_cls(keep_rows=False, batched=True)
    try:
        outcome = import_in_batches(
            resource=resource,
            stream=io.BytesIO(data),
            file_format=file_format,
            batch_size=settings.IMPORT_BATCH_ROWS,
            progress=lambda done: progress(done, rows),
            keep_errors=settings.JOB_MAX_REPORTED_ERRORS,
            file_name=file_name,
            user=job.owner,
        )
    except ValueError as exc:
        raise JobFailed(f"{exc} Nothing was imported.") from exc
    if outcome.error_count:
        raise JobFailed(
            f"Nothing was imported: {file_name} has {outcome.error_count:,} "
            f"error{'s' if outcome.error_count != 1 else ''}.",
            error_report=[
                {"row": e.row, "column": e.column, "message": e.message} for e in outcome.errors
            ],
            error_count=outcome.error_count,
        )
    totals = outcome.totals
    return JobOutcome(
        result={
            "rows": outcome.rows,
            "new": totals["new"],
            "update": totals["update"],
            "skip": totals["skip"],
        }
    )
