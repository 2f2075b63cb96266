"""Writes for procurement: requests, approval, purchase orders, supplier answers, receipts."""

import datetime
import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization, User
from auromart.numbering import number_next
from auromart.pdf import render_pdf
from catalog.models import Product
from inventory import services as inventory_services
from inventory.models import StockItem

from . import selectors
from .exceptions import PurchaseOrderStateError, RequestNotOpen
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
from .signals import (
    goods_received,
    procurement_requested,
    purchase_order_answered,
    purchase_order_issued,
    purchase_order_reminder_due,
)

TOKEN_SALT = "procurement.purchase-order-answer"
CENT = Decimal("0.01")


class ReorderQuantity(NamedTuple):
    quantity: int
    rule: str


def reorder_quantity_compute(
    *,
    available: int,
    reorder_quantity: int,
    order_up_to_level: int | None,
    pack_size: int,
    minimum_order_quantity: int,
) -> ReorderQuantity:
    """How many units to ask for, and the rule in words so staff see why.

    max(reorder quantity, order-up-to level - available), rounded up to whole
    packs, and at least the minimum order quantity (itself in whole packs).
    """
    pack_size = max(pack_size, 1)
    steps = [f"reorder quantity {reorder_quantity}"]
    need = reorder_quantity
    if order_up_to_level is not None:
        top_up = order_up_to_level - available
        steps.append(f"up to {order_up_to_level} - available {available} = {top_up}")
        need = max(need, top_up)
    rule = f"max({'; '.join(steps)}) = {need}" if len(steps) > 1 else f"{steps[0]}"
    quantity = math.ceil(need / pack_size) * pack_size
    if pack_size > 1:
        rule += f"; {quantity // pack_size} packs of {pack_size} = {quantity}"
    if quantity < minimum_order_quantity:
        quantity = math.ceil(minimum_order_quantity / pack_size) * pack_size
        rule += f"; raised to the minimum order of {minimum_order_quantity}"
        if quantity != minimum_order_quantity:
            rule += f" in whole packs = {quantity}"
    return ReorderQuantity(max(quantity, 1), rule)


def _request_create(
    *,
    product: Product,
    distributor: Organization,
    on_hand: int,
    allocated: int,
    held: int,
    incoming: int,
    reorder_level: int,
    reorder_quantity: int,
    quantity: int | None,
    trigger: str,
    reference: str,
    note: str = "",
    by: User | None = None,
) -> ProcurementRequest:
    available = on_hand - allocated - held + incoming
    computed = reorder_quantity_compute(
        available=available,
        reorder_quantity=reorder_quantity,
        order_up_to_level=product.order_up_to_level,
        pack_size=product.pack_size,
        minimum_order_quantity=product.minimum_order_quantity,
    )
    rule = computed.rule
    if quantity is None:
        quantity = computed.quantity
    else:
        rule = f"set by hand to {quantity} (the rule gives {computed.quantity}: {computed.rule})"
    # A savepoint: losing the race for the open slot must leave the caller's
    # transaction (an order) usable.
    with transaction.atomic():
        request = ProcurementRequest.objects.create(
            number=number_next(prefix="PR", width=5),
            product=product,
            distributor=distributor,
            supplier_id=product.supplier_id,
            quantity=quantity,
            status=RequestStatus.OPEN,
            trigger=trigger,
            reference=reference,
            note=note,
            on_hand=on_hand,
            allocated=allocated,
            held=held,
            incoming=incoming,
            available=available,
            reorder_level=reorder_level,
            reorder_quantity=reorder_quantity,
            order_up_to_level=product.order_up_to_level,
            pack_size=product.pack_size,
            minimum_order_quantity=product.minimum_order_quantity,
            rule=rule[:255],
            created_by=by,
        )
    procurement_requested.send(
        sender=ProcurementRequest,
        request_id=request.pk,
        product_id=product.pk,
        distributor_id=distributor.pk,
        supplier_id=product.supplier_id,
        trigger=trigger,
    )
    return request


def reorder_check(
    *,
    product_id: int,
    distributor_id: int,
    on_hand: int,
    allocated: int,
    held: int,
    reorder_level: int,
    reference: str = "",
) -> ProcurementRequest | None:
    """Open a procurement request for an item at or below its reorder level, unless one is open.

    Runs inside the transaction that took the stock (an order), so the
    request commits or rolls back with it. available = on_hand - allocated -
    held + incoming (units on approved purchase orders not received yet); nothing
    is opened while that is above the reorder level. The database keeps one
    open request per (product, distributor): a concurrent transaction that
    opened it first makes this one return None. One query when a request is
    already open. Returns the new request, or None.
    """
    if ProcurementRequest.objects.filter(
        product_id=product_id, distributor_id=distributor_id, open_slot=True
    ).exists():
        return None
    incoming = selectors.incoming_quantity(product_id=product_id, distributor_id=distributor_id)
    if on_hand - allocated - held + incoming > reorder_level:
        return None
    item = (
        StockItem.objects.select_related("product", "distributor")
        .filter(product_id=product_id, distributor_id=distributor_id)
        .first()
    )
    if item is None:
        return None
    try:
        return _request_create(
            product=item.product,
            distributor=item.distributor,
            on_hand=on_hand,
            allocated=allocated,
            held=held,
            incoming=incoming,
            reorder_level=reorder_level,
            reorder_quantity=item.reorder_quantity,
            quantity=None,
            trigger=ProcurementRequest.Trigger.AUTO,
            reference=reference,
        )
    except IntegrityError:
        # Another transaction opened the request first (the UNIQUE open slot).
        return None


