"""A distributor's own price lists at /distributor/price-lists/: lists, and lines by spreadsheet.

The lines go through the same resource as the admin's import
(pricing.resources): upload -> preview (a dry run: row errors, or what would
change) -> confirm (the same file, kept in the session, imported all or nothing).
"""

import base64

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from import_export.formats import base_formats

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from auromart.spreadsheet_files import read_dataset

from .forms import LinesUploadForm, PriceListForm
from .models import PriceList
from .resources import PriceListItemResource
from .selectors import price_lists_for_distributor
from .services import price_lines_import, price_list_save

LINES_PAGE_SIZE = 50
SESSION_UPLOAD = "pricing_upload"


class DistributorOnlyMixin(RoleRequiredMixin):
    """Distributor members only: a superuser without a distributor has no lists here."""

    roles = (Role.DISTRIBUTOR,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.DISTRIBUTOR):
            raise PermissionDenied("Only distributor accounts keep price lists here.")
        return super().dispatch(request, *args, **kwargs)


def _save(form, distributor, price_list=None):
    data = form.cleaned_data
    try:
        return price_list_save(
            distributor=distributor,
            name=data["name"],
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
            prices_include_tax=data.get("prices_include_tax", False),
            is_active=data.get("is_active", True),
            scope=data["scope"],
            organization=data.get("organization"),
            price_list=price_list,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


class DistributorPriceListsView(DistributorOnlyMixin, View):
    """The distributor's lists, a form for a new one, and the lines' upload."""

    @property
    def distributor(self):
        return self.request.user.organization

    def get(self, request):
        return self.render_page(PriceListForm(distributor=self.distributor), LinesUploadForm())

    def post(self, request):
        if "upload" in request.POST or "confirm" in request.POST:
            return self.lines(request)
        form = PriceListForm(request.POST, distributor=self.distributor)
        if form.is_valid() and (plist := _save(form, self.distributor)) is not None:
            messages.success(request, f"Price list “{plist.name}” created.")
            return redirect("pricing:list")
        return self.render_page(form, LinesUploadForm(), status=400)

    def lines(self, request):
        upload = LinesUploadForm(request.POST, request.FILES)
        if "confirm" in request.POST:
            stored = request.session.get(SESSION_UPLOAD)
            if not stored:
                messages.error(request, "Upload the file again: the preview has expired.")
                return redirect("pricing:list")
            data, fmt, name = base64.b64decode(stored["data"]), stored["format"], stored["name"]
        else:
            if not upload.is_valid():
                return self.render_page(PriceListForm(distributor=self.distributor), upload, 400)
            file = upload.cleaned_data["import_file"]
            data, name = file.read(), file.name
            fmt = "xlsx" if name.lower().endswith(".xlsx") else "csv"
        file_format = (
            base_formats.XLSX() if fmt == "xlsx" else base_formats.CSV(encoding="utf-8-sig")
        )
        try:
            dataset = read_dataset(data, file_format)
        except (ValueError, UnicodeDecodeError) as exc:
            upload.add_error(None, f"This file cannot be read: {exc}")
            return self.render_page(PriceListForm(distributor=self.distributor), upload, 400)
        if len(dataset) > settings.IMPORT_MAX_ROWS:
            upload.add_error(None, f"At most {settings.IMPORT_MAX_ROWS} rows per file.")
            return self.render_page(PriceListForm(distributor=self.distributor), upload, 400)
        confirm = "confirm" in request.POST
        result = price_lines_import(
            distributor=self.distributor, dataset=dataset, dry_run=not confirm, user=request.user
        )
        if result.error_report:
            request.session.pop(SESSION_UPLOAD, None)
            return self.render_page(
                PriceListForm(distributor=self.distributor),
                LinesUploadForm(),
                status=400,
                errors=result.error_report,
            )
        if confirm:
            request.session.pop(SESSION_UPLOAD, None)
            totals = result.totals
            messages.success(
                request,
                f"Imported {name}: {totals['new']} new, {totals['update']} updated, "
                f"{totals['skip']} unchanged.",
            )
            return redirect("pricing:list")
        request.session[SESSION_UPLOAD] = {
            "data": base64.b64encode(data).decode(),
            "format": fmt,
            "name": name,
        }
        return self.render_page(
            PriceListForm(distributor=self.distributor),
            LinesUploadForm(),
            preview=result.totals,
            file_name=name,
        )

    def render_page(self, form, upload, status=200, **extra):
        lists = price_lists_for_distributor(distributor=self.distributor)
        return render(
            request=self.request,
            template_name="pricing/distributor_lists.html",
            context={"lists": lists, "form": form, "upload": upload, **extra},
            status=status,
        )


class DistributorPriceListView(DistributorOnlyMixin, View):
    """One of the distributor's lists: its details (editable) and its lines."""

    def get_list(self, pk):
        try:
            return PriceList.objects.get(pk=pk, distributor=self.request.user.organization)
        except PriceList.DoesNotExist:
            raise Http404("No such price list.") from None

    def get(self, request, pk):
        plist = self.get_list(pk)
        return self.render_page(plist, PriceListForm(instance=plist, distributor=plist.distributor))

    def post(self, request, pk):
        plist = self.get_list(pk)
        form = PriceListForm(request.POST, instance=plist, distributor=plist.distributor)
        if form.is_valid() and _save(form, plist.distributor, price_list=plist) is not None:
            messages.success(request, "Saved.")
            return redirect("pricing:detail", pk=plist.pk)
        plist.refresh_from_db()
        return self.render_page(plist, form, status=400)

    def render_page(self, plist, form, status=200):
        lines = plist.items.select_related("product").order_by("product__sku", "min_quantity")
        page = Paginator(lines, LINES_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return render(
            self.request,
            "pricing/distributor_list.html",
            {"plist": plist, "form": form, "page": page},
            status=status,
        )


class DistributorPriceLinesExportView(DistributorOnlyMixin, View):
    """Every line of the distributor's own lists as CSV (the file the upload reads)."""

    def get(self, request):
        dataset = PriceListItemResource(distributor=request.user.organization).export()
        response = HttpResponse(dataset.csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="price-list-lines.csv"'
        return response
