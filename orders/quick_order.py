"""Quick order (SKU and quantity rows, typed or from a CSV) and "order again".

Both fill the buyer's cart in one write (services_cart.cart_add_lines) after a
check of every row against what the buyer may order now, at today's prices:

- a quick order first previews: each row is a line or an error that names its
  row (unknown SKU, withdrawn product, bad quantity, short stock, repeated
  SKU); only the valid rows go into the cart, and only when the buyer confirms;
- "order again" puts an old order's lines into the cart and says what changed
  since: a price, the stock, a product withdrawn from sale.

The page, the API and the order page all call these functions; the products
come from the buyer's catalog (orders.buyer.Buyer.catalog), so a retailer can
only quick-order what its distributor carries.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import Organization, User
from catalog.models import Product
from pricing.selectors import Quote, price_quotes

from .models import Order
from .services_cart import MAX_CART_QUANTITY, cart_add_lines

MAX_QUICK_ROWS = 500
MAX_QUICK_FILE_BYTES = 256 * 1024
MAX_SKU_LENGTH = 64
HEADER_WORDS = {"sku", "product", "code", "item"}


@dataclass(frozen=True)
class QuickRow:
    """One row as the buyer typed it: its number (1-based), SKU and quantity text."""

    row: int
    sku: str
    quantity: str


@dataclass
class QuickLine:
    row: int
    product: Product
    quantity: int
    quote: Quote

    @property
    def line_total(self) -> Decimal:
        return self.quote.unit_price * self.quantity


@dataclass(frozen=True)
class RowError:
    row: int
    sku: str
    message: str


@dataclass
class QuickPreview:
    lines: list[QuickLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.lines) + len(self.errors)


def _rows_of(reader) -> list[QuickRow]:
    rows: list[QuickRow] = []
    for number, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in HEADER_WORDS:
            continue  # a header row: "sku,quantity"
        if len(rows) >= MAX_QUICK_ROWS:
            raise ValidationError(f"At most {MAX_QUICK_ROWS} rows at a time.")
        sku = cells[0]
        quantity = cells[1] if len(cells) > 1 else ""
        rows.append(QuickRow(number, sku, quantity))
    return rows


def quick_rows_parse(text: str) -> list[QuickRow]:
    """Rows from pasted text or a CSV: "SKU, quantity" per line (comma, semicolon, tab or
    spaces between them); a header row and blank lines are skipped. Raises ValidationError
    beyond MAX_QUICK_ROWS rows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sample = next((line for line in lines if line.strip()), "")
    if any(sep in sample for sep in ",;\t"):
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        return _rows_of(csv.reader(lines, dialect))
    return _rows_of(line.split() for line in lines)


def upload_text(upload) -> str:
    """An uploaded CSV's text (UTF-8, at most MAX_QUICK_FILE_BYTES), size checked before reading."""
    if upload.size > MAX_QUICK_FILE_BYTES:
        raise ValidationError(f"The file is over {MAX_QUICK_FILE_BYTES // 1024} KB.")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text: save it as CSV (UTF-8).") from None


def _quantity(text: str) -> int | str:
    """The quantity, or the reason it is not one."""
    try:
        quantity = int(text)
    except ValueError:
        return "Enter the quantity as a whole number." if text else "The quantity is missing."
    if quantity < 1:
        return "Enter a quantity of at least 1."
    if quantity > MAX_CART_QUANTITY:
        return f"At most {MAX_CART_QUANTITY} units of one product per order."
    return quantity