@transaction.atomic
def procurement_request_create(
    *,
    product: Product,
    distributor: Organization,
    by: User,
    quantity: int | None = None,
    note: str = "",
) -> ProcurementRequest:
    """Staff open a request by hand; without `quantity` the reorder rule sets it.

    Records the item's current figures like an automatic request does and
    sends the same e-mails. Raises ValidationError keyed by field when the
    organization is not a distributor, the quantity is below 1, or a request
    for this product and distributor is already open.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if quantity is not None and quantity < 1:
        raise ValidationError({"quantity": "Ask for at least 1 unit."})
    already = ProcurementRequest.objects.filter(
        product=product, distributor=distributor, open_slot=True
    ).first()
    if already is not None:
        raise ValidationError(
            {"product": f"Request {already.number} is already open for {product} at {distributor}."}
        )
    item = StockItem.objects.filter(product=product, distributor=distributor).first()
    try:
        return _request_create(
            product=product,
            distributor=distributor,
            on_hand=item.on_hand if item else 0,
            allocated=item.allocated if item else 0,
            held=item.held if item else 0,
            incoming=selectors.incoming_quantity(
                product_id=product.pk, distributor_id=distributor.pk
            ),
            reorder_level=item.reorder_level if item else product.reorder_level,
            reorder_quantity=item.reorder_quantity if item else product.reorder_quantity,
            quantity=quantity,
            trigger=ProcurementRequest.Trigger.MANUAL,
            reference=f"user:{by.pk}",
            note=note.strip(),
            by=by,
        )
    except IntegrityError as exc:
        raise ValidationError(
            {"product": f"A request is already open for {product} at {distributor}."}
        ) from exc


def _lock_open_requests(request_ids: Iterable[int]) -> list[ProcurementRequest]:
    ids = sorted(set(request_ids))
    requests = list(
        ProcurementRequest.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )
    if len(requests) != len(ids):
        missing = sorted(set(ids) - {r.pk for r in requests})
        raise ProcurementRequest.DoesNotExist(f"No procurement request with id {missing}.")
    not_open = [r for r in requests if r.status != RequestStatus.OPEN]
    if not_open:
        raise RequestNotOpen(
            "; ".join(f"{r.number} is already {r.get_status_display().lower()}" for r in not_open)
            + ". Only open requests can be approved or rejected."
        )
    return requests


def _delivery_address(distributor: Organization) -> str:
    parts = [distributor.name, distributor.address]
    parts.append(" ".join(p for p in [distributor.city, distributor.region] if p))
    parts.append(distributor.country)
    return "\n".join(p for p in parts if p)


def _approval_limit() -> Decimal | None:
    limit = getattr(settings, "PROCUREMENT_APPROVAL_LIMIT", None)
    return Decimal(str(limit)) if limit not in (None, "") else None


def _issue(po: PurchaseOrder) -> None:
    po.status = POStatus.SENT
    po.sent_at = timezone.now()
    po.save(update_fields=["status", "sent_at", "updated_at"])
    purchase_order_issued.send(
        sender=PurchaseOrder,
        purchase_order_id=po.pk,
        supplier_id=po.supplier_id,
        distributor_id=po.distributor_id,
    )


@transaction.atomic
def procurement_requests_approve(
    *,
    request_ids: Sequence[int],
    by: User,
    delivery_instructions: str = "",
    expected_date: datetime.date | None = None,
) -> list[PurchaseOrder]:
    """Approve open requests and turn them into purchase orders, one per supplier and distributor.

    Each PO gets a gap-free number PO-YYYY-NNNNN, a line per request (unit
    cost: the product's cost price, else its price) and an expected date
    (the longest lead time of its products, unless given). A PO whose total
    is above PROCUREMENT_APPROVAL_LIMIT waits for a second, different
    approver; the others go to the supplier at once (purchase_order_issued).
    All or nothing: raises RequestNotOpen (naming them) when any request is
    not open, and nothing is written.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff approve requests.")
    requests = _lock_open_requests(request_ids)
    products = Product.objects.in_bulk([r.product_id for r in requests])
    distributors = Organization.objects.in_bulk([r.distributor_id for r in requests])
    groups: dict[tuple[int, int], list[ProcurementRequest]] = defaultdict(list)
    for request in requests:
        groups[(request.supplier_id, request.distributor_id)].append(request)

    now = timezone.now()
    limit = _approval_limit()
    orders = []
    for (supplier_id, distributor_id), members in sorted(groups.items()):
        lines = []
        for request in members:
            product = products[request.product_id]
            unit_cost = product.purchase_cost
            lines.append(
                PurchaseOrderLine(
                    request=request,
                    product=product,
                    sku=product.sku,
                    product_name=product.name,
                    quantity=request.quantity,
                    unit_cost=unit_cost,
                    line_total=(unit_cost * request.quantity).quantize(CENT, ROUND_HALF_UP),
                )
            )
        total = sum((line.line_total for line in lines), Decimal("0"))
        lead_days = max(products[r.product_id].lead_time_days for r in members)
        needs_second = limit is not None and total > limit
        po = PurchaseOrder.objects.create(
            number=number_next(prefix="PO", width=5),
            supplier_id=supplier_id,
            distributor_id=distributor_id,
            status=POStatus.AWAITING_APPROVAL if needs_second else POStatus.SENT,
            delivery_address=_delivery_address(distributors[distributor_id]),
            delivery_instructions=delivery_instructions.strip(),
            expected_date=expected_date or timezone.localdate() + datetime.timedelta(lead_days),
            total=total,
            approved_by=by,
            approved_at=now,
            confirm_nonce=secrets.token_hex(16),
        )
        for line in lines:
            line.purchase_order = po
        PurchaseOrderLine.objects.bulk_create(lines)
        if not needs_second:
            _issue(po)
        orders.append(po)
    ProcurementRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        status=RequestStatus.APPROVED, open_slot=None, decided_by=by, decided_at=now, updated_at=now
    )
    return orders


