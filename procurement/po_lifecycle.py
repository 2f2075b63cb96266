"""The life of a purchase order once issued: the supplier's answer, staff's decision on a
proposal, cancelling, receiving and closing short.

Every step that changes what is incoming re-evaluates the items it touched in
the same transaction (procurement.monitoring), and every step the supplier
must hear about sends a signal that notifications turns into an e-mail.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization, User
from inventory import services as inventory_services
from inventory import warehouses as inventory_warehouses
from inventory.models import Warehouse

from .exceptions import PurchaseOrderStateError
from .models import (
    RECEIVABLE_PO_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    RequestStatus,
)
from .monitoring import item_evaluate
from .signals import (
    goods_received,
    purchase_order_answered,
    purchase_order_cancelled,
    purchase_order_closed_short,
    purchase_order_proposal_decided,
)

CENT = Decimal("0.01")


def _reevaluate(po: PurchaseOrder, product_ids: Iterable[int], reference: str) -> None:
    for product_id in sorted(set(product_ids)):
        item_evaluate(product_id=product_id, distributor_id=po.distributor_id, reference=reference)


def _lock_po(po: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=po.pk)


def _state_error(po: PurchaseOrder, action: str) -> PurchaseOrderStateError:
    return PurchaseOrderStateError(
        f"Purchase order {po.number} is {po.get_status_display().lower()}; it cannot be {action}."
    )


def _answer(po: PurchaseOrder, *, answer: str, responded_by: str) -> None:
    purchase_order_answered.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, answer=answer, responded_by=responded_by
    )


@transaction.atomic
def purchase_order_confirm(*, purchase_order: PurchaseOrder, responded_by: str) -> PurchaseOrder:
    """The supplier confirms the PO as it stands; records who and when.

    Only once: a PO that is no longer waiting for the supplier's answer raises
    PurchaseOrderStateError, so a link clicked twice confirms once.
    """
    po = _lock_po(purchase_order)
    if po.status != POStatus.SENT:
        raise _state_error(po, "confirmed")
    po.status = POStatus.CONFIRMED
    po.responded_at = timezone.now()
    po.responded_by = responded_by.strip()[:200]
    po.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
    _answer(po, answer="confirmed", responded_by=po.responded_by)
    return po


@transaction.atomic
def purchase_order_propose(
    *,
    purchase_order: PurchaseOrder,
    responded_by: str,
    proposed_date: datetime.date | None = None,
    quantities: dict[int, int] | None = None,
    note: str = "",
) -> PurchaseOrder:
    """The supplier proposes another delivery date and/or line quantities instead of confirming.

    `quantities` maps PO line ids to the quantity the supplier can deliver
    (at least 1). Staff then accept the proposal (purchase_order_accept_proposal)
    or cancel the PO. Raises ValidationError keyed by field when nothing
    differs from the order or a value is invalid; PurchaseOrderStateError
    when the PO is no longer waiting for an answer.
    """
    po = _lock_po(purchase_order)
    if po.status != POStatus.SENT:
        raise _state_error(po, "answered")
    lines = {line.pk: line for line in po.lines.all()}
    errors = {}
    changed = {}
    for line_id, quantity in (quantities or {}).items():
        line = lines.get(line_id)
        if line is None:
            errors[f"line_{line_id}"] = "This line is not on the purchase order."
        elif quantity is None:
            continue
        elif quantity < 1:
            errors[f"line_{line_id}"] = "Propose at least 1 unit, or ask us to cancel the order."
        elif quantity != line.quantity:
            changed[line_id] = quantity
    if proposed_date is not None and proposed_date < timezone.localdate():
        errors["proposed_date"] = "Propose a date from today on."
    if proposed_date == po.expected_date:
        proposed_date = None
    if not errors and not changed and proposed_date is None:
        errors["proposed_date"] = (
            "Propose another date or quantity, or confirm the order as it stands."
        )
    if errors:
        raise ValidationError(errors)
    for line_id, quantity in changed.items():
        PurchaseOrderLine.objects.filter(pk=line_id).update(proposed_quantity=quantity)
    po.status = POStatus.PROPOSED
    po.proposed_date = proposed_date
    po.supplier_note = note.strip()
    po.responded_at = timezone.now()
    po.responded_by = responded_by.strip()[:200]
    po.save(
        update_fields=[
            "status",
            "proposed_date",
            "supplier_note",
            "responded_at",
            "responded_by",
            "updated_at",
        ]
    )
    _answer(po, answer="proposed", responded_by=po.responded_by)
    return po


@transaction.atomic
def purchase_order_accept_proposal(*, purchase_order: PurchaseOrder, by: User) -> PurchaseOrder:
    """Staff take the supplier's proposal: its date and quantities become the order's; confirmed."""
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff accept a supplier's proposal.")
    po = _lock_po(purchase_order)
    if po.status != POStatus.PROPOSED:
        raise _state_error(po, "accepted as proposed")
    total = Decimal("0")
    smaller = []
    for line in po.lines.all():
        if line.proposed_quantity is not None:
            if line.proposed_quantity < line.quantity:
                smaller.append(line.product_id)
            line.quantity = line.proposed_quantity
            line.line_total = (line.unit_cost * line.quantity).quantize(CENT, ROUND_HALF_UP)
            line.save(update_fields=["quantity", "line_total"])
        total += line.line_total
    if po.proposed_date is not None:
        po.expected_date = po.proposed_date
    po.total = total
    po.status = POStatus.CONFIRMED
    po.save(update_fields=["expected_date", "total", "status", "updated_at"])
    purchase_order_proposal_decided.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, decision="accepted", note=""
    )
    # Less is coming than was asked for: the shortfall is demand again.
    _reevaluate(po, smaller, f"po:{po.pk}:accepted")
    return po


@transaction.atomic
def purchase_order_decline_proposal(
    *, purchase_order: PurchaseOrder, by: User, note: str = ""
) -> PurchaseOrder:
    """Staff decline the supplier's proposal: the PO stands as sent and waits for an answer again.

    The proposed quantities and date are cleared; the supplier is told (and
    may confirm the order as it stands, propose again, or ask us to cancel).
    Raises PurchaseOrderStateError unless a proposal is waiting.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff decline a supplier's proposal.")
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": "Keep the note under 2,000 characters."})
    po = _lock_po(purchase_order)
    if po.status != POStatus.PROPOSED:
        raise _state_error(po, "declined")
    PurchaseOrderLine.objects.filter(purchase_order=po).update(proposed_quantity=None)
    po.status, po.proposed_date = POStatus.SENT, None
    po.save(update_fields=["status", "proposed_date", "updated_at"])
    purchase_order_proposal_decided.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, decision="declined", note=note
    )
    return po


