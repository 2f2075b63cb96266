"""Writes for transfer orders: the state machine and its stock (docs/architecture.md,
"Transfers (#23)").

    draft (made by the source) / requested (asked by the destination, or a PO's)
      -> confirmed: the lines allocated at the source (stock_allocate_for_order)
      -> shipped: `transfer_out` at the source; the units are in transit
      -> received: `transfer_in` at the destination, everything arrived
         received_short: part arrived, the rest stays in transit with a reason
           -> received (the rest came after all) or closed (written off)
    draft / requested / confirmed -> cancelled (a confirmed one releases its allocation)

Every step locks the transfer row first, so a double click moves it once.
Who acts: the source's members confirm and ship, the destination's receive
and write off, either side cancels before shipping; staff may do all.
"""

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from auromart.numbering import number_next
from auromart.tax import ZERO, is_intra_state, money, tax_on
from catalog.models import Product
from inventory import warehouses as wh
from inventory.models import Warehouse
from inventory.transfers_stock import (
    stock_transfer_allocate,
    stock_transfer_in,
    stock_transfer_out,
    stock_transfer_release,
)

from .exceptions import TransferStateError
from .models import (
    MAX_LINE_QUANTITY,
    MAX_LINES,
    TransferLine,
    TransferOrder,
    TransferStatus,
)
from .signals import transfer_received, transfer_requested, transfer_shipped


def _reference(transfer: TransferOrder) -> str:
    return f"transfer:{transfer.pk}"


def _lock(transfer: TransferOrder) -> TransferOrder:
    return TransferOrder.objects.select_for_update().get(pk=transfer.pk)


def _state_error(transfer: TransferOrder, action: str) -> TransferStateError:
    return TransferStateError(
        f"Transfer {transfer.number} is {transfer.get_status_display().lower()}; "
        f"it cannot be {action}."
    )


def _acts_for(by: User | None, organization_id: int) -> bool:
    if by is None:
        return True  # the system (a receiver acting for procurement)
    return by.is_staff or by.organization_id == organization_id


def _require(by: User | None, organization_id: int, what: str) -> None:
    if not _acts_for(by, organization_id):
        raise PermissionDenied(f"Only the {what} acts on this step of the transfer.")


def _clean_lines(lines: Sequence[tuple[Product, int]]) -> list[tuple[Product, int]]:
    errors = {}
    if not lines:
        errors["lines"] = "Add at least one line."
    elif len(lines) > MAX_LINES:
        errors["lines"] = f"A transfer has at most {MAX_LINES} lines."
    seen = set()
    for i, (product, quantity) in enumerate(lines):
        if product.pk in seen:
            errors[f"lines.{i}.product"] = "This product is listed twice; give one quantity."
        seen.add(product.pk)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors[f"lines.{i}.quantity"] = "Transfer a whole number of at least 1 unit."
        elif quantity > MAX_LINE_QUANTITY:
            errors[f"lines.{i}.quantity"] = f"A line moves at most {MAX_LINE_QUANTITY:,} units."
    if errors:
        raise ValidationError(errors)
    return list(lines)


