"""Procurement in the Django admin: approve or reject requests, follow and receive purchase orders.

Every change goes through procurement.services; the admin validates, calls
and reports. Approving, rejecting and receiving need procurement staff (the
`procurement` group, or a superuser), as the API does.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Organization
from auromart.admin_helpers import ReadOnlyTabularInline, intermediate_form_response
from auromart.spreadsheets import SpreadsheetExportMixin

from . import admin_actions, services
from .admin_columns import PurchaseOrderColumns, RequestColumns
from .exceptions import ProcurementConflict
from .forms import ReceiptForm
from .models import (
    RECEIVABLE_PO_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    RequestStatus,
)
from .resources import (
    ProcurementRequestResource,
    PurchaseOrderLineResource,
    PurchaseOrderResource,
)
from .views import purchase_order_pdf_response

COMPUTATION_FIELDS = [
    "on_hand",
    "allocated",
    "held",
    "incoming",
    "available",
    "reorder_level",
    "reorder_quantity",
    "order_up_to_level",
    "pack_size",
    "minimum_order_quantity",
    "rule",
]


def _is_staff(request) -> bool:
    return request.user.is_procurement_staff


class ManualRequestForm(forms.ModelForm):
    quantity = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Leave empty to let the reorder rule work it out from the current stock.",
    )

    class Meta:
        model = ProcurementRequest
        fields = ["product", "distributor", "quantity", "note"]

    def clean(self):
        cleaned = super().clean()
        product, distributor = cleaned.get("product"), cleaned.get("distributor")
        if product and distributor:
            already = ProcurementRequest.objects.filter(
                product=product, distributor=distributor, status=RequestStatus.OPEN
            ).first()
            if already is not None:
                raise forms.ValidationError(
                    f"Request {already.number} is already open for {product} at {distributor}."
                )
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept with each request and shown to staff.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class PurchaseOrderLineInline(ReadOnlyTabularInline):
    model = PurchaseOrderLine
    fields = [
        "sku",
        "product_name",
        "quantity",
        "proposed_quantity",
        "quantity_received",
        "unit_cost",
        "line_total",
        "request",
    ]
    readonly_fields = fields


class GoodsReceiptInline(ReadOnlyTabularInline):
    model = GoodsReceipt
    fields = ["received_at", "received_by", "note", "summary"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("received_by")
            .prefetch_related("lines__po_line")
        )

    @admin.display(description="Lines")
    def summary(self, obj):
        return ", ".join(f"{line.quantity} x {line.po_line.sku}" for line in obj.lines.all())


@admin.register(ProcurementRequest)
class ProcurementRequestAdmin(RequestColumns, SpreadsheetExportMixin, admin.ModelAdmin):
    # Export only (procurement/resources.py): requests come from the reorder rule and staff.
    resource_classes = [ProcurementRequestResource]
    # Fits 1280 px (procurement/admin_columns.py, auromart/static/auromart/admin.css).
    list_display = [
        "request_number",
        "product_column",
        "supplier_column",
        "quantity_column",
        "cost_column",
        "status_column",
        "created_column",
    ]
    list_filter = [
        "status",
        "trigger",
        ("supplier", admin.RelatedOnlyFieldListFilter),
        ("distributor", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    date_hierarchy = "created_at"
    search_fields = ["number", "product__sku", "product__name", "reference"]
    list_select_related = ["product", "distributor", "supplier", "po_line__purchase_order"]
    actions = ["approve_selected", "reject_selected", admin_actions.switch_supplier_selected]
    list_per_page = 50
    autocomplete_fields = ["product", "distributor"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "product",
                    "distributor",
                    "supplier",
                    "supplier_line",
                    "unit_cost",
                    "quantity",
                    "status",
                    "trigger",
                    "reference",
                    "note",
                ]
            },
        ),
        ("How the quantity was worked out", {"fields": COMPUTATION_FIELDS}),
        (
            "Decision",
            {
                "fields": [
                    "created_by",
                    "created_at",
                    "decided_by",
                    "decided_at",
                    "rejection_reason",
                    "purchase_order_link",
                    "fulfilled_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in ProcurementRequest._meta.fields] + ["purchase_order_link"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["product", "distributor", "quantity", "note"]})]
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ManualRequestForm
            kwargs["fields"] = ["product", "distributor", "quantity", "note"]
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request):
        return _is_staff(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "distributor":
            kwargs["queryset"] = Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        # The service opens it (numbers it, computes the figures, sends the e-mails).
        created = services.procurement_request_create(
            product=form.cleaned_data["product"],
            distributor=form.cleaned_data["distributor"],
            quantity=form.cleaned_data.get("quantity"),
            note=form.cleaned_data.get("note", ""),
            by=request.user,
        )
        obj.pk = created.pk
        obj.number = created.number

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="Purchase order")
    def purchase_order_link(self, obj):
        line = getattr(obj, "po_line", None) if obj.pk else None
        if line is None:
            return "—"
        po = line.purchase_order
        url = reverse("admin:procurement_purchaseorder_change", args=[po.pk])
        return format_html('<a href="{}">{}</a>', url, po.number)

    @admin.action(description="Approve selected requests (issue purchase orders)")
    def approve_selected(self, request, queryset):
        if not _is_staff(request):
            raise PermissionDenied
        try:
            orders = services.procurement_requests_approve(
                request_ids=list(queryset.values_list("pk", flat=True)), by=request.user
            )
        except ProcurementConflict as exc:
            self.message_user(request, f"Nothing was approved: {exc.message}", messages.ERROR)
            return None
        for po in orders:
            if po.status == POStatus.AWAITING_APPROVAL:
                self.message_user(
                    request,
                    f"{po.number} ({po.total}) is above the approval limit: it waits for a "
                    "second approver before it goes to the supplier.",
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request, f"{po.number} was sent to {po.supplier}.", messages.SUCCESS
                )
        return None

    @admin.action(description="Reject selected requests…")
    def reject_selected(self, request, queryset):
        if not _is_staff(request):
            raise PermissionDenied
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                try:
                    rejected = services.procurement_requests_reject(
                        request_ids=list(queryset.values_list("pk", flat=True)),
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except ProcurementConflict as exc:
                    self.message_user(
                        request, f"Nothing was rejected: {exc.message}", messages.ERROR
                    )
                    return None
                self.message_user(
                    request,
                    f"Rejected {', '.join(r.number for r in rejected)}.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = RejectForm()
        return intermediate_form_response(
            self,
            request,
            rows=[(obj.pk, str(obj)) for obj in queryset],
            back_url=request.get_full_path(),
            form=form,
            title="Reject procurement requests",
            action="reject_selected",
            button="Reject",
        )


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(PurchaseOrderColumns, SpreadsheetExportMixin, admin.ModelAdmin):
    # Export only: one row per purchase order, or one row per line.
    resource_classes = [PurchaseOrderResource, PurchaseOrderLineResource]
    list_display = [
        "po_number",
        "supplier_column",
        "status",
        "line_count",
        "total_column",
        "expected_column",
        "sent_column",
        "responded_column",
    ]
    list_filter = [
        "status",
        ("supplier", admin.RelatedOnlyFieldListFilter),
        ("distributor", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    date_hierarchy = "created_at"
    search_fields = ["number", "lines__sku", "lines__product_name"]
    list_select_related = ["supplier", "distributor"]
    inlines = [PurchaseOrderLineInline, GoodsReceiptInline]
    actions = [
        "second_approval",
        "accept_proposal",
        admin_actions.decline_proposal_selected,
        "cancel_selected",
        admin_actions.close_short_selected,
    ]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "supplier",
                    "distributor",
                    "status",
                    "total",
                    "expected_date",
                    "delivery_address",
                    "delivery_instructions",
                    "pdf_link",
                ]
            },
        ),
        (
            "Approval",
            {"fields": ["approved_by", "approved_at", "second_approved_by", "second_approved_at"]},
        ),
        (
            "Supplier",
            {
                "fields": [
                    "sent_at",
                    "reminder_sent_at",
                    "responded_at",
                    "responded_by",
                    "proposed_date",
                    "supplier_note",
                ]
            },
        ),
        ("Closing", {"fields": ["received_at", "cancelled_at", "cancel_reason"]}),
    ]
    readonly_fields = [name for _, opts in fieldsets for name in opts["fields"]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # Our own select_related turns list_select_related off: name them all.
            .select_related("supplier", "distributor", "approved_by", "second_approved_by")
            .annotate(line_count=Count("lines"))
        )

    @admin.display(description="Lines", ordering="line_count")
    def line_count(self, obj):
        return obj.line_count

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        url = reverse("admin:procurement_purchaseorder_pdf", args=[obj.pk])
        return format_html('<a href="{}">Download {}.pdf</a>', url, obj.number)

    def has_add_permission(self, request):
        return False  # purchase orders come from approved requests

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/receive/",
                self.admin_site.admin_view(self.receive_view),
                name="procurement_purchaseorder_receive",
            ),
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="procurement_purchaseorder_pdf",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        po = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_receive": po is not None
            and po.status in RECEIVABLE_PO_STATUSES
            and _is_staff(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return purchase_order_pdf_response(get_object_or_404(PurchaseOrder, pk=pk))

    def receive_view(self, request, pk):
        """Book goods received against the PO: a quantity per line, partial or all."""
        if not _is_staff(request):
            raise PermissionDenied
        po = get_object_or_404(
            PurchaseOrder.objects.select_related("supplier", "distributor"), pk=pk
        )
        change_url = reverse("admin:procurement_purchaseorder_change", args=[po.pk])
        if po.status not in RECEIVABLE_PO_STATUSES:
            self.message_user(
                request,
                f"{po.number} is {po.get_status_display().lower()}; goods cannot be received.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        form = ReceiptForm(
            request.POST or None,
            purchase_order=po,
            all_outstanding=request.GET.get("all") == "outstanding",
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.purchase_order_receive(
                    purchase_order=po,
                    lines=form.lines(),
                    by=request.user,
                    note=form.cleaned_data["note"],
                    warehouse=form.cleaned_data["warehouse"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ProcurementConflict as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                po.refresh_from_db()
                self.message_user(
                    request,
                    f"Receipt booked; {po.number} is {po.get_status_display().lower()}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Receive goods for {po.number}",
            "po": po,
            "form": form,
            "opts": self.model._meta,
            "original": po,
        }
        return TemplateResponse(request, "admin/procurement/receive.html", context)

    def _each(self, request, queryset, call, done):
        if not _is_staff(request):
            raise PermissionDenied
        for po in queryset:
            try:
                call(po)
            except (ProcurementConflict, PermissionDenied, ValidationError) as exc:
                text = getattr(exc, "message", None) or "; ".join(
                    getattr(exc, "messages", [str(exc)])
                )
                self.message_user(request, f"{po.number}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{po.number}: {done}", messages.SUCCESS)

    @admin.action(description="Give second approval and send to supplier")
    def second_approval(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda po: services.purchase_order_second_approve(purchase_order=po, by=request.user),
            "approved a second time and sent to the supplier.",
        )

    @admin.action(description="Accept the supplier's proposal")
    def accept_proposal(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda po: services.purchase_order_accept_proposal(purchase_order=po, by=request.user),
            "the supplier's proposal is accepted; the order is confirmed.",
        )

    @admin.action(description="Cancel selected purchase orders…")
    def cancel_selected(self, request, queryset):
        if not _is_staff(request):
            raise PermissionDenied
        if "apply" in request.POST:
            form = CancelForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                self._each(
                    request,
                    queryset,
                    lambda po: services.purchase_order_cancel(
                        purchase_order=po, by=request.user, reason=reason
                    ),
                    "cancelled.",
                )
                return None
        else:
            form = CancelForm()
        return intermediate_form_response(
            self,
            request,
            rows=[(obj.pk, str(obj)) for obj in queryset],
            back_url=request.get_full_path(),
            form=form,
            title="Cancel purchase orders",
            action="cancel_selected",
            button="Cancel the purchase orders",
        )


@admin.register(GoodsReceipt)
class GoodsReceiptAdmin(admin.ModelAdmin):
    list_display = ["pk", "purchase_order", "received_at", "received_by", "note"]
    list_select_related = ["purchase_order", "received_by"]
    search_fields = ["purchase_order__number"]
    date_hierarchy = "received_at"
    list_per_page = 50
    readonly_fields = ["purchase_order", "received_at", "received_by", "note"]

    class LineInline(ReadOnlyTabularInline):
        model = GoodsReceiptLine
        fields = ["po_line", "quantity"]
        readonly_fields = fields

    inlines = [LineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_policy  # noqa: E402, F401
