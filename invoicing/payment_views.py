"""Recording payments and bounced cheques on an invoice's page, and a buyer's statement.

One set of pages for everyone who records money (issue #16, §3): the
selling distributor's members and finance staff (`invoicing.mark_paid_invoice`)
use the same form, which calls invoicing.receipts. Another party's invoice is
404 (it is not in the caller's invoices); a buyer on its own invoice gets
403 (it sees the invoice but does not record its own payments).

The statement (/invoices/statements/<buyer>/ and its PDF) is for the buyer
itself, the distributors that billed it (their invoices only) and staff.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views import View

from auromart.formatting import money_display
from auromart.pdf import render_pdf

from . import selectors
from .exceptions import InvoiceStateError
from .forms import BounceForm, PaymentForm, StatementPeriodForm
from .models import Invoice, InvoicePayment
from .receipts import invoice_payment_bounce, invoice_payment_record
from .statements import Buyer, statement_for
from .views import InvoiceAccessMixin, perspective


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PaymentAccessMixin(InvoiceAccessMixin):
    """The invoice must be the caller's (else 404) and the caller one who records (else 403)."""

    def recordable_invoice(self, request, seller: str, number: str) -> Invoice:
        invoice = self.get_invoice(request, seller, number)
        if not selectors.may_record_payment(request.user, invoice):
            raise PermissionDenied("Only the seller and finance staff record payments.")
        return invoice

    def page(self, request, invoice, **context):
        return render(
            request,
            "invoicing/payment_form.html",
            {"invoice": invoice, "side": perspective(request.user), **context},
        )


class PaymentCreateView(PaymentAccessMixin, View):
    """GET: the form and the payments so far; POST: record one (part or all of the balance)."""

    def get(self, request, seller: str, number: str):
        invoice = self.recordable_invoice(request, seller, number)
        form = PaymentForm(
            initial={"amount": invoice.balance_due, "received_on": timezone.localdate()}
        )
        return self.page(request, invoice, form=form)

    def post(self, request, seller: str, number: str):
        invoice = self.recordable_invoice(request, seller, number)
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = invoice_payment_record(
                    invoice=invoice,
                    amount=data["amount"],
                    method=data["method"],
                    reference=data["reference"],
                    received_on=data["received_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except InvoiceStateError as exc:
                form.add_error(None, exc.message)
            else:
                invoice.refresh_from_db()
                messages.success(
                    request,
                    f"{payment.get_method_display()} of ₹{payment.amount:,} recorded on "
                    f"{invoice.number}; it is now {invoice.get_status_display().lower()}.",
                )
                return redirect("invoicing:detail", invoice.seller_slug, invoice.number)
        return self.page(request, invoice, form=form)


class PaymentBounceView(PaymentAccessMixin, View):
    """A recorded cheque of this invoice bounced: GET asks why, POST marks it."""

    def payment(self, invoice: Invoice, pk: int) -> InvoicePayment:
        payment = next((p for p in invoice.payments.all() if p.pk == pk), None)
        if payment is None:
            raise Http404("No such payment on this invoice.")
        return payment

    def get(self, request, seller: str, number: str, pk: int):
        invoice = self.recordable_invoice(request, seller, number)
        payment = self.payment(invoice, pk)
        return self.page(request, invoice, bounce=payment, form=BounceForm())

    def post(self, request, seller: str, number: str, pk: int):
        invoice = self.recordable_invoice(request, seller, number)
        payment = self.payment(invoice, pk)
        form = BounceForm(request.POST)
        if form.is_valid():
            try:
                invoice = invoice_payment_bounce(
                    payment=payment, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except InvoiceStateError as exc:
                form.add_error(None, exc.message)
            else:
                messages.warning(
                    request,
                    f"Cheque of ₹{payment.amount:,} marked bounced; {invoice.number} is "
                    f"{invoice.get_status_display().lower()} again and the buyer is told.",
                )
                return redirect("invoicing:detail", invoice.seller_slug, invoice.number)
        return self.page(request, invoice, bounce=payment, form=form)


class StatementMixin(InvoiceAccessMixin):
    def statement(self, request, buyer: str):
        form = StatementPeriodForm(request.GET)
        period = form.cleaned_data if form.is_valid() else {}
        statement = statement_for(
            user=request.user,
            buyer_key=buyer,
            start=period.get("start"),
            end=period.get("end"),
        )
        if statement is None:
            raise Http404("No such statement.")
        return form, statement


class StatementView(StatementMixin, View):
    def get(self, request, buyer: str):
        form, statement = self.statement(request, buyer)
        return render(
            request,
            "invoicing/statement.html",
            {
                "form": form,
                "statement": statement,
                "figures": [
                    ("Opening balance", statement.opening, False),
                    ("Invoiced", statement.invoiced, False),
                    ("Received", statement.received, False),
                    (
                        f"Balance due ({money_display(statement.overdue)} overdue)"
                        if statement.overdue
                        else "Balance due",
                        statement.closing,
                        True,
                    ),
                ],
                "side": perspective(request.user),
                "query": request.GET.urlencode(),
            },
        )


class StatementPdfView(StatementMixin, View):
    def get(self, request, buyer: str):
        _form, statement = self.statement(request, buyer)
        pdf = statement_pdf_bytes(statement)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=statement_filename(statement.buyer, statement.end)
        )
        response["Cache-Control"] = "private"
        return response


def statement_filename(buyer: Buyer, end) -> str:
    return f"statement-{buyer.key}-{end:%Y-%m-%d}.pdf"


def statement_pdf_bytes(statement) -> bytes:
    from django.conf import settings

    return render_pdf(
        "invoicing/statement_pdf.html",
        {
            "statement": statement,
            "site_name": settings.SITE_NAME,
            "generated_at": timezone.localtime(),
        },
        stylesheets=("auromart/pdf/document.css",),
    )