@transaction.atomic
def purchase_order_cancel(*, purchase_order: PurchaseOrder, by: User, reason: str) -> PurchaseOrder:
    """Call off a PO before anything is received; its requests are cancelled with it.

    The units stop counting as incoming and each item is re-evaluated at once
    (a new request when it is still low); the supplier is told
    (purchase_order_cancelled) and the PO's link answers "cancelled".
    Raises PurchaseOrderStateError once goods arrived.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff cancel purchase orders.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the purchase order is cancelled."})
    po = _lock_po(purchase_order)
    if po.status in (
        POStatus.PARTIALLY_RECEIVED,
        POStatus.RECEIVED,
        POStatus.CLOSED_SHORT,
        POStatus.CANCELLED,
    ):
        raise _state_error(po, "cancelled")
    now = timezone.now()
    po.status, po.cancelled_at, po.cancel_reason = POStatus.CANCELLED, now, reason
    po.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    ProcurementRequest.objects.filter(po_line__purchase_order=po).update(
        status=RequestStatus.CANCELLED, open_slot=None, updated_at=now
    )
    was_sent = po.sent_at is not None
    purchase_order_cancelled.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, supplier_was_told=was_sent
    )
    _reevaluate(po, po.lines.values_list("product_id", flat=True), f"po:{po.pk}:cancelled")
    return po


@transaction.atomic
def purchase_order_close_short(
    *, purchase_order: PurchaseOrder, by: User, reason: str
) -> PurchaseOrder:
    """Close a partially received PO: what did not come will not come.

    Each line's outstanding units are recorded as `quantity_short` and stop
    counting as incoming; its request is closed (fulfilled as far as it
    went); the supplier is told (purchase_order_closed_short) and each item
    is re-evaluated in the same transaction, so demand that is still there
    opens a new request. Raises PurchaseOrderStateError unless the PO is
    partially received (cancel one that received nothing).
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff close purchase orders.")
    return _close_short(purchase_order, reason, statuses=(POStatus.PARTIALLY_RECEIVED,))


