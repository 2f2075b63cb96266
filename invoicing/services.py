"""Writes for invoicing: a shipment's tax invoice at dispatch, its PDF, payment and voiding."""

import copy
import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.gst import state_name
from accounts.models import Organization, User
from auromart.pdf import render_pdf
from auromart.tax import CENT, LineTax, common_rate, is_intra_state, line_tax, tax_on, tax_totals
from notifications import as_sent
from orders.models import Order, Shipment
from orders.tax import shipment_supply

from . import selectors
from .credit import credit_terms_for
from .exceptions import InvoiceStateError
from .gst import invoice_gst_context
from .models import Invoice, InvoiceLine, InvoiceStatus
from .numbering import invoice_number_next
from .pdf_layout import invoice_pdf_tables
from .signals import invoice_issued

logger = logging.getLogger(__name__)

PDF_RENDERER = "invoicing.invoice_pdf"


def _address(organization: Organization) -> str:
    place = ", ".join(part for part in (organization.city, organization.region) if part)
    return "\n".join(part for part in (organization.address, place, organization.country) if part)


def _seller_address(seller: Organization, warehouse, gstin: str) -> str:
    """The seller's address on the invoice: the warehouse's when it is invoiced under a
    registration of its own (another state's GSTIN), else the organization's."""
    if warehouse is not None and warehouse.address and gstin and gstin != seller.gstin:
        return "\n".join(
            part for part in (warehouse.address, state_name(warehouse.gst_state)) if part
        )
    return _address(seller)


def _buyer(order: Order) -> dict:
    """Who is billed: the retailer organization the order was placed for, else the customer."""
    customer, organization = order.customer, order.buyer_organization
    if organization is not None:
        return {
            "buyer_name": organization.name,
            "buyer_address": _address(organization),
            "buyer_email": organization.contact_email or customer.email,
            "buyer_phone": organization.phone or customer.phone,
        }
    return {
        "buyer_name": customer.get_full_name(),
        "buyer_address": order.shipping_address,
        "buyer_email": customer.email,
        "buyer_phone": customer.phone,
    }


