"""Demo data for commercial terms (seed_demo): price lists, GSTINs, HSN codes and rates.

Idempotent: lists are found by name, GSTINs and HSN codes are set only where
blank, rates by (code, day).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.gst import gstin_check_character
from accounts.models import Organization
from catalog.hsn import default_rate, hsn_rates_on
from catalog.models import HsnRate, Product

from .models import PriceList, PriceListAssignment, PriceListItem

# City -> GST state code, for the demo organizations' GSTINs.
STATE_OF_CITY = {
    "Bengaluru": "29",
    "Tiruppur": "33",
    "Noida": "09",
    "Ahmedabad": "24",
    "Mumbai": "27",
    "Kolkata": "19",
    "Chennai": "33",
    "Pune": "27",
    "New Delhi": "07",
}
# Top-level category -> (HSN code, rate % since 22 September 2025).
HSN_OF_CATEGORY = {
    "Mattresses": ("9404", Decimal("18")),
    "Clothing": ("6109", Decimal("5")),
    "Laptops": ("8471", Decimal("18")),
    "Electronics": ("8518", Decimal("18")),
    "General goods": ("7323", Decimal("5")),
}
RATES_FROM = datetime.date(2025, 9, 22)


def _gstin(state: str, index: int) -> str:
    first14 = f"{state}AADC{chr(ord('A') + index % 26)}{1000 + index:04d}K1Z"
    return first14 + gstin_check_character(first14)


def seed_gstins(organizations) -> int:
    made = 0
    for index, org in enumerate(sorted(organizations, key=lambda o: o.pk)):
        state = STATE_OF_CITY.get(org.city)
        if state and not org.state:
            org.state = state  # the GST state of the address (place of supply, CGST/SGST)
            org.save(update_fields=["state"])
        if state and not org.gstin:
            org.gstin = _gstin(state, index)
            org.save(update_fields=["gstin"])
            made += 1
    return made


def seed_hsn() -> int:
    made = 0
    for code, rate in HSN_OF_CATEGORY.values():
        _, created = HsnRate.objects.get_or_create(
            hsn_code=code, effective_from=RATES_FROM, defaults={"rate": rate}
        )
        made += created
    for top, (code, _) in HSN_OF_CATEGORY.items():
        Product.objects.filter(hsn_code="").filter(
            category__name=top, category__parent__isnull=True
        ).update(hsn_code=code)
        Product.objects.filter(hsn_code="").filter(category__parent__name=top).update(hsn_code=code)
    return made


def _list(
    name, *, assign, organization=None, distributor=None, lines, prices_include_tax=False
) -> int:
    if PriceList.objects.filter(name=name).exists():
        return 0
    plist = PriceList.objects.create(
        name=name, distributor=distributor, prices_include_tax=prices_include_tax
    )
    PriceListAssignment.objects.create(price_list=plist, scope=assign, organization=organization)
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=plist, product=product, min_quantity=qty, **value)
        for product, qty, value in lines
    )
    return 1


def seed_price_lists(*, retailers: list[Organization], distributor: Organization) -> int:
    """Two retailer lists with quantity breaks, a distributor's own list and a shop list.

    The first retailer gets a percentage off the whole catalog (from 10 and
    25 units more), the second fixed prices on a few products (less from 5
    units), and a distributor sells a dozen products 5 % under list price.
    Its customers see six products at a round shelf price that includes GST
    (an MRP-like list: the invoice shows the taxable value and the tax inside it).
    """
    catalog = list(Product.objects.filter(is_active=True).order_by("sku"))
    products = catalog[:24]
    if not products:
        return 0
    first, second = retailers
    pct = lambda p: {"discount_percent": Decimal(p)}  # noqa: E731
    made = _list(
        f"{first.name} trade terms",
        assign=PriceListAssignment.Scope.ORGANIZATION,
        organization=first,
        lines=[
            line
            for product in catalog
            for line in ((product, 1, pct("8")), (product, 10, pct("12")), (product, 25, pct("15")))
        ],
    )
    made += _list(
        f"{second.name} contract prices",
        assign=PriceListAssignment.Scope.ORGANIZATION,
        organization=second,
        lines=[
            line
            for product in products[6:18]
            for line in (
                (product, 1, {"price": (product.price * Decimal("0.93")).quantize(Decimal("1"))}),
                (product, 5, {"price": (product.price * Decimal("0.90")).quantize(Decimal("1"))}),
            )
        ],
    )
    made += _list(
        f"{distributor.name} selling prices",
        assign=PriceListAssignment.Scope.EVERYONE,
        distributor=distributor,
        lines=[(product, 1, pct("5")) for product in products[12:24]],
    )
    shelf = products[:6]
    rates = hsn_rates_on({p.hsn_code for p in shelf}, timezone.localdate())
    made += _list(
        f"{distributor.name} shop prices (GST included)",
        assign=PriceListAssignment.Scope.CUSTOMERS,
        distributor=distributor,
        prices_include_tax=True,
        lines=[(p, 1, {"price": _shelf_price(p.price, rates.get(p.hsn_code))}) for p in shelf],
    )
    return made


def _shelf_price(list_price: Decimal, rate: Decimal | None) -> Decimal:
    """The list price with GST (`rate` a fraction), rounded up to a price ending in 9."""
    gross = list_price * (1 + (default_rate() if rate is None else rate))
    return ((gross + 1) / 10).to_integral_value(rounding="ROUND_CEILING") * 10 - 1
