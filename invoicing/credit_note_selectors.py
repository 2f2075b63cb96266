"""Reads of credit notes and refunds, scoped like invoices (invoicing.selectors).

A credit note is seen by whoever sees its invoice: the buyer, the selling
distributor, staff with the invoice view permission. Another party's credit
note is not in the caller's queryset, so its pages are 404.
"""

from django.db.models import QuerySet

from accounts.models import Role, User

from .models import CreditNote, Invoice, Refund
from .selectors import invoices_visible_to


def credit_notes_visible_to(user: User) -> QuerySet[CreditNote]:
    return CreditNote.objects.filter(invoice__in=invoices_visible_to(user))


def credit_note_list(*, user: User, invoice: Invoice | None = None) -> QuerySet[CreditNote]:
    """`user`'s credit notes (of one invoice, or all), newest first, with their invoice."""
    notes = credit_notes_visible_to(user).select_related("invoice")
    if invoice is not None:
        notes = notes.filter(invoice=invoice)
    return notes.order_by("-issue_date", "-pk")


def credit_note_for_user(*, user: User, seller: str, number: str) -> CreditNote | None:
    """One of `user`'s credit notes with its invoice and lines; None if it is not theirs."""
    return (
        credit_note_list(user=user)
        .filter(seller_key=Invoice.seller_key_of(seller), number=number)
        .prefetch_related("lines", "refunds")
        .first()
    )


def refund_list(*, invoice: Invoice) -> QuerySet[Refund]:
    return invoice.refunds.select_related("credit_note", "created_by").order_by("refunded_on", "pk")


def may_issue_credit_note(user: User, invoice: Invoice) -> bool:
    """The selling distributor's members and staff with the permission (on an invoice they see)."""
    if user.is_staff and user.has_perm("invoicing.issue_creditnote"):
        return True
    return user.role == Role.DISTRIBUTOR and invoice.distributor_id == user.organization_id
