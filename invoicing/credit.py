"""B2B credit: a distributor's payment terms and credit limit per buyer organization.

Reads: `credit_terms_for` (the one lookup of the terms in force, used for due
dates, placement and, at merge, the gateway's "orders on terms" check),
`credit_exposures` (what a buyer owes a seller and has on order, for many
buyers in a constant number of queries), `credit_terms_of` +
`credit_rows` (the distributor's page and API list).

Writes: `credit_terms_set` (the page, the API and nothing else) and
`credit_hold_needed`, which orders.services.order_place calls inside its
transaction: it locks the (seller, buyer) terms row, so two orders of one
buyer at one seller are decided one after the other and cannot both slip
under the limit.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organization, Role, User
from orders.models import Order, OrderStatus

from .models import (
    MAX_CREDIT_LIMIT,
    MAX_PAYMENT_TERMS_DAYS,
    OPEN_STATUSES,
    CreditTerms,
    Invoice,
    balance_due_expression,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)
# Orders whose remaining value is no longer owed or is all invoiced already.
CLOSED_ORDER_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.DELIVERED)


def _paise(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def credit_terms_for(*, seller: Organization | int, buyer: Organization | int | None):
    """The active CreditTerms `seller` grants `buyer`, or None (default due days, no limit).

    `seller` and `buyer` are organizations or their ids; a private customer
    (`buyer` None) never has terms.
    """
    if buyer is None:
        return None
    seller_id = getattr(seller, "pk", seller)
    buyer_id = getattr(buyer, "pk", buyer)
    return CreditTerms.objects.filter(seller_id=seller_id, buyer_id=buyer_id, active=True).first()


@dataclass(frozen=True)
class Exposure:
    """What a buyer owes one seller now, to the paisa.

    `unpaid`: the balances of its issued and partially paid invoices;
    `on_order`: what its open orders (not cancelled, rejected or delivered)
    have not invoiced yet; `overdue`: the part of `unpaid` past its due date.
    """

    unpaid: Decimal = ZERO
    on_order: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.unpaid + self.on_order


def credit_exposures(
    *, seller: Organization | int, buyer_ids, today: datetime.date | None = None
) -> dict[int, Exposure]:
    """{buyer id: Exposure} for each of `buyer_ids` with `seller`, in two queries.

    One grouped query over the open invoices (balances and overdue balances),
    one over the open orders with each order's invoiced total as a subquery.
    An order's not-yet-invoiced part is its total less its invoices' totals
    (void ones included: what a voided invoice billed is not owed), never
    below zero; a shipped order is all invoiced, so it adds nothing.
    """
    seller_id = getattr(seller, "pk", seller)
    buyer_ids = list(buyer_ids)
    today = today or timezone.localdate()
    balance = balance_due_expression()
    unpaid = {
        row["buyer_organization"]: row
        for row in Invoice.objects.filter(
            distributor_id=seller_id, buyer_organization_id__in=buyer_ids, status__in=OPEN_STATUSES
        )
        .values("buyer_organization")
        .annotate(
            unpaid=Sum(balance, output_field=MONEY),
            overdue=Sum(
                Case(When(due_date__lt=today, then=balance), default=Value(ZERO)),
                output_field=MONEY,
            ),
        )
        .order_by()
    }
    invoiced = (
        Invoice.objects.filter(order_id=OuterRef("pk"))
        .values("order_id")
        .annotate(sum=Sum("total"))
        .values("sum")
    )
    on_order: dict[int, Decimal] = {}
    for buyer_id, total, billed in (
        Order.objects.filter(distributor_id=seller_id, buyer_organization_id__in=buyer_ids)
        .exclude(status__in=CLOSED_ORDER_STATUSES)
        .annotate(billed=Coalesce(Subquery(invoiced, output_field=MONEY), Value(ZERO)))
        .values_list("buyer_organization_id", "total", "billed")
        .order_by()
    ):
        left = max(_paise(total) - _paise(billed), ZERO)
        on_order[buyer_id] = on_order.get(buyer_id, ZERO) + left
    return {
        buyer_id: Exposure(
            unpaid=_paise(unpaid.get(buyer_id, {}).get("unpaid")),
            on_order=on_order.get(buyer_id, ZERO),
            overdue=_paise(unpaid.get(buyer_id, {}).get("overdue")),
        )
        for buyer_id in buyer_ids
    }


def credit_exposure(
    *, seller: Organization | int, buyer: Organization | int, today: datetime.date | None = None
) -> Exposure:
    """One buyer's Exposure with `seller` (two queries)."""
    buyer_id = getattr(buyer, "pk", buyer)
    return credit_exposures(seller=seller, buyer_ids=[buyer_id], today=today)[buyer_id]


@dataclass(frozen=True)
class CreditRow:
    """A line of the distributor's credit page: the terms, the exposure and what is left."""

    terms: CreditTerms
    exposure: Exposure

    @property
    def available(self) -> Decimal | None:
        if self.terms.credit_limit is None:
            return None
        return self.terms.credit_limit - self.exposure.total

    @property
    def over_by(self) -> Decimal:
        available = self.available
        return -available if available is not None and available < 0 else ZERO

    @property
    def over_limit(self) -> bool:
        return self.available is not None and self.available < 0


