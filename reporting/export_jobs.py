"""Report downloads too slow for a request: a background job (jobs app) with its progress.

A report page's download link runs in the request when it is quick, and as a
job when it would not be (`runs_in_background`): a PDF of more than
REPORT_PDF_INLINE_ROWS rows (WeasyPrint's table layout grows faster than the
rows: 300 rows took 17 to 70 s on the demo machine), a CSV or XLSX of more than
REPORT_EXPORT_INLINE_ROWS. The request then starts the job and sends the
person to its page (/reports/exports/<id>/), which shows the progress and
offers the file when it is ready; a file of at least REPORT_EXPORT_EMAIL_ROWS
rows is also e-mailed to them, attached, in case they left the page.

The job stores what the request asked for (the page, its query, the format,
the table), not the figures: the worker computes them again for the job's
owner, with the owner's scope, so the file holds what that person may see at
the time it runs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.urls import reverse

from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, job_start
from notifications.services import message_queue

from .exports import CONTENT_TYPES, _filename, table_pdf, table_xlsx
from .tables import ReportTable, table_csv

KIND = "report_export"


def runs_in_background(table: ReportTable, fmt: str) -> bool:
    """Whether this download is started as a job rather than answered in the request."""
    rows = len(table.rows)
    if fmt == "pdf":
        return rows > settings.REPORT_PDF_INLINE_ROWS
    return rows > settings.REPORT_EXPORT_INLINE_ROWS


def report_export_start(
    *, owner, page: str, query: dict[str, str], fmt: str, key: str, label: str, rows: int
) -> Job:
    """Queue the download of table `key` of the report page `page` (a URL name) as `fmt`."""
    return job_start(
        kind=KIND,
        owner=owner,
        label=label,
        params={"page": page, "query": query, "format": fmt, "table": key},
        total=rows,
    )


def _view_for(page: str):
    from . import returns_report, views

    pages = {
        **views.BACKGROUND_EXPORT_PAGES,
        returns_report.ReturnsView.url_name: returns_report.ReturnsView,
    }
    view_class = pages.get(page)
    if view_class is None:
        raise JobFailed(f"There is no report page “{page}” to export.")
    return view_class


def report_export_run(*, job: Job, progress) -> JobOutcome:
    """The runner of kind "report_export": figures, charts, then the file (see the module)."""
    from .selectors import ReportScope

    params = job.params
    fmt = params.get("format")
    if fmt not in CONTENT_TYPES:
        raise JobFailed(f"Unknown export format “{fmt}”.")
    view = _view_for(params.get("page", ""))()
    view.scope = ReportScope.for_user(job.owner)  # the owner's view, as it is now
    query = QueryDict(mutable=True)
    for name, value in (params.get("query") or {}).items():
        query[name] = value
    form = view.form_class(query, scope=view.scope)
    if not form.is_valid():
        raise JobFailed("The report's filters are no longer valid; open the page and try again.")
    progress(0)
    sections = view.sections(form)
    section = next((s for s in sections if s.key == params.get("table")), None)
    if section is None:
        raise JobFailed(f"The report has no table “{params.get('table')}”.")
    rows = len(section.table.rows)
    # Figures and charts are the quick part; the file is most of the time.
    progress(max(rows // 10, 1) if rows else 0, rows)
    if fmt == "pdf":
        body = table_pdf(section.table, charts=section.charts)
    elif fmt == "xlsx":
        body = table_xlsx(section.table)
    else:
        body = table_csv(section.table).encode("utf-8")
    progress(rows, rows)
    name = _filename(view.filename(form, section), fmt)
    # Saved here (not by jobs.services) so the e-mail below can name the stored file.
    job.result_file.save(name, ContentFile(body), save=False)
    emailed = rows >= settings.REPORT_EXPORT_EMAIL_ROWS and bool(job.owner.email)
    if emailed:
        message_queue(
            template="report_export_ready",
            recipient=job.owner.email,
            user=job.owner,
            context={
                "user": job.owner,
                "label": job.label,
                "rows": rows,
                "file_name": name,
                "link": reverse("reporting:export_job", kwargs={"public_id": job.public_id}),
            },
            dedup_key=f"report_export:{job.pk}",
            attachments=[
                {
                    "path": job.result_file.name,
                    "filename": name,
                    "mimetype": CONTENT_TYPES[fmt].split(";")[0],
                }
            ],
        )
    return JobOutcome(
        result={
            "rows": rows,
            "format": fmt,
            "file_name": name,
            "bytes": len(body),
            "emailed": emailed,
        }
    )
