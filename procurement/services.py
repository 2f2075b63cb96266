"""Writes for procurement: requests, approval, purchase orders, supplier answers, receipts."""

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.gst import state_name
from accounts.models import Organization, User
from auromart.numbering import number_next
from auromart.pdf import render_pdf
from auromart.tax import hsn_summary, is_intra_state, tax_on, tax_totals
from catalog.hsn import default_rate, hsn_rates_on
from catalog.models import Product, SupplierLine
from inventory.models import StockItem

from . import selectors
from .business_days import calendars_for
from .exceptions import RequestNotOpen
from .limits import MAX_TOTAL
from .models import (
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    RequestStatus,
)
from .monitoring import inventory_position, item_evaluate, request_open
from .monitoring import reorder_quantity_compute as reorder_quantity_compute
from .po_lifecycle import (  # noqa: F401  (the public names of the PO's life, here for callers)
    _lock_po,
    _state_error,
    purchase_order_accept_proposal,
    purchase_order_cancel,
    purchase_order_close_short,
    purchase_order_confirm,
    purchase_order_decline_proposal,
    purchase_order_propose,
    purchase_order_receive,
)
from .signals import purchase_order_issued, purchase_order_reminder_due
from .suppliers import supplier_choose, supplier_lines_usable

TOKEN_SALT = "procurement.purchase-order-answer"
CENT = Decimal("0.01")


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
    item = StockItem.objects.select_related("product", "replenishment_policy").filter(
        product=product, distributor=distributor
    ).first() or StockItem(product=product, distributor=distributor)
    choice = supplier_choose(product=product, distributor_id=distributor.pk)
    if choice.line is None:
        raise ValidationError({"product": f"{choice.reason.label}: {choice.detail}"})
    try:
        return request_open(
            item=item,
            line=choice.line,
            position=inventory_position(item),
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
    cost: the request's supplier line's cost, never the selling price) and an
    expected date (the longest stated lead time of its supplier lines, in the
    distributor's business days, unless given), kept as the original date
    on-time is measured against. A PO whose total is above
    PROCUREMENT_APPROVAL_LIMIT waits for a second, different approver; the
    others go to the supplier at once (purchase_order_issued).
    All or nothing: raises RequestNotOpen (naming them) when any request is
    not open, ValidationError when one's supplier line has no cost ("needs a
    supplier cost"), and nothing is written.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff approve requests.")
    requests = _lock_open_requests(request_ids)
    products = Product.objects.in_bulk([r.product_id for r in requests])
    distributors = Organization.objects.in_bulk([r.distributor_id for r in requests])
    supplier_lines = SupplierLine.objects.in_bulk(
        [r.supplier_line_id for r in requests if r.supplier_line_id]
    )
    uncosted = [
        r.number
        for r in requests
        if r.supplier_line_id is None or supplier_lines[r.supplier_line_id].unit_cost is None
    ]
    if uncosted:
        raise ValidationError(
            {
                "request_ids": f"{', '.join(uncosted)} needs a supplier cost: give the supplier "
                "line a unit cost, or switch the request to a supplier that has one."
            }
        )
    groups: dict[tuple[int, int], list[ProcurementRequest]] = defaultdict(list)
    for request in requests:
        groups[(request.supplier_id, request.distributor_id)].append(request)

    now = timezone.now()
    suppliers = Organization.objects.in_bulk({r.supplier_id for r in requests})
    rates = hsn_rates_on((p.hsn_code for p in products.values()), timezone.localdate())
    limit = _approval_limit()
    calendars = calendars_for(distributors)
    orders = []
    for (supplier_id, distributor_id), members in sorted(groups.items()):
        supplier, distributor = suppliers[supplier_id], distributors[distributor_id]
        # The distributor buys for delivery to itself: its state is the place of supply.
        intra = is_intra_state(seller_state=supplier.state, place=distributor.state)
        lines = []
        for request in members:
            product = products[request.product_id]
            # The supplier's cost, never the selling price (docs/architecture.md).
            unit_cost = supplier_lines[request.supplier_line_id].unit_cost
            if unit_cost * request.quantity > MAX_TOTAL:
                raise ValidationError(
                    {"request_ids": f"{request.number}: the line total is too large."}
                )
            line_total = (unit_cost * request.quantity).quantize(CENT, ROUND_HALF_UP)
            rate = rates[product.hsn_code] if product.hsn_code else default_rate()
            taxed = tax_on(taxable=line_total, rate=rate, intra_state=intra)
            lines.append(
                PurchaseOrderLine(
                    request=request,
                    product=product,
                    sku=product.sku,
                    product_name=product.name,
                    quantity=request.quantity,
                    unit_cost=unit_cost,
                    line_total=line_total,
                    hsn_code=product.hsn_code,
                    tax_rate=taxed.rate,
                    cgst=taxed.cgst,
                    sgst=taxed.sgst,
                    igst=taxed.igst,
                )
            )
        totals = tax_totals(lines)
        total = totals.subtotal
        lead_days = max(supplier_lines[r.supplier_line_id].lead_time_days for r in members)
        # The supplier's lead time counts the distributor's business days.
        due = expected_date or calendars[distributor_id].add(timezone.localdate(), lead_days)
        needs_second = limit is not None and total > limit
        po = PurchaseOrder.objects.create(
            number=number_next(prefix="PO", width=5),
            supplier_id=supplier_id,
            distributor_id=distributor_id,
            status=POStatus.AWAITING_APPROVAL if needs_second else POStatus.SENT,
            delivery_address=_delivery_address(distributors[distributor_id]),
            delivery_instructions=delivery_instructions.strip(),
            expected_date=due,
            original_expected_date=due,
            total=total,
            supplier_gstin=supplier.gstin,
            buyer_gstin=distributor.gstin,
            supplier_state=supplier.state,
            place_of_supply=distributor.state,
            cgst=totals.cgst,
            sgst=totals.sgst,
            igst=totals.igst,
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

    The open slot is freed and each item is re-evaluated in the same
    transaction (procurement.monitoring), so an item still low gets a new
    request from today's figures.
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
    # A rejection frees the slot; the item is evaluated again, so an item that is still
    # low gets a fresh request (from the figures of now) in the same transaction.
    for request in sorted(requests, key=lambda r: (r.product_id, r.distributor_id)):
        item_evaluate(
            product_id=request.product_id,
            distributor_id=request.distributor_id,
            reference=f"rejected:{request.number}",
        )
    return requests


@transaction.atomic
def procurement_request_switch_supplier(
    *, request: ProcurementRequest, supplier_line: SupplierLine, by: User
) -> ProcurementRequest:
    """Staff send an open request to another of the product's suppliers before approving it.

    The line must be an active, allowed line of the request's product
    (ValidationError otherwise). The quantity is worked out again from the
    figures the request recorded, with the new line's pack size and minimum
    order, unless it was set by hand. Raises RequestNotOpen unless open.
    """
    if not by.is_procurement_staff:
        raise PermissionDenied("Only procurement staff switch a request's supplier.")
    [request] = _lock_open_requests([request.pk])
    product = Product.objects.get(pk=request.product_id)
    usable = supplier_lines_usable(product=product, distributor_id=request.distributor_id)
    if (
        supplier_line.product_id != request.product_id
        or not usable.filter(pk=supplier_line.pk).exists()
    ):
        raise ValidationError(
            {"supplier_line": "Choose an active supplier line of this product (SUPPLIER_RULE)."}
        )
    if request.trigger == ProcurementRequest.Trigger.AUTO:
        computed = reorder_quantity_compute(
            available=request.available,
            reorder_quantity=request.reorder_quantity,
            order_up_to_level=request.order_up_to_level,
            pack_size=supplier_line.pack_size,
            minimum_order_quantity=supplier_line.minimum_order_quantity,
        )
        request.quantity, request.rule = computed.quantity, computed.rule[:255]
    request.supplier_id = supplier_line.supplier_id
    request.supplier_line = supplier_line
    request.unit_cost = supplier_line.unit_cost
    request.pack_size = supplier_line.pack_size
    request.minimum_order_quantity = supplier_line.minimum_order_quantity
    request.note = (
        request.note + f"\nSupplier switched to {supplier_line.supplier} by {by}."
    ).strip()
    request.save(
        update_fields=[
            "supplier",
            "supplier_line",
            "unit_cost",
            "pack_size",
            "minimum_order_quantity",
            "quantity",
            "rule",
            "note",
            "updated_at",
        ]
    )
    return request


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


def purchase_order_pdf_bytes(po: PurchaseOrder) -> bytes:
    """The PO as PDF bytes (`po` with its lines, as selectors.purchase_order_detail gives it)."""
    lines = list(po.lines.all())
    return render_pdf(
        "procurement/purchase_order_pdf.html",
        {
            "po": po,
            "lines": lines,
            "hsn_rows": hsn_summary(lines),
            "place_of_supply_name": (
                f"{po.place_of_supply} {state_name(po.place_of_supply)}"
                if po.place_of_supply
                else ""
            ),
            "intra_state": not po.igst,
            "site_name": settings.SITE_NAME,
        },
        stylesheets=("auromart/pdf/document.css",),
    )


def purchase_order_pdf_render(*, purchase_order_id: int) -> str:
    """Render the PO's PDF into media storage (again, if it is there) and return its path.

    Runs after commit (in the worker when the e-mail goes out, or on demand
    when a download finds the file missing), never inside a transaction that
    holds locks.
    """
    po = selectors.purchase_order_detail(pk=purchase_order_id)
    if po is None:
        raise PurchaseOrder.DoesNotExist(purchase_order_id)
    pdf = purchase_order_pdf_bytes(po)
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
