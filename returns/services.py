"""Writes for returns (RMA, #17 §1): request, approve, reject, receive, close.

Every write is one transaction that locks the row it changes first (the
order, for a new request; the return, for a move), so two clicks or a
client's retry cannot claim the same units twice or receive twice. A move
to the status the return already has is a no-op that returns it as it is
(idempotent); any other move the state machine does not allow raises
ValidationError keyed "status".
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from auromart.numbering import number_next
from inventory.customer_returns import ReturnedUnits, stock_return_from_customer
from orders.demand import demand_record_returned
from orders.models import Order, ShipmentLine

from .credit import _credit_for_receipt
from .models import (
    MAX_NOTE,
    MAX_RETURN_QUANTITY,
    RETURN_TRANSITIONS,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    ReturnStatusChange,
)
from .selectors import returnable_units
from .signals import return_status_changed


class RequestedLine(NamedTuple):
    order_item_id: int
    quantity: int
    reason: str
    note: str = ""


def _whole(value, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: f"Enter a whole number from {low} to {high}."})
    return value


def _note(value: str, field: str = "note") -> str:
    value = (value or "").strip()
    if len(value) > MAX_NOTE:
        raise ValidationError({field: f"At most {MAX_NOTE} characters."})
    return value


def _may_return(order: Order, by: User) -> bool:
    if by.role == Role.RETAILER:
        return order.buyer_organization_id == by.organization_id
    return order.customer_id == by.pk and order.buyer_organization_id is None


def _record(request: ReturnRequest, *, from_status: str, by: User | None, note: str) -> None:
    ReturnStatusChange.objects.create(
        request=request,
        from_status=from_status,
        to_status=request.status,
        changed_by=by,
        note=note,
    )
    return_status_changed.send(
        sender=ReturnRequest,
        return_id=request.pk,
        order_id=request.order_id,
        distributor_id=request.distributor_id,
        from_status=from_status,
        to_status=request.status,
        changed_by_id=by.pk if by else None,
        note=note,
    )


@transaction.atomic
def return_request_create(
    *, order: Order, by: User, lines: Iterable[RequestedLine], note: str = ""
) -> ReturnRequest:
    """The buyer asks to send back delivered units of `order`.

    Each line names an order line, a quantity from 1 to what may still be
    returned (delivered within RETURN_WINDOW_DAYS, less what other returns
    claim), a reason from ReturnReason and an optional note. Locks the order
    row so two requests cannot claim the same units. Writes the request
    (number RMA-YYYY-NNNNNN), its lines and its first history row, and sends
    `return_status_changed` (to `requested`). ValidationError keyed by field:
    "lines" (none, or a line twice), "quantity_<order item id>",
    "reason_<order item id>", "note"; PermissionDenied-like ValidationError
    "order" when `by` is not the order's buyer.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not _may_return(order, by):
        raise ValidationError({"order": "Only the order's buyer can return its goods."})
    note = _note(note)
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": "Choose at least one line and how many units to return."})
    seen = [line.order_item_id for line in lines]
    if len(seen) != len(set(seen)):
        raise ValidationError({"lines": "Each order line once."})
    units = returnable_units(order)
    items = {item.pk: item for item in order.items.all()}
    errors = {}
    for line in lines:
        item = items.get(line.order_item_id)
        if item is None:
            errors["lines"] = f"Line {line.order_item_id} is not part of order {order.number}."
            continue
        most = min(units.get(item.pk, {}).get("returnable", 0), MAX_RETURN_QUANTITY)
        key = f"quantity_{item.pk}"
        if most == 0:
            errors[key] = (
                f"Nothing of {item.product_name} can be returned: none delivered in the last "
                "return window, or it is already being returned."
            )
        elif (
            isinstance(line.quantity, bool)
            or not isinstance(line.quantity, int)
            or not 1 <= line.quantity <= most
        ):
            errors[key] = f"Return from 1 to {most} of {item.product_name}."
        if line.reason not in ReturnReason.values:
            errors[f"reason_{item.pk}"] = "Choose a reason from the list."
        if len((line.note or "").strip()) > MAX_NOTE:
            errors[f"note_{item.pk}"] = f"At most {MAX_NOTE} characters."
    if errors:
        raise ValidationError(errors)
    request = ReturnRequest.objects.create(
        number=number_next(prefix="RMA", width=6),
        order=order,
        customer=by,
        buyer_organization_id=order.buyer_organization_id,
        distributor_id=order.distributor_id,
        note=note,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            request=request,
            order_item_id=line.order_item_id,
            quantity=line.quantity,
            reason=line.reason,
            note=(line.note or "").strip(),
        )
        for line in lines
    )
    _record(request, from_status="", by=by, note=note)
    return request


