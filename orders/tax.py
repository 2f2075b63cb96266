"""An order's GST, the same for the cart's estimate and for order placement.

The rule itself (place of supply, CGST + SGST or IGST, per-line half-up
rounding, tax-inclusive prices) is auromart.tax; this module finds the
parties' states and the rates in force (catalog.hsn, one query) and taxes
priced lines with them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.gst import STATE_CODES, state_from_text
from accounts.models import Organization
from auromart.tax import LineTax, is_intra_state, line_tax, place_of_supply, tax_on
from catalog.hsn import default_rate, hsn_rates_on

from .models import FulfillmentType


@dataclass(frozen=True)
class Supply:
    seller_state: str
    shipping_state: str
    place: str  # the place of supply
    intra_state: bool

    @property
    def place_name(self) -> str:
        return STATE_CODES.get(self.place, "")


def order_supply(
    *,
    distributor: Organization,
    buyer: Organization | None,
    fulfillment_type: str,
    shipping_state: str = "",
    shipping_address: str = "",
) -> Supply:
    """Where an order is supplied: the delivery address's state (given, else named in its
    text), for a pickup the buyer organization's; unknown: the seller's (auromart.tax)."""
    delivery = fulfillment_type == FulfillmentType.DELIVERY
    if delivery and not shipping_state:
        shipping_state = state_from_text(shipping_address)
    if not delivery:
        shipping_state = ""
    seller_state = distributor.gst_state
    place = place_of_supply(
        delivery=delivery,
        shipping_state=shipping_state,
        buyer_state=buyer.gst_state if buyer is not None else "",
        seller_state=seller_state,
    )
    return Supply(
        seller_state=seller_state,
        shipping_state=shipping_state,
        place=place,
        intra_state=is_intra_state(seller_state=seller_state, place=place),
    )


@dataclass(frozen=True)
class ShipmentSupply:
    seller_state: str
    seller_gstin: str
    place: str
    intra_state: bool


def shipment_supply(*, order, warehouse) -> ShipmentSupply:
    """The seller's state and GSTIN and the place of supply of a shipment's invoice.

    The seller is the warehouse the shipment left from: its state and its
    GSTIN (else the distributor's, in the distributor's state). The place of
    supply is the order's delivery state, or for a pickup the buyer
    organization's; where neither is known the goods change hands at the
    warehouse's counter, so it is the warehouse's state. A shipment without a
    warehouse (before warehouses) keeps the order's figures.
    """
    distributor = order.distributor
    if warehouse is None:
        seller_state = order.seller_state or distributor.gst_state
        place = order.place_of_supply
        return ShipmentSupply(
            seller_state=seller_state,
            seller_gstin=distributor.gstin,
            place=place,
            intra_state=is_intra_state(seller_state=seller_state, place=place),
        )
    seller_state = warehouse.gst_state
    buyer = order.buyer_organization
    place = place_of_supply(
        delivery=order.fulfillment_type == FulfillmentType.DELIVERY,
        shipping_state=order.shipping_state,
        buyer_state=buyer.gst_state if buyer is not None else "",
        seller_state=seller_state,
    )
    return ShipmentSupply(
        seller_state=seller_state,
        seller_gstin=warehouse.seller_gstin,
        place=place,
        intra_state=is_intra_state(seller_state=seller_state, place=place),
    )


def validate_state(value: str) -> str:
    """A state code from input ("" allowed); raises ValueError naming the problem."""
    value = (value or "").strip()
    if value and value not in STATE_CODES:
        raise ValueError(f"“{value}” is not a GST state code (01-38, 97 or 99).")
    return value


@dataclass(frozen=True)
class TaxedLine:
    hsn_code: str
    includes_tax: bool
    tax: LineTax


def lines_taxed(
    *, priced: list[tuple], intra_state: bool, on: datetime.date | None = None
) -> list[TaxedLine]:
    """Tax each (product, quantity, quote) at the rate in force on `on` for its HSN code.

    One query (the rates of these codes); a product without a code, or a code
    without a rate that day, takes INVOICE_TAX_RATE (catalog.hsn).
    """
    on = on or timezone.localdate()
    rates = hsn_rates_on({product.hsn_code for product, _, _ in priced}, on)
    taxed = []
    for product, quantity, quote in priced:
        rate = rates[product.hsn_code] if product.hsn_code else default_rate()
        taxed.append(
            TaxedLine(
                hsn_code=product.hsn_code,
                includes_tax=quote.prices_include_tax,
                tax=line_tax(
                    amount=quote.unit_price * quantity,
                    rate=Decimal(rate),
                    intra_state=intra_state,
                    includes_tax=quote.prices_include_tax,
                ),
            )
        )
    return taxed


def discount_spread(taxables: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Each line's share of an order-level discount, in proportion to its taxable value.

    Shares are rounded down to the paisa and the paise left over go to the
    largest remainders (then the first lines), so they add up to `discount`
    exactly and no line's share passes its taxable value.
    """
    total = sum(taxables, Decimal("0"))
    if not discount or not total:
        return [Decimal("0.00")] * len(taxables)
    exact = [discount * taxable / total for taxable in taxables]
    shares = [value.quantize(Decimal("0.01"), rounding="ROUND_DOWN") for value in exact]
    left = int((discount - sum(shares)) / Decimal("0.01"))
    order = sorted(range(len(taxables)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += Decimal("0.01")
    return shares


def lines_discounted(
    taxed: list[TaxedLine], discount: Decimal, *, intra_state: bool
) -> tuple[list[TaxedLine], list[Decimal]]:
    """The lines after a discount before tax: each line's taxable value less its share, and
    GST computed again on what is left (auromart.tax.tax_on, half-up per line)."""
    shares = discount_spread([line.tax.taxable for line in taxed], discount)
    if not any(shares):
        return taxed, shares
    return [
        TaxedLine(
            hsn_code=line.hsn_code,
            includes_tax=line.includes_tax,
            tax=tax_on(
                taxable=line.tax.taxable - share, rate=line.tax.rate, intra_state=intra_state
            ),
        )
        for line, share in zip(taxed, shares, strict=True)
    ], shares