def _shipped_discount(item, quantity: int) -> Decimal:
    """The part of the line's loyalty discount that goes with `quantity` of its units."""
    if quantity == item.quantity or not item.discount:
        return item.discount
    return (item.discount * quantity / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def _shipped_tax(item, quantity: int, intra_state: bool, *, as_ordered: bool = True) -> LineTax:
    """The tax of `quantity` units of an order line: the line's own figures when all of it
    ships (so the order and its invoices agree to the paisa), else the same rule on the part.
    `as_ordered` False: the shipment left a warehouse in another state than the order
    assumed, so CGST + SGST and IGST swap: the line's taxable value taxed again.

    The one place an invoice line's GST is worked out: a loyalty discount
    (the order line's share, in proportion for a part) comes off the taxable
    value before the tax, as it did on the order."""
    if quantity == item.quantity and not as_ordered:
        return tax_on(taxable=item.line_total, rate=item.tax_rate, intra_state=intra_state)
    if quantity == item.quantity:
        return LineTax(
            taxable=item.line_total,
            rate=item.tax_rate,
            cgst=item.cgst,
            sgst=item.sgst,
            igst=item.igst,
        )
    part = line_tax(
        amount=item.unit_price * quantity,
        rate=item.tax_rate,
        intra_state=intra_state,
        includes_tax=item.prices_include_tax,
    )
    discount = _shipped_discount(item, quantity)
    if not discount:
        return part
    return tax_on(taxable=part.taxable - discount, rate=item.tax_rate, intra_state=intra_state)


def invoice_due_date(*, order: Order, issued: datetime.date) -> datetime.date:
    """The day an invoice for `order` issued on `issued` falls due.

    Net N of the buyer's credit terms with the seller (invoicing.credit),
    else INVOICE_DUE_DAYS. The terms in force the day it is issued apply.
    """
    terms = credit_terms_for(seller=order.distributor_id, buyer=order.buyer_organization_id)
    days = terms.payment_terms_days if terms is not None else settings.INVOICE_DUE_DAYS
    return issued + datetime.timedelta(days=days)


@transaction.atomic
def invoice_issue_for_shipment(
    *,
    shipment_id: int,
    today: datetime.date | None = None,
    replaces: Invoice | None = None,
    dispatched: tuple[Shipment | None, list | None] = (None, None),
) -> Invoice | None:
    """Issue the tax invoice of a dispatched shipment; None when it already has one.

    With `replaces` (a fully credited invoice of the shipment, invoicing.reissue)
    it is issued again with a new number; only a shipment whose earlier
    invoices are all fully credited or void has none current.

    Runs inside the transaction that dispatched the shipment (the order's row
    is locked by it), so the number, the invoice and its lines commit or roll
    back with the dispatch; the unique `current_for_shipment` makes a second
    invoice impossible even if this is called again. The lines are the
    shipment's units at the order lines' prices, taxed at the rates the order
    lines snapshotted when it was placed, CGST + SGST or IGST by the order's
    place of supply, rounded half-up per line (auromart.tax). The number is
    the seller's next in its financial year (invoicing.numbering). The PDF is
    rendered after commit.

    `dispatched`: (the Shipment, its ShipmentLines with their order lines) as
    shipment_dispatch just wrote them (`shipment_dispatched`); they are used
    instead of being read back, and only the order with its buyer and seller
    is read (not even that when the dispatch loaded them on its order, as
    orders.bulk_shipping does for its batch).
    """
    shipment, shipment_lines = _shipment_to_invoice(shipment_id, *dispatched)
    earlier = list(
        Invoice.objects.filter(Q(current_for_shipment_id=shipment.pk) | Q(shipment_id=shipment.pk))
        .order_by()
        .values_list("current_for_shipment_id", flat=True)
    )
    if shipment.pk in earlier:
        return None  # it has a current invoice
    if replaces is None and earlier:
        return None  # invoiced before; a reissue is asked for explicitly
    order = shipment.order
    today = today or timezone.localdate()
    # The seller's state and GSTIN are the warehouse's it left from (orders.tax.shipment_supply).
    supply = shipment_supply(order=order, warehouse=shipment.warehouse)
    intra_state = supply.intra_state
    as_ordered = intra_state == is_intra_state(
        seller_state=order.seller_state, place=order.place_of_supply
    )
    lines = [
        (
            line.order_item,
            line.quantity,
            _shipped_tax(line.order_item, line.quantity, intra_state, as_ordered=as_ordered),
        )
        for line in shipment_lines
    ]
    totals = tax_totals(tax for _, _, tax in lines)
    discounts = [_shipped_discount(item, quantity) for item, quantity, _ in lines]
    seller = order.distributor
    number, key, year = invoice_number_next(seller=seller, day=today, gstin=supply.seller_gstin)
    buyer_org = order.buyer_organization
    invoice = Invoice.objects.create(
        number=number,
        seller_key=key,
        financial_year=year,
        order=order,
        shipment=shipment,
        current_for_shipment=shipment,
        replaces=replaces,
        customer=order.customer,
        buyer_organization=buyer_org,
        distributor=seller,
        issue_date=today,
        due_date=invoice_due_date(order=order, issued=today),
        seller_name=seller.name,
        seller_address=_seller_address(seller, shipment.warehouse, supply.seller_gstin),
        seller_email=seller.contact_email,
        seller_phone=seller.phone,
        seller_gstin=supply.seller_gstin,
        buyer_gstin=buyer_org.gstin if buyer_org is not None else "",
        seller_state=supply.seller_state,
        place_of_supply=supply.place,
        ship_to=order.shipping_address if order.fulfillment_type == "delivery" else "",
        buyer_reference=order.buyer_reference,
        discount=sum(discounts, Decimal("0.00")),
        subtotal=totals.subtotal,
        tax_rate=common_rate(
            (tax.rate for _, _, tax in lines), subtotal=totals.subtotal, tax=totals.tax
        ),
        tax=totals.tax,
        cgst=totals.cgst,
        sgst=totals.sgst,
        igst=totals.igst,
        total=totals.total,
        **_buyer(order),
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=position,
                product_id=item.product_id,
                sku=item.sku,
                description=item.product_name,
                quantity=quantity,
                unit_price=item.unit_price,
                line_total=tax.taxable,
                discount=discount,
                prices_include_tax=item.prices_include_tax,
                hsn_code=item.hsn_code,
                tax_rate=tax.rate,
                cgst=tax.cgst,
                sgst=tax.sgst,
                igst=tax.igst,
            )
            for position, ((item, quantity, tax), discount) in enumerate(
                zip(lines, discounts, strict=True), 1
            )
        ]
    )
    invoice_pdf_schedule(invoice_id=invoice.pk)
    invoice_issued.send(
        sender=Invoice,
        invoice_id=invoice.pk,
        order_id=order.pk,
        shipment_id=shipment.pk,
        number=invoice.number,
    )
    return invoice