def procurement_request_approve(*, request: ProcurementRequest, by: User) -> PurchaseOrder:
    """Approve one request: its purchase order (see procurement_requests_approve)."""
    return procurement_requests_approve(request_ids=[request.pk], by=by)[0]


@transaction.atomic
def procurement_requests_reject(
    *, request_ids: Sequence[int], by: User, reason: str
) -> list[ProcurementRequest]:
    """Reject open requests with a reason; all or nothing (RequestNotOpen names the others).

    The open slot is freed: the next low stock of the item opens a new request.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff reject requests.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the request is rejected."})
    requests = _lock_open_requests(request_ids)
    now = timezone.now()
    ProcurementRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        status=RequestStatus.REJECTED,
        open_slot=None,
        decided_by=by,
        decided_at=now,
        rejection_reason=reason,
        updated_at=now,
    )
    for request in requests:
        request.status, request.open_slot = RequestStatus.REJECTED, None
        request.decided_by, request.decided_at, request.rejection_reason = by, now, reason
    return requests


def _lock_po(po: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=po.pk)


def _state_error(po: PurchaseOrder, action: str) -> PurchaseOrderStateError:
    return PurchaseOrderStateError(
        f"Purchase order {po.number} is {po.get_status_display().lower()}; it cannot be {action}."
    )


@transaction.atomic
def purchase_order_second_approve(*, purchase_order: PurchaseOrder, by: User) -> PurchaseOrder:
    """Give a PO above PROCUREMENT_APPROVAL_LIMIT its second approval and send it.

    The second approver must be procurement staff and not the first approver
    (PermissionDenied). Raises PurchaseOrderStateError unless the PO awaits it.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff approve purchase orders.")
    po = _lock_po(purchase_order)
    if po.status != POStatus.AWAITING_APPROVAL:
        raise _state_error(po, "given a second approval")
    if po.approved_by_id == by.pk:
        raise PermissionDenied(
            f"You gave {po.number} its first approval; a different approver must give the second."
        )
    po.second_approved_by = by
    po.second_approved_at = timezone.now()
    po.save(update_fields=["second_approved_by", "second_approved_at", "updated_at"])
    _issue(po)
    return po


# --- The supplier's answer ---------------------------------------------------


def purchase_order_token(purchase_order: PurchaseOrder) -> str:
    """The signed token of the supplier's link; valid PROCUREMENT_CONFIRM_LINK_DAYS."""
    return signing.dumps([purchase_order.pk, purchase_order.confirm_nonce], salt=TOKEN_SALT)


def purchase_order_token_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=settings.PROCUREMENT_CONFIRM_LINK_DAYS)