@transaction.atomic
def transfer_create(
    *,
    source: Organization,
    destination: Organization,
    lines: Sequence[tuple[Product, int]],
    by: User | None,
    note: str = "",
    purchase_order=None,
    po_lines: Mapping[int, object] | None = None,
    requested: bool | None = None,
    source_warehouse: Warehouse | int | None = None,
    destination_warehouse: Warehouse | int | None = None,
) -> TransferOrder:
    """Write a transfer of `lines` ((product, units) pairs) from `source` to `destination`.

    Made by the source (or staff) it is a draft the source confirms when ready;
    asked for by the destination's member it is `requested` and the source is
    told (transfer_requested). A purchase order's transfer (`purchase_order`,
    `po_lines` by product id) is always `requested`, and so is one made with
    `requested=True` (the replenishment screen's "transfer now"). The units
    leave `source_warehouse` and reach `destination_warehouse` (each side's
    default warehouse when not given: inventory.warehouses.warehouse_default);
    within one distributor they must be two different warehouses. Raises ValidationError
    keyed by field (not distributors, a line twice, a quantity out of bounds);
    PermissionDenied when `by` belongs to neither side.
    """
    errors = {}
    for name, org in (("source", source), ("destination", destination)):
        if org.kind != Organization.Kind.DISTRIBUTOR:
            errors[name] = f"{org} is not a distributor; only distributors hold stock."
    if len(note) > 500:
        errors["note"] = "Keep the note under 500 characters."
    if errors:
        raise ValidationError(errors)
    source_warehouse = wh.warehouse_of_distributor(
        distributor_id=source.pk, warehouse=source_warehouse
    )
    destination_warehouse = wh.warehouse_of_distributor(
        distributor_id=destination.pk, warehouse=destination_warehouse
    )
    if source_warehouse.pk == destination_warehouse.pk:
        raise ValidationError(
            {"destination_warehouse": "Choose another warehouse than the one the units leave."}
        )
    lines = _clean_lines(lines)
    if by is not None and not (_acts_for(by, source.pk) or _acts_for(by, destination.pk)):
        raise PermissionDenied("Transfers are made by one of their two distributors.")
    if requested is None:
        requested = purchase_order is not None or (
            by is not None and not by.is_staff and by.organization_id != source.pk
        )
    transfer = TransferOrder.objects.create(
        number=number_next(prefix="TR", width=6),
        source=source,
        destination=destination,
        source_warehouse=source_warehouse,
        destination_warehouse=destination_warehouse,
        status=TransferStatus.REQUESTED if requested else TransferStatus.DRAFT,
        purchase_order=purchase_order,
        note=note.strip(),
        created_by=by,
    )
    po_lines = po_lines or {}
    TransferLine.objects.bulk_create(
        [
            TransferLine(
                transfer=transfer,
                product=product,
                sku=product.sku,
                product_name=product.name[:200],
                quantity=quantity,
                po_line=po_lines.get(product.pk),
            )
            for product, quantity in lines
        ]
    )
    if requested:
        transfer_requested.send(
            sender=TransferOrder,
            transfer_id=transfer.pk,
            source_id=source.pk,
            destination_id=destination.pk,
            purchase_order_id=getattr(purchase_order, "pk", None),
        )
    return transfer


@transaction.atomic
def transfer_confirm(*, transfer: TransferOrder, by: User | None) -> TransferOrder:
    """The source confirms: every line is allocated in its source warehouse (all or nothing).

    InsufficientStock names the first short line and nothing is written. A
    PO's transfer confirms the PO too (the supplier's answer).
    """
    transfer = _lock(transfer)
    _require(by, transfer.source_id, "source distributor")
    if transfer.status not in (TransferStatus.DRAFT, TransferStatus.REQUESTED):
        raise _state_error(transfer, "confirmed")
    lines = list(transfer.lines.all())
    # Confirmed before the allocation, in the same transaction: the allocation's stock_low
    # re-evaluates the source, and a move within one distributor must then already count
    # as incoming there (transfers.selectors.incoming_transfer_lines). A short line rolls
    # the whole step back.
    transfer.status = TransferStatus.CONFIRMED
    transfer.confirmed_by, transfer.confirmed_at = by, timezone.now()
    transfer.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    stock_transfer_allocate(
        distributor_id=transfer.source_id,
        warehouse_id=transfer.source_warehouse_id,
        lines={line.product_id: line.quantity for line in lines},
        reference=_reference(transfer),
    )
    if transfer.purchase_order_id:
        from procurement.models import POStatus
        from procurement.po_lifecycle import purchase_order_confirm

        po = transfer.purchase_order
        if po.status == POStatus.SENT:
            who = by.get_full_name() if by is not None else str(transfer.source)
            purchase_order_confirm(purchase_order=po, responded_by=f"{who} ({transfer.number})")
    return transfer


