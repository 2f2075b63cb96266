"""Every role against every page and endpoint, generated from the URLconf.

The table below says, for each URL pattern under /api/ and the role areas
(/customer-portal/, /retailer/, /distributor/, /manufacturer/, /invoices/, /reports/), what each
role gets: allowed, sent to log in (401 on the API), 403 (wrong role) or 404
(another organization's object). `test_every_url_pattern_is_in_the_table`
walks the URLconf, so a new endpoint without a row fails the suite; patterns
that other suites check are listed in OWNED_ELSEWHERE with the reason.

For a pattern with an object in its path, each role tries "its" object (its
own where it has one) and then an object of another organization, which every
role that passes the role check must get as 404.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
    SupplyAgreementFactory,
)
from catalog.models import ProductImage
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import StockItemFactory
from inventory.warehouses import warehouse_default
from invoicing.models import CreditTerms
from invoicing.tests.factories import invoice_for
from notifications.models import Notification
from orders.tests.factories import place_order
from pricing.models import PriceList
from procurement.services import procurement_request_approve, procurement_request_create
from procurement.tests.factories import procurement_staff
from returns.services import RequestedLine, return_request_create
from standing_orders.services import standing_order_create
from transfers.services import transfer_create

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
CUSTOMER = "customer"
RETAILER = "retailer"
DISTRIBUTOR = "distributor"
MANUFACTURER = "manufacturer"
PROCUREMENT = "procurement"  # staff in the procurement group, no organization
ROLES = (ANONYMOUS, CUSTOMER, RETAILER, DISTRIBUTOR, MANUFACTURER, PROCUREMENT)
SIGNED_IN = ROLES[1:]

# Outcomes.
OK = "allowed"  # past the role and scope checks: any answer but 401/403/404/405/5xx or login
LOGIN = "login"  # 401 on the API, a redirect to the login page on pages
FORBIDDEN = "403"
NOT_FOUND = "404"

# Patterns these tests do not cover, with who does.
OWNED_ELSEWHERE = {
    "": "the landing page redirects by role: accounts/tests/test_dashboards.py",
    "healthz": "public health check: auromart/tests",
    "readyz": "public readiness probe: auromart/tests/test_readiness.py",
    "accounts/": "sign-up, login, profile and password pages: accounts/tests/test_views.py",
    "notifications/": "the user's own inbox pages: notifications/tests/test_views.py",
    "procurement/": "supplier purchase-order pages by link or login (#5): procurement/tests",
    "anymail/": "ESP webhooks, basic-auth guarded: notifications/tests",
    "admin/": "Django admin, staff permissions: each app's test_admin.py",
    "api/schema/": "public OpenAPI schema",
    "api/docs/": "public Swagger UI",
    "media/": "public product pictures: catalog/tests/test_media.py",
    "jobs/": "a background job's progress and file, its owner only (404 to anyone else, "
    "staff included): jobs/tests/test_views.py",
}


@dataclass
class World:
    """Two organizations of each kind, so that every object has a stranger to hide from."""

    users: dict[str, object]
    objects: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, name):
        return self.objects[name]


def build_world() -> World:
    distributor = DistributorUserFactory(organization__name="Depot One")
    distributor.organization.is_default_store = True
    distributor.organization.save()
    manufacturer = ManufacturerUserFactory()
    retailer = RetailerUserFactory()
    customer = CustomerFactory()
    staff = procurement_staff()
    users = {
        CUSTOMER: customer,
        RETAILER: retailer,
        DISTRIBUTOR: distributor,
        MANUFACTURER: manufacturer,
        PROCUREMENT: staff,
    }
    d1 = distributor.organization
    d2 = OrganizationFactory(name="Depot Two", kind=Organization.Kind.DISTRIBUTOR)
    other_retailer = RetailerUserFactory()
    other_customer = CustomerFactory()
    own_product = ProductFactory(manufacturer=manufacturer.organization)
    other_product = ProductFactory()
    for product in (own_product, other_product):
        for depot in (d1, d2):
            StockItemFactory(product=product, distributor=depot, on_hand=500)
    world = World(users=users)
    world.objects.update(
        d1=d1,
        d2=d2,
        own_product=own_product,
        other_product=other_product,
        category=own_product.category,
        d1_stock=StockItem.objects.get(product=own_product, distributor=d1),
        d2_stock=StockItem.objects.get(product=own_product, distributor=d2),
        d1_warehouse=warehouse_default(d1),
        d2_warehouse=warehouse_default(d2),
        customer_order=place_order(customer=customer, distributor=d1, lines=[(own_product, 1)]),
        retailer_order=place_order(customer=retailer, distributor=d1, lines=[(own_product, 1)]),
        other_customer_order=place_order(
            customer=other_customer, distributor=d2, lines=[(other_product, 1)]
        ),
        other_retailer_order=place_order(
            customer=other_retailer, distributor=d2, lines=[(other_product, 1)]
        ),
        other_notification=Notification.objects.create(
            user=other_customer, event="test", title="Not yours"
        ),
    )
    for role, user in users.items():
        world.objects[f"{role}_notification"] = Notification.objects.create(
            user=user, event="test", title="Yours"
        )
    # Delivered orders of their own, so the orders above keep their placed status.
    world.objects.update(
        customer_invoice=invoice_for(customer=customer, distributor=d1, lines=[(own_product, 1)]),
        retailer_invoice=invoice_for(customer=retailer, distributor=d1, lines=[(own_product, 1)]),
        other_retailer_invoice=invoice_for(
            customer=other_retailer, distributor=d2, lines=[(other_product, 1)]
        ),
    )
    # The manufacturer asked Depot One; another manufacturer and Depot Two agreed.
    world.objects["agreement"] = SupplyAgreementFactory(
        manufacturer=manufacturer.organization, distributor=d1, status="requested"
    )
    world.objects["other_agreement"] = SupplyAgreementFactory(distributor=d2)
    # Each depot's own price list.
    world.objects["d1_price_list"] = PriceList.objects.create(
        name="Depot One prices", distributor=d1
    )
    world.objects["d2_price_list"] = PriceList.objects.create(
        name="Depot Two prices", distributor=d2
    )
    # Each depot's credit terms for a retailer (#16 part 2), no limit: nothing is held.
    world.objects["d1_terms"] = CreditTerms.objects.create(seller=d1, buyer=retailer.organization)
    world.objects["d2_terms"] = CreditTerms.objects.create(
        seller=d2, buyer=other_retailer.organization
    )
    # Gallery rows (no files needed: the matrix only reaches them).
    world.objects["own_image"] = ProductImage.objects.create(
        product=own_product, image="products/own.jpg", alt_text="Own"
    )
    world.objects["other_image"] = ProductImage.objects.create(
        product=other_product, image="products/other.jpg", alt_text="Other"
    )
    # Standing orders (#18) of the customer, the retailer, and a stranger.
    for name, buyer in (
        ("customer_standing_order", customer),
        ("retailer_standing_order", retailer),
        ("other_standing_order", other_customer),
    ):
        world.objects[name] = standing_order_create(
            buyer=buyer,
            distributor=d1,
            shipping_address="1 Test Street",
            frequency="weekly",
            next_run_date=timezone.localdate() + datetime.timedelta(days=3),
            lines=[(own_product, 1)],
        )
    # Returns (#17) of the two buyers' delivered orders at Depot One, and a stranger's at Two.
    for name, invoice in (
        ("customer_return", world.objects["customer_invoice"]),
        ("retailer_return", world.objects["retailer_invoice"]),
        ("other_return", world.objects["other_retailer_invoice"]),
    ):
        item = invoice.order.items.get()
        world.objects[name] = return_request_create(
            order=invoice.order,
            by=invoice.order.customer,
            lines=[RequestedLine(item.pk, 1, "defective")],
        )
    world.objects["procurement_request"] = procurement_request_create(
        product=other_product, distributor=d1, by=staff, quantity=10
    )
    to_approve = procurement_request_create(
        product=own_product, distributor=d2, by=staff, quantity=10
    )
    world.objects["purchase_order"] = procurement_request_approve(request=to_approve, by=staff)
    # Transfers (#23): Depot One's to Depot Two (both sides see it), and one between Depot Two
    # and a third depot that Depot One must not see.
    d3 = OrganizationFactory(name="Depot Three", kind=Organization.Kind.DISTRIBUTOR)
    world.objects["d1_transfer"] = transfer_create(
        source=d1, destination=d2, lines=[(own_product, 2)], by=distributor
    )
    world.objects["d1_incoming"] = transfer_create(
        source=d2, destination=d1, lines=[(own_product, 2)], by=None
    )
    world.objects["other_transfer"] = transfer_create(
        source=d2, destination=d3, lines=[(other_product, 2)], by=None
    )
    return world


# --- Object choosers: (world, role) -> URL kwargs ----------------------------------


def order_pk(name):
    return lambda world, role: {"pk": world[name].pk}


def order_number(name):
    return lambda world, role: {"number": world[name].number}


def _buyer_order_name(role: str) -> str:
    """The caller's own order where it placed one (retailers); the customer's otherwise."""
    return "retailer_order" if role == RETAILER else "customer_order"


def buyers_order_pk(world, role):
    return {"pk": world[_buyer_order_name(role)].pk}


def buyers_order_number(world, role):
    return {"number": world[_buyer_order_name(role)].number}


def _buyer_invoice(world, role: str):
    """The retailer organization's invoice for retailers; the customer's (sold by d1) otherwise."""
    return world["retailer_invoice" if role == RETAILER else "customer_invoice"]


def buyers_invoice_number(world, role):
    invoice = _buyer_invoice(world, role)
    return {"seller": invoice.seller_slug, "number": invoice.number}


def buyers_standing_order(world, role):
    return {
        "pk": world["retailer_standing_order" if role == RETAILER else "customer_standing_order"].pk
    }


def buyers_return(world, role):
    return {"pk": world["retailer_return" if role == RETAILER else "customer_return"].pk}


def buyers_delivered_order(world, role):
    """The order the buyer's invoice billed (delivered: a return can be asked of it)."""
    return {"number": _buyer_invoice(world, role).order.number}