def purchase_order_from_token(token: str) -> PurchaseOrder | None:
    """The PO a link's token names; None when it is tampered with, expired or revoked."""
    try:
        pk, nonce = signing.loads(
            token,
            salt=TOKEN_SALT,
            max_age=datetime.timedelta(days=settings.PROCUREMENT_CONFIRM_LINK_DAYS),
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    po = selectors.purchase_order_detail(pk=pk)
    if po is None or not secrets.compare_digest(po.confirm_nonce, str(nonce)):
        return None
    return po


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
    for line in po.lines.all():
        if line.proposed_quantity is not None:
            line.quantity = line.proposed_quantity
            line.line_total = (line.unit_cost * line.quantity).quantize(CENT, ROUND_HALF_UP)
            line.save(update_fields=["quantity", "line_total"])
        total += line.line_total
    if po.proposed_date is not None:
        po.expected_date = po.proposed_date
    po.total = total
    po.status = POStatus.CONFIRMED
    po.save(update_fields=["expected_date", "total", "status", "updated_at"])
    return po


@transaction.atomic
def purchase_order_cancel(*, purchase_order: PurchaseOrder, by: User, reason: str) -> PurchaseOrder:
    """Call off a PO before anything is received; its requests are cancelled with it.

    The units stop counting as incoming, so the next low stock of each item
    opens a new request. Raises PurchaseOrderStateError once goods arrived.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff cancel purchase orders.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the purchase order is cancelled."})
    po = _lock_po(purchase_order)
    if po.status in (POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED, POStatus.CANCELLED):
        raise _state_error(po, "cancelled")
    now = timezone.now()
    po.status, po.cancelled_at, po.cancel_reason = POStatus.CANCELLED, now, reason
    po.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    ProcurementRequest.objects.filter(po_line__purchase_order=po).update(
        status=RequestStatus.CANCELLED, open_slot=None, updated_at=now
    )
    return po


# --- Goods receipt -------------------------------------------------------------


@transaction.atomic
def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    lines: Sequence[tuple[int, int]],
    by: User,
    note: str = "",
) -> GoodsReceipt:
    """Book a delivery (partial or the rest) against a PO: one `receipt` movement per line.

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
        inventory_services.stock_receive(
            product=line.product,
            distributor=distributor,
            quantity=quantity,
            reference=f"po:{po.pk}",
            by=by,
            note=f"{po.number}, receipt {receipt.pk}",
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
    po.status = POStatus.RECEIVED if fully else POStatus.PARTIALLY_RECEIVED
    po.received_at = now if fully else None
    po.save(update_fields=["status", "received_at", "updated_at"])
    goods_received.send(
        sender=PurchaseOrder, purchase_order_id=po.pk, receipt_id=receipt.pk, fully_received=fully
    )
    return receipt


# --- Reminders and the PDF -----------------------------------------------------


def purchase_order_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind suppliers once about POs sent PROCUREMENT_CONFIRM_REMINDER_HOURS ago and not answered.

    Each PO is claimed with a conditional UPDATE, so two runs at once remind
    once. Returns how many reminders were queued.
    """
    now = now or timezone.now()
    due_before = now - datetime.timedelta(hours=settings.PROCUREMENT_CONFIRM_REMINDER_HOURS)
    sent = 0
    for po in selectors.purchase_orders_due_reminder(sent_before=due_before):
        with transaction.atomic():
            claimed = PurchaseOrder.objects.filter(
                pk=po.pk, status=POStatus.SENT, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                purchase_order_reminder_due.send(
                    sender=PurchaseOrder, purchase_order_id=po.pk, supplier_id=po.supplier_id
                )
                sent += 1
    return sent


def purchase_order_pdf_path(purchase_order: PurchaseOrder) -> str:
    return f"purchase_orders/{purchase_order.created_at:%Y}/{purchase_order.number}.pdf"


def purchase_order_pdf_render(*, purchase_order_id: int) -> str:
    """Render the PO's PDF into media storage (again, if it is there) and return its path.

    Runs after commit (in the worker when the e-mail goes out, or on demand
    when a download finds the file missing), never inside a transaction that
    holds locks.
    """
    po = selectors.purchase_order_detail(pk=purchase_order_id)
    if po is None:
        raise PurchaseOrder.DoesNotExist(purchase_order_id)
    pdf = render_pdf(
        "procurement/purchase_order_pdf.html",
        {"po": po, "lines": list(po.lines.all()), "site_name": settings.SITE_NAME},
        stylesheets=("auromart/pdf/document.css",),
    )
    path = purchase_order_pdf_path(po)
    if default_storage.exists(path):
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(pdf))
    PurchaseOrder.objects.filter(pk=po.pk).update(pdf=saved)
    return saved


def purchase_order_pdf_ensure(*, purchase_order: PurchaseOrder) -> str:
    """The PO's PDF path, rendering it first when the file is missing."""
    if purchase_order.pdf and default_storage.exists(purchase_order.pdf):
        return purchase_order.pdf
    return purchase_order_pdf_render(purchase_order_id=purchase_order.pk)
