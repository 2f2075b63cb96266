"""Invoices in the Django admin: find them, read them, re-render the PDF, record payment, void.

An invoice is never edited: its change page is read-only for everyone, and
nothing is added or deleted here (a void invoice keeps its number). What staff
do goes through invoicing.services, each with its own permission: re-rendering
the PDF needs the change permission, recording a full payment (through
invoicing.receipts, the one payment flow; part payments and bounced cheques
on the invoice's page, /invoices/…/payments/) `invoicing.mark_paid_invoice`,
voiding `invoicing.void_invoice`. The `Finance`
group (migration 0002) has all of them. Each selected invoice is handled in
its own transaction (the services'), so one in the wrong state is reported
and the others still go through.
"""

import logging
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from auromart.admin_helpers import ReadOnlyTabularInline, intermediate_form_response
from auromart.spreadsheets import SpreadsheetExportMixin
from catalog.templatetags.catalog_tags import money

from . import (
    credit_admin,  # noqa: F401  (registers CreditTerms)
    credit_note_admin,  # noqa: F401  (registers CreditNote, Refund)
    services,
)
from .exceptions import InvoiceStateError
from .models import OPEN_STATUSES, Invoice, InvoiceLine, InvoicePayment, InvoiceStatus
from .receipts import invoice_pay_in_full
from .resources import InvoiceLineResource, InvoiceResource
from .selectors import overdue_q

logger = logging.getLogger(__name__)


