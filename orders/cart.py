"""The cart: in the database for a signed-in user, in the session for a visitor.

Views talk to `cart_for(request, distributor)`, which returns either store
with the same methods; the writes of the database cart are services in
orders.services_cart. A visitor's session cart is merged into the database
cart when they sign in (orders.receivers).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from accounts.models import Organization
from auromart.tax import LineTax, TaxTotals, line_tax, tax_on, tax_totals
from catalog.models import Product
from catalog.selectors import products_with_stock, stock_label
from pricing.selectors import Quote, buyer_organization, price_quotes

from . import services_cart
from .models import Cart, CartItem, FulfillmentType
from .services import money
from .tax import Supply, discount_spread, lines_taxed, order_supply

SESSION_KEY = "cart"


@dataclass
class CartLine:
    product: Product
    quantity: int
    available: int
    quote: Quote  # the buyer's price at this line's quantity (pricing.selectors)
    tax: LineTax | None = None  # its taxable value and GST (orders.tax), as the order will have

    @property
    def unit_price(self) -> Decimal:
        return self.quote.unit_price

    @property
    def line_total(self) -> Decimal:
        """The amount as quoted (with tax when the list's prices include it)."""
        return money(self.quote.unit_price * self.quantity)

    @property
    def taxable(self) -> Decimal:
        return self.tax.taxable if self.tax is not None else self.line_total

    @property
    def short(self) -> bool:
        """More in the cart than the distributor can sell now."""
        return self.quantity > self.available

    @property
    def stock(self) -> tuple[str, str]:
        return stock_label(self.available)


@dataclass
class CartSummary:
    lines: list[CartLine]
    supply: Supply | None = None  # the place of supply assumed until checkout names the address

    @property
    def totals(self) -> TaxTotals:
        return tax_totals(line.tax for line in self.lines if line.tax is not None)

    @property
    def subtotal(self) -> Decimal:
        """The sum of the taxable values (an order's subtotal), whichever way prices were quoted."""
        return sum((line.taxable for line in self.lines), Decimal("0.00"))

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_shortage(self) -> bool:
        return any(line.short for line in self.lines)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def totals_after(self, discount: Decimal) -> TaxTotals:
        """The totals with `discount` (loyalty points) taken off before GST, as order_place does:
        spread over the lines by taxable value (orders.tax.discount_spread), GST again per line."""
        taxes = [line.tax for line in self.lines if line.tax is not None]
        if not discount or self.supply is None:
            return self.totals
        shares = discount_spread([tax.taxable for tax in taxes], discount)
        return tax_totals(
            tax_on(taxable=tax.taxable - share, rate=tax.rate, intra_state=self.supply.intra_state)
            for tax, share in zip(taxes, shares, strict=True)
        )

    def for_supply(self, supply: Supply) -> "CartSummary":
        """The same lines taxed for another place of supply (no query)."""
        if self.supply is not None and supply.intra_state == self.supply.intra_state:
            return CartSummary(self.lines, supply=supply)
        lines = [
            CartLine(
                line.product,
                line.quantity,
                line.available,
                line.quote,
                None
                if line.tax is None
                else line_tax(
                    amount=line.line_total,
                    rate=line.tax.rate,
                    intra_state=supply.intra_state,
                    includes_tax=line.quote.prices_include_tax,
                ),
            )
            for line in self.lines
        ]
        return CartSummary(lines, supply=supply)


def _summary(
    distributor: Organization, quantities: dict[int, int], organization: Organization | None
) -> CartSummary:
    if not quantities:
        return CartSummary([])
    products = (
        products_with_stock(distributor=distributor)
        .prefetch_related("images")
        .in_bulk(list(quantities))
    )
    quotes = price_quotes(
        organization=organization,
        distributor=distributor,
        products=products.values(),
        quantities=quantities,
    )
    # Lines keep the order they were added in; a product withdrawn from sale
    # since drops out (checkout could not sell it anyway). The tax assumes a
    # pickup (the buyer's state) until checkout names the delivery address.
    supply = order_supply(
        distributor=distributor, buyer=organization, fulfillment_type=FulfillmentType.PICKUP
    )
    priced = [
        (products[pid], qty, quotes[pid]) for pid, qty in quantities.items() if pid in products
    ]
    taxed = lines_taxed(priced=priced, intra_state=supply.intra_state)
    return CartSummary(
        [
            CartLine(product, qty, product.stock_quantity, quote, line.tax)
            for (product, qty, quote), line in zip(priced, taxed, strict=True)
        ],
        supply=supply,
    )


class DatabaseCart:
    def __init__(self, user, distributor: Organization):
        self.user = user
        self.distributor = distributor

    @property
    def cart(self) -> Cart | None:
        return Cart.objects.filter(user=self.user, distributor=self.distributor).first()

    def quantities(self) -> dict[int, int]:
        return dict(
            CartItem.objects.filter(
                cart__user=self.user, cart__distributor=self.distributor
            ).values_list("product_id", "quantity")
        )

    def summary(self) -> CartSummary:
        return _summary(self.distributor, self.quantities(), buyer_organization(self.user))

    def count(self) -> int:
        # Products withdrawn since do not count: summary() drops them too.
        total = CartItem.objects.filter(
            cart__user=self.user, cart__distributor=self.distributor, product__is_active=True
        ).aggregate(n=Sum("quantity"))["n"]
        return total or 0

    def add(self, product: Product, quantity: int) -> None:
        services_cart.cart_add_item(
            user=self.user, distributor=self.distributor, product=product, quantity=quantity
        )

    def set(self, product: Product, quantity: int) -> None:
        services_cart.cart_set_item_quantity(
            user=self.user, distributor=self.distributor, product=product, quantity=quantity
        )

    def remove(self, product: Product) -> None:
        self.set(product, 0)


class SessionCart:
    """A visitor's cart in the session: {distributor_id: {product_id: quantity}} (str keys)."""

    def __init__(self, session, distributor: Organization):
        self.session = session
        self.distributor = distributor

    def _all(self) -> dict:
        return self.session.get(SESSION_KEY, {})

    def quantities(self) -> dict[int, int]:
        lines = self._all().get(str(self.distributor.pk), {})
        return {int(pid): int(qty) for pid, qty in lines.items()}

    def summary(self) -> CartSummary:
        return _summary(self.distributor, self.quantities(), None)

    def count(self) -> int:
        return sum(self.quantities().values())

    def _write(self, quantities: dict[int, int]) -> None:
        data = self._all()
        data[str(self.distributor.pk)] = {str(pid): qty for pid, qty in quantities.items()}
        self.session[SESSION_KEY] = data
        self.session.modified = True

    def add(self, product: Product, quantity: int) -> None:
        services_cart.validate_cart_quantity(product, quantity, minimum=1)
        quantities = self.quantities()
        new = quantities.get(product.pk, 0) + quantity
        services_cart.validate_cart_quantity(product, new, minimum=1)
        quantities[product.pk] = new
        self._write(quantities)

    def set(self, product: Product, quantity: int) -> None:
        quantities = self.quantities()
        if quantity == 0:
            # Removing is always allowed, a withdrawn product's line included.
            quantities.pop(product.pk, None)
        else:
            services_cart.validate_cart_quantity(product, quantity, minimum=1)
            quantities[product.pk] = quantity
        self._write(quantities)

    def remove(self, product: Product) -> None:
        self.set(product, 0)


def cart_for(request, distributor: Organization) -> DatabaseCart | SessionCart:
    if request.user.is_authenticated:
        return DatabaseCart(request.user, distributor)
    return SessionCart(request.session, distributor)


def pop_session_cart(session) -> dict[int, dict[int, int]]:
    """Take a visitor's cart out of the session: {distributor_id: {product_id: quantity}}."""
    data = session.pop(SESSION_KEY, None) or {}
    return {
        int(did): {int(pid): int(qty) for pid, qty in lines.items()} for did, lines in data.items()
    }
