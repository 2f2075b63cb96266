"""End to end in headless Chromium: the B2B order, procurement approval and spreadsheet import.

Each step is screenshotted into SCREENSHOTS (artifacts/screenshots, kept by CI);
every page is watched for console errors (a Content Security Policy violation
is one) and for requests that leave the test server. The customer portal's
journey is in orders/tests/test_browser.py.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from playwright.sync_api import expect

from accounts.models import PROCUREMENT_GROUP
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
    UserFactory,
)
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import StockItemFactory
from invoicing.models import Invoice
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from procurement.models import POStatus, ProcurementRequest, PurchaseOrder, RequestStatus

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_retailer_orders_from_a_distributor_who_ships_and_delivers_and_the_invoice_shows(
    open_page, live_server
):
    base = live_server.url
    depot_user = DistributorUserFactory(
        organization__name="Southern Supply Hub", email="depot@e2e.test"
    )
    depot = depot_user.organization
    buyer = RetailerUserFactory(organization__name="Lakeside Retail Mart", email="buyer@e2e.test")
    mattress = stocked_product(
        distributor=depot,
        on_hand=40,
        name="CloudRest Mattress",
        price=Decimal("20000.00"),
        category=CategoryFactory(name="Bedroom", slug="bedroom"),
    )
    stocked_product(distributor=depot, on_hand=5, name="Bamboo Pillow")

    # The retailer picks the distributor, finds the mattress and orders 3, then 4.
    shop = open_page()
    page = shop.page
    log_in(shop, base, buyer.email, DEFAULT_PASSWORD, "/retailer/distributors/")
    row = page.locator("tbody tr", has_text="Southern Supply Hub")
    shop.screenshot("b2b-01-retailer-distributors")
    row.get_by_role("link", name="Browse catalog").click()
    page.wait_for_url(f"{base}/retailer/distributors/{depot.pk}/")
    page.get_by_label("Search").fill("mattress")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=mattress"))
    expect(page.get_by_role("button", name="Add Bamboo Pillow to the cart")).to_have_count(0)
    page.locator(f"#qty-{mattress.pk}").fill("3")
    page.get_by_role("button", name="Add CloudRest Mattress to the cart").click()
    page.get_by_role("link", name="View cart").wait_for()
    shop.screenshot("b2b-02-retailer-catalog-added")
    page.get_by_role("link", name="View cart").click()
    page.wait_for_url(f"{base}/retailer/distributors/{depot.pk}/cart/")
    expect(page.locator("#cart-total")).to_have_text("₹70,800.00")  # 3 x 20,000 + 18 %
    page.locator(f"#cart-qty-{mattress.pk}").fill("4")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("#cart-total")).to_have_text("₹94,400.00")
    shop.screenshot("b2b-03-retailer-cart")
    page.get_by_role("link", name="Check out").click()
    page.wait_for_url(f"{base}/retailer/distributors/{depot.pk}/checkout/")
    page.get_by_label("Delivery address").fill("4 Lake Road, Pune 411001")
    shop.screenshot("b2b-04-retailer-checkout")
    page.get_by_role("button", name="Place order").click()
    order = Order.objects.get()
    page.wait_for_url(re.compile(rf"/retailer/orders/{order.number}/"))
    assert order.distributor == depot and order.total == Decimal("94400.00")
    assert StockItem.objects.get(product=mattress, distributor=depot).available == 36
    shop.screenshot("b2b-05-retailer-order-placed")
    shop.assert_clean()

    # The distributor accepts, processes, ships with a tracking reference, delivers.
    depot_page = open_page()
    page = depot_page.page
    log_in(depot_page, base, depot_user.email, DEFAULT_PASSWORD, "/distributor/orders/")
    depot_page.screenshot("b2b-06-distributor-orders")
    page.locator("tbody tr", has_text=order.number).get_by_role("link", name=order.number).click()
    page.wait_for_url(f"{base}/distributor/orders/{order.number}/")
    depot_page.screenshot("b2b-07-distributor-order")
    steps = [
        ("Accept order", OrderStatus.ACCEPTED),
        ("Start processing", OrderStatus.PROCESSING),
        ("Dispatch shipment", OrderStatus.SHIPPED),  # all that is set aside, one shipment
        ("Mark as delivered", OrderStatus.DELIVERED),
    ]
    for number, (button, status) in enumerate(steps, start=8):
        if status == OrderStatus.SHIPPED:
            page.get_by_label("Tracking reference").fill("BLUEDART-778812")
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url(f"{base}/distributor/orders/{order.number}/")
        expect(page.get_by_role("button", name=button, exact=True)).to_have_count(0)
        order.refresh_from_db()
        assert order.status == status
        depot_page.screenshot(f"b2b-{number:02d}-distributor-{status}")
    depot_page.assert_clean()

    # The buyer finds the invoice the shipment issued.
    invoice = Invoice.objects.get(order=order)
    page = shop.page
    page.goto(f"{base}/invoices/")
    row = page.locator("tbody tr", has_text=invoice.number)
    expect(row).to_contain_text(order.number)
    expect(row).to_contain_text("₹94,400.00")
    shop.screenshot("b2b-12-retailer-invoices")
    row.get_by_role("link", name=invoice.number, exact=True).click()
    page.wait_for_url(f"{base}/invoices/{invoice.seller_slug}/{invoice.number}/")
    expect(page.get_by_text("CloudRest Mattress")).not_to_have_count(0)
    shop.screenshot("b2b-13-retailer-invoice")
    shop.assert_clean()


def procurement_officer():
    """A staff member of the procurement group with the admin permissions its migration grants."""
    user = UserFactory(is_staff=True, email="officer@e2e.test", name="Priya Officer")
    # Transactional tests flush the data migrations' groups: make it again.
    group, _ = Group.objects.get_or_create(name=PROCUREMENT_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="procurement",
            codename__in=[
                "view_procurementrequest",
                "change_procurementrequest",
                "view_purchaseorder",
            ],
        )
    )
    user.groups.add(group)
    return user


def test_staff_approves_a_procurement_request_in_admin_and_the_supplier_confirms_by_link(
    open_page, live_server
):
    base = live_server.url
    supplier = ManufacturerFactory(
        name="Brahmaputra Tea Estates", contact_email="orders@tea.e2e.test"
    )
    depot = DistributorUserFactory(organization__name="Eastern Depot").organization
    product = ProductFactory(
        name="Assam Tea 1kg",
        manufacturer=supplier,
        supplier=supplier,
        reorder_level=10,
        reorder_quantity=30,
    )
    StockItemFactory(product=product, distributor=depot, on_hand=11)
    place_order(distributor=depot, lines=[(product, 2)])  # 9 left: at the reorder level
    request = ProcurementRequest.objects.get(product=product)
    officer = procurement_officer()
    mail.outbox.clear()

    staff = open_page()
    page = staff.page
    log_in(staff, base, officer.email, DEFAULT_PASSWORD, "/admin/")
    page.goto(f"{base}/admin/procurement/procurementrequest/")
    row = page.locator("#result_list tbody tr", has_text="Assam Tea 1kg")
    staff.screenshot("procurement-01-admin-requests")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url(f"{base}/admin/procurement/procurementrequest/")
    po = PurchaseOrder.objects.get()
    expect(page.locator(".messagelist")).to_contain_text(f"{po.number} was sent to")
    staff.screenshot("procurement-02-admin-approved")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and po.status == POStatus.SENT
    staff.assert_clean()

    # The supplier's e-mail carries a signed link; it opens with no login.
    [message] = [m for m in mail.outbox if po.number in m.subject]
    assert message.to == [supplier.contact_email]
    link = next(word for word in message.body.split() if "/procurement/po/" in word)
    path = "/procurement/po/" + link.split("/procurement/po/", 1)[1]
    answer = open_page()
    page = answer.page
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", name=f"Purchase order {po.number}")).to_be_visible()
    answer.screenshot("procurement-03-supplier-link")
    page.get_by_label("Your name").fill("Anil at Brahmaputra")
    page.get_by_role("button", name="Confirm purchase order").click()
    expect(page.get_by_role("heading", name="Nothing to answer")).to_be_visible()
    po.refresh_from_db()
    assert po.status == POStatus.CONFIRMED and po.responded_by == "Anil at Brahmaputra"
    answer.screenshot("procurement-04-supplier-confirmed")
    answer.assert_clean()


def test_ops_imports_products_from_a_csv_in_admin_with_a_preview_then_confirm(
    open_page, live_server, tmp_path
):
    base = live_server.url
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")
    ops = UserFactory(is_staff=True, email="ops@e2e.test", name="Omar Ops")
    ops.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_product", "add_product", "change_product", "import_product"]
        )
    )
    sheet = tmp_path / "products.csv"
    sheet.write_text(
        "sku,name,category,price,manufacturer\n"
        "pil-100,Memory Foam Pillow,home,1499.00,Auro Sleep\n"
        "top-200,Mattress Topper,home,5999.00,Auro Sleep\n"
    )

    admin = open_page()
    page = admin.page
    log_in(admin, base, ops.email, DEFAULT_PASSWORD, "/admin/")
    page.goto(f"{base}/admin/catalog/product/")
    admin.screenshot("import-01-admin-products")
    page.get_by_role("link", name="Import").click()
    page.wait_for_url(f"{base}/admin/catalog/product/import/")
    page.locator("input[type=file][name=import_file]").set_input_files(str(sheet))
    page.locator("select[name=format]").select_option(label="csv")
    admin.screenshot("import-02-admin-upload")
    page.get_by_role("button", name="Submit").click()
    # The preview lists both rows as new and writes nothing yet.
    expect(page.locator("table.import-preview")).to_contain_text("Memory Foam Pillow")
    expect(page.locator("table.import-preview")).to_contain_text("Mattress Topper")
    assert not Product.objects.filter(sku__in=["PIL-100", "TOP-200"]).exists()
    admin.screenshot("import-03-admin-preview")
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(f"{base}/admin/catalog/product/")
    expect(page.locator(".messagelist")).to_contain_text("2 new")
    assert set(Product.objects.values_list("sku", "price")) == {
        ("PIL-100", Decimal("1499.00")),  # SKUs are kept in capitals
        ("TOP-200", Decimal("5999.00")),
    }
    admin.screenshot("import-04-admin-imported")
    admin.assert_clean()


def test_a_csp_violation_is_caught_as_a_console_error(watched_page, live_server):
    """The console check is what proves the CSP holds: an inline script must trip it."""
    page = watched_page.page

    def with_inline_script(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>window.ran = 1</script></body>")
        route.fulfill(response=response, body=body)

    page.route(f"{live_server.url}/accounts/login/", with_inline_script)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in error for error in watched_page.console_errors)


# Pages the journeys above do not pass through, per role: each must load with no
# console error (no CSP violation), no failed sub-request and nothing from outside.
TOUR = {
    "anonymous": [
        "/",
        "/accounts/signup/",
        "/accounts/signup/business/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ],
    "manufacturer": [
        "/manufacturer/",
        "/manufacturer/products/",
        "/manufacturer/products/new/",
        "/manufacturer/stock/",
        "/manufacturer/orders/",
        "/manufacturer/sales/",
        "/procurement/purchase-orders/",
        "/notifications/",
        "/notifications/preferences/",
        "/accounts/profile/",
        "/accounts/password/change/",
    ],
    "distributor": ["/distributor/", "/distributor/inventory/"],
    "staff": [
        "/reports/",
        "/reports/sales/",
        "/reports/monthly/",
        "/reports/fulfillment/",
        "/reports/stock/",
        "/reports/procurement/",
        "/admin/",
        "/admin/orders/order/",
        "/admin/invoicing/invoice/",
        "/admin/notifications/outboundmessage/",
    ],
}


def test_a_tour_of_the_other_pages_as_each_role(open_page, live_server):
    base = live_server.url
    maker = ManufacturerUserFactory(email="maker@e2e.test")
    depot_user = DistributorUserFactory(email="depot@e2e.test")
    product = stocked_product(
        distributor=depot_user.organization,
        on_hand=12,
        manufacturer=maker.organization,
        supplier=maker.organization,
        reorder_level=10,
    )
    place_order(distributor=depot_user.organization, lines=[(product, 3)])  # low: a request
    users = {
        "manufacturer": maker,
        "distributor": depot_user,
        "staff": UserFactory(is_staff=True, is_superuser=True, email="root@e2e.test"),
    }
    visited = 0
    for role, paths in TOUR.items():
        watched = open_page()
        failed = []
        watched.page.on(
            "response",
            lambda response, failed=failed: (
                failed.append(response.url)
                if response.status >= 400 and not response.url.endswith("/no-such-page/")
                else None
            ),
        )
        if role in users:
            log_in(watched, base, users[role].email, DEFAULT_PASSWORD, paths[0])
        for path in paths:
            response = watched.page.goto(f"{base}{path}")
            expected = 404 if path == "/no-such-page/" else 200
            assert response.status == expected, path
            name = path.strip("/").replace("/", "-") or "home"
            watched.screenshot(f"tour-{role}-{name}")
            visited += 1
        # The 404 page's own request is expected to fail; nothing else may.
        watched.console_errors = [
            error
            for error in watched.console_errors
            if not ("/no-such-page/" in error and "status of 404" in error)
        ]
        watched.assert_clean()
        assert failed == [], failed
    assert visited == sum(len(paths) for paths in TOUR.values())
