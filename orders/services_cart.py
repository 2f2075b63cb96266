"""Writes for the database cart (a signed-in user's; visitors' carts live in the session)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import Organization, User
from catalog.models import Product

from .models import Cart, CartItem

MAX_CART_QUANTITY = 999


def validate_cart_quantity(product: Product, quantity, *, minimum: int) -> None:
    """Raise ValidationError({"quantity": ...}) unless `quantity` is a whole number in range."""
    if not product.is_active:
        raise ValidationError({"product": f"{product.name} is no longer for sale."})
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({"quantity": "Enter a whole number."})
    if quantity < minimum:
        raise ValidationError({"quantity": f"Enter a quantity of at least {minimum}."})
    if quantity > MAX_CART_QUANTITY:
        raise ValidationError(
            {"quantity": f"At most {MAX_CART_QUANTITY} units of one product per order."}
        )


def _cart(user: User, distributor: Organization) -> Cart:
    cart, _ = Cart.objects.get_or_create(user=user, distributor=distributor)
    return cart


@transaction.atomic
def cart_add_item(
    *, user: User, distributor: Organization, product: Product, quantity: int
) -> CartItem:
    """Add `quantity` units of `product` to the user's cart at `distributor`.

    The cart may hold more than is in stock (the cart page warns, checkout
    refuses); it may not hold more than MAX_CART_QUANTITY of one product.
    Raises ValidationError keyed by field.
    """
    validate_cart_quantity(product, quantity, minimum=1)
    cart = _cart(user, distributor)
    item = CartItem.objects.select_for_update().filter(cart=cart, product=product).first()
    if item is None:
        return CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    validate_cart_quantity(product, item.quantity + quantity, minimum=1)
    CartItem.objects.filter(pk=item.pk).update(quantity=F("quantity") + quantity)
    item.refresh_from_db(fields=["quantity"])
    return item


@transaction.atomic
def cart_set_item_quantity(
    *, user: User, distributor: Organization, product: Product, quantity: int
) -> CartItem | None:
    """Set the product's quantity in the user's cart (0 removes the line); returns the line."""
    if quantity == 0:
        CartItem.objects.filter(
            cart__user=user, cart__distributor=distributor, product=product
        ).delete()
        return None
    validate_cart_quantity(product, quantity, minimum=1)
    item, _ = CartItem.objects.update_or_create(
        cart=_cart(user, distributor), product=product, defaults={"quantity": quantity}
    )
    return item


@transaction.atomic
def cart_merge(*, user: User, carts: dict[int, dict[int, int]]) -> int:
    """Fold a visitor's session carts into the user's database carts; returns lines merged.

    `carts` is {distributor_id: {product_id: quantity}}. Quantities add up
    (capped at MAX_CART_QUANTITY); products no longer for sale and
    organizations that are not distributors are dropped.
    """
    merged = 0
    distributors = Organization.objects.filter(
        kind=Organization.Kind.DISTRIBUTOR, pk__in=list(carts)
    ).in_bulk()
    product_ids = {pid for lines in carts.values() for pid in lines}
    products = Product.objects.filter(is_active=True).in_bulk(list(product_ids))
    for distributor_id, lines in carts.items():
        distributor = distributors.get(distributor_id)
        if distributor is None:
            continue
        cart = _cart(user, distributor)
        existing = {item.product_id: item for item in cart.items.select_for_update()}
        for product_id, quantity in lines.items():
            if product_id not in products or quantity < 1:
                continue
            item = existing.get(product_id)
            if item is None:
                CartItem.objects.create(
                    cart=cart,
                    product=products[product_id],
                    quantity=min(quantity, MAX_CART_QUANTITY),
                )
            else:
                item.quantity = min(item.quantity + quantity, MAX_CART_QUANTITY)
                item.save(update_fields=["quantity"])
            merged += 1
    return merged


@transaction.atomic
def cart_add_lines(
    *, user: User, distributor: Organization, lines: list[tuple[Product, int]]
) -> int:
    """Add several (product, quantity) lines to the user's cart at `distributor` in one write:
    a constant number of queries whatever the number of lines (quick order, order again).

    Quantities add to what the cart holds, capped at MAX_CART_QUANTITY a product;
    callers check their rows first (a quick order's preview). Returns lines written.
    """
    if not lines:
        return 0
    cart = _cart(user, distributor)
    products = {product.pk: product for product, _quantity in lines}
    existing = {
        item.product_id: item
        for item in CartItem.objects.select_for_update().filter(cart=cart, product_id__in=products)
    }
    new: dict[int, CartItem] = {}
    for product, quantity in lines:
        if quantity < 1:
            raise ValidationError({"quantity": "Enter a quantity of at least 1."})
        item = existing.get(product.pk) or new.get(product.pk)
        if item is None:
            new[product.pk] = CartItem(
                cart=cart, product=product, quantity=min(quantity, MAX_CART_QUANTITY)
            )
        else:
            item.quantity = min(item.quantity + quantity, MAX_CART_QUANTITY)
    CartItem.objects.bulk_create(new.values())
    if existing:
        CartItem.objects.bulk_update(existing.values(), ["quantity"])
    return len(products)