def _lock(request: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().get(pk=request.pk)


def _move(request: ReturnRequest, to_status: str) -> bool:
    """False when already there (a retry); raises when the move is not allowed."""
    if request.status == to_status:
        return False
    if to_status not in RETURN_TRANSITIONS[request.status]:
        allowed = ", ".join(RETURN_TRANSITIONS[request.status]) or "nothing (it is final)"
        raise ValidationError(
            {
                "status": f"Return {request.number} is {request.get_status_display().lower()}; "
                f"it can move to {allowed}."
            }
        )
    return True


@transaction.atomic
def return_approve(
    *, return_request: ReturnRequest, by: User | None, note: str = ""
) -> ReturnRequest:
    """The distributor agrees to take the goods back: requested -> approved (once)."""
    request = _lock(return_request)
    note = _note(note)
    if _move(request, ReturnStatus.APPROVED):
        request.status, request.decided_at = ReturnStatus.APPROVED, timezone.now()
        request.decision_note = note or request.decision_note
        request.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
        _record(request, from_status=ReturnStatus.REQUESTED, by=by, note=note)
    return request


@transaction.atomic
def return_reject(*, return_request: ReturnRequest, by: User | None, note: str) -> ReturnRequest:
    """The distributor refuses the return, saying why: requested -> rejected (once).

    The units are free to be asked for again. ValidationError "note" when empty.
    """
    note = _note(note)
    if not note:
        raise ValidationError({"note": "Tell the buyer why the return is refused."})
    request = _lock(return_request)
    if _move(request, ReturnStatus.REJECTED):
        request.status, request.decided_at = ReturnStatus.REJECTED, timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
        _record(request, from_status=ReturnStatus.REQUESTED, by=by, note=note)
    return request


def _shipped_from(lines) -> dict[int, int]:
    """Where each returned product goes back: the warehouse its latest shipment left from (#23).

    One query; a product whose shipments name no warehouse (from before
    warehouses) goes to the distributor's default one (inventory decides).
    """
    shipped = (
        ShipmentLine.objects.filter(
            order_item_id__in=[line.order_item_id for line in lines],
            shipment__warehouse__isnull=False,
        )
        .order_by("shipment__dispatched_at", "pk")
        .values_list("order_item__product_id", "shipment__warehouse_id")
    )
    return dict(shipped)  # the latest shipment wins


@transaction.atomic
def return_receive(
    *,
    return_request: ReturnRequest,
    by: User | None,
    received: Mapping[int, tuple[int, int]],
    note: str = "",
) -> ReturnRequest:
    """The goods came back: approved -> received (once), with each line's units.

    `received` maps a ReturnLine id to (restockable, damaged) units; together
    at most the line's quantity, at least one unit in all (a line left out
    received none). In the same transaction: restockable units go back on the
    shelf (`customer_return`), damaged ones are received and scrapped
    (`damaged_return` + `scrap`), all with reference `rma:<id>`; the demand
    record's `returned` grows by the units received; the credit for them is
    issued (`_credit_for_receipt`); `return_status_changed` is sent.
    ValidationError keyed "restock_<line id>", "damaged_<line id>", "lines".
    """
    request = _lock(return_request)
    note = _note(note)
    if not _move(request, ReturnStatus.RECEIVED):
        return request
    lines = {line.pk: line for line in request.lines.select_related("order_item")}
    unknown = set(received) - set(lines)
    if unknown:
        raise ValidationError({"lines": f"Lines {sorted(unknown)} are not part of this return."})
    errors = {}
    for pk, line in lines.items():
        restock, damaged = received.get(pk, (0, 0))
        for field, value in (("restock", restock), ("damaged", damaged)):
            try:
                _whole(value, f"{field}_{pk}", low=0, high=line.quantity)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if f"restock_{pk}" not in errors and f"damaged_{pk}" not in errors:
            if restock + damaged > line.quantity:
                errors[f"damaged_{pk}"] = (
                    f"{restock} restockable and {damaged} damaged is more than the "
                    f"{line.quantity} announced."
                )
            line.quantity_restocked, line.quantity_damaged = restock, damaged
    if errors:
        raise ValidationError(errors)
    if not any(line.quantity_received for line in lines.values()):
        raise ValidationError({"lines": "Receive at least one unit (restockable or damaged)."})
    ReturnLine.objects.bulk_update(lines.values(), ["quantity_restocked", "quantity_damaged"])
    by_product: dict[int, ReturnedUnits] = {}
    for line in lines.values():
        pid = line.order_item.product_id
        old = by_product.get(pid, ReturnedUnits())
        by_product[pid] = ReturnedUnits(
            old.restock + line.quantity_restocked, old.damaged + line.quantity_damaged
        )
    stock_return_from_customer(
        distributor_id=request.distributor_id,
        lines=by_product,
        reference=request.stock_reference,
        by=by,
        note=f"Return {request.number}",
        warehouses=_shipped_from(lines.values()),
    )
    received: Counter[int] = Counter()
    for line in lines.values():
        received[line.order_item_id] += line.quantity_received
    demand_record_returned(received=received)
    _credit_for_receipt(
        request,
        received={
            line.order_item_id: line.quantity_received
            for line in lines.values()
            if line.quantity_received
        },
        by=by,
    )
    request.status, request.received_at = ReturnStatus.RECEIVED, timezone.now()
    request.save(update_fields=["status", "received_at", "updated_at"])
    _record(request, from_status=ReturnStatus.APPROVED, by=by, note=note)
    return request


@transaction.atomic
def return_close(
    *, return_request: ReturnRequest, by: User | None, note: str = ""
) -> ReturnRequest:
    """Nothing more to do for this return: received -> closed (once)."""
    request = _lock(return_request)
    note = _note(note)
    if _move(request, ReturnStatus.CLOSED):
        request.status, request.closed_at = ReturnStatus.CLOSED, timezone.now()
        request.save(update_fields=["status", "closed_at", "updated_at"])
        _record(request, from_status=ReturnStatus.RECEIVED, by=by, note=note)
    return request