def _shipment_to_invoice(
    shipment_id: int, shipment: Shipment | None, lines: list | None
) -> tuple[Shipment, list]:
    """The shipment with its order (buyer and seller) and warehouse, and its lines, each
    with its order line: from `shipment` and `lines` when the dispatch passed them."""
    if shipment is None or lines is None or shipment.pk != shipment_id:
        shipment = (
            Shipment.objects.select_related(
                "order__customer",
                "order__buyer_organization",
                "order__distributor",
                "warehouse__distributor",
            )
            .prefetch_related("lines__order_item")
            .get(pk=shipment_id)
        )
        return shipment, list(shipment.lines.all())
    order = shipment.order  # as the dispatch locked it; its buyer and seller if it loaded them
    parties = [Order._meta.get_field(f) for f in ("customer", "buyer_organization", "distributor")]
    if not all(field.is_cached(order) for field in parties):
        order = Order.objects.select_related("customer", "buyer_organization", "distributor").get(
            pk=shipment.order_id
        )
    # A copy: the dispatch's own objects keep the order it locked.
    shipment = copy.copy(shipment)
    shipment.order = order
    warehouse = shipment.warehouse
    if warehouse is not None and warehouse.distributor_id == order.distributor_id:
        warehouse.distributor = order.distributor
    return shipment, lines


def invoices_issue_missing(*, order_id: int) -> list[Invoice]:
    """Invoice each shipment of the order that has none (shipped before invoices per shipment).

    Called when an order is delivered: a shipment dispatched before this
    release got no invoice at dispatch and gets it now.
    """
    return invoices_issue_missing_for_orders(order_ids=[order_id])