def _close_short(
    purchase_order: PurchaseOrder, reason: str, *, statuses: Sequence[str]
) -> PurchaseOrder:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the purchase order is closed short."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2,000 characters."})
    po = _lock_po(purchase_order)
    if po.status not in statuses:
        raise _state_error(po, "closed short")
    now = timezone.now()
    lines = list(po.lines.all())
    for line in lines:
        if line.outstanding:
            line.quantity_short = line.outstanding + line.quantity_short
            PurchaseOrderLine.objects.filter(pk=line.pk).update(quantity_short=line.quantity_short)
    ProcurementRequest.objects.filter(
        po_line__purchase_order=po, status=RequestStatus.APPROVED
    ).update(status=RequestStatus.FULFILLED, fulfilled_at=now, updated_at=now)
    po.status, po.closed_at, po.close_reason = POStatus.CLOSED_SHORT, now, reason
    po.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    purchase_order_closed_short.send(
        sender=PurchaseOrder,
        purchase_order_id=po.pk,
        short_units=sum(line.quantity_short for line in lines),
    )
    _reevaluate(po, [line.product_id for line in lines], f"po:{po.pk}:closed_short")
    return po


# --- Goods receipt -------------------------------------------------------------


@transaction.atomic
def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    lines: Sequence[tuple[int, int]],
    by: User,
    note: str = "",
    warehouse: Warehouse | int | None = None,
) -> GoodsReceipt:
    """Book a delivery (partial or the rest) against a PO: one `receipt` movement per line.

    `warehouse` is the buyer distributor's warehouse the goods arrived at (None: its
    default, the active one of highest priority); another distributor's or an inactive
    one is a ValidationError keyed "warehouse". The movements name it.
    `lines` are (product_id, quantity) pairs. A line fully received fulfils
    its request; the PO becomes partially_received, then received. All or
    nothing. Raises ValidationError keyed "lines.<i>.product_id" /
    "lines.<i>.quantity" for a product not on the PO, a repeated product, a
    quantity below 1 or above what is outstanding (no over-receipt);
    PurchaseOrderStateError when the PO cannot take goods (not sent yet,
    awaiting an answer to a proposal, received, cancelled).
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff book goods receipts.")
    if purchase_order.supplier.kind == Organization.Kind.DISTRIBUTOR:
        # Its goods come as a transfer (#23 §3): booking them here would create stock
        # from nothing while the supplier's stays where it was.
        raise PurchaseOrderStateError(
            f"Purchase order {purchase_order.number} is supplied by a distributor: its goods "
            "arrive as a transfer, and receiving the transfer books this receipt."
        )
    arrived_at = receipt_warehouse(purchase_order=purchase_order, warehouse=warehouse)
    return _receive(purchase_order, lines, by=by, note=note, book_stock=True, warehouse=arrived_at)


def receipt_warehouse(*, purchase_order: PurchaseOrder, warehouse: Warehouse | int | None):
    """The buyer's warehouse a receipt books into: `warehouse` checked to be one of the PO's
    distributor's active warehouses, or its default (ValidationError keyed "warehouse")."""
    chosen = inventory_warehouses.warehouse_of_distributor(
        distributor_id=purchase_order.distributor_id, warehouse=warehouse
    )
    if not chosen.is_active:
        raise ValidationError({"warehouse": f"{chosen.name} is closed; choose an open warehouse."})
    return chosen