@transaction.atomic
def transfer_cancel(
    *, transfer: TransferOrder, by: User | None, reason: str, for_purchase_order: bool = False
) -> TransferOrder:
    """Call a transfer off before it ships; a confirmed one gives its allocation back.

    A PO's transfer is cancelled with its PO (procurement cancels the PO, the
    receiver calls this with `for_purchase_order`), never on its own.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the transfer is cancelled."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    transfer = _lock(transfer)
    if not (_acts_for(by, transfer.source_id) or _acts_for(by, transfer.destination_id)):
        raise PermissionDenied("Only one of the transfer's distributors cancels it.")
    if transfer.purchase_order_id and not for_purchase_order:
        raise _state_error(transfer, "cancelled on its own (cancel its purchase order)")
    if transfer.status not in (
        TransferStatus.DRAFT,
        TransferStatus.REQUESTED,
        TransferStatus.CONFIRMED,
    ):
        raise _state_error(transfer, "cancelled")
    was_confirmed = transfer.status == TransferStatus.CONFIRMED
    # Cancelled before the release: the release's evaluations then no longer count it.
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_by, transfer.cancelled_at = by, timezone.now()
    transfer.cancel_reason = reason
    transfer.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated_at"]
    )
    if was_confirmed:
        stock_transfer_release(
            distributor_id=transfer.source_id,
            warehouse_id=transfer.source_warehouse_id,
            lines={line.product_id: line.quantity for line in transfer.lines.all()},
            reference=_reference(transfer),
        )
    _destination_reevaluate(transfer, transfer.lines.values_list("product_id", flat=True))
    return transfer


def _destination_reevaluate(transfer: TransferOrder, product_ids) -> None:
    """The transfer's units stopped counting in its destination's incoming (cancelled,
    written off): re-evaluate those items now, so a distributor still low is ordered
    for at once rather than at the next sweep. A PO's transfer is left to its PO (the PO
    line is what counts, and closing or cancelling the PO re-evaluates)."""
    if transfer.purchase_order_id:
        return
    from procurement.monitoring import item_evaluate

    for product_id in sorted(set(product_ids)):
        item_evaluate(
            product_id=product_id,
            distributor_id=transfer.destination_id,
            reference=_reference(transfer),
        )


def _invoice(transfer: TransferOrder, lines: list[TransferLine]) -> None:
    """The supplier distributor's tax invoice to the buyer, for a PO's transfer, at dispatch.

    Numbered in the seller's own series (invoicing.numbering: gap-free per
    GSTIN and financial year, shared with its invoices to buyers); each line
    is the PO line's cost on the units shipped at the PO line's GST rate,
    CGST + SGST when the two warehouses are in one state, else IGST
    (auromart.tax, rounded per line); the seller's GSTIN is its warehouse's.
    """
    from invoicing.numbering import invoice_number_next

    source, destination = transfer.source, transfer.destination
    sending, receiving = transfer.source_warehouse, transfer.destination_warehouse
    today = timezone.localdate()
    number, _key, _year = invoice_number_next(seller=source, day=today)
    # The two warehouses' states decide (#15): the goods leave one and are delivered to the other.
    seller_state, place = sending.gst_state, receiving.gst_state
    intra = is_intra_state(seller_state=seller_state, place=place)
    totals = dict.fromkeys(["taxable_total", "cgst", "sgst", "igst"], ZERO)
    for line in lines:
        po_line = line.po_line
        line.unit_price = po_line.unit_cost
        line.tax_rate = po_line.tax_rate
        line.taxable = money(po_line.unit_cost * line.shipped)
        taxed = tax_on(taxable=line.taxable, rate=line.tax_rate, intra_state=intra)
        line.cgst, line.sgst, line.igst = taxed.cgst, taxed.sgst, taxed.igst
        totals["taxable_total"] += line.taxable
        totals["cgst"] += taxed.cgst
        totals["sgst"] += taxed.sgst
        totals["igst"] += taxed.igst
    TransferLine.objects.bulk_update(
        lines, ["unit_price", "tax_rate", "taxable", "cgst", "sgst", "igst"]
    )
    transfer.invoice_number, transfer.invoice_date = number, today
    transfer.seller_gstin = sending.seller_gstin
    transfer.buyer_gstin = receiving.seller_gstin or destination.gstin
    transfer.seller_state, transfer.place_of_supply = seller_state, place
    for name, value in totals.items():
        setattr(transfer, name, value)


INVOICE_FIELDS = [
    "invoice_number",
    "invoice_date",
    "seller_gstin",
    "buyer_gstin",
    "seller_state",
    "place_of_supply",
    "taxable_total",
    "cgst",
    "sgst",
    "igst",
]


@transaction.atomic
def transfer_ship(
    *, transfer: TransferOrder, by: User | None, tracking_reference: str = ""
) -> TransferOrder:
    """The source dispatches a confirmed transfer: every line's allocated units leave its
    shelf (`transfer_out`) and are in transit. A PO's transfer gets the supplier's tax
    invoice to the buyer now (goods removed for supply)."""
    if len(tracking_reference) > 100:
        raise ValidationError({"tracking_reference": "Keep it under 100 characters."})
    transfer = _lock(transfer)
    _require(by, transfer.source_id, "source distributor")
    if transfer.status != TransferStatus.CONFIRMED:
        raise _state_error(transfer, "shipped")
    transfer = TransferOrder.objects.select_related(
        "source", "destination", "source_warehouse__distributor", "destination_warehouse"
    ).get(pk=transfer.pk)
    lines = list(transfer.lines.select_related("po_line"))
    stock_transfer_out(
        distributor_id=transfer.source_id,
        warehouse_id=transfer.source_warehouse_id,
        lines={line.product_id: line.quantity for line in lines},
        reference=_reference(transfer),
        by_id=getattr(by, "pk", None),
        note=f"{transfer.number} to {transfer.destination}",
    )
    for line in lines:
        line.shipped = line.quantity
    TransferLine.objects.bulk_update(lines, ["shipped"])
    fields = ["status", "shipped_by", "shipped_at", "tracking_reference", "updated_at"]
    if transfer.purchase_order_id and transfer.between_distributors:
        _invoice(transfer, lines)
        fields += INVOICE_FIELDS
    transfer.status = TransferStatus.SHIPPED
    transfer.shipped_by, transfer.shipped_at = by, timezone.now()
    transfer.tracking_reference = tracking_reference.strip()
    transfer.save(update_fields=fields)
    transfer_shipped.send(
        sender=TransferOrder,
        transfer_id=transfer.pk,
        source_id=transfer.source_id,
        destination_id=transfer.destination_id,
        units=sum(line.shipped for line in lines),
    )
    return transfer


@transaction.atomic
def transfer_receive(
    *,
    transfer: TransferOrder,
    by: User | None,
    received: Mapping[int, int],
    reasons: Mapping[int, str] | None = None,
) -> TransferOrder:
    """The destination books what arrived: `received` maps line ids to units (0 to what
    is in transit); `transfer_in` at its shelf for each.

    A line that arrived short needs a reason (`reasons` by line id); its
    missing units stay in transit (status received_short) until a later
    receipt brings them or transfer_write_off writes them off. A PO's transfer
    books the PO's goods receipt for the same units, so the PO line's
    `incoming` falls exactly as the buyer's on_hand rises.
    """
    reasons = reasons or {}
    transfer = _lock(transfer)
    _require(by, transfer.destination_id, "receiving distributor")
    if transfer.status not in (TransferStatus.SHIPPED, TransferStatus.RECEIVED_SHORT):
        raise _state_error(transfer, "received")
    lines = {line.pk: line for line in transfer.lines.select_related("po_line")}
    errors = {}
    for line_id in set(received) - set(lines):
        errors[f"line_{line_id}"] = "This line is not on the transfer."
    arriving = {}
    for line_id, line in lines.items():
        units = received.get(line_id, 0)
        reason = (reasons.get(line_id) or "").strip()
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            errors[f"line_{line_id}"] = "Enter the whole number of units that arrived."
        elif units > line.in_transit:
            errors[f"line_{line_id}"] = (
                f"Only {line.in_transit} of {line.sku} are in transit; {units} is more."
            )
        elif units < line.in_transit and not (reason or line.short_reason):
            errors[f"reason_{line_id}"] = (
                f"{line.in_transit - units} of {line.sku} did not arrive: say why."
            )
        elif len(reason) > 255:
            errors[f"reason_{line_id}"] = "Keep the reason under 255 characters."
        else:
            if units:
                arriving[line_id] = units
            if reason and units < line.in_transit:
                line.short_reason = reason
    if not errors and not arriving:
        errors["lines"] = "Nothing arrived: enter the units received on at least one line."
    if errors:
        raise ValidationError(errors)
    # The lines first: the arrival's stock_available re-evaluates the destination, whose
    # incoming must then already be down by what its on_hand is about to gain.
    for line_id, units in arriving.items():
        lines[line_id].received += units
    TransferLine.objects.bulk_update(list(lines.values()), ["received", "short_reason"])
    destination = Organization.objects.get(pk=transfer.destination_id)
    stock_transfer_in(
        distributor=destination,
        warehouse=transfer.destination_warehouse,
        lines={lines[lid].product_id: units for lid, units in arriving.items()},
        reference=_reference(transfer),
        by=by,
        note=f"{transfer.number} from {transfer.source}",
    )
    if transfer.purchase_order_id:
        from procurement.po_lifecycle import purchase_order_receive_by_transfer

        purchase_order_receive_by_transfer(
            purchase_order=transfer.purchase_order,
            lines=[(lines[lid].product_id, units) for lid, units in arriving.items()],
            by=by,
            note=f"Transfer {transfer.number}",
        )
    short = sum(line.in_transit for line in lines.values())
    transfer.status = TransferStatus.RECEIVED_SHORT if short else TransferStatus.RECEIVED
    transfer.received_by, transfer.received_at = by, timezone.now()
    transfer.save(update_fields=["status", "received_by", "received_at", "updated_at"])
    transfer_received.send(
        sender=TransferOrder,
        transfer_id=transfer.pk,
        source_id=transfer.source_id,
        destination_id=transfer.destination_id,
        units=sum(arriving.values()),
        short=short,
    )
    return transfer


@transaction.atomic
def transfer_write_off(*, transfer: TransferOrder, by: User | None, reason: str) -> TransferOrder:
    """Write off what a short receipt left in transit: a transit loss, recorded on the
    lines (`written_off`) and the transfer (who, when, why); the transfer is closed.

    This is the one step that lowers the network total (on hand + in transit),
    and it is visible as such: the transfer's "written off" figures, never a
    shelf movement (no shelf held these units). A PO's transfer closes its PO
    short, so the missing units are demand again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the missing units are written off."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    transfer = _lock(transfer)
    _require(by, transfer.destination_id, "receiving distributor")
    if transfer.status != TransferStatus.RECEIVED_SHORT:
        raise _state_error(transfer, "written off")
    lines = list(transfer.lines.all())
    for line in lines:
        line.written_off += line.in_transit
    TransferLine.objects.bulk_update(lines, ["written_off"])
    transfer.status = TransferStatus.CLOSED
    transfer.closed_by, transfer.closed_at = by, timezone.now()
    transfer.write_off_reason = reason
    transfer.save(
        update_fields=["status", "closed_by", "closed_at", "write_off_reason", "updated_at"]
    )
    _destination_reevaluate(transfer, [line.product_id for line in lines])
    if transfer.purchase_order_id:
        from procurement.po_lifecycle import purchase_order_close_short_by_transfer

        purchase_order_close_short_by_transfer(
            purchase_order=transfer.purchase_order,
            reason=f"Transfer {transfer.number}: {reason}",
        )
    return transfer
