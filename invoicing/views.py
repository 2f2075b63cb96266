"""Invoice pages (under /invoices/): the list, one invoice, and its PDF.

Buyers (a customer, or the members of a retailer organization), the
distributor that sold and staff with the view permission; other roles get
403, visitors the login page. Scoping is invoicing.selectors': another
party's invoice is not in the caller's queryset, so it and its PDF are 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_control

from accounts.models import Role, User
from catalog.views import clean_query

from . import selectors, services
from .forms import InvoiceFilterForm
from .gst import invoice_gst_context
from .models import Invoice
from .statements import Buyer, own_buyer_key


def credit_notes_context(user: User, invoice: Invoice) -> dict:
    """The invoice page's credit notes, refunds, replacements and what the user may do."""
    from .credit_note_selectors import credit_note_list, may_issue_credit_note, refund_list
    from .reissue import may_reissue

    can_credit = may_issue_credit_note(user, invoice)
    return {
        "credit_notes": list(credit_note_list(user=user, invoice=invoice)),
        "refunds": list(refund_list(invoice=invoice)),
        "replaced_by": list(invoice.replaced_by.all()),
        "can_credit": can_credit,
        "can_reissue": can_credit and may_reissue(invoice),
    }


PAGE_SIZE = 20


def perspective(user: User) -> str:
    """Whose side of the invoice the user is on: "seller", "buyer", or "all" (staff)."""
    if selectors.sees_all_invoices(user):
        return "all"
    return "seller" if user.role == Role.DISTRIBUTOR else "buyer"


def order_url(user: User, invoice: Invoice) -> str | None:
    """The page of the invoice's order that this user may open, if there is one."""
    role, organization_id = user.role, user.organization_id
    if role == Role.DISTRIBUTOR and invoice.distributor_id == organization_id:
        return reverse("distributor:order", args=[invoice.order.number])
    if role == Role.RETAILER and invoice.buyer_organization_id == organization_id:
        return reverse("retailer:order", args=[invoice.order.number])
    if (
        role == Role.CUSTOMER
        and invoice.customer_id == user.pk
        and invoice.buyer_organization_id is None
    ):
        return reverse("portal:order", args=[invoice.order.number])
    if user.is_staff and user.has_perm("orders.view_order"):
        return reverse("admin:orders_order_change", args=[invoice.order_id])
    return None


def statement_url(buyer_key: str | None) -> str:
    return reverse("invoicing:statement", args=[buyer_key]) if buyer_key else ""


def pdf_response(invoice: Invoice) -> FileResponse:
    """The invoice's PDF, rendered first when the stored file is missing."""
    path = services.invoice_pdf_ensure(invoice=invoice)
    return FileResponse(
        default_storage.open(path, "rb"),
        content_type="application/pdf",
        filename=invoice.pdf_filename,
    )


class InvoiceAccessMixin(LoginRequiredMixin):
    """Visitors log in; a role that has no invoices (a manufacturer) gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not selectors.may_view_invoices(request.user):
            raise PermissionDenied("Your account has no invoices.")
        return super().dispatch(request, *args, **kwargs)

    def get_invoice(self, request, seller: str, number: str) -> Invoice:
        invoice = selectors.invoice_for_user(user=request.user, number=number, seller=seller)
        if invoice is None:
            raise Http404("No such invoice.")
        return invoice


class InvoiceListView(InvoiceAccessMixin, View):
    """The caller's invoices, newest first, filtered by status, issue date and a search."""

    def get(self, request):
        form = InvoiceFilterForm(request.GET)
        form.is_valid()  # errors are shown; the valid fields still filter
        filters = form.filters()
        invoices = selectors.invoice_list(user=request.user, **filters)
        paginator = Paginator(invoices, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        for invoice in page.object_list:
            invoice.order_link = order_url(request.user, invoice)
        context = {
            "form": form,
            "page": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "query": clean_query(request),
            "filtered": any(filters.values()),
            "totals": selectors.invoice_totals(invoices),
            "side": perspective(request.user),
            "statement_url": statement_url(own_buyer_key(request.user)),
        }
        return render(request, "invoicing/invoice_list.html", context)


class InvoiceDetailView(InvoiceAccessMixin, View):
    """One invoice as its PDF shows it, with a link to the order and the download."""

    def get(self, request, seller: str, number: str):
        invoice = self.get_invoice(request, seller, number)
        lines = list(invoice.lines.all())
        return render(
            request,
            "invoicing/invoice_detail.html",
            {
                "invoice": invoice,
                "lines": lines,
                **invoice_gst_context(invoice, lines),
                "order_url": order_url(request.user, invoice),
                "side": perspective(request.user),
                "can_record": selectors.may_record_payment(request.user, invoice),
                "statement_url": statement_url(Buyer.key_of(invoice)),
                **credit_notes_context(request.user, invoice),
            },
        )


@method_decorator(cache_control(private=True), name="dispatch")
class InvoicePdfView(InvoiceAccessMixin, View):
    def get(self, request, seller: str, number: str):
        return pdf_response(self.get_invoice(request, seller, number))
