"""The replenishment screen's bulk actions: order now, and snooze until a date.

One set of services for the staff screen, the distributor's screen and the API
(conventions 14): the callers scope the items to what the user may see and
pass them in; these decide what the user may do with them.
"""

import datetime
from collections.abc import Sequence
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from inventory.models import StockItem

from .models import ProcurementRequest, PurchaseOrder
from .monitoring import item_snooze
from .services import procurement_request_create, procurement_requests_approve

# At most this many items in one bulk action (a page of the screen is at most 100).
MAX_BULK_ITEMS = 200
# A snooze lasts at most this long: long enough for a season, short enough to come back.
MAX_SNOOZE_DAYS = 365


class OrderNowResult(NamedTuple):
    opened: list[ProcurementRequest]
    purchase_orders: list[PurchaseOrder]


def _check_count(items: Sequence[StockItem]) -> None:
    if not items:
        raise ValidationError({"items": "Choose at least one item."})
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationError({"items": f"Choose at most {MAX_BULK_ITEMS} items at a time."})


@transaction.atomic
def replenishment_order_now(*, items: Sequence[StockItem], by: User) -> OrderNowResult:
    """Order the items now: a request for each item that has none open (the reorder rule sets
    the quantity), then, when `by` may approve (procurement staff), the approval of every
    chosen item's open request, which issues the purchase orders.

    All or nothing: an item that cannot be ordered (no supplier, no supplier cost, not a
    distributor) raises ValidationError under "items" naming each such item, and nothing is
    written. Approval errors (RequestNotOpen, a cost missing) propagate the same way.
    """
    _check_count(items)
    items = sorted(items, key=lambda item: (item.distributor_id, item.product_id))
    open_requests = {
        (r.product_id, r.distributor_id): r
        for r in ProcurementRequest.objects.filter(
            product_id__in={i.product_id for i in items},
            distributor_id__in={i.distributor_id for i in items},
            open_slot=True,
        )
    }
    opened, errors, request_ids = [], [], []
    for item in items:
        request = open_requests.get((item.product_id, item.distributor_id))
        if request is None:
            try:
                request = procurement_request_create(
                    product=item.product, distributor=item.distributor, by=by
                )
            except ValidationError as exc:
                messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
                errors.append(f"{item.product.sku} at {item.distributor.name}: {messages}")
                continue
            opened.append(request)
        request_ids.append(request.pk)
    if errors:
        raise ValidationError({"items": errors})
    orders = []
    if by.is_procurement_staff:
        orders = procurement_requests_approve(request_ids=request_ids, by=by)
    return OrderNowResult(opened, orders)


def snooze_date_check(until: datetime.date | None) -> None:
    """A snooze date must be after today and at most MAX_SNOOZE_DAYS ahead (None lifts it)."""
    if until is None:
        return
    today = timezone.localdate()
    if until <= today:
        raise ValidationError({"until": "Snooze until a date after today."})
    latest = today + datetime.timedelta(days=MAX_SNOOZE_DAYS)
    if until > latest:
        raise ValidationError(
            {"until": f"Snooze for at most {MAX_SNOOZE_DAYS} days (until {latest:%d %b %Y})."}
        )


@transaction.atomic
def replenishment_snooze(*, items: Sequence[StockItem], until: datetime.date | None) -> int:
    """Keep the items from being ordered automatically until `until` (None lifts the snooze);
    each item is re-evaluated at once (lifting a snooze may open its request). Returns the
    number of items. Raises ValidationError under "until" or "items"; nothing is written."""
    _check_count(items)
    snooze_date_check(until)
    for item in sorted(items, key=lambda item: (item.distributor_id, item.product_id)):
        item_snooze(product_id=item.product_id, distributor_id=item.distributor_id, until=until)
    return len(items)
