"""`manage.py seed_demo`: a demo supply chain to click through.

Idempotent: rows are found by their natural keys (e-mail, organization name
and kind, category name and parent, SKU) and only missing ones are created,
through the same services the application uses, so a second run changes
nothing. Stock is assigned only to products this run created: stock that
orders have moved since is left alone.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.agreements import agreement_accept_by_staff, agreement_is_accepted
from accounts.models import PROCUREMENT_GROUP, Organization, User
from accounts.services import organization_create, organization_set_default_store, user_create
from auromart.demo_history import DemoHistory
from catalog.demo_images import draw_product_picture
from catalog.models import Category, Product, SupplierLine
from catalog.services import category_create, product_create
from catalog.services_media import product_attributes_set, product_image_add
from inventory.models import StockItem, StockMovement
from inventory.services import stock_adjust, stock_assign
from invoicing.models import Invoice
from notifications.demo_mail import seeding_quietly
from notifications.dispatch import wait_for_background_deliveries
from orders.models import Order
from orders.services import order_place
from orders.transitions import order_transition
from pricing.demo import seed_gstins, seed_hsn, seed_price_lists
from procurement.suppliers import supplier_line_default_ensure

DEMO_PASSWORD = "AuroMart-demo-2026"
ADMIN_PASSWORD = "AuroMart-admin-2026"
SEED = 2026
DEFAULT_STORE = "AuroMart Central Store"

MANUFACTURER = Organization.Kind.MANUFACTURER
DISTRIBUTOR = Organization.Kind.DISTRIBUTOR
RETAILER = Organization.Kind.RETAILER

# (name, kind, city, region, country)
ORGANIZATIONS = [
    ("Auro Sleep Industries", MANUFACTURER, "Bengaluru", "South", "India"),
    ("Northwind Apparel", MANUFACTURER, "Tiruppur", "South", "India"),
    ("Voltline Electronics", MANUFACTURER, "Noida", "North", "India"),
    ("Harbor Home Goods", MANUFACTURER, "Ahmedabad", "West", "India"),
    (DEFAULT_STORE, DISTRIBUTOR, "Mumbai", "West", "India"),
    ("Eastern Distribution Co.", DISTRIBUTOR, "Kolkata", "East", "India"),
    ("Southern Supply Hub", DISTRIBUTOR, "Chennai", "South", "India"),
    ("Lakeside Retail Mart", RETAILER, "Pune", "West", "India"),
    ("Metro Corner Stores", RETAILER, "New Delhi", "North", "India"),
]

# (e-mail, name, organization name or None, flags)
USERS = [
    ("customer@auromart.local", "Asha Customer", None, {}),
    ("retailer@auromart.local", "Rohan Retailer", "Lakeside Retail Mart", {"is_org_admin": True}),
    ("distributor@auromart.local", "Divya Distributor", DEFAULT_STORE, {"is_org_admin": True}),
    (
        "manufacturer@auromart.local",
        "Manoj Manufacturer",
        "Auro Sleep Industries",
        {"is_org_admin": True},
    ),
    ("procurement@auromart.local", "Priya Procurement", None, {"is_staff": True}),
]
ADMIN_EMAIL = "admin@auromart.local"

# Top-level category -> sub-categories.
CATEGORIES = {
    "Mattresses": ["Memory Foam", "Pocket Spring", "Orthopedic"],
    "Clothing": ["Men", "Women", "Kids"],
    "Laptops": [],
    "Electronics": ["Audio", "Accessories", "Smart Home"],
    "General goods": ["Kitchen", "Home & Living"],
}


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    description: str
    category: tuple[str, str | None]  # (top level, sub-category)
    price: Decimal
    manufacturer: str
    supplier: str | None
    reorder_level: int
    reorder_quantity: int
    order_up_to_level: int | None
    pack_size: int
    minimum_order_quantity: int
    lead_time_days: int


# What the demo's suppliers charge, as a share of the selling price.
DEMO_COST_SHARE = Decimal("0.70")


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    # Shop prices: 549, 2,499, 34,999.
    value = rng.randint(low, high)
    step = 1000 if value >= 10000 else 100 if value >= 1000 else 50
    return Decimal(max(value // step * step - 1, step - 1)).quantize(Decimal("0.01"))


def _mattress(rng):
    line = rng.choice(["CloudRest", "Dreamweave", "Serenity", "NightHaven", "PureSleep", "Luxe"])
    kind, sub = rng.choice(
        [
            ("Memory Foam", "Memory Foam"),
            ("Gel Memory Foam", "Memory Foam"),
            ("Pocket Spring", "Pocket Spring"),
            ("Bonnell Spring", "Pocket Spring"),
            ("Orthopedic", "Orthopedic"),
            ("Dual Comfort Orthopedic", "Orthopedic"),
        ]
    )
    size = rng.choice(["Single", "Double", "Queen", "King"])
    depth = rng.choice([6, 8, 10, 12])
    name = f"{line} {kind} Mattress, {size} {depth}-inch"
    description = (
        f"A {depth}-inch {kind.lower()} mattress in {size.lower()} size with a breathable "
        f"knitted cover and a {rng.choice([5, 7, 10])}-year warranty."
    )
    return name, description, sub, _price(rng, 6000, 46000)


def _clothing(rng):
    sub = rng.choice(["Men", "Women", "Kids"])
    items = {
        "Men": ["Linen Shirt", "Oxford Shirt", "Chinos", "Denim Jeans", "Polo T-Shirt", "Kurta"],
        "Women": ["Cotton Kurti", "Summer Dress", "Palazzo Pants", "Denim Jacket", "Cardigan"],
        "Kids": ["Graphic T-Shirt", "Joggers", "Hooded Sweatshirt", "Dungarees", "Pyjama Set"],
    }[sub]
    item = rng.choice(items)
    fit = rng.choice(["Slim Fit", "Regular Fit", "Relaxed Fit"])
    colour = rng.choice(
        ["Navy", "Charcoal", "Olive", "White", "Maroon", "Sky Blue", "Black", "Beige", "Mustard"]
    )
    who = {"Men": "Men's", "Women": "Women's", "Kids": "Kids'"}[sub]
    name = f"Northwind {who} {fit} {item}, {colour}"
    fabric = rng.choice(["100% cotton", "cotton-linen blend", "organic cotton", "soft jersey"])
    description = f"{fit} {item.lower()} in {colour.lower()}, {fabric}."
    return name, description, sub, _price(rng, 399, 4999)


def _laptop(rng):
    series, low, high = rng.choice(
        [
            ("AeroBook", 38000, 90000),
            ("ProBook", 55000, 130000),
            ("Titan Gaming", 80000, 190000),
            ("StudyMate", 28000, 45000),
        ]
    )
    screen = rng.choice(["13", "14", "15.6", "16"])
    cpu = rng.choice(["Core i5", "Core i7", "Core Ultra 7", "Ryzen 5", "Ryzen 7"])
    ram = rng.choice([8, 16, 32])
    disk = rng.choice(["256GB", "512GB", "1TB"])
    name = f"Voltline {series} {screen} ({cpu}, {ram}GB, {disk} SSD)"
    extra = rng.choice(
        ["backlit keyboard", "fingerprint reader", "144 Hz display", "all-day battery"]
    )
    description = f'{screen}" laptop with {cpu}, {ram}GB RAM and a {disk} NVMe SSD; {extra}.'

    return name, description, None, _price(rng, low, high)


def _electronics(rng):
    sub, item, low, high = rng.choice(
        [
            ("Audio", "Wireless Earbuds", 999, 7999),
            ("Audio", "Bluetooth Speaker", 1499, 12999),
            ("Audio", "Over-Ear Headphones", 1999, 19999),
            ("Audio", "Soundbar", 4999, 24999),
            ("Accessories", "65W USB-C Charger", 899, 2999),
            ("Accessories", "20000mAh Power Bank", 999, 3499),
            ("Accessories", "Wireless Mouse", 399, 2499),
            ("Accessories", "Mechanical Keyboard", 1999, 8999),
            ("Accessories", "7-in-1 USB-C Hub", 1299, 4999),
            ("Smart Home", "Smart Plug", 599, 1999),
            ("Smart Home", "Wi-Fi Security Camera", 1999, 6999),
            ("Smart Home", "Smart LED Bulb", 399, 1299),
        ]
    )
    series = rng.choice(["Pulse", "Nova", "Echo", "Spark", "Orbit"])
    model = f"{series} {rng.randint(1, 9)}{rng.choice(['', ' Pro', ' Lite', ' Max'])}"
    name = f"Voltline {model} {item}"
    description = f"{item} from Voltline's {model} range, with a one-year replacement warranty."
    return name, description, sub, _price(rng, low, high)


def _general(rng):
    sub, item, low, high = rng.choice(
        [
            ("Kitchen", "Stainless Steel Water Bottle 1L", 299, 999),
            ("Kitchen", "Non-Stick Frying Pan 26cm", 599, 1999),
            ("Kitchen", "Pressure Cooker 5L", 1299, 3499),
            ("Kitchen", "Glass Storage Jar Set of 6", 499, 1499),
            ("Kitchen", "Chef's Knife 8-inch", 399, 2499),
            ("Home & Living", "Cotton Bath Towel", 199, 899),
            ("Home & Living", "Double Bedsheet Set", 699, 2999),
            ("Home & Living", "Cushion Cover Set of 5", 399, 1299),
            ("Home & Living", "LED Desk Lamp", 799, 2499),
            ("Home & Living", "Wall Clock", 499, 1999),
        ]
    )
    finish = rng.choice(["Classic", "Essentials", "Premium", "Eco", "Urban"])
    colour = rng.choice(["Sage", "Slate", "Ivory", "Terracotta", "Steel Grey", "Teal"])
    name = f"Harbor {finish} {item}, {colour}"
    description = f"{item} in {colour.lower()}, from Harbor Home Goods' {finish} line."
    return name, description, sub, _price(rng, low, high)


# (top-level category, SKU prefix, count, manufacturer, name maker,
#  (lowest reorder level, highest reorder level, pack size, shortest lead time in days))
SECTORS = [
    ("Mattresses", "MAT", 50, "Auro Sleep Industries", _mattress, (4, 8, 1, 14)),
    ("Clothing", "CLO", 80, "Northwind Apparel", _clothing, (12, 24, 6, 10)),
    ("Laptops", "LAP", 40, "Voltline Electronics", _laptop, (3, 6, 1, 21)),
    ("Electronics", "ELE", 70, "Voltline Electronics", _electronics, (8, 15, 5, 12)),
    ("General goods", "GEN", 60, "Harbor Home Goods", _general, (15, 30, 12, 7)),
]


def product_specs() -> list[ProductSpec]:
    """The demo catalog, the same on every run: drawn from random.Random(2026)."""
    rng = random.Random(SEED)
    specs = []
    names = set()
    for top, prefix, count, manufacturer, make, (lo_level, hi_level, pack, lead) in SECTORS:
        for n in range(1, count + 1):
            for _attempt in range(50):
                name, description, sub, price = make(rng)
                if name not in names:
                    break
            else:
                raise RuntimeError(f"The {top} word lists are too short for {count} products.")
            names.add(name)
            reorder_level = rng.randint(lo_level, hi_level)
            reorder_quantity = max(pack, reorder_level * rng.choice([3, 4, 5]))
            reorder_quantity = -(-reorder_quantity // pack) * pack
            specs.append(
                ProductSpec(
                    sku=f"{prefix}-{n:04d}",
                    name=name,
                    description=description,
                    category=(top, sub),
                    price=price,
                    manufacturer=manufacturer,
                    # Some household goods are bought through a wholesaler.
                    supplier="Eastern Distribution Co."
                    if top == "General goods" and rng.random() < 0.3
                    else None,
                    reorder_level=reorder_level,
                    reorder_quantity=reorder_quantity,
                    order_up_to_level=reorder_level * 6 if rng.random() < 0.5 else None,
                    pack_size=pack,
                    minimum_order_quantity=pack * rng.choice([1, 1, 2]),
                    lead_time_days=lead + rng.randint(0, 7),
                )
            )
    return specs


@contextmanager
def _queries_unlogged():
    """No query log while seeding, even with DEBUG on (`make run`).

    With DEBUG, Django keeps each query's text, and on SQLite quotes its
    parameters with one more query; the seed runs about 300,000 and reads
    none of them back: about 5 % of its CPU (docs/performance.md, seed_demo).
    """
    with override_settings(DEBUG=False):
        yield


class Command(BaseCommand):
    help = "Create demo organizations, users, catalog and stock (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    @seeding_quietly  # the demo's e-mails go to files, not the terminal
    def handle(self, *args, quiet: bool = False, **options):
        self.quiet = quiet
        # On a fresh database the catalog is made on the history's first day (demo_history).
        history = DemoHistory()
        with _queries_unlogged(), history.clock(), transaction.atomic():
            # Dated in the history (a fresh database): its messages are recorded as sent.
            with history.recorded():
                created = {
                    "organizations": self._organizations(),
                    "users": self._users(),
                    "categories": self._categories(),
                    "supply agreements": self._agreements(),
                }
                created["products"], created["stock movements"] = self._catalog_and_stock()
                # Before the orders, so the retailer's demo orders are charged its list.
                created["GSTINs"] = seed_gstins(self.orgs.values())
                created["HSN rates"] = seed_hsn()
                created["price lists"] = seed_price_lists(
                    retailers=[self.orgs["Lakeside Retail Mart"], self.orgs["Metro Corner Stores"]],
                    distributor=self.orgs[DEFAULT_STORE],
                )
                created["supplier costs"] = self._supplier_costs()
                created.update(history.run(orgs=self.orgs))
            # Today's: their messages go out (to files while seeding).
            created["orders"] = self._orders()
        # The demo orders' e-mails go out on background threads after commit;
        # let them finish (console mail prints them) before the logins.
        wait_for_background_deliveries()
        self._summary(created)

    def _say(self, text: str = "", style=None) -> None:
        if not self.quiet:
            self.stdout.write(style(text) if style else text)

    def _organizations(self) -> int:
        self.orgs: dict[str, Organization] = {}
        # organization_create refuses a name taken in another case: match the same way.
        existing = {(o.name.lower(), o.kind): o for o in Organization.objects.all()}
        made = 0
        for name, kind, city, region, country in ORGANIZATIONS:
            org = existing.get((name.lower(), kind))
            if org is None:
                slug = name.lower().replace(" ", "").replace(".", "")
                org = organization_create(
                    name=name,
                    kind=kind,
                    contact_email=f"contact@{slug}.example",
                    phone=f"+91 98{len(self.orgs):02d} 555 0{len(self.orgs):02d}",
                    address=f"{10 + len(self.orgs)} Industrial Estate Road",
                    city=city,
                    region=region,
                    country=country,
                )
                made += 1
            self.orgs[name] = org
        # Only claim the store when there is none: a store chosen since the
        # first run stays chosen.
        if not Organization.objects.filter(is_default_store=True).exists():
            organization_set_default_store(organization=self.orgs[DEFAULT_STORE])
        return made

    def _agreements(self) -> int:
        """Every manufacturer supplies every distributor (each stocks their products)."""
        made = 0
        for manufacturer in self.orgs.values():
            if manufacturer.kind != MANUFACTURER:
                continue
            for distributor in self.orgs.values():
                if distributor.kind == DISTRIBUTOR and not agreement_is_accepted(
                    manufacturer_id=manufacturer.pk, distributor_id=distributor.pk
                ):
                    agreement_accept_by_staff(manufacturer=manufacturer, distributor=distributor)
                    made += 1
        return made

    def _users(self) -> int:
        existing = set(User.objects.values_list("email", flat=True))
        made = 0
        for email, name, org_name, flags in USERS:
            if email not in existing:
                user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    name=name,
                    organization=self.orgs[org_name] if org_name else None,
                    **flags,
                )
                made += 1
        if ADMIN_EMAIL not in existing:
            user_create(
                email=ADMIN_EMAIL,
                password=ADMIN_PASSWORD,
                name="AuroMart Administrator",
                is_staff=True,
                is_superuser=True,
            )
            made += 1
        # The group comes from a migration; membership is re-asserted, a no-op
        # when it is already there.
        group = Group.objects.get(name=PROCUREMENT_GROUP)
        User.objects.get(email="procurement@auromart.local").groups.add(group)
        return made

    def _categories(self) -> int:
        self.categories: dict[tuple[str, str | None], Category] = {}
        existing = {(c.parent_id, c.name.lower()): c for c in Category.objects.all()}
        made = 0
        for top_name, subs in CATEGORIES.items():
            top = existing.get((None, top_name.lower()))
            if top is None:
                top = category_create(name=top_name)
                made += 1
            self.categories[(top_name, None)] = top
            for sub_name in subs:
                sub = existing.get((top.pk, sub_name.lower()))
                if sub is None:
                    sub = category_create(name=sub_name, parent=top)
                    made += 1
                self.categories[(top_name, sub_name)] = sub
        return made

    def _catalog_and_stock(self) -> tuple[int, int]:
        specs = product_specs()
        existing = set(
            Product.objects.filter(sku__in=[s.sku for s in specs]).values_list("sku", flat=True)
        )
        # Stock is drawn from its own generator so that the catalog stays the
        # same whatever the stock rules become.
        rng = random.Random(SEED + 1)
        store = self.orgs[DEFAULT_STORE]
        others = [self.orgs["Eastern Distribution Co."], self.orgs["Southern Supply Hub"]]
        sold_out = set(rng.sample(range(len(specs)), 6))
        products = movements = 0
        for index, spec in enumerate(specs):
            # Draw for every spec, created or not, so each product's stock does
            # not depend on which others already existed.
            plan = [(store, self._opening_quantity(rng, spec))]
            plan += [(d, self._opening_quantity(rng, spec)) for d in others if rng.random() < 0.5]
            if spec.sku in existing:
                continue
            product = product_create(
                sku=spec.sku,
                name=spec.name,
                description=spec.description,
                category=self.categories[spec.category],
                price=spec.price,
                cost_price=(spec.price * DEMO_COST_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP),
                manufacturer=self.orgs[spec.manufacturer],
                supplier=self.orgs[spec.supplier] if spec.supplier else None,
                reorder_level=spec.reorder_level,
                reorder_quantity=spec.reorder_quantity,
                order_up_to_level=spec.order_up_to_level,
                pack_size=spec.pack_size,
                minimum_order_quantity=spec.minimum_order_quantity,
                lead_time_days=spec.lead_time_days,
            )
            products += 1
            self._media(product, spec, pictures=3 if index < 8 else 1)
            for distributor, quantity in plan:
                item = stock_assign(
                    product=product,
                    distributor=distributor,
                    quantity=quantity,
                    note="Opening stock (demo data)",
                    reference="seed_demo",
                )
                movements += 1
                if index in sold_out and distributor == store:
                    stock_adjust(
                        stock_item=item,
                        delta=-item.on_hand,
                        note="Stock-take: shelf empty, written off (demo data)",
                        reference="seed_demo",
                    )
                    movements += 1
        return products, movements

    @staticmethod
    def _supplier_costs() -> int:
        """Every supplier line gets a cost (about 70 % of the price), so the demo shows
        replenishment working, not "needs a supplier cost"."""
        made = 0
        for product in Product.objects.filter(supplier_lines__isnull=True).order_by("pk"):
            supplier_line_default_ensure(product=product)
        lines = SupplierLine.objects.filter(unit_cost__isnull=True).select_related("product")
        for line in lines.order_by("pk"):
            line.unit_cost = (line.product.price * DEMO_COST_SHARE).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            line.save(update_fields=["unit_cost", "updated_at"])
            made += 1
        return made

    @staticmethod
    def _media(product: Product, spec: ProductSpec, pictures: int) -> None:
        """Pictures drawn with Pillow and a few specifications, from the spec."""
        for variant in range(pictures):
            product_image_add(
                product=product,
                upload=draw_product_picture(name=spec.name, label=spec.sku, variant=variant),
                alt_text=f"{spec.name}, view {variant + 1}" if pictures > 1 else spec.name,
            )
        top, sub = spec.category
        product_attributes_set(
            product=product,
            pairs=[
                ("Range", spec.name.split()[0]),
                ("Category", f"{top} \u203a {sub}" if sub else top),
                ("Pack", f"{spec.pack_size} unit{'s' if spec.pack_size != 1 else ''}"),
                ("Dispatch", f"within {spec.lead_time_days} days from the manufacturer"),
            ],
        )

    def _orders(self) -> int:
        """A short order history for the demo customer and retailer, placed like real orders."""
        buyers = [
            User.objects.get(email="customer@auromart.local"),
            User.objects.get(email="retailer@auromart.local"),
        ]
        if Order.objects.filter(customer__in=buyers).exists():
            return 0
        store = self.orgs[DEFAULT_STORE]
        staff = User.objects.get(email="distributor@auromart.local")
        rng = random.Random(SEED + 2)
        in_stock = list(
            StockItem.objects.filter(distributor=store, on_hand__gte=40)
            .order_by("pk")
            .values_list("product_id", flat=True)
        )
        # Each plan: the buyer, how far the order has come, how many lines.
        plans = [
            (buyers[0], [], 2),
            (buyers[0], ["accepted", "processing", "shipped"], 1),
            (buyers[0], ["accepted", "processing", "shipped", "delivered"], 3),
            (buyers[0], ["cancelled"], 1),
            (buyers[1], ["accepted"], 4),
            (buyers[1], [], 2),
            # Delivered orders are invoiced (invoicing's receiver): one for each buyer.
            (buyers[1], ["accepted", "processing", "shipped", "delivered"], 5),
        ]
        for buyer, steps, lines in plans:
            order = order_place(
                customer=buyer,
                distributor=store,
                items=[(pid, rng.randint(1, 3)) for pid in rng.sample(in_stock, lines)],
                # GST: the customer's is inter-state (IGST), the Pune retailer's intra-state.
                shipping_address="42 Lake View Road\nBengaluru, Karnataka 560001"
                if buyer is buyers[0]
                else "Lakeside Retail Mart, FC Road\nPune, Maharashtra 411004",
            )
            for status in steps:
                order = order_transition(
                    order=order,
                    to_status=status,
                    by=buyer if status == "cancelled" else staff,
                    note="Demo data",
                    tracking_reference="DEMO-TRACK-1001" if status == "shipped" else "",
                )
        return len(plans)

    @staticmethod
    def _opening_quantity(rng: random.Random, spec: ProductSpec) -> int:
        # About one in ten starts at or below its reorder level, so that the
        # procurement screens have something to show; the rest comfortably above.
        if rng.random() < 0.1:
            return rng.randint(1, spec.reorder_level)
        return spec.reorder_level * 2 + rng.randint(5, 60)

    def _summary(self, created: dict[str, int]) -> None:
        made = ", ".join(f"{n} {what}" for what, n in created.items())
        self._say(f"seed_demo: created {made}.", self.style.SUCCESS)
        low = StockItem.objects.at_or_below_reorder_level().count()
        self._say(
            f"Now: {Organization.objects.count()} organizations, {User.objects.count()} users, "
            f"{Category.objects.count()} categories, {Product.objects.count()} products, "
            f"{StockItem.objects.count()} stock items ({low} at or below reorder level), "
            f"{StockMovement.objects.count()} stock movements, {Order.objects.count()} orders, "
            f"{Invoice.objects.count()} invoices."
        )
        self._say("")
        self._say("Demo logins:", self.style.MIGRATE_HEADING)
        roles = {
            "customer@auromart.local": "customer",
            "retailer@auromart.local": "retailer, admin of Lakeside Retail Mart",
            "distributor@auromart.local": f"distributor, admin of {DEFAULT_STORE} (the store)",
            "manufacturer@auromart.local": "manufacturer, admin of Auro Sleep Industries",
            "procurement@auromart.local": "procurement staff (Django admin)",
        }
        for email, role in roles.items():
            self._say(f"  {email:<30} {DEMO_PASSWORD:<22} {role}")
        self._say(f"  {ADMIN_EMAIL:<30} {ADMIN_PASSWORD:<22} superuser")
