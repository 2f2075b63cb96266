"""The admin side of spreadsheet import and export: upload checks, preview, confirm.

A file above IMPORT_BACKGROUND_ROWS rows or IMPORT_BACKGROUND_BYTES is not
previewed in the request: it is imported by a background job
(auromart.spreadsheet_jobs) and the page follows its progress.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from .spreadsheet_files import check_xlsx, count_rows


class SpreadsheetImportForm(ImportForm):
    """The admin's upload form, with the checks django-import-export leaves to us.

    Only the configured formats (CSV, XLSX) are offered; the file's extension
    must match the chosen format; it may be at most SPREADSHEET_IMPORT_MAX_BYTES
    and IMPORT_MAX_ROWS data rows (the import_data command takes larger files);
    an XLSX must be a real zip that does not unpack to more than
    SPREADSHEET_XLSX_MAX_UNPACKED_BYTES; a CSV must be UTF-8 text.

    After `is_valid()`, `row_count` is the file's data rows and `background`
    says whether it goes to a background job (above IMPORT_BACKGROUND_ROWS
    rows or IMPORT_BACKGROUND_BYTES).
    """

    row_count = 0
    background = False

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = list(formats)
        self.fields["import_file"].help_text = (
            f"CSV (UTF-8) or XLSX, at most {settings.SPREADSHEET_IMPORT_MAX_BYTES // 2**20} MB "
            f"and {settings.IMPORT_MAX_ROWS:,} rows. Columns are named in the first row. "
            f"A file of more than {settings.IMPORT_BACKGROUND_ROWS:,} rows "
            f"(or {settings.IMPORT_BACKGROUND_BYTES // 1024:,} KB) is imported in the "
            "background, without a preview: the page shows its progress, and any error "
            "leaves everything as it was."
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        index = cleaned.get("format")
        if upload is None or index in (None, ""):
            return cleaned
        file_format = self.formats[int(index)]()
        limit = settings.SPREADSHEET_IMPORT_MAX_BYTES
        if upload.size > limit:
            self.add_error(
                "import_file",
                f"The file is {upload.size / 2**20:.1f} MB; the limit here is "
                f"{limit // 2**20} MB. Import larger files with `manage.py import_data`.",
            )
            return cleaned
        extension = file_format.get_extension()
        if not upload.name.lower().endswith("." + extension):
            self.add_error(
                "import_file", f"The file must be a .{extension} file for the {extension} format."
            )
            return cleaned
        head = upload.read(8192)
        upload.seek(0)
        if isinstance(file_format, base_formats.XLSX):
            try:
                check_xlsx(upload.read())
            except ValueError as exc:
                self.add_error("import_file", str(exc))
                return cleaned
            finally:
                upload.seek(0)
        elif b"\x00" in head:
            self.add_error("import_file", "This is not a text (CSV) file.")
            return cleaned
        limit = settings.IMPORT_MAX_ROWS
        try:
            self.row_count = count_rows(upload.read(), file_format, stop_after=limit)
        finally:
            upload.seek(0)
        if self.row_count > limit:
            self.add_error(
                "import_file",
                f"The file has more than {limit:,} rows; the limit here is {limit:,}. "
                "Import it with `manage.py import_data` (up to "
                f"{settings.IMPORT_MAX_ROWS_CLI:,} rows) or split it.",
            )
            return cleaned
        self.background = (
            self.row_count > settings.IMPORT_BACKGROUND_ROWS
            or upload.size > settings.IMPORT_BACKGROUND_BYTES
        )
        return cleaned


IMPORT_TEMPLATE = "admin/import_export/auromart_import.html"
IMPORT_JOB_TEMPLATE = "admin/import_export/auromart_import_job.html"


class SpreadsheetExportMixin(ExportMixin):
    """Export (CSV, XLSX) on an admin changelist, through our resources."""


class SpreadsheetImportExportMixin(ImportExportMixin):
    """Import (preview, then confirm) and export on an admin changelist.

    - the preview is a dry run inside a transaction that is rolled back; the
      confirm step imports the same stored file again, all or nothing;
    - errors are listed by spreadsheet row and column; a confirm that now fails
      (the data changed since the preview) writes nothing and shows them;
    - the import permission is `<app>.import_<model>`
      (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import");
    - a large file (the form's `background`) goes to a background job instead,
      and the browser is sent to `import/job/<id>/`, which polls its progress
      and shows the totals or the row-numbered report when it is done.
    """

    import_form_class = SpreadsheetImportForm
    import_template_name = IMPORT_TEMPLATE

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/job/<uuid:public_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            *super().get_urls(),
        ]

    def create_import_form(self, request):
        # import_action validates the form once; the library's code asks for it again.
        form = getattr(request, "_spreadsheet_import_form", None)
        if form is None:
            form = super().create_import_form(request)
            request._spreadsheet_import_form = form
        return form

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and form.background:
                from .spreadsheet_jobs import spreadsheet_import_start

                resource = self.choose_import_resource_class(form, request)
                job = spreadsheet_import_start(
                    owner=request.user,
                    resource_name=resource.resource_name,
                    upload=form.cleaned_data["import_file"],
                    rows=form.row_count,
                )
                info = self.get_model_info()
                return redirect(
                    reverse(
                        "admin:{}_{}_import_job".format(*info),
                        kwargs={"public_id": job.public_id},
                        current_app=self.admin_site.name,
                    )
                )
        return super().import_action(request, **kwargs)

    def import_job_view(self, request, public_id):
        """The background import's page: progress while it runs, then totals or errors."""
        from django.core.exceptions import PermissionDenied

        from jobs.selectors import job_get_for_owner, job_status_payload

        if not self.has_import_permission(request):
            raise PermissionDenied
        job = job_get_for_owner(public_id=public_id, user=request.user)
        info = self.get_model_info()
        context = {
            **self.admin_site.each_context(request),
            "title": "Import",
            "opts": self.model._meta,
            "job": job,
            "status": job_status_payload(job),
            "progress_url": reverse("jobs:progress", kwargs={"public_id": job.public_id}),
            "changelist_url": reverse("admin:{}_{}_changelist".format(*info)),
            "import_url": reverse("admin:{}_{}_import".format(*info)),
            "more_errors": max(job.error_count - len(job.error_report), 0),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [IMPORT_JOB_TEMPLATE], context)

    def get_import_resource_kwargs(self, request, **kwargs):
        # Admin files are small: keep the per-field diff for the preview.
        return {"diff": True}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, "Nothing was imported: the file has errors (listed below).")
            form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            context = self.admin_site.each_context(request)
            context.update(
                {
                    "title": "Import",
                    "form": form,
                    "opts": self.model._meta,
                    "media": self.media + form.media,
                    "result": result,
                    "fields_list": [],
                    "import_error_display": self.import_error_display,
                }
            )
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)