class OverdueFilter(admin.SimpleListFilter):
    """Issued and past its due date, decided in the database like any other filter."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        overdue = overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        required=False,
        help_text=(
            "Optional, e.g. the bank transfer's reference. It is printed on the PDF. "
            "The whole balance due is recorded as received today by bank transfer."
        ),
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=(
            "Kept with the invoice and printed on its PDF, which is marked VOID. "
            "The invoice keeps its number; it is never used again."
        ),
    )


class InvoiceLineInline(ReadOnlyTabularInline):
    model = InvoiceLine
    fields = ["position", "sku", "description", "quantity", "unit_price_amount", "amount"]
    readonly_fields = fields

    @admin.display(description="unit price")
    def unit_price_amount(self, obj):
        return money(obj.unit_price)

    @admin.display(description="line total")
    def amount(self, obj):
        return money(obj.line_total)


class InvoicePaymentInline(ReadOnlyTabularInline):
    model = InvoicePayment
    fields = [
        "received_on",
        "amount",
        "method",
        "reference",
        "status",
        "recorded_by",
        "bounce_reason",
    ]
    readonly_fields = fields
    verbose_name_plural = "payments (record part payments and bounce cheques on the invoice's page)"


def _label(invoice: Invoice) -> str:
    return (
        f"{invoice.number} · {invoice.buyer_name} · {money(invoice.total)} · "
        f"{invoice.get_status_display()}"
    )


@admin.register(Invoice)
class InvoiceAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    # Export only (invoicing/resources.py): one row per invoice, or one per line.
    resource_classes = [InvoiceResource, InvoiceLineResource]
    # Under django-import-export's export button (it keeps this as its base).
    change_list_template = "admin/invoicing/invoice/change_list.html"

    list_display = [
        "number",
        "issued_on",
        "due_on",
        "order_number",
        "buyer_name",
        "seller_name",
        "total_amount",
        "status_label",
        "pdf_link",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        "issue_date",
        ("distributor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "order__number", "buyer_name", "buyer_email", "seller_name"]
    search_help_text = "Invoice or order number, buyer name or e-mail, seller name."
    date_hierarchy = "issue_date"
    list_select_related = ["order"]
    list_per_page = 50
    actions = ["regenerate_pdf", "mark_paid", "void"]
    inlines = [InvoiceLineInline, InvoicePaymentInline]
    readonly_fields = [
        "number",
        "status_label",
        "order",
        "order_number",
        "issue_date",
        "due_date",
        "pdf_download",
        "pdf_rendered",
        "seller_name",
        "seller_address",
        "seller_email",
        "seller_phone",
        "buyer_name",
        "buyer_address",
        "buyer_email",
        "buyer_phone",
        "ship_to",
        "customer",
        "placed_by",
        "subtotal_amount",
        "tax_rate_percent",
        "tax_amount",
        "total_amount",
        "amount_paid_amount",
        "amount_credited",
        "amount_refunded",
        "replaces",
        "balance_amount",
        "paid_at",
        "paid_by_user",
        "payment_reference",
        "voided_at",
        "voided_by_user",
        "void_reason",
    ]

    # --- Read-only -----------------------------------------------------------------

    def has_add_permission(self, request):
        return False  # invoices are issued when an order is delivered

    def has_change_permission(self, request, obj=None):
        return False  # an invoice is never edited; the change page is view-only

    def has_delete_permission(self, request, obj=None):
        return False  # a void invoice keeps its number

    def has_regenerate_permission(self, request):
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def has_mark_paid_permission(self, request):
        return request.user.has_perm("invoicing.mark_paid_invoice")

    def has_void_permission(self, request):
        return request.user.has_perm("invoicing.void_invoice")

    def get_fieldsets(self, request, obj=None):
        # Links to the order and the customer only for who may open them.
        order = "order" if request.user.has_perm("orders.view_order") else "order_number"
        customer = "customer" if request.user.has_perm("accounts.view_user") else "placed_by"
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "number",
                        "status_label",
                        order,
                        "issue_date",
                        "due_date",
                        "pdf_download",
                        "pdf_rendered",
                    ]
                },
            ),
            (
                "Seller",
                {"fields": ["seller_name", "seller_address", "seller_email", "seller_phone"]},
            ),
            (
                "Buyer",
                {
                    "fields": [
                        "buyer_name",
                        "buyer_address",
                        "buyer_email",
                        "buyer_phone",
                        "ship_to",
                        customer,
                    ]
                },
            ),
            (
                "Amounts",
                {
                    "fields": [
                        "subtotal_amount",
                        "tax_rate_percent",
                        "tax_amount",
                        "total_amount",
                        "amount_paid_amount",
                        "amount_credited",
                        "amount_refunded",
                        "replaces",
                        "balance_amount",
                    ]
                },
            ),
        ]
        if obj is not None and obj.status == InvoiceStatus.PAID:
            fieldsets.append(
                ("Payment", {"fields": ["paid_at", "paid_by_user", "payment_reference"]})
            )
        if obj is not None and obj.status == InvoiceStatus.VOID:
            fieldsets.append(("Void", {"fields": ["voided_at", "voided_by_user", "void_reason"]}))
        return fieldsets

    # --- Columns ---------------------------------------------------------------------

    @admin.display(description="issue date", ordering="issue_date")
    def issued_on(self, obj):
        return date_format(obj.issue_date, "j M Y")

    @admin.display(description="due date", ordering="due_date")
    def due_on(self, obj):
        return date_format(obj.due_date, "j M Y")

    @admin.display(description="order", ordering="order__number")
    def order_number(self, obj):
        return obj.order.number

    @admin.display(description="total", ordering="total")
    def total_amount(self, obj):
        return money(obj.total)

    @admin.display(description="paid")
    def amount_paid_amount(self, obj):
        return money(obj.amount_paid)

    @admin.display(description="balance due")
    def balance_amount(self, obj):
        return money(obj.balance_due)

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        if obj.is_overdue:
            return format_html(
                '<strong style="color: var(--error-fg)" title="Issued, due {}">Overdue</strong>',
                date_format(obj.due_date, "j M Y"),
            )
        return obj.get_status_display()

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        url = reverse("admin:invoicing_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}" title="{}">PDF</a>', url, obj.pdf_filename)

    @admin.display(description="PDF")
    def pdf_download(self, obj):
        url = reverse("admin:invoicing_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.pdf_filename)

    @admin.display(description="PDF rendered at")
    def pdf_rendered(self, obj):
        if obj.pdf_rendered_at is None:
            return "Not yet (it is rendered when first downloaded)"
        return formats.localize(timezone.localtime(obj.pdf_rendered_at))

    @admin.display(description="subtotal")
    def subtotal_amount(self, obj):
        return money(obj.subtotal)

    @admin.display(description="tax rate")
    def tax_rate_percent(self, obj):
        return f"{(obj.tax_rate * 100).normalize():f} %"

    @admin.display(description="tax")
    def tax_amount(self, obj):
        return money(obj.tax)

    @admin.display(description="placed by")
    def placed_by(self, obj):
        return obj.customer.email

    @admin.display(description="recorded by")
    def paid_by_user(self, obj):
        return obj.paid_by or "—"

    @admin.display(description="voided by")
    def voided_by_user(self, obj):
        return obj.voided_by or "—"

    # --- Pages -----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="invoicing_invoice_pdf",
            ),
            path(
                "<int:pk>/mark-paid/",
                self.admin_site.admin_view(self.mark_paid_view),
                name="invoicing_invoice_mark_paid",
            ),
            path(
                "<int:pk>/void/",
                self.admin_site.admin_view(self.void_view),
                name="invoicing_invoice_void",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = self.get_object(request, unquote(object_id))
        owed = invoice is not None and invoice.status in OPEN_STATUSES
        issued = invoice is not None and invoice.status == InvoiceStatus.ISSUED
        extra_context = {
            **(extra_context or {}),
            "can_mark_paid": owed and self.has_mark_paid_permission(request),
            "can_void": issued and self.has_void_permission(request),
            "payments_url": reverse(
                "invoicing:payment_new", args=[invoice.seller_slug, invoice.number]
            )
            if owed and self.has_mark_paid_permission(request)
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def pdf_view(self, request, pk):
        """The invoice's PDF, rendered first if the file is missing (or out of date)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        pdf = services.invoice_pdf_ensure(invoice=invoice)
        return FileResponse(
            default_storage.open(pdf, "rb"),
            content_type="application/pdf",
            filename=invoice.pdf_filename,
        )

    def mark_paid_view(self, request, pk):
        if not self.has_mark_paid_permission(request):
            raise PermissionDenied
        return self._one(
            request,
            pk,
            form_class=MarkPaidForm,
            title="Record the full payment of",
            button="Record full payment",
            call=lambda invoice, data: invoice_pay_in_full(
                invoice=invoice, by=request.user, reference=data["reference"]
            ),
            done="is paid in full",
        )

    def void_view(self, request, pk):
        if not self.has_void_permission(request):
            raise PermissionDenied
        return self._one(
            request,
            pk,
            form_class=VoidForm,
            title="Void invoice",
            button="Void the invoice",
            call=lambda invoice, data: services.invoice_void(
                invoice=invoice, by=request.user, reason=data["reason"]
            ),
            done="is void",
        )

    def _one(self, request, pk, *, form_class, title, button, call: Callable, done: str):
        """A change page's button: the form, then the service, back to the change page."""
        invoice = get_object_or_404(Invoice, pk=pk)
        change_url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
        if invoice.status not in OPEN_STATUSES:
            self.message_user(
                request,
                f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; "
                "only an issued invoice can be paid or voided.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        form = form_class(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                call(invoice, form.cleaned_data)
            except InvoiceStateError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.log_change(request, invoice, f"{invoice.number} {done}.")
                self.message_user(request, f"{invoice.number} {done}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self._intermediate(
            request,
            [invoice],
            form=form,
            title=f"{title} {invoice.number}",
            button=button,
            back_url=change_url,
            original=invoice,
        )

    def _intermediate(
        self, request, invoices, *, form, title, button, back_url, action="", original=None
    ):
        invoices = list(invoices)
        left = sum(invoice.status not in OPEN_STATUSES for invoice in invoices)
        if left == 1 and len(invoices) == 1:
            warning = "This invoice is not issued; it will be left as it is."
        elif left == 1:
            warning = "One of these is not issued; it will be left as it is."
        elif left:
            warning = f"{left} of these are not issued; they will be left as they are."
        else:
            warning = ""
        return intermediate_form_response(
            self,
            request,
            rows=[(invoice.pk, _label(invoice)) for invoice in invoices],
            form=form,
            title=title,
            button=button,
            back_url=back_url,
            action=action,
            warning=warning,
            original=original,
        )

    # --- Actions ---------------------------------------------------------------------

    def _each(self, request, queryset, call: Callable[[Invoice], object], done: str) -> None:
        """`call` each invoice in turn; report every refusal, then the ones that went through."""
        succeeded = []
        for invoice in queryset.order_by("number"):
            try:
                call(invoice)
            except InvoiceStateError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            except ValidationError as exc:
                self.message_user(
                    request, f"{invoice.number}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.log_change(request, invoice, f"{done}.")
                succeeded.append(invoice.number)
        if succeeded:
            self.message_user(request, f"{done}: {', '.join(succeeded)}.", messages.SUCCESS)

    @admin.action(description="Re-render the PDF of selected invoices", permissions=["regenerate"])
    def regenerate_pdf(self, request, queryset):
        succeeded = []
        for invoice in queryset.order_by("number"):
            try:
                services.invoice_pdf_render(invoice_id=invoice.pk)
            except Exception:
                # One broken PDF must not stop the rest; the traceback goes to the log.
                logger.exception("Re-rendering the PDF of invoice %s failed", invoice.number)
                self.message_user(
                    request,
                    f"{invoice.number}: the PDF could not be rendered (the error is logged).",
                    messages.ERROR,
                )
            else:
                succeeded.append(invoice.number)
        if succeeded:
            self.message_user(
                request, f"PDF re-rendered: {', '.join(succeeded)}.", messages.SUCCESS
            )

    def _form_action(self, request, queryset, *, form_class, call, done, title, button, action):
        """An action that asks for a form first (a reference, a reason), then `call`s each
        invoice with the cleaned form: `call(invoice, cleaned_data)`."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            self._each(request, queryset, lambda invoice: call(invoice, data), done)
            return None
        return self._intermediate(
            request,
            queryset.order_by("number"),
            form=form,
            title=title,
            button=button,
            back_url=request.get_full_path(),
            action=action,
        )

    @admin.action(
        description="Record full payment of selected invoices…", permissions=["mark_paid"]
    )
    def mark_paid(self, request, queryset):
        return self._form_action(
            request,
            queryset,
            form_class=MarkPaidForm,
            call=lambda invoice, data: invoice_pay_in_full(
                invoice=invoice, by=request.user, reference=data["reference"]
            ),
            done="Paid in full",
            title="Record full payment of invoices",
            button="Record full payment",
            action="mark_paid",
        )

    @admin.action(description="Void selected invoices…", permissions=["void"])
    def void(self, request, queryset):
        return self._form_action(
            request,
            queryset,
            form_class=VoidForm,
            call=lambda invoice, data: services.invoice_void(
                invoice=invoice, by=request.user, reason=data["reason"]
            ),
            done="Voided",
            title="Void invoices",
            button="Void the invoices",
            action="void",
        )