def other_delivered_order(world, role):
    return {"number": world["other_retailer_invoice"].order.number}


def buyers_invoice_pk(world, role):
    return {"pk": _buyer_invoice(world, role).pk}


def invoice_number(name):
    return lambda world, role: {"seller": world[name].seller_slug, "number": world[name].number}


def _statement_key(invoice) -> str:
    from invoicing.statements import Buyer

    return Buyer.key_of(invoice)


def buyers_statement(world, role):
    """The buyer's own statement (the distributor's: the customer it sold to)."""
    return {"buyer": _statement_key(_buyer_invoice(world, role))}


def statement_of(name):
    return lambda world, role: {"buyer": _statement_key(world[name])}


def _cheque_on(invoice):
    """A recorded cheque on `invoice` (made when first asked for), for the bounce URLs."""
    from django.utils import timezone

    from invoicing.models import InvoicePayment
    from invoicing.receipts import invoice_payment_record

    payment = InvoicePayment.objects.filter(invoice=invoice, method="cheque").first()
    return payment or invoice_payment_record(
        invoice=invoice,
        amount="0.01",
        method="cheque",
        reference=f"CHQ-{invoice.pk}",
        received_on=timezone.localdate(),
    )


def buyers_cheque(world, role):
    invoice = _buyer_invoice(world, role)
    return {**buyers_invoice_number(world, role), "pk": _cheque_on(invoice).pk}


def cheque_of(name):
    def kwargs(world, role):
        invoice = world[name]
        return {**invoice_number(name)(world, role), "pk": _cheque_on(invoice).pk}

    return kwargs


def buyers_cheque_pk(world, role):
    invoice = _buyer_invoice(world, role)
    return {"pk": invoice.pk, "payment_pk": _cheque_on(invoice).pk}


def cheque_pk_of(name):
    return lambda world, role: {"pk": world[name].pk, "payment_pk": _cheque_on(world[name]).pk}


def _credit_note_on(invoice):
    """A small price credit note on `invoice` (made when first asked for)."""
    from invoicing.credit_notes import credit_note_issue
    from invoicing.models import CreditNote

    note = CreditNote.objects.filter(invoice=invoice).first()
    return note or credit_note_issue(
        invoice=invoice, by=None, kind="price", amounts={invoice.lines.get().pk: "0.01"}
    )