def credit_terms_of(*, seller: Organization):
    """The terms `seller` gives, buyers by name (the buyer joined)."""
    return (
        CreditTerms.objects.filter(seller=seller)
        .select_related("buyer")
        .order_by("buyer__name", "pk")
    )


def credit_rows(*, seller: Organization, terms) -> list[CreditRow]:
    """Each of `terms` (a page of credit_terms_of) with its buyer's exposure (two queries)."""
    terms = list(terms)
    if not terms:
        return []
    exposures = credit_exposures(seller=seller, buyer_ids=[t.buyer_id for t in terms])
    return [CreditRow(terms=t, exposure=exposures[t.buyer_id]) for t in terms]


def credit_buyers():
    """The organizations a distributor may give terms to: retailers, by name."""
    return Organization.objects.filter(kind=Organization.Kind.RETAILER).order_by("name", "pk")


# --- Writes ------------------------------------------------------------------------


def _validated(*, payment_terms_days, credit_limit) -> tuple[int, Decimal | None]:
    errors = {}
    if (
        isinstance(payment_terms_days, bool)
        or not isinstance(payment_terms_days, int)
        or not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS_DAYS
    ):
        errors["payment_terms_days"] = (
            f"Enter a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}."
        )
    if credit_limit is not None:
        try:
            credit_limit = Decimal(credit_limit)
        except (ArithmeticError, TypeError, ValueError):
            credit_limit = None
            errors["credit_limit"] = "Enter an amount in rupees, or leave it empty for no limit."
        else:
            if (
                not credit_limit.is_finite()
                or credit_limit < 0
                or credit_limit > MAX_CREDIT_LIMIT
                or credit_limit != credit_limit.quantize(CENT)
            ):
                errors["credit_limit"] = (
                    f"Enter an amount from ₹0 to ₹{MAX_CREDIT_LIMIT:,}, at most two decimals."
                )
    if errors:
        raise ValidationError(errors)
    return payment_terms_days, (None if credit_limit is None else credit_limit.quantize(CENT))


@transaction.atomic
def credit_terms_set(
    *,
    seller: Organization,
    buyer: Organization,
    payment_terms_days: int,
    credit_limit: Decimal | None,
    active: bool = True,
    by: User,
) -> CreditTerms:
    """Give `buyer` these terms at `seller` (creating or replacing them); returns the row.

    Only a member of `seller`, a distributor (PermissionDenied otherwise);
    the buyer must be a retailer organization. Bounds: 0..MAX_PAYMENT_TERMS_DAYS
    days, a limit from 0 to MAX_CREDIT_LIMIT rupees or None (no limit);
    ValidationError keyed by field otherwise. The row is locked while it is
    changed, so an order being placed decides on the old terms or the new.
    New terms apply to invoices issued and orders placed from now on.
    """
    if by.role != Role.DISTRIBUTOR or by.organization_id != seller.pk:
        raise PermissionDenied("Only the distributor's members set its credit terms.")
    if buyer.kind != Organization.Kind.RETAILER:
        raise ValidationError({"buyer_id": "Credit terms are given to retailer organizations."})
    days, limit = _validated(payment_terms_days=payment_terms_days, credit_limit=credit_limit)
    terms = CreditTerms.objects.select_for_update().filter(seller=seller, buyer=buyer).first()
    if terms is None:
        terms = CreditTerms(seller=seller, buyer=buyer)
    terms.buyer = buyer
    terms.payment_terms_days = days
    terms.credit_limit = limit
    terms.active = bool(active)
    terms.updated_by = by
    terms.save()
    return terms


@dataclass(frozen=True)
class CreditDecision:
    hold: bool
    limit: Decimal | None = None
    exposure: Decimal = ZERO


def credit_hold_needed(
    *, seller: Organization, buyer: Organization | None, amount: Decimal
) -> CreditDecision:
    """Would an order of `amount` take `buyer` over its credit limit at `seller`?

    Must run inside the placing transaction, before the order is written: the
    active terms row is locked (SELECT ... FOR UPDATE) and held to commit, so
    the exposure read after it includes every order committed before, and a
    concurrent order of the same buyer at the same seller waits for this one.
    No buyer organization, no terms or no limit: never held (and nothing is
    locked). Held when exposure + amount > limit.
    """
    if buyer is None:
        return CreditDecision(hold=False)
    terms = (
        CreditTerms.objects.select_for_update()
        .filter(seller=seller, buyer=buyer, active=True, credit_limit__isnull=False)
        .only("pk", "credit_limit")
        .first()
    )
    if terms is None:
        return CreditDecision(hold=False)
    exposure = credit_exposure(seller=seller, buyer=buyer).total
    return CreditDecision(
        hold=exposure + amount > terms.credit_limit, limit=terms.credit_limit, exposure=exposure
    )


def credit_row_for_order(order: Order) -> CreditRow | None:
    """The terms and current exposure behind an order's buyer at its distributor, or None.

    For the held order's page (three queries); the exposure includes the
    order itself, as it counts until it is rejected or invoiced.
    """
    terms = credit_terms_for(seller=order.distributor_id, buyer=order.buyer_organization_id)
    if terms is None:
        return None
    exposure = credit_exposure(seller=order.distributor_id, buyer=order.buyer_organization_id)
    return CreditRow(terms=terms, exposure=exposure)