def invoices_issue_missing_for_orders(*, order_ids: list[int]) -> list[Invoice]:
    """invoices_issue_missing for several orders delivered together: one query finds the
    shipments without an invoice (usually none), then each is issued."""
    missing = (
        Shipment.objects.filter(order_id__in=order_ids, invoices__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    issued = [invoice_issue_for_shipment(shipment_id=pk) for pk in missing]
    return [invoice for invoice in issued if invoice is not None]


# --- The PDF ---------------------------------------------------------------------


def invoice_pdf_path(invoice: Invoice) -> str:
    # Two sellers may both issue INV-2026-000001: each has its own folder.
    return f"invoices/{invoice.issue_date:%Y}/{invoice.seller_slug}/{invoice.pdf_filename}"


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The invoice as PDF bytes (`invoice` with its lines, as selectors.invoice_detail gives it)."""
    lines = list(invoice.lines.all())
    gst = invoice_gst_context(invoice, lines)
    context = {
        "invoice": invoice,
        "site_name": settings.SITE_NAME,
        **gst,
        **invoice_pdf_tables(
            lines=lines,
            intra_state=gst["intra_state"],
            hsn_summary=gst["hsn_summary"],
            invoice=invoice,
        ),
    }
    stylesheets = ("auromart/pdf/document.css",)
    if invoice.amount_credited:
        # Credited (issue 24): a page with its credit notes and what is owed now follows.
        from .credit_note_pdf import invoice_pdf_with_credit_notes

        return invoice_pdf_with_credit_notes(
            "invoicing/invoice_pdf.html", context, stylesheets=stylesheets
        )
    return render_pdf("invoicing/invoice_pdf.html", context, stylesheets=stylesheets)


def invoice_pdf_render(*, invoice_id: int, replace: bool = True) -> str:
    """Render the invoice's PDF into media storage and return its path.

    Runs after commit (in the worker, when the invoice e-mail is delivered, or
    on demand when a download finds the file missing), never inside a
    transaction that holds locks. With replace=False a file that another
    deliverer wrote meanwhile is kept instead of written twice.
    """
    invoice = selectors.invoice_detail(pk=invoice_id)
    if invoice is None:
        raise Invoice.DoesNotExist(invoice_id)
    path = invoice_pdf_path(invoice)
    pdf = invoice_pdf_bytes(invoice)
    if default_storage.exists(path):
        if not replace:
            saved = path
        else:
            default_storage.delete(path)
            saved = default_storage.save(path, ContentFile(pdf))
    else:
        saved = default_storage.save(path, ContentFile(pdf))
    Invoice.objects.filter(pk=invoice.pk).update(pdf=saved, pdf_rendered_at=timezone.now())
    return saved


def invoice_pdf_ensure(*, invoice: Invoice) -> str:
    """The invoice's PDF path, rendering it first when the file is missing or out of date."""
    if invoice.pdf and default_storage.exists(invoice.pdf):
        return invoice.pdf
    return invoice_pdf_render(invoice_id=invoice.pk)


def _pdf_out_of_date(invoice: Invoice) -> None:
    """The status printed on the PDF changed: forget the file; the next download renders it."""
    Invoice.objects.filter(pk=invoice.pk).update(pdf="", pdf_rendered_at=None)
    invoice.pdf, invoice.pdf_rendered_at = "", None


def invoice_pdf_attachment(invoice: Invoice) -> dict:
    """The outbox attachment reference: rendered at delivery if the file is not there yet."""
    return {
        "path": invoice_pdf_path(invoice),
        "filename": invoice.pdf_filename,
        "mimetype": "application/pdf",
        "renderer": PDF_RENDERER,
        "object_id": invoice.pk,
    }


def _render_after_commit(invoice_id: int) -> None:
    from .tasks import render_invoice_pdf

    try:
        render_invoice_pdf.delay(invoice_id)
    except Exception:
        # The broker is down. The invoice committed; the PDF is rendered when
        # the e-mail is delivered or the invoice downloaded, so nothing is lost.
        logger.warning(
            "Could not queue the PDF of invoice %s; it renders on first use",
            invoice_id,
            exc_info=True,
        )


def invoice_pdf_schedule(*, invoice_id: int) -> None:
    """Render the PDF in the worker once the invoice commits, when a worker runs.

    Without a broker nothing is scheduled: the outbox deliverer renders the
    PDF when it attaches it to the invoice e-mail (off the request, in its
    thread), and a download renders it if it is still missing.
    """
    # Recorded history (seed_demo) sends nothing: its PDFs render on first download.
    if settings.CELERY_BROKER_URL and not as_sent.active():
        transaction.on_commit(partial(_render_after_commit, invoice_id))


# --- Payment and voiding -----------------------------------------------------------


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def invoice_mark_paid(*, invoice: Invoice, by: User, reference: str = "") -> Invoice:
    """Record a payment of the whole balance due: invoicing.receipts.invoice_pay_in_full."""
    from .receipts import invoice_pay_in_full

    return invoice_pay_in_full(invoice=invoice, by=by, reference=reference)


@transaction.atomic
def invoice_void(*, invoice: Invoice, by: User, reason: str) -> Invoice:
    """Void an issued invoice; it keeps its number, which is never handed out again.

    An invoice with a payment recorded (paid or partially) cannot be voided
    (refund it first); a void one stays void.
    The next download renders the PDF again, marked VOID.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the invoice is void."})
    locked = _locked(invoice)
    if locked.status != InvoiceStatus.ISSUED:
        raise InvoiceStateError(
            f"Invoice {locked.number} is {locked.get_status_display().lower()}; "
            "only an issued invoice can be voided."
        )
    locked.status = InvoiceStatus.VOID
    locked.voided_at = timezone.now()
    locked.voided_by = by
    locked.void_reason = reason
    locked.current_for_shipment = None  # the shipment may be invoiced again (reissue)
    locked.save(
        update_fields=[
            "status",
            "voided_at",
            "voided_by",
            "void_reason",
            "current_for_shipment",
            "updated_at",
        ]
    )
    _pdf_out_of_date(locked)
    return locked