def buyers_credit_note(world, role):
    note = _credit_note_on(_buyer_invoice(world, role))
    return {"seller": note.seller_slug, "number": note.number}


def credit_note_of(name):
    def kwargs(world, role):
        note = _credit_note_on(world[name])
        return {"seller": note.seller_slug, "number": note.number}

    return kwargs


def buyers_credit_note_pk(world, role):
    return {"pk": _credit_note_on(_buyer_invoice(world, role)).pk}


def credit_note_pk_of(name):
    return lambda world, role: {"pk": _credit_note_on(world[name]).pk}


def _report_job(owner):
    from jobs.models import Job

    return Job.objects.create(kind="report_export", owner=owner, label="sales.csv")


def own_report_job(world, role):
    """A background report download of the caller's own (any id for a visitor)."""
    user = world.users.get(role)
    return {"public_id": _report_job(user).public_id if user else uuid.uuid4()}


def other_report_job(world, role):
    return {"public_id": _report_job(CustomerFactory()).public_id}


def pk_of(name):
    return lambda world, role: {"pk": world[name].pk}


def shipment_of(invoice_name, key="pk"):
    """The shipment an invoice of the world billed (its order was shipped and delivered)."""

    def kwargs(world, role):
        shipment = world[invoice_name].shipment
        return {"pk": shipment.pk} if key == "pk" else {"number": shipment.number}

    return kwargs


def supplier_line_of(name):
    """The supplier line of a product by its manufacturer (made when first asked for)."""

    def kwargs(world, role):
        from catalog.models import SupplierLine

        product = world[name]
        line, _ = SupplierLine.objects.get_or_create(
            product=product, supplier_id=product.manufacturer_id
        )
        return {"pk": line.pk}

    return kwargs


def own_notification(world, role):
    return {
        "pk": world[f"{role}_notification" if role != ANONYMOUS else "customer_notification"].pk
    }


def product_id(name):
    return lambda world, role: {"product_id": world[name].pk}


def distributor_id(world, role):
    return {"distributor_id": world["d1"].pk}


def retailer_product(world, role):
    return {"distributor_id": world["d1"].pk, "slug": world["own_product"].slug}


def retailer_cart_line(world, role):
    return {"distributor_id": world["d1"].pk, "product_id": world["own_product"].pk}


def agreement_move(name, action):
    return lambda world, role: {"pk": world[name].pk, "action": action}


def portal_product(world, role):
    return {"slug": world["own_product"].slug}


def _online_payment_of(invoice):
    """An online payment opened on `invoice` (made when first asked for; the test gateway)."""
    from payments.models import Payment
    from payments.services import payment_start_for_invoice

    payment = Payment.objects.filter(invoice=invoice).first()
    return payment or payment_start_for_invoice(invoice=invoice, by=invoice.customer)


def buyers_online_payment(world, role):
    return {"pk": _online_payment_of(_buyer_invoice(world, role)).pk}


def other_online_payment(world, role):
    return {"pk": _online_payment_of(world["other_retailer_invoice"]).pk}


def _awaiting_order(world, customer, distributor, product):
    from orders.models import Order

    order = Order.objects.filter(customer=customer, status="awaiting_payment").first()
    return order or place_order(
        customer=customer, distributor=distributor, lines=[(product, 1)], awaiting_payment=True
    )


def buyers_awaiting_order(world, role):
    customer = world.users[RETAILER if role == RETAILER else CUSTOMER]
    order = _awaiting_order(world, customer, world["d1"], world["own_product"])
    return {"number": order.number}


def other_awaiting_order(world, role):
    customer = world["other_customer_order"].customer
    return {"number": _awaiting_order(world, customer, world["d2"], world["other_product"]).number}


def buyers_invoice_id(world, role):
    return {"invoice_id": _buyer_invoice(world, role).pk}


def other_invoice_id(world, role):
    return {"invoice_id": world["other_retailer_invoice"].pk}


@dataclass(frozen=True)
class Row:
    """What each role gets on one URL pattern.

    `expect` maps role -> outcome on "its" object (or the list); roles left
    out get `default`. `own` builds the URL's kwargs for a role; `other` those
    of another organization's object, which every role allowed on `own` (or
    already refused with 404) must get as 404.
    """

    methods: tuple[str, ...]
    expect: dict[str, str]
    default: str = FORBIDDEN
    own: Callable | None = None
    other: Callable | None = None
    # Methods whose outcomes differ from `expect` (a public GET, staff-only writes).
    per_method: dict[str, dict[str, str]] = field(default_factory=dict)

    def outcome(self, role: str, method: str | None = None) -> str:
        if method in self.per_method:
            return self.per_method[method].get(role, self.default)
        return self.expect.get(role, self.default)


def only(role: str, **more) -> dict[str, str]:
    """Allowed for one role; visitors log in; everyone else is refused (the row's default)."""
    return {ANONYMOUS: LOGIN, role: OK, **more}


EVERYONE = dict.fromkeys(ROLES, OK)
SIGNED_IN_ONLY = {ANONYMOUS: LOGIN, **dict.fromkeys(SIGNED_IN, OK)}
STAFF_ONLY = only(PROCUREMENT)
# A procurement staff user has no organization, so their role is customer.
BUYERS = {ANONYMOUS: LOGIN, CUSTOMER: OK, RETAILER: OK, PROCUREMENT: OK}
BUYERS_PERSONAL = {ANONYMOUS: LOGIN, CUSTOMER: OK, PROCUREMENT: OK}
# Invoices: buyers and the selling distributor; manufacturers are never billed (403).
# Procurement staff lack invoicing.view_invoice: as customers they have no invoice, so the
# customer's is 404 to them.
INVOICE_VIEWERS = {**BUYERS, DISTRIBUTOR: OK}
INVOICE_OBJECT = {**INVOICE_VIEWERS, PROCUREMENT: NOT_FOUND}
# Recording payments (#16): the selling distributor (and finance staff); the buyer sees its
# invoice but may not record on it (403); procurement staff do not see it (404).
PAYMENT_RECORDERS = {**INVOICE_OBJECT, CUSTOMER: FORBIDDEN, RETAILER: FORBIDDEN}
# A standing order: its buyer's (procurement staff, customers by role, have none: 404).
STANDING_ORDER_OBJECT = {**BUYERS, PROCUREMENT: NOT_FOUND}
# A return (#17): its buyer's (procurement staff, customers by role, have none: 404).
RETURN_OBJECT = {**BUYERS, PROCUREMENT: NOT_FOUND}
# Reports (#8): organizations see their own scope, procurement staff (reporting.view_reports)
# everything; customers have none (403).
REPORT_VIEWERS = {**SIGNED_IN_ONLY, CUSTOMER: FORBIDDEN}
# Retailers hold no stock and place no purchase orders: no stock or procurement reports.
STOCK_REPORT_VIEWERS = {**REPORT_VIEWERS, RETAILER: FORBIDDEN}