def _receive(
    purchase_order: PurchaseOrder,
    lines: Sequence[tuple[int, int]],
    *,
    by: User,
    note: str,
    book_stock: bool,
    warehouse: Warehouse | None = None,
) -> GoodsReceipt:
    po = _lock_po(purchase_order)
    if po.status not in RECEIVABLE_PO_STATUSES:
        raise _state_error(po, "received against")
    po_lines = {line.product_id: line for line in po.lines.select_related("product")}
    errors = {}
    seen = set()
    wanted = []
    for i, (product_id, quantity) in enumerate(lines):
        line = po_lines.get(product_id)
        if line is None:
            errors[f"lines.{i}.product_id"] = (
                f"Product {product_id} is not on purchase order {po.number}."
            )
        elif product_id in seen:
            errors[f"lines.{i}.product_id"] = "This product is listed twice; give one quantity."
        elif isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors[f"lines.{i}.quantity"] = "Receive a whole number of at least 1 unit."
        elif quantity > line.outstanding:
            errors[f"lines.{i}.quantity"] = (
                f"Only {line.outstanding} of {line.sku} are outstanding on {po.number} "
                f"({line.quantity_received} of {line.quantity} received); {quantity} would be "
                "more than was ordered."
            )
        else:
            wanted.append((line, quantity))
        seen.add(product_id)
    if not lines:
        errors["lines"] = "Give at least one line received."
    if errors:
        raise ValidationError(errors)

    distributor = Organization.objects.get(pk=po.distributor_id)
    receipt = GoodsReceipt.objects.create(purchase_order=po, received_by=by, note=note.strip())
    GoodsReceiptLine.objects.bulk_create(
        [GoodsReceiptLine(receipt=receipt, po_line=line, quantity=qty) for line, qty in wanted]
    )
    now = timezone.now()
    for line, quantity in sorted(wanted, key=lambda pair: pair[0].product_id):
        if book_stock:
            inventory_services.stock_receive(
                product=line.product,
                distributor=distributor,
                quantity=quantity,
                reference=f"po:{po.pk}",
                by=by,
                note=f"{po.number}, receipt {receipt.pk}",
                warehouse=warehouse,
            )
        PurchaseOrderLine.objects.filter(pk=line.pk).update(
            quantity_received=F("quantity_received") + quantity
        )
        line.quantity_received += quantity
        if line.outstanding == 0:
            ProcurementRequest.objects.filter(pk=line.request_id).update(
                status=RequestStatus.FULFILLED, fulfilled_at=now, updated_at=now
            )
    fully = all(line.outstanding == 0 for line in po_lines.values())
    if po.status == POStatus.SENT:
        # Nobody confirmed it: the supplier's page says "received unconfirmed", not "confirmed".
        po.received_unconfirmed = True
    po.status = POStatus.RECEIVED if fully else POStatus.PARTIALLY_RECEIVED
    po.received_at = now if fully else None
    po.save(update_fields=["status", "received_at", "received_unconfirmed", "updated_at"])
    goods_received.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, receipt_id=receipt.pk, fully_received=fully
    )
    # The receipt raised on hand and lowered incoming by the same units: the position
    # stands, but the item is evaluated from its final figures all the same.
    _reevaluate(po, [line.product_id for line, _qty in wanted], f"po:{po.pk}:receipt")
    return receipt


# --- A distributor supplier's PO, fulfilled by a transfer (#23 §3) --------------


@transaction.atomic
def purchase_order_receive_by_transfer(
    *, purchase_order: PurchaseOrder, lines: Sequence[tuple[int, int]], by: User, note: str
) -> GoodsReceipt:
    """Book the goods receipt of a PO whose goods arrived as a transfer (transfers app).

    The transfer wrote the buyer's `transfer_in` movements; this records the
    receipt and its lines, the lines' received units (so `incoming` drops by
    what arrived: the PO line is counted once, all along), fulfils the
    requests and re-evaluates the items, as purchase_order_receive does.
    Whoever may receive the transfer may call it (the transfers app checks).
    """
    return _receive(purchase_order, lines, by=by, note=note, book_stock=False)


@transaction.atomic
def purchase_order_close_short_by_transfer(
    *, purchase_order: PurchaseOrder, reason: str
) -> PurchaseOrder:
    """Close a PO short because its transfer's shortfall was written off as a transit loss."""
    return _close_short(purchase_order, reason, statuses=RECEIVABLE_PO_STATUSES)
