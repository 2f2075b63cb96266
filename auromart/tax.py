"""GST on a document's lines: place of supply, CGST + SGST or IGST, tax-inclusive prices.

The one rule every document follows (orders, the cart's estimate, invoices,
purchase orders):

- **Place of supply**: the delivery address's state; for a pickup, the
  buyer organization's state. When that is not known (a private customer
  picking up, an address naming no state and a buyer without one) the
  goods change hands at the seller's: its own state.
- **Intra-state** (the seller's state is the place of supply) → CGST and
  SGST at half the rate each; **inter-state** → IGST at the full rate. A
  seller whose state is not known is taken as intra-state (and listed by
  `manage.py gst_states_missing`).
- **Rounding: per line, half-up to the paisa.** Each line's CGST, SGST and
  IGST are rounded on their own; a document's tax is the sum of its lines'.
  So CGST = SGST on every line and every document, and any subset of lines
  (a shipment's invoice, an HSN summary row) adds up exactly.
- **Taxable value**: a price list that excludes tax (B2B) charges its price
  as the taxable value. One that includes it (an MRP-like customers' list)
  charges the gross: the taxable value is the gross divided by (1 + rate),
  rounded half-up, then moved by at most 3 paise when that makes taxable +
  tax equal the gross exactly (₹1,180 at 18 %: ₹1,000.00 + ₹180.00); when no
  such value exists the nearest one is kept and the total differs from the
  quoted gross by a paisa.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
INCLUSIVE_SEARCH_PAISE = 3


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTax:
    taxable: Decimal
    rate: Decimal  # a fraction: Decimal("0.18")
    cgst: Decimal = ZERO
    sgst: Decimal = ZERO
    igst: Decimal = ZERO

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def total(self) -> Decimal:
        return self.taxable + self.tax


def tax_on(*, taxable: Decimal, rate: Decimal, intra_state: bool) -> LineTax:
    """CGST + SGST (half the rate each) or IGST on a taxable value, each rounded half-up."""
    if intra_state:
        half = money(taxable * rate / 2)
        return LineTax(taxable=taxable, rate=rate, cgst=half, sgst=half)
    return LineTax(taxable=taxable, rate=rate, igst=money(taxable * rate))


def line_tax(
    *, amount: Decimal, rate: Decimal, intra_state: bool, includes_tax: bool = False
) -> LineTax:
    """A line charged `amount` (unit price x quantity as quoted): its taxable value and tax."""
    amount = money(amount)
    if not includes_tax:
        return tax_on(taxable=amount, rate=rate, intra_state=intra_state)
    nearest = money(amount / (1 + rate))
    steps = range(-INCLUSIVE_SEARCH_PAISE, INCLUSIVE_SEARCH_PAISE + 1)
    candidates = sorted((nearest + CENT * step for step in steps), key=lambda t: abs(t - nearest))
    for taxable in candidates:
        if taxable < 0:
            continue
        taxed = tax_on(taxable=taxable, rate=rate, intra_state=intra_state)
        if taxed.total == amount:
            return taxed
    return tax_on(taxable=nearest, rate=rate, intra_state=intra_state)


@dataclass(frozen=True)
class TaxTotals:
    subtotal: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def tax_totals(lines: Iterable) -> TaxTotals:
    """Sums of lines carrying taxable (or line_total), cgst, sgst and igst."""
    subtotal = cgst = sgst = igst = ZERO
    for line in lines:
        subtotal += line.taxable if isinstance(line, LineTax) else line.line_total
        cgst += line.cgst
        sgst += line.sgst
        igst += line.igst
    return TaxTotals(subtotal=subtotal, cgst=cgst, sgst=sgst, igst=igst)


def common_rate(rates: Iterable[Decimal], *, subtotal: Decimal, tax: Decimal) -> Decimal:
    """A document's one rate when its lines share it, else its effective rate (tax / subtotal)."""
    distinct = set(rates)
    if len(distinct) == 1:
        return distinct.pop()
    if not subtotal:
        return Decimal("0")
    return (tax / subtotal).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def place_of_supply(
    *, delivery: bool, shipping_state: str, buyer_state: str, seller_state: str
) -> str:
    """The state code the supply is made in (see the module docstring)."""
    if delivery and shipping_state:
        return shipping_state
    return buyer_state or seller_state


def is_intra_state(*, seller_state: str, place: str) -> bool:
    return not seller_state or not place or seller_state == place


@dataclass
class HsnRow:
    hsn_code: str
    rate: Decimal
    taxable: Decimal = ZERO
    cgst: Decimal = ZERO
    sgst: Decimal = ZERO
    igst: Decimal = ZERO

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def hsn_summary(lines: Iterable) -> list[HsnRow]:
    """One row per (HSN code, rate): the sums of the lines' taxable values and tax."""
    rows: dict[tuple[str, Decimal], HsnRow] = {}
    for line in lines:
        key = (line.hsn_code, line.tax_rate)
        row = rows.setdefault(key, HsnRow(hsn_code=line.hsn_code, rate=line.tax_rate))
        row.taxable += line.line_total
        row.cgst += line.cgst
        row.sgst += line.sgst
        row.igst += line.igst
    return sorted(rows.values(), key=lambda row: (row.hsn_code, row.rate))
