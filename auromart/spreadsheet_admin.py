"""The admin side of spreadsheet import and export: upload checks, preview, confirm."""

from django.conf import settings
from django.contrib import messages
from django.template.response import TemplateResponse
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from .spreadsheet_files import check_row_count, check_xlsx


class SpreadsheetImportForm(ImportForm):
    """The admin's upload form, with the checks django-import-export leaves to us.

    Only the configured formats (CSV, XLSX) are offered; the file's extension
    must match the chosen format; it may be at most SPREADSHEET_IMPORT_MAX_BYTES
    and IMPORT_MAX_ROWS data rows (the import_data command takes larger files);
    an XLSX must be a real zip that does not unpack to more than
    SPREADSHEET_XLSX_MAX_UNPACKED_BYTES; a CSV must be UTF-8 text.
    """

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = list(formats)
        self.fields["import_file"].help_text = (
            f"CSV (UTF-8) or XLSX, at most {settings.SPREADSHEET_IMPORT_MAX_BYTES // 2**20} MB. "
            "Columns are named in the first row."
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
        try:
            check_row_count(
                upload.read(),
                file_format,
                limit=settings.IMPORT_MAX_ROWS,
                hint=(
                    " Import it with `manage.py import_data` (up to "
                    f"{settings.IMPORT_MAX_ROWS_CLI:,} rows) or split it."
                ),
            )
        except ValueError as exc:
            self.add_error("import_file", str(exc))
        finally:
            upload.seek(0)
        return cleaned


IMPORT_TEMPLATE = "admin/import_export/auromart_import.html"


class SpreadsheetExportMixin(ExportMixin):
    """Export (CSV, XLSX) on an admin changelist, through our resources."""


class SpreadsheetImportExportMixin(ImportExportMixin):
    """Import (preview, then confirm) and export on an admin changelist.

    - the preview is a dry run inside a transaction that is rolled back; the
      confirm step imports the same stored file again, all or nothing;
    - errors are listed by spreadsheet row and column; a confirm that now fails
      (the data changed since the preview) writes nothing and shows them;
    - the import permission is `<app>.import_<model>`
      (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import").
    """

    import_form_class = SpreadsheetImportForm
    import_template_name = IMPORT_TEMPLATE

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
