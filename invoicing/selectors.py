"""Reads for invoicing: who may see which invoices, lists and details.

Scoping lives here: a buyer (the customer who ordered, or their retailer
organization) sees the invoices billed to them, a distributor the invoices it
issued, staff with the view permission all. Anyone else's invoice is simply
not in the queryset, so pages and the API answer 404 for it.
"""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Role, User

from .models import OPEN_STATUSES, Invoice, InvoicePayment, InvoiceStatus, balance_due_expression

INVOICE_ROLES = (Role.CUSTOMER, Role.RETAILER, Role.DISTRIBUTOR)


def sees_all_invoices(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("invoicing.view_invoice"))


def may_view_invoices(user: User) -> bool:
    """Buyers, distributors and staff with the permission; manufacturers are never billed here."""
    return user.is_authenticated and (sees_all_invoices(user) or user.role in INVOICE_ROLES)


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    """The invoices `user` may see (none for a role that has no invoices)."""
    invoices = Invoice.objects.all()
    if sees_all_invoices(user):
        return invoices
    role = user.role
    if role == Role.CUSTOMER:
        return invoices.filter(customer=user, buyer_organization__isnull=True)
    if role == Role.RETAILER:
        return invoices.filter(buyer_organization_id=user.organization_id)
    if role == Role.DISTRIBUTOR:
        return invoices.filter(distributor_id=user.organization_id)
    return invoices.none()


def invoice_list(
    *,
    user: User,
    status: str = "",
    issued_after: datetime.date | None = None,
    issued_before: datetime.date | None = None,
    search: str = "",
) -> QuerySet[Invoice]:
    """`user`'s invoices, newest first, with what a list row shows (one query)."""
    invoices = invoices_visible_to(user).select_related(
        "order", "distributor", "buyer_organization", "customer"
    )
    if status:
        invoices = (
            invoices.filter(overdue_q()) if status == "overdue" else invoices.filter(status=status)
        )
    if issued_after:
        invoices = invoices.filter(issue_date__gte=issued_after)
    if issued_before:
        invoices = invoices.filter(issue_date__lte=issued_before)
    if search:
        invoices = invoices.filter(
            Q(number__icontains=search)
            | Q(order__number__icontains=search)
            | Q(buyer_name__icontains=search)
            | Q(seller_name__icontains=search)
        )
    return invoices.order_by("-issue_date", "-pk")


def overdue_q(today: datetime.date | None = None) -> Q:
    """Invoices overdue on `today`: still owed (issued or partially paid) and past the due date.

    Derived, never stored: a payment or a new day changes it with no write.
    """
    return Q(status__in=OPEN_STATUSES, due_date__lt=today or timezone.localdate())


def invoice_totals(invoices: QuerySet[Invoice]) -> dict:
    """Count, what is still owed (the balances) and what was paid, in one query.

    Void invoices are in neither sum; paid counts the money received, part payments too.
    """
    row = invoices.order_by().aggregate(
        count=Count("pk"),
        issued=Sum(balance_due_expression(), filter=Q(status__in=OPEN_STATUSES)),
        paid=Sum("amount_paid", filter=~Q(status=InvoiceStatus.VOID)),
    )
    return {key: value or 0 for key, value in row.items()}


def _detail(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.select_related(
        "order", "shipment", "distributor", "buyer_organization", "customer", "paid_by", "voided_by"
    ).prefetch_related(
        "lines",
        Prefetch(
            "payments",
            queryset=InvoicePayment.objects.select_related("recorded_by", "bounced_by").order_by(
                "received_on", "pk"
            ),
        ),
    )


def invoice_detail(*, pk: int) -> Invoice | None:
    """An invoice with its lines, for the PDF and staff; not scoped."""
    return _detail(Invoice.objects.filter(pk=pk)).first()


def invoice_for_user(
    *, user: User, pk: int | None = None, number: str = "", seller: str = ""
) -> Invoice | None:
    """One of `user`'s invoices, by id or by seller (Invoice.seller_slug) and number, with
    its lines; None if it is not theirs."""
    invoices = invoices_visible_to(user)
    if pk is not None:
        invoices = invoices.filter(pk=pk)
    else:
        invoices = invoices.filter(number=number, seller_key=Invoice.seller_key_of(seller))
    return _detail(invoices).first()


def invoice_for_message(*, invoice_id: int, lines: bool = True) -> Invoice:
    """An invoice as its e-mail needs it: lines, order, shipment, the customer's preferences.

    `lines=False` leaves the lines to be read when used (a message recorded as
    history, notifications.as_sent, renders no body)."""
    invoices = Invoice.objects.select_related(
        "order", "shipment", "buyer_organization", "customer__notification_preference"
    )
    if lines:
        invoices = invoices.prefetch_related("lines")
    return invoices.get(pk=invoice_id)


def invoice_order_owes_units(invoice: Invoice) -> bool:
    """Whether the invoice's order still has units to ship (allocated or backordered)."""
    return invoice.order.items.filter(
        Q(quantity_allocated__gt=0) | Q(quantity_backordered__gt=0)
    ).exists()


def order_invoice_ids(*, order_id: int) -> list[int]:
    """The ids of an order's invoices, oldest first (messages that must go before "delivered")."""
    return list(
        Invoice.objects.filter(order_id=order_id).order_by("pk").values_list("pk", flat=True)
    )


# --- Payments ---------------------------------------------------------------------------


def may_record_payment(user: User, invoice: Invoice) -> bool:
    """The seller's members, and staff allowed to record payments (the Finance group)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff and user.has_perm("invoicing.mark_paid_invoice"):
        return True
    return user.role == Role.DISTRIBUTOR and invoice.distributor_id == user.organization_id


def payments_visible_to(user: User) -> QuerySet[InvoicePayment]:
    """Payments on the invoices `user` may see."""
    return InvoicePayment.objects.filter(invoice__in=invoices_visible_to(user))


def payment_list(*, user: User, invoice: Invoice | None = None) -> QuerySet[InvoicePayment]:
    """`user`'s payments (of one invoice, or all), newest first, with what a row shows."""
    payments = payments_visible_to(user).select_related("invoice", "recorded_by", "bounced_by")
    if invoice is not None:
        payments = payments.filter(invoice=invoice)
    return payments.order_by("-received_on", "-pk")


def payment_for_user(*, user: User, pk: int) -> InvoicePayment | None:
    """One of `user`'s payments with its invoice; None if it is not theirs."""
    return payment_list(user=user).filter(pk=pk).first()
