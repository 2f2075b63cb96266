"""Reads of payments: who sees which, and what each distributor collected."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Role, User

from .models import Payment, PaymentStatus


def sees_all_payments(user: User) -> bool:
    return user.is_staff and user.has_perm("payments.view_payment")


def payments_visible_to(user: User) -> QuerySet[Payment]:
    """The payments `user` may see: their own (a customer), their organization's, staff all."""
    payments = Payment.objects.select_related("order", "invoice", "distributor")
    if not user.is_authenticated:
        return payments.none()
    if sees_all_payments(user):
        return payments
    if user.role == Role.RETAILER:
        return payments.filter(buyer_organization_id=user.organization_id)
    if user.role == Role.DISTRIBUTOR:
        return payments.filter(distributor_id=user.organization_id)
    return payments.filter(payer=user, buyer_organization__isnull=True)


COLLECTED = (PaymentStatus.PAID, PaymentStatus.REFUNDING, PaymentStatus.REFUNDED)


def settlement_rows(*, user: User, start: datetime.date, end: datetime.date) -> list[dict]:
    """Per distributor, what the operator collected for it between `start` and `end` (paid dates).

    Collected = paid online; refunded = given back; net = collected - refunded.
    A distributor's members see their own row, staff every distributor. One query.
    """
    payments = Payment.objects.filter(
        status__in=COLLECTED, paid_at__date__gte=start, paid_at__date__lte=end
    )
    if not sees_all_payments(user):
        if user.role != Role.DISTRIBUTOR:
            return []
        payments = payments.filter(distributor_id=user.organization_id)
    refunded = Q(status=PaymentStatus.REFUNDED)
    rows = (
        payments.values("distributor_id", "distributor__name")
        .annotate(
            count=Count("pk"),
            collected=Sum("amount"),
            refunded=Sum("amount", filter=refunded),
        )
        .order_by("distributor__name", "distributor_id")
    )
    result = []
    cents = Decimal("0.01")
    for row in rows:
        # SQLite's SUM drops the trailing zeros: the same money, printed as money.
        collected = Decimal(row["collected"]).quantize(cents)
        refunded_amount = Decimal(row["refunded"] or 0).quantize(cents)
        result.append(
            {
                "distributor_id": row["distributor_id"],
                "distributor": row["distributor__name"],
                "payments": row["count"],
                "collected": collected,
                "refunded": refunded_amount,
                "net": collected - refunded_amount,
            }
        )
    return result


def may_see_settlements(user: User) -> bool:
    return sees_all_payments(user) or (
        user.role == Role.DISTRIBUTOR and user.organization_id is not None
    )