def quick_order_preview(
    *,
    catalog: QuerySet[Product],
    organization: Organization | None,
    distributor: Organization,
    rows: list[QuickRow],
    in_cart: dict[int, int] | None = None,
) -> QuickPreview:
    """Check every row against `catalog` (the buyer's, with `stock_quantity`): three queries
    (the products, the withdrawn ones among the rest, the prices) whatever the row count."""
    in_cart = in_cart or {}
    skus = {row.sku.upper() for row in rows if row.sku and len(row.sku) <= MAX_SKU_LENGTH}
    found = {p.sku.upper(): p for p in catalog.filter(sku__in=skus)} if skus else {}
    missing = skus - set(found)
    withdrawn = (
        {
            sku.upper()
            for sku in Product.objects.filter(sku__in=missing, is_active=False).values_list(
                "sku", flat=True
            )
        }
        if missing
        else set()
    )
    preview = QuickPreview()
    first_row: dict[str, int] = {}
    wanted: list[tuple[QuickRow, Product, int]] = []
    for row in rows:
        sku = row.sku.upper()
        error = ""
        quantity = _quantity(row.quantity)
        if not row.sku:
            error = "The SKU is missing."
        elif len(row.sku) > MAX_SKU_LENGTH:
            error = f"A SKU has at most {MAX_SKU_LENGTH} characters."
        elif sku in first_row:
            error = f"{row.sku} is on row {first_row[sku]} already: put the total on one row."
        elif sku in withdrawn:
            error = f"{row.sku} is no longer for sale."
        elif sku not in found:
            error = f"No product {row.sku} here."
        elif isinstance(quantity, str):
            error = quantity
        else:
            product = found[sku]
            total = quantity + in_cart.get(product.pk, 0)
            if total > MAX_CART_QUANTITY:
                error = (
                    f"Your cart has {in_cart[product.pk]} already: at most "
                    f"{MAX_CART_QUANTITY} units of one product per order."
                )
            elif product.stock_quantity < total:
                have = max(product.stock_quantity, 0)
                error = f"Only {have} in stock" + (
                    f" ({in_cart[product.pk]} in your cart already)."
                    if in_cart.get(product.pk)
                    else "."
                )
        if sku and sku not in first_row:
            first_row[sku] = row.row
        if error:
            preview.errors.append(RowError(row.row, row.sku, error))
        else:
            wanted.append((row, found[sku], quantity))
    quotes = price_quotes(
        organization=organization,
        distributor=distributor,
        products=[product for _row, product, _qty in wanted],
        quantities={product.pk: qty + in_cart.get(product.pk, 0) for _r, product, qty in wanted},
    )
    preview.lines = [
        QuickLine(row.row, product, quantity, quotes[product.pk])
        for row, product, quantity in wanted
    ]
    return preview


def quick_order_add(*, user: User, distributor: Organization, preview: QuickPreview) -> int:
    """Put the preview's valid lines into the user's cart at `distributor` in one write."""
    return cart_add_lines(
        user=user,
        distributor=distributor,
        lines=[(line.product, line.quantity) for line in preview.lines],
    )


# --- Order again ---------------------------------------------------------------------------


@dataclass
class AgainResult:
    added: int = 0
    changes: list[str] = field(default_factory=list)


def order_again(
    *,
    user: User,
    order: Order,
    catalog: QuerySet[Product],
    organization: Organization | None,
    money,
) -> AgainResult:
    """Put `order`'s lines into the user's cart at its distributor, at today's prices.

    `catalog` is the buyer's catalog at that distributor (with `stock_quantity`);
    `money` formats an amount for the messages. Each change since the order is
    named: a product withdrawn (left out), a unit price that moved, stock now
    short of the quantity (added all the same: checkout offers a backorder).
    """
    items = list(order.items.select_related("product"))
    current = {p.pk: p for p in catalog.filter(pk__in=[item.product_id for item in items])}
    result = AgainResult()
    lines: list[tuple[Product, int]] = []
    for item in items:
        product = current.get(item.product_id)
        if product is None:
            result.changes.append(f"{item.product.name} is no longer for sale: left out.")
            continue
        lines.append((product, min(item.quantity, MAX_CART_QUANTITY)))
    quotes = price_quotes(
        organization=organization,
        distributor=order.distributor,
        products=[product for product, _qty in lines],
        quantities={product.pk: qty for product, qty in lines},
    )
    by_product = {item.product_id: item for item in items}
    for product, quantity in lines:
        then, now = by_product[product.pk].unit_price, quotes[product.pk].unit_price
        if now != then:
            direction = "up" if now > then else "down"
            result.changes.append(
                f"{product.name}: price {direction} from {money(then)} to {money(now)} a unit."
            )
        if product.stock_quantity < quantity:
            have = max(product.stock_quantity, 0)
            result.changes.append(f"{product.name}: only {have} in stock now ({quantity} asked).")
    result.added = cart_add_lines(user=user, distributor=order.distributor, lines=lines)
    return result