MATRIX: dict[str, Row] = {
    # --- API of #2/#3: auth, catalog, the customer's orders --------------------------
    "auth-register": Row(("post",), EVERYONE),
    "auth-login": Row(("post",), EVERYONE),
    "auth-refresh": Row(("post",), EVERYONE),
    # The refresh token in the body is the credential that logging out revokes.
    "auth-logout": Row(("post",), EVERYONE),
    "auth-me": Row(("get",), SIGNED_IN_ONLY),
    # Categories (#20): anyone reads; staff (procurement staff here) create and change.
    "api-category-list": Row(("get", "post"), EVERYONE, per_method={"post": STAFF_ONLY}),
    "api-category-detail": Row(
        ("get", "patch"), EVERYONE, own=pk_of("category"), per_method={"patch": STAFF_ONLY}
    ),
    # Organizations (#20): staff only, e.g. to flag the portal's store.
    "api-organization-list": Row(("get",), STAFF_ONLY),
    "api-organization-detail": Row(("get", "patch"), STAFF_ONLY, own=pk_of("d2")),
    "api-product-list": Row(("get",), EVERYONE),
    "api-order-list": Row(("get", "post"), BUYERS),
    "api-quick-order": Row(("post",), BUYERS),
    "api-order-detail": Row(
        ("get",),
        {**BUYERS, PROCUREMENT: NOT_FOUND},  # staff placed no order: the customer's is not theirs
        own=buyers_order_pk,
        other=order_pk("other_customer_order"),
    ),
    "api-order-backorder-cancel": Row(
        ("post",),
        {**BUYERS, PROCUREMENT: NOT_FOUND},
        own=buyers_order_pk,
        other=order_pk("other_customer_order"),
    ),
    "notifications-api:list": Row(("get",), SIGNED_IN_ONLY),
    # The old path with a trailing slash: a permanent redirect to the list, for anyone (#20).
    "notifications-api:list-old": Row(("get",), EVERYONE),
    "notifications-api:read-all": Row(("post",), SIGNED_IN_ONLY),
    "notifications-api:read": Row(
        ("post",), SIGNED_IN_ONLY, own=own_notification, other=pk_of("other_notification")
    ),
    # --- API of #5: procurement staff only (no organization scope) ---------------------
    "api-procurement-requests": Row(("get",), only(PROCUREMENT)),
    "api-procurement-approve": Row(("put",), only(PROCUREMENT), own=pk_of("procurement_request")),
    "api-procurement-reject": Row(("put",), only(PROCUREMENT), own=pk_of("procurement_request")),
    "api-purchase-order-list": Row(("get",), only(PROCUREMENT)),
    "api-purchase-order-detail": Row(("get",), only(PROCUREMENT), own=pk_of("purchase_order")),
    "api-purchase-order-approve": Row(("put",), only(PROCUREMENT), own=pk_of("purchase_order")),
    "api-purchase-order-receive": Row(("post",), only(PROCUREMENT), own=pk_of("purchase_order")),
    # --- Supplier lines (#13): procurement staff all, a manufacturer its own products' ---
    "api-procurement-supplier-lines": Row(("get", "post"), only(PROCUREMENT)),
    "api-procurement-replenishment": Row(("get",), only(PROCUREMENT)),
    "api-procurement-replenishment-order-now": Row(("post",), only(PROCUREMENT)),
    "api-procurement-replenishment-snooze": Row(("post",), only(PROCUREMENT)),
    "api-procurement-scorecard": Row(("get",), only(PROCUREMENT)),
    "api-distributor-replenishment": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-replenishment-order-now": Row(("post",), only(DISTRIBUTOR)),
    "api-distributor-replenishment-snooze": Row(("post",), only(DISTRIBUTOR)),
    "api-procurement-supplier-line": Row(
        ("get", "patch"), only(PROCUREMENT), own=supplier_line_of("own_product")
    ),
    "api-manufacturer-supplier-lines": Row(("get", "post"), only(MANUFACTURER)),
    "api-manufacturer-supplier-line": Row(
        ("get", "patch"),
        only(MANUFACTURER),
        own=supplier_line_of("own_product"),
        other=supplier_line_of("other_product"),
    ),
    # --- API of #6: distributor --------------------------------------------------------
    "api-distributor-order-list": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-order-detail": Row(
        ("get",),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    "api-distributor-order-accept": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    # Releasing an order held for credit (#16 part 2); a placed one answers 409.
    "api-distributor-order-release": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    # Credit terms (#16 part 2): the distributor's own; another's are 404.
    "api-distributor-credit-terms": Row(("get", "post"), only(DISTRIBUTOR)),
    "api-distributor-credit-terms-detail": Row(
        ("get", "put"), only(DISTRIBUTOR), own=pk_of("d1_terms"), other=pk_of("d2_terms")
    ),
    "api-distributor-order-reject": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    "api-distributor-order-status": Row(
        ("put",),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    # --- Shipments of #12 (the invoices' orders have one each) --------------------------
    "api-distributor-order-shipments": Row(
        ("get", "post"),
        only(DISTRIBUTOR),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    "api-distributor-shipment-deliver": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=shipment_of("customer_invoice"),
        other=shipment_of("other_retailer_invoice"),
    ),
    "api-distributor-shipment-packing-slip": Row(
        ("get",),
        only(DISTRIBUTOR),
        own=shipment_of("customer_invoice"),
        other=shipment_of("other_retailer_invoice"),
    ),
    "api-distributor-pick-list": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-stock-list": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-stock-detail": Row(
        ("patch",), only(DISTRIBUTOR), own=pk_of("d1_stock"), other=pk_of("d2_stock")
    ),
    "api-distributor-warehouse-list": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-warehouse-detail": Row(
        ("get",), only(DISTRIBUTOR), own=pk_of("d1_warehouse"), other=pk_of("d2_warehouse")
    ),
    "api-distributor-warehouse-stock": Row(
        ("get",), only(DISTRIBUTOR), own=pk_of("d1_warehouse"), other=pk_of("d2_warehouse")
    ),
    # --- API of #6: retailer -----------------------------------------------------------
    "api-retailer-distributor-list": Row(("get",), only(RETAILER)),
    "api-retailer-catalog": Row(("get",), only(RETAILER)),
    "api-retailer-quick-order": Row(("post",), only(RETAILER)),
    "api-retailer-order-list": Row(("get", "post"), only(RETAILER)),
    "api-retailer-order-detail": Row(
        ("get",),
        only(RETAILER),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    # Nothing is backordered on these orders: the allowed answer is 409.
    "api-retailer-order-backorder-cancel": Row(
        ("post",),
        only(RETAILER),
        own=order_pk("retailer_order"),
        other=order_pk("other_retailer_order"),
    ),
    # --- API of #6: manufacturer -------------------------------------------------------
    "api-manufacturer-products": Row(("get", "post"), only(MANUFACTURER)),
    "api-manufacturer-product": Row(
        ("get", "put", "patch", "delete"),
        only(MANUFACTURER),
        own=pk_of("own_product"),
        other=pk_of("other_product"),
    ),
    "api-manufacturer-product-images": Row(
        ("get", "post"), only(MANUFACTURER), own=pk_of("own_product"), other=pk_of("other_product")
    ),
    "api-manufacturer-product-image": Row(
        ("delete",),
        only(MANUFACTURER),
        own=lambda world, role: {"pk": world["own_product"].pk, "image_id": world["own_image"].pk},
        other=lambda world, role: {
            "pk": world["other_product"].pk,
            "image_id": world["other_image"].pk,
        },
    ),
    "api-manufacturer-product-specifications": Row(
        ("get", "put"), only(MANUFACTURER), own=pk_of("own_product"), other=pk_of("other_product")
    ),
    "api-manufacturer-stock-assign": Row(("post",), only(MANUFACTURER)),
    # --- API of #12: supply agreements, each side its own ---------------------------------
    "api-manufacturer-agreements": Row(("get", "post"), only(MANUFACTURER)),
    "api-manufacturer-agreement-end": Row(
        ("post",), only(MANUFACTURER), own=pk_of("agreement"), other=pk_of("other_agreement")
    ),
    "api-manufacturer-distributors": Row(("get",), only(MANUFACTURER)),
    "api-distributor-agreements": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-agreement-accept": Row(
        ("post",), only(DISTRIBUTOR), own=pk_of("agreement"), other=pk_of("other_agreement")
    ),
    "api-distributor-agreement-end": Row(
        ("post",), only(DISTRIBUTOR), own=pk_of("agreement"), other=pk_of("other_agreement")
    ),
    "api-manufacturer-orders": Row(("get",), only(MANUFACTURER)),
    "api-manufacturer-sales": Row(("get",), only(MANUFACTURER)),
    # --- API of #7: invoices ------------------------------------------------------------
    "api-invoice-list": Row(("get",), INVOICE_VIEWERS),
    "api-invoice-detail": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
    ),
    "api-invoice-pdf": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
    ),
    # --- API of #16: an invoice's payments ----------------------------------------------
    "api-invoice-payments": Row(
        ("get", "post"),
        INVOICE_OBJECT,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
        per_method={"post": PAYMENT_RECORDERS},
    ),
    "api-invoice-payment-bounce": Row(
        ("post",),
        PAYMENT_RECORDERS,
        own=buyers_cheque_pk,
        other=cheque_pk_of("other_retailer_invoice"),
    ),
    # --- API of issue 24: credit notes, refunds, reissue --------------------------------
    "api-credit-note-list": Row(("get",), INVOICE_VIEWERS),
    "api-credit-note-detail": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_credit_note_pk,
        other=credit_note_pk_of("other_retailer_invoice"),
    ),
    "api-invoice-credit-notes": Row(
        ("get", "post"),
        INVOICE_OBJECT,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
        per_method={"post": PAYMENT_RECORDERS},
    ),
    "api-invoice-refunds": Row(
        ("get", "post"),
        INVOICE_OBJECT,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
        per_method={"post": PAYMENT_RECORDERS},
    ),
    "api-invoice-reissue": Row(
        ("post",),
        PAYMENT_RECORDERS,
        own=buyers_invoice_pk,
        other=pk_of("other_retailer_invoice"),
    ),
    # --- API of #8: reports -------------------------------------------------------------
    "api-reports-monthly": Row(("get",), REPORT_VIEWERS),
    "api-reports-sales": Row(("get",), REPORT_VIEWERS),
    "api-reports-monthly-csv": Row(("get",), REPORT_VIEWERS),
    "api-reports-sales-csv": Row(("get",), REPORT_VIEWERS),
    # --- The customer portal (#3): open to browse, buying for buyers -------------------
    "portal:dashboard": Row(("get",), EVERYONE),
    "portal:catalog": Row(("get",), EVERYONE),
    "portal:product": Row(("get",), EVERYONE, own=portal_product),
    "portal:stock": Row(("get",), EVERYONE),
    # Every role may fill the page; the cart's writes answer a non-buyer with a message
    # (a redirect back), not 403: the portal is open to browse (docs/architecture.md).
    "portal:cart": Row(("get",), EVERYONE),
    "portal:cart_add": Row(("post",), EVERYONE, own=product_id("own_product")),
    "portal:cart_update": Row(("post",), EVERYONE, own=product_id("own_product")),
    "portal:cart_remove": Row(("post",), EVERYONE, own=product_id("own_product")),
    "portal:checkout": Row(("get",), BUYERS),
    # Quick order: a page for anyone signed in; only buyers' rows reach a cart (a form error).
    "portal:quick_order": Row(("get", "post"), SIGNED_IN_ONLY),
    # The loyalty programme's points page (#18 §5): customers (staff without an
    # organization are customers too); organization members are refused.
    "loyalty:points": Row(("get",), BUYERS_PERSONAL),
    "api-loyalty-points": Row(("get",), BUYERS_PERSONAL),
    "api-loyalty-history": Row(("get",), BUYERS_PERSONAL),
    "portal:order_again": Row(
        ("post",),
        {**SIGNED_IN_ONLY, DISTRIBUTOR: NOT_FOUND, MANUFACTURER: NOT_FOUND, PROCUREMENT: NOT_FOUND},
        own=buyers_order_number,
        other=order_number("other_customer_order"),
    ),
    # Any signed-in user's own orders (none, for a distributor); others' are 404.
    "portal:orders": Row(("get",), SIGNED_IN_ONLY),
    "portal:order": Row(
        ("get",),
        {**SIGNED_IN_ONLY, DISTRIBUTOR: NOT_FOUND, MANUFACTURER: NOT_FOUND, PROCUREMENT: NOT_FOUND},
        own=buyers_order_number,
        other=order_number("other_customer_order"),
    ),
    "portal:order_confirmation": Row(
        ("get",),
        {**SIGNED_IN_ONLY, DISTRIBUTOR: NOT_FOUND, MANUFACTURER: NOT_FOUND, PROCUREMENT: NOT_FOUND},
        own=buyers_order_number,
        other=order_number("other_customer_order"),
    ),
    "portal:order_cancel": Row(
        ("post",),
        {**SIGNED_IN_ONLY, DISTRIBUTOR: NOT_FOUND, MANUFACTURER: NOT_FOUND, PROCUREMENT: NOT_FOUND},
        own=buyers_order_number,
        other=order_number("other_customer_order"),
    ),
    "portal:order_backorder_cancel": Row(
        ("post",),
        {**SIGNED_IN_ONLY, DISTRIBUTOR: NOT_FOUND, MANUFACTURER: NOT_FOUND, PROCUREMENT: NOT_FOUND},
        own=buyers_order_number,
        other=order_number("other_customer_order"),
    ),
    # --- Retailer pages (#6) ------------------------------------------------------------
    "retailer:dashboard": Row(("get",), only(RETAILER)),
    "retailer:distributors": Row(("get",), only(RETAILER)),
    "retailer:catalog": Row(("get",), only(RETAILER), own=distributor_id),
    "retailer:product": Row(("get",), only(RETAILER), own=retailer_product),
    "retailer:stock": Row(("get",), only(RETAILER), own=distributor_id),
    "retailer:cart": Row(("get",), only(RETAILER), own=distributor_id),
    "retailer:cart_add": Row(("post",), only(RETAILER), own=retailer_cart_line),
    "retailer:cart_update": Row(("post",), only(RETAILER), own=retailer_cart_line),
    "retailer:cart_remove": Row(("post",), only(RETAILER), own=retailer_cart_line),
    "retailer:checkout": Row(("get",), only(RETAILER), own=distributor_id),
    "retailer:quick_order": Row(("get", "post"), only(RETAILER), own=distributor_id),
    "retailer:order_again": Row(
        ("post",),
        only(RETAILER),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "retailer:orders": Row(("get",), only(RETAILER)),
    "retailer:order": Row(
        ("get",),
        only(RETAILER),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "retailer:order_cancel": Row(
        ("post",),
        only(RETAILER),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "retailer:order_backorder_cancel": Row(
        ("post",),
        only(RETAILER),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    # --- Distributor pages (#6) ---------------------------------------------------------
    "distributor:dashboard": Row(("get",), only(DISTRIBUTOR)),
    "distributor:inventory": Row(("get",), only(DISTRIBUTOR)),
    "distributor:replenishment": Row(("get", "post"), only(DISTRIBUTOR)),
    "distributor:stock_reorder": Row(
        ("post",), only(DISTRIBUTOR), own=pk_of("d1_stock"), other=pk_of("d2_stock")
    ),
    "distributor:stock_count": Row(
        ("get", "post"), only(DISTRIBUTOR), own=pk_of("d1_stock"), other=pk_of("d2_stock")
    ),
    "distributor:warehouses": Row(("get", "post"), only(DISTRIBUTOR)),
    "distributor:warehouse_edit": Row(
        ("get", "post"), only(DISTRIBUTOR), own=pk_of("d1_warehouse"), other=pk_of("d2_warehouse")
    ),
    "distributor:orders": Row(("get",), only(DISTRIBUTOR)),
    "distributor:orders_bulk": Row(("post",), only(DISTRIBUTOR)),
    "distributor:agreements": Row(("get",), only(DISTRIBUTOR)),
    "distributor:agreement_move": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=agreement_move("agreement", "accept"),
        other=agreement_move("other_agreement", "accept"),
    ),
    "distributor:order": Row(
        ("get",),
        only(DISTRIBUTOR),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "credit:list": Row(("get", "post"), only(DISTRIBUTOR)),
    "credit:edit": Row(
        ("get", "post"), only(DISTRIBUTOR), own=pk_of("d1_terms"), other=pk_of("d2_terms")
    ),
    "pricing:list": Row(("get", "post"), only(DISTRIBUTOR)),
    "pricing:export": Row(("get",), only(DISTRIBUTOR)),
    "pricing:detail": Row(
        ("get", "post"),
        only(DISTRIBUTOR),
        own=pk_of("d1_price_list"),
        other=pk_of("d2_price_list"),
    ),
    "distributor:order_move": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "distributor:order_ship": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=order_number("retailer_order"),
        other=order_number("other_retailer_order"),
    ),
    "distributor:shipment_deliver": Row(
        ("post",),
        only(DISTRIBUTOR),
        own=shipment_of("customer_invoice", key="number"),
        other=shipment_of("other_retailer_invoice", key="number"),
    ),
    "distributor:packing_slip": Row(
        ("get",),
        only(DISTRIBUTOR),
        own=shipment_of("customer_invoice", key="number"),
        other=shipment_of("other_retailer_invoice", key="number"),
    ),
    "distributor:pick_list": Row(("get",), only(DISTRIBUTOR)),
    # --- Manufacturer pages (#6) --------------------------------------------------------
    "manufacturer:dashboard": Row(("get",), only(MANUFACTURER)),
    "manufacturer:products": Row(("get",), only(MANUFACTURER)),
    "manufacturer:product_create": Row(("get", "post"), only(MANUFACTURER)),
    "manufacturer:product_edit": Row(
        ("get", "post"),
        only(MANUFACTURER),
        own=pk_of("own_product"),
        other=pk_of("other_product"),
    ),
    "manufacturer:product_active": Row(
        ("post",), only(MANUFACTURER), own=pk_of("own_product"), other=pk_of("other_product")
    ),
    "manufacturer:product_media": Row(
        ("get", "post"), only(MANUFACTURER), own=pk_of("own_product"), other=pk_of("other_product")
    ),
    "manufacturer:product_images_zip": Row(("get", "post"), only(MANUFACTURER)),
    "manufacturer:stock": Row(("get", "post"), only(MANUFACTURER)),
    "manufacturer:agreements": Row(("get", "post"), only(MANUFACTURER)),
    "manufacturer:agreement_move": Row(
        ("post",),
        only(MANUFACTURER),
        own=agreement_move("agreement", "end"),
        other=agreement_move("other_agreement", "end"),
    ),
    "manufacturer:orders": Row(("get",), only(MANUFACTURER)),
    "manufacturer:sales": Row(("get",), only(MANUFACTURER)),
    # --- Invoice pages (#7) -------------------------------------------------------------
    "invoicing:list": Row(("get",), INVOICE_VIEWERS),
    "invoicing:detail": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    "invoicing:pdf": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    # --- Payments and statements (#16) ------------------------------------------------------
    "invoicing:payment_new": Row(
        ("get", "post"),
        PAYMENT_RECORDERS,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    "invoicing:payment_bounce": Row(
        ("get", "post"),
        PAYMENT_RECORDERS,
        own=buyers_cheque,
        other=cheque_of("other_retailer_invoice"),
    ),
    "invoicing:statement": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_statement,
        other=statement_of("other_retailer_invoice"),
    ),
    "invoicing:statement_pdf": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_statement,
        other=statement_of("other_retailer_invoice"),
    ),
    # --- Credit notes, refunds and reissue (issue 24): seen like the invoice, written by
    # the seller (the buyer 403 on its own invoice) --------------------------------------
    "invoicing:credit_notes": Row(("get",), INVOICE_VIEWERS),
    "invoicing:credit_note_detail": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_credit_note,
        other=credit_note_of("other_retailer_invoice"),
    ),
    "invoicing:credit_note_pdf": Row(
        ("get",),
        INVOICE_OBJECT,
        own=buyers_credit_note,
        other=credit_note_of("other_retailer_invoice"),
    ),
    "invoicing:credit_note_new": Row(
        ("get", "post"),
        PAYMENT_RECORDERS,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    "invoicing:refund_new": Row(
        ("get", "post"),
        PAYMENT_RECORDERS,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    "invoicing:reissue": Row(
        ("post",),
        PAYMENT_RECORDERS,
        own=buyers_invoice_number,
        other=invoice_number("other_retailer_invoice"),
    ),
    # Aged receivables: distributors (their own) and staff with reports or invoices.
    "reporting:receivables": Row(("get",), {ANONYMOUS: LOGIN, DISTRIBUTOR: OK, PROCUREMENT: OK}),
    # --- Online payment (#16 §1): buyers pay; the seller reads; the provider posts -------
    "api-payment-start": Row(("post",), BUYERS),
    "api-payment-detail": Row(
        ("get",),
        {**INVOICE_OBJECT},
        own=buyers_online_payment,
        other=other_online_payment,
    ),
    "payments:order_pay": Row(
        ("get", "post"),
        {**BUYERS, PROCUREMENT: NOT_FOUND},
        own=buyers_awaiting_order,
        other=other_awaiting_order,
    ),
    "payments:invoice_pay": Row(
        ("post",),
        {**BUYERS, PROCUREMENT: NOT_FOUND},
        own=buyers_invoice_id,
        other=other_invoice_id,
    ),
    "payments:detail": Row(
        ("get",), INVOICE_OBJECT, own=buyers_online_payment, other=other_online_payment
    ),
    "payments:checkout": Row(
        ("get",),
        {**BUYERS, PROCUREMENT: NOT_FOUND},
        own=buyers_online_payment,
        other=other_online_payment,
    ),
    "payments:test_gateway": Row(
        ("get", "post"),
        {**BUYERS, PROCUREMENT: NOT_FOUND},
        own=buyers_online_payment,
        other=other_online_payment,
    ),
    # The buyer comes back from the provider's site: it only triggers a server-side fetch.
    "payments:return": Row(("get", "post"), EVERYONE, own=buyers_online_payment),
    # The provider's webhook: its signature is the credential (an empty body is a 400).
    "payments:webhook": Row(("post",), EVERYONE),
    "payments:settlements": Row(("get",), only(DISTRIBUTOR)),
    # --- Report pages (#8): scoped figures, no objects in the path ------------------------
    "reporting:overview": Row(("get",), REPORT_VIEWERS),
    "reporting:export_job": Row(
        ("get",), REPORT_VIEWERS, own=own_report_job, other=other_report_job
    ),
    "reporting:sales": Row(("get",), REPORT_VIEWERS),
    "reporting:monthly": Row(("get",), REPORT_VIEWERS),
    "reporting:fulfillment": Row(("get",), REPORT_VIEWERS),
    "reporting:stock": Row(("get",), STOCK_REPORT_VIEWERS),
    "reporting:procurement": Row(("get",), STOCK_REPORT_VIEWERS),
    "reporting:returns": Row(("get",), REPORT_VIEWERS),
    # --- Standing orders (#18): the buyer's own (a retailer's: its organization's) -------
    **{
        name: Row(("get", "post"), BUYERS) for name in ("standing_orders:create", "standing-orders")
    },
    "standing_orders:list": Row(("get",), BUYERS),
    **{
        name: Row(
            methods,
            STANDING_ORDER_OBJECT,
            own=buyers_standing_order,
            other=pk_of("other_standing_order"),
        )
        for name, methods in {
            "standing_orders:detail": ("get",),
            "standing_orders:edit": ("get", "post"),
            "standing_orders:skip": ("get", "post"),
            "standing_orders:pause": ("post",),
            "standing_orders:resume": ("post",),
            "standing_orders:end": ("post",),
            "standing-order": ("get", "put", "patch"),
            "standing-order-pause": ("post",),
            "standing-order-resume": ("post",),
            "standing-order-skip": ("post",),
            "standing-order-end": ("post",),
        }.items()
    },
    # --- Returns (#17): the buyer's own (a retailer's: its organization's), the
    # distributor's own; another organization's return or order is 404 ------------------
    "returns:list": Row(("get",), BUYERS),
    "api-returns": Row(("get", "post"), BUYERS),
    "returns:create": Row(
        ("get", "post"), RETURN_OBJECT, own=buyers_delivered_order, other=other_delivered_order
    ),
    **{
        name: Row(("get",), RETURN_OBJECT, own=buyers_return, other=pk_of("other_return"))
        for name in ("returns:detail", "api-return")
    },
    "distributor_returns:list": Row(("get",), only(DISTRIBUTOR)),
    "api-distributor-returns": Row(("get",), only(DISTRIBUTOR)),
    **{
        name: Row(
            methods, only(DISTRIBUTOR), own=pk_of("customer_return"), other=pk_of("other_return")
        )
        for name, methods in {
            "distributor_returns:detail": ("get",),
            "distributor_returns:approve": ("post",),
            "distributor_returns:reject": ("post",),
            "distributor_returns:receive": ("post",),
            "distributor_returns:close": ("post",),
            "api-distributor-return": ("get",),
            "api-distributor-return-approve": ("post",),
            "api-distributor-return-reject": ("post",),
            "api-distributor-return-receive": ("post",),
        }.items()
    },
    # --- Transfers (#23): a distributor's members, both sides of a transfer --------------
    "transfers:list": Row(("get",), only(DISTRIBUTOR)),
    "transfers:create": Row(("get", "post"), only(DISTRIBUTOR)),
    "api-transfers": Row(("get", "post"), only(DISTRIBUTOR)),
    # The replenishment screen's "transfer now": a distributor's own items, staff any.
    "transfers:transfer_now": Row(("post",), only(DISTRIBUTOR, **{PROCUREMENT: OK})),
    # Each step on a transfer where Depot One is the side that takes it: the source
    # confirms, ships and cancels; the destination receives and writes off.
    **{
        name: Row(
            methods,
            only(DISTRIBUTOR),
            own=order_number(own),
            other=order_number("other_transfer"),
        )
        for name, (methods, own) in {
            "transfers:detail": (("get",), "d1_transfer"),
            "transfers:packing_slip": (("get",), "d1_incoming"),
            "transfers:confirm": (("post",), "d1_transfer"),
            "transfers:ship": (("post",), "d1_transfer"),
            "transfers:receive": (("post",), "d1_incoming"),
            "transfers:cancel": (("post",), "d1_transfer"),
            "transfers:write_off": (("post",), "d1_incoming"),
            "api-transfer": (("get",), "d1_incoming"),
            "api-transfer-confirm": (("post",), "d1_transfer"),
            "api-transfer-ship": (("post",), "d1_transfer"),
            "api-transfer-receive": (("post",), "d1_incoming"),
            "api-transfer-cancel": (("post",), "d1_transfer"),
            "api-transfer-write-off": (("post",), "d1_incoming"),
        }.items()
    },
}


# --- The URLconf walk -------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, view name) of every pattern, depth first."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def owner_elsewhere(route: str) -> str | None:
    for prefix, reason in OWNED_ELSEWHERE.items():
        if route == prefix or (prefix and route.startswith(prefix) and prefix.endswith("/")):
            return reason
    return None


def test_every_url_pattern_is_in_the_table():
    missing = [
        f"{route} ({name})"
        for route, name in url_patterns()
        if name not in MATRIX and owner_elsewhere(route) is None
    ]
    assert not missing, "Add these URL patterns to MATRIX (or OWNED_ELSEWHERE): " + ", ".join(
        missing
    )


def test_the_table_names_only_existing_patterns():
    names = {name for _route, name in url_patterns()}
    assert not set(MATRIX) - names


AREAS = (
    "api/",
    "customer-portal/",
    "retailer/",
    "distributor/",
    "manufacturer/",
    "invoices/",
    "reports/",
    "loyalty/",
)


def test_the_role_areas_cannot_be_waved_through():
    """Only the schema and the docs under /api/ may be left out of the table."""
    left_out = [
        route
        for route, name in url_patterns()
        if route.startswith(AREAS)
        and name not in MATRIX
        and route not in ("api/schema/", "api/docs/")
    ]
    assert not left_out


# --- The matrix ----------------------------------------------------------------------------

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def call(client, method: str, url: str, api: bool):
    if api:
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def check(response, expected: str, *, api: bool, where: str) -> None:
    status = response.status_code
    login_redirect = status == 302 and response["Location"].startswith(reverse("accounts:login"))
    if expected == LOGIN:
        ok = status == 401 if api else login_redirect
    elif expected == FORBIDDEN:
        ok = status == 403
    elif expected == NOT_FOUND:
        ok = status == 404
    else:
        ok = status < 500 and status not in (401, 403, 404, 405) and not login_redirect
    assert ok, f"{where}: expected {expected}, got {status}"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world):
    row = MATRIX[name]
    route = next(route for route, view_name in url_patterns() if view_name == name)
    api = route.startswith("api/")
    methods = sorted(row.methods, key=METHOD_ORDER.__getitem__)

    def client_for(role):
        client = APIClient() if api else Client()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        return client

    # Refusals first, then other organizations' objects, then what is allowed:
    # an allowed write (a DELETE, say) must not change what a later call sees.
    plan = []
    for role in ROLES:
        for method in methods:
            expected = row.outcome(role, method)
            if row.other is not None and expected in (OK, NOT_FOUND):
                url = reverse(name, kwargs=row.other(world, role))
                plan.append((1, role, method, NOT_FOUND, url))
            kwargs = row.own(world, role) if row.own is not None else {}
            url = reverse(name, kwargs=kwargs)
            plan.append((2 if expected == OK else 0, role, method, expected, url))
    ordered = sorted(plan, key=lambda step: (step[0], ROLES.index(step[1]), METHOD_ORDER[step[2]]))
    for _stage, role, method, expected, url in ordered:
        response = call(client_for(role), method, url, api)
        check(response, expected, api=api, where=f"{role} {method.upper()} {url}")
