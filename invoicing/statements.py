"""A buyer's statement of account: its invoices and payments in date order, a running balance.

A buyer is a retailer organization ("org-12") or a private customer
("user-34"); its key is what the statement's URL carries. Who sees what is
invoicing.selectors': the buyer sees its own invoices from every seller, a
distributor only those it issued, staff all. A buyer with no invoice in the
caller's view is no statement at all (None, so 404): another organization's
statement is indistinguishable from one that does not exist.

Lines: an invoice is a debit on its issue date; a payment a credit on the
day it was received; a cheque that bounced stays as the credit it was and is
debited again on the day it bounced; a credit note is a credit on its date and
a refund paid out a debit on its date (issue 24). Void invoices (and nothing is ever paid
on one) are left out. With a period, everything before it is the opening
balance. Four queries whatever the number of invoices.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organization, Role, User

from .models import CreditNote, Invoice, InvoicePayment, InvoiceStatus, Refund, RefundStatus
from .selectors import invoices_visible_to

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Buyer:
    key: str
    name: str
    email: str = ""

    @staticmethod
    def key_of(invoice: Invoice) -> str:
        if invoice.buyer_organization_id is not None:
            return f"org-{invoice.buyer_organization_id}"
        return f"user-{invoice.customer_id}"


@dataclass
class StatementLine:
    date: datetime.date
    kind: str  # "invoice", "payment", "bounced", "credit_note", "refund"
    document: str
    description: str
    invoice: Invoice
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO


@dataclass
class Statement:
    buyer: Buyer
    start: datetime.date | None
    end: datetime.date
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    seller_name: str = ""  # the one seller when a distributor looks; "" for all sellers
    overdue: Decimal = ZERO  # of the closing balance, what is past its due date

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def invoiced(self) -> Decimal:
        return sum((line.debit for line in self.lines if line.kind == "invoice"), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((line.credit for line in self.lines if line.kind == "payment"), ZERO) - sum(
            (line.debit for line in self.lines if line.kind in ("bounced", "refund")), ZERO
        )

    @property
    def credited(self) -> Decimal:
        return sum((line.credit for line in self.lines if line.kind == "credit_note"), ZERO)


def own_buyer_key(user: User) -> str | None:
    """The statement a buyer opens from its invoices: its organization's, or its own."""
    if user.role == Role.RETAILER and user.organization_id:
        return f"org-{user.organization_id}"
    if user.role == Role.CUSTOMER and not user.organization_id:
        return f"user-{user.pk}"
    return None


def _buyer_invoices(user: User, key: str) -> QuerySet[Invoice] | None:
    kind, _, pk = key.partition("-")
    if not pk.isdigit() or len(pk) > 18:
        return None
    invoices = invoices_visible_to(user).exclude(status=InvoiceStatus.VOID)
    if kind == "org":
        return invoices.filter(buyer_organization_id=int(pk))
    if kind == "user":
        return invoices.filter(customer_id=int(pk), buyer_organization__isnull=True)
    return None


def _buyer(key: str, invoice: Invoice) -> Buyer:
    if key.startswith("org-"):
        org: Organization = invoice.buyer_organization
        return Buyer(key, org.name, org.contact_email)
    return Buyer(key, invoice.customer.get_full_name(), invoice.customer.email)


def _entries(
    invoices: list[Invoice],
    payments: list[InvoicePayment],
    credit_notes: list = (),
    refunds: list = (),
) -> list[StatementLine]:
    entries = []
    for invoice in invoices:
        entries.append(
            StatementLine(
                date=invoice.issue_date,
                kind="invoice",
                document=invoice.number,
                description=f"Invoice, order {invoice.order.number}, due "
                f"{invoice.due_date.day} {invoice.due_date:%b %Y}",
                invoice=invoice,
                debit=invoice.total,
            )
        )
    by_id = {invoice.pk: invoice for invoice in invoices}
    for payment in payments:
        invoice = by_id[payment.invoice_id]
        reference = f" {payment.reference}" if payment.reference else ""
        entries.append(
            StatementLine(
                date=payment.received_on,
                kind="payment",
                document=invoice.number,
                description=f"{payment.get_method_display()}{reference}",
                invoice=invoice,
                credit=payment.amount,
            )
        )
        if payment.status == InvoicePayment.Status.BOUNCED:
            entries.append(
                StatementLine(
                    date=timezone.localdate(payment.bounced_at),
                    kind="bounced",
                    document=invoice.number,
                    description=f"Cheque{reference} bounced: {payment.bounce_reason}",
                    invoice=invoice,
                    debit=payment.amount,
                )
            )
    # Issue 24: a credit note is a credit on its date; a refund paid out is a debit.
    for note in credit_notes:
        invoice = by_id[note.invoice_id]
        entries.append(
            StatementLine(
                date=note.issue_date,
                kind="credit_note",
                document=note.number,
                description=f"Credit note against {invoice.number}: {note.get_kind_display()}",
                invoice=invoice,
                credit=note.total,
            )
        )
    for refund in refunds:
        invoice = by_id[refund.invoice_id]
        entries.append(
            StatementLine(
                date=refund.refunded_on,
                kind="refund",
                document=invoice.number,
                description=f"Refund, {refund.get_method_display()}"
                + (f" {refund.reference}" if refund.reference else ""),
                invoice=invoice,
                debit=refund.amount,
            )
        )
    order = {"invoice": 0, "credit_note": 1, "payment": 2, "bounced": 3, "refund": 4}
    entries.sort(key=lambda e: (e.date, order[e.kind], e.invoice.pk))
    return entries


def statement_for(
    *,
    user: User,
    buyer_key: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Statement | None:
    """`buyer_key`'s statement as `user` may see it, from `start` (None: the beginning) to
    `end` (None: today); None when the buyer has no invoice in the user's view."""
    invoices_qs = _buyer_invoices(user, buyer_key)
    if invoices_qs is None:
        return None
    invoices = list(
        invoices_qs.select_related("order", "buyer_organization", "customer").order_by(
            "issue_date", "pk"
        )
    )
    if not invoices:
        return None
    today = today or timezone.localdate()
    end = end or today
    payments = list(
        InvoicePayment.objects.filter(invoice_id__in=[i.pk for i in invoices]).order_by(
            "received_on", "pk"
        )
    )
    ids = [i.pk for i in invoices]
    credit_notes = list(CreditNote.objects.filter(invoice_id__in=ids).order_by("issue_date", "pk"))
    refunds = list(
        Refund.objects.filter(invoice_id__in=ids, status=RefundStatus.DONE).order_by(
            "refunded_on", "pk"
        )
    )
    opening, lines, balance = ZERO, [], ZERO
    for entry in _entries(invoices, payments, credit_notes, refunds):
        if entry.date > end:
            continue
        balance += entry.debit - entry.credit
        entry.balance = balance
        if start is not None and entry.date < start:
            opening = balance
        else:
            lines.append(entry)
    sellers = {invoice.distributor_id for invoice in invoices}
    seller_name = invoices[0].seller_name if user.role == Role.DISTRIBUTOR else ""
    overdue = sum(
        (
            i.balance_due
            for i in invoices
            if i.status != InvoiceStatus.PAID and i.due_date < min(end, today)
        ),
        ZERO,
    )
    statement = Statement(
        buyer=_buyer(buyer_key, invoices[0]),
        start=start,
        end=end,
        opening=opening,
        lines=lines,
        seller_name=seller_name if len(sellers) == 1 else "",
        overdue=overdue if end >= today else ZERO,
    )
    return statement
