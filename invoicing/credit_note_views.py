"""Credit note, refund and reissue pages (issue 24), under /invoices/.

Who sees a credit note is who sees its invoice (invoicing.credit_note_selectors):
another party's is 404. Issuing a credit note, recording a refund and
reissuing an invoice are for the selling distributor's members and staff with
the permission; a buyer on its own invoice gets 403. The views validate,
call a service (invoicing.credit_notes, .refunds, .reissue) and redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_control

from auromart.formatting import money_display

from . import credit_note_selectors as selectors
from .credit_note_forms import CreditNoteForm, RefundForm
from .credit_note_pdf import credit_note_context, credit_note_pdf_ensure
from .credit_notes import credit_note_issue, lines_remaining
from .models import CreditNote, Invoice, RefundMethod
from .payment_views import _form_errors
from .refunds import (
    RefundPending,
    new_idempotency_key,
    online_payments,
    refund_record,
    refund_through_gateway,
    refundable,
)
from .reissue import invoice_reissue
from .views import InvoiceAccessMixin, perspective

PAGE_SIZE = 20


class CreditNoteAccessMixin(InvoiceAccessMixin):
    def get_note(self, request, seller: str, number: str) -> CreditNote:
        note = selectors.credit_note_for_user(user=request.user, seller=seller, number=number)
        if note is None:
            raise Http404("No such credit note.")
        return note

    def issuing_invoice(self, request, seller: str, number: str) -> Invoice:
        """The caller's invoice (else 404) that the caller may credit (else 403)."""
        invoice = self.get_invoice(request, seller, number)
        if not selectors.may_issue_credit_note(request.user, invoice):
            raise PermissionDenied("Only the seller and finance staff credit an invoice.")
        return invoice


class CreditNoteListView(CreditNoteAccessMixin, View):
    """The caller's credit notes, newest first (the seller's issued, the buyer's received)."""

    def get(self, request):
        notes = selectors.credit_note_list(user=request.user)
        page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "invoicing/credit_note_list.html",
            {"page": page, "side": perspective(request.user)},
        )


class CreditNoteDetailView(CreditNoteAccessMixin, View):
    def get(self, request, seller: str, number: str):
        note = self.get_note(request, seller, number)
        return render(
            request,
            "invoicing/credit_note_detail.html",
            {**credit_note_context(note), "side": perspective(request.user)},
        )


@method_decorator(cache_control(private=True), name="dispatch")
class CreditNotePdfView(CreditNoteAccessMixin, View):
    def get(self, request, seller: str, number: str):
        note = self.get_note(request, seller, number)
        path = credit_note_pdf_ensure(note=note)
        return FileResponse(
            default_storage.open(path, "rb"),
            content_type="application/pdf",
            filename=note.pdf_filename,
        )


class CreditNoteCreateView(CreditNoteAccessMixin, View):
    """GET: the form (a price correction per line, or cancel everything); POST: issue it."""

    def page(self, request, invoice, form):
        return render(
            request,
            "invoicing/credit_note_form.html",
            {"invoice": invoice, "form": form, "side": perspective(request.user)},
        )

    def get(self, request, seller: str, number: str):
        invoice = self.issuing_invoice(request, seller, number)
        return self.page(request, invoice, CreditNoteForm(remaining=lines_remaining(invoice)))

    def post(self, request, seller: str, number: str):
        invoice = self.issuing_invoice(request, seller, number)
        form = CreditNoteForm(request.POST, remaining=lines_remaining(invoice))
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = credit_note_issue(
                    invoice=invoice,
                    by=request.user,
                    kind=data["kind"],
                    amounts=form.amounts() if data["kind"] == "price" else None,
                    reason=data["reason"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Credit note {note.number} of {money_display(note.total)} issued on "
                    f"{invoice.number}; {invoice.buyer_name} is told by e-mail.",
                )
                return redirect("invoicing:credit_note_detail", note.seller_slug, note.number)
        return self.page(request, invoice, form)


class RefundCreateView(CreditNoteAccessMixin, View):
    """GET: the refund form (up to what is owed back); POST: refund online or record it."""

    def page(self, request, invoice, form, status=200):
        return render(
            request,
            "invoicing/refund_form.html",
            {
                "invoice": invoice,
                "form": form,
                "refundable": refundable(invoice),
                "refunds": selectors.refund_list(invoice=invoice),
                "side": perspective(request.user),
            },
            status=status,
        )

    def form(self, invoice, data=None):
        online = any(row["left"] > 0 for row in online_payments(invoice))
        initial = {
            "amount": refundable(invoice),
            "method": RefundMethod.GATEWAY if online else RefundMethod.BANK_TRANSFER,
            "refunded_on": timezone.localdate(),
            "idempotency_key": new_idempotency_key(),
        }
        return RefundForm(data, initial=initial, refundable=refundable(invoice), online=online)

    def get(self, request, seller: str, number: str):
        invoice = self.issuing_invoice(request, seller, number)
        return self.page(request, invoice, self.form(invoice))

    def post(self, request, seller: str, number: str):
        invoice = self.issuing_invoice(request, seller, number)
        form = self.form(invoice, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["method"] == RefundMethod.GATEWAY:
                    refund = refund_through_gateway(
                        invoice=invoice,
                        by=request.user,
                        amount=data["amount"],
                        idempotency_key=data["idempotency_key"],
                    )
                else:
                    refund = refund_record(
                        invoice=invoice,
                        by=request.user,
                        amount=data["amount"],
                        method=data["method"],
                        reference=data["reference"],
                        refunded_on=data["refunded_on"],
                        idempotency_key=data["idempotency_key"],
                    )
            except ValidationError as exc:
                _form_errors(form, exc)
            except RefundPending:
                messages.warning(
                    request,
                    "The payment gateway did not confirm the refund yet; it is retried "
                    "automatically and counts once it is confirmed.",
                )
                return redirect("invoicing:detail", invoice.seller_slug, invoice.number)
            else:
                messages.success(
                    request,
                    f"Refund of {money_display(refund.amount)} "
                    f"({refund.get_method_display()}) recorded on {invoice.number}.",
                )
                return redirect("invoicing:detail", invoice.seller_slug, invoice.number)
        return self.page(request, invoice, form)


class InvoiceReissueView(CreditNoteAccessMixin, View):
    """POST: invoice the shipment of a fully credited (or void) invoice again."""

    def post(self, request, seller: str, number: str):
        invoice = self.issuing_invoice(request, seller, number)
        try:
            new = invoice_reissue(invoice=invoice, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("invoicing:detail", invoice.seller_slug, invoice.number)
        messages.success(request, f"Invoice {new.number} issued; it replaces {invoice.number}.")
        return redirect("invoicing:detail", new.seller_slug, new.number)
