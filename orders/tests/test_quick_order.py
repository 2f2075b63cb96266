"""Quick order (typed rows or a CSV, previewed with row errors) and "order again"."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import CustomerFactory, RetailerUserFactory
from catalog.models import Product
from inventory.tests.factories import DistributorFactory
from orders.models import CartItem
from orders.quick_order import MAX_QUICK_ROWS, QuickRow, quick_rows_parse
from orders.tests.factories import place_order, stocked_product
from pricing.tests.factories import price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def wholesaler():
    return DistributorFactory(name="Deccan Distribution")


@pytest.fixture
def retailer(client):
    user = RetailerUserFactory()
    client.force_login(user)
    return user


def _quick_url(distributor):
    return reverse("retailer:quick_order", args=[distributor.pk])


def _products(distributor, count, *, on_hand=100):
    return [
        stocked_product(
            distributor=distributor, on_hand=on_hand, sku=f"QK-{n:04d}", price=Decimal("100.00")
        )
        for n in range(count)
    ]


def _cart(user, distributor) -> dict[str, int]:
    return dict(
        CartItem.objects.filter(cart__user=user, cart__distributor=distributor).values_list(
            "product__sku", "quantity"
        )
    )


# --- Reading the rows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "sku,quantity\nQK-0001,4\nQK-0002,12\n",
        "QK-0001;4\r\nQK-0002;12",
        "QK-0001\t4\n\nQK-0002\t12\n",
        "  QK-0001   4\nQK-0002 12",
    ],
)
def test_rows_are_read_from_csv_tabs_semicolons_or_spaces(text):
    rows = quick_rows_parse(text)
    assert [(r.sku, r.quantity) for r in rows] == [("QK-0001", "4"), ("QK-0002", "12")]


def test_rows_keep_their_line_numbers_for_the_errors():
    rows = quick_rows_parse("sku,quantity\nQK-0001,4\n\nQK-0002,x\n")
    assert rows == [QuickRow(2, "QK-0001", "4"), QuickRow(4, "QK-0002", "x")]


def test_more_than_the_row_limit_is_refused_whole(client, retailer, wholesaler):
    text = "\n".join(f"QK-{n:04d},1" for n in range(MAX_QUICK_ROWS + 1))
    response = client.post(_quick_url(wholesaler), {"rows": text, "action": "add"})
    assert response.status_code == 400
    assert f"At most {MAX_QUICK_ROWS} rows at a time." in response.content.decode()
    assert CartItem.objects.count() == 0


def test_a_file_that_is_not_utf8_is_a_form_error(client, retailer, wholesaler):
    upload = SimpleUploadedFile("order.csv", "QK-0001,4\nCafé,1".encode("utf-16"))
    response = client.post(_quick_url(wholesaler), {"file": upload})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


# --- Preview, then add ----------------------------------------------------------------------


def test_each_kind_of_bad_row_is_named_with_its_row(client, retailer, wholesaler):
    good, _short, withdrawn = _products(wholesaler, 3)
    Product.objects.filter(pk=withdrawn.pk).update(is_active=False)
    elsewhere = stocked_product(distributor=DistributorFactory(), sku="QK-ELSE")
    text = "\n".join(
        [
            "sku,quantity",
            "QK-0000,2",  # row 2: fine
            "QK-0001,101",  # row 3: more than the 100 in stock
            "QK-0002,1",  # row 4: withdrawn
            f"{elsewhere.sku},1",  # row 5: not carried by this distributor
            "NOPE-1,1",  # row 6: unknown
            "QK-0000,1",  # row 7: repeated
            "QK-0000x,abc",  # row 8: unknown SKU first
            ",3",  # row 9: no SKU
            "QK-0001,0",  # row 10: repeated (row 3)
        ]
    )
    response = client.post(_quick_url(wholesaler), {"rows": text})
    assert response.status_code == 200
    errors = {e.row: e.message for e in response.context["preview"].errors}
    assert errors == {
        3: "Only 100 in stock.",
        4: "QK-0002 is no longer for sale.",
        5: "No product QK-ELSE here.",
        6: "No product NOPE-1 here.",
        7: "QK-0000 is on row 2 already: put the total on one row.",
        8: "No product QK-0000x here.",
        9: "The SKU is missing.",
        10: "QK-0001 is on row 3 already: put the total on one row.",
    }
    assert [
        (line.row, line.product, line.quantity) for line in response.context["preview"].lines
    ] == [(2, good, 2)]
    assert CartItem.objects.count() == 0  # a preview writes nothing


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "Enter the quantity as a whole number."),
        ("", "The quantity is missing."),
        ("0", "Enter a quantity of at least 1."),
        ("1000", "At most 999 units of one product per order."),
    ],
)
def test_bad_quantities(client, retailer, wholesaler, quantity, message):
    _products(wholesaler, 1)
    response = client.post(_quick_url(wholesaler), {"rows": f"QK-0000,{quantity}"})
    assert [e.message for e in response.context["preview"].errors] == [message]


def _csv(count_good, bad_rows):
    lines = ["sku,quantity"] + [f"QK-{n:04d},{n % 5 + 1}" for n in range(count_good)]
    lines[10:10] = bad_rows
    return "\n".join(lines).encode()


def test_a_50_line_csv_with_3_bad_rows_previews_them_then_adds_47_in_one_request(
    client, retailer, wholesaler
):
    _products(wholesaler, 49)
    body = _csv(47, ["UNKNOWN-1,2", "QK-0047,lots", "QK-0048,5000"])
    upload = SimpleUploadedFile("order.csv", body, content_type="text/csv")
    preview = client.post(_quick_url(wholesaler), {"file": upload})
    assert preview.status_code == 200
    errors = preview.context["preview"].errors
    assert [(e.row, e.sku, e.message) for e in errors] == [
        (11, "UNKNOWN-1", "No product UNKNOWN-1 here."),
        (12, "QK-0047", "Enter the quantity as a whole number."),
        (13, "QK-0048", "At most 999 units of one product per order."),
    ]
    assert len(preview.context["preview"].lines) == 47
    page = preview.content.decode()
    assert "47</strong> of 50 rows" in page and "Add 47 lines to cart" in page
    assert CartItem.objects.count() == 0
    # The upload's rows are kept in the box, so "add" sends them again.
    rows = preview.context["form"].initial["rows"]
    added = client.post(_quick_url(wholesaler), {"rows": rows, "action": "add"})
    assert added.status_code == 302
    assert added.url == reverse("retailer:cart", args=[wholesaler.pk])
    cart = _cart(retailer, wholesaler)
    assert len(cart) == 47 and cart["QK-0000"] == 1 and cart["QK-0046"] == 2
    assert "QK-0047" not in cart and "QK-0048" not in cart


def _add_queries(client, distributor, count) -> int:
    rows = "\n".join(f"QK-{n:04d},1" for n in range(count))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(_quick_url(distributor), {"rows": rows, "action": "add"})
    assert response.status_code == 302
    return len(ctx.captured_queries)


def test_adding_costs_the_same_queries_for_5_and_50_rows(client, retailer, wholesaler):
    other = DistributorFactory()
    _products(wholesaler, 50)
    for n in range(5):
        stocked_product(distributor=other, sku=f"QK-{n + 100:04d}")
    # Warm the session, then compare a 5-row and a 50-row add (each into an empty cart).
    _add_queries(client, wholesaler, 1)
    CartItem.objects.all().delete()
    small = _add_queries(client, wholesaler, 5)
    CartItem.objects.all().delete()
    large = _add_queries(client, wholesaler, 50)
    assert small == large, (small, large)


def test_quantities_add_to_the_cart_and_the_cap_counts_the_cart(client, retailer, wholesaler):
    _products(wholesaler, 2, on_hand=5_000)
    client.post(_quick_url(wholesaler), {"rows": "QK-0000,4\nQK-0001,990", "action": "add"})
    response = client.post(_quick_url(wholesaler), {"rows": "QK-0000,6\nQK-0001,10"})
    errors = response.context["preview"].errors
    assert [(e.row, e.message) for e in errors] == [
        (2, "Your cart has 990 already: at most 999 units of one product per order.")
    ]
    client.post(_quick_url(wholesaler), {"rows": "QK-0000,6", "action": "add"})
    assert _cart(retailer, wholesaler) == {"QK-0000": 10, "QK-0001": 990}


def test_the_preview_quotes_the_buyers_price_list(client, retailer, wholesaler):
    (product,) = _products(wholesaler, 1)
    price_list(assign=retailer.organization, lines=[(product, 1, "80.00"), (product, 10, "70.00")])
    response = client.post(_quick_url(wholesaler), {"rows": "QK-0000,10"})
    (line,) = response.context["preview"].lines
    assert line.quote.unit_price == Decimal("70.00") and line.line_total == Decimal("700.00")


def test_customers_quick_order_from_the_store(client):
    store = DistributorFactory(is_default_store=True)
    stocked_product(distributor=store, sku="ST-1")
    customer = CustomerFactory()
    client.force_login(customer)
    response = client.post(reverse("portal:quick_order"), {"rows": "ST-1 3", "action": "add"})
    assert response.status_code == 302 and response.url == reverse("portal:cart")
    assert _cart(customer, store) == {"ST-1": 3}


def test_visitors_are_sent_to_sign_in(client):
    DistributorFactory(is_default_store=True)
    response = client.get(reverse("portal:quick_order"))
    assert response.status_code == 302 and "/login/" in response.url


# --- Order again ----------------------------------------------------------------------------


def test_order_again_names_a_price_change_and_a_withdrawn_product(client, retailer, wholesaler):
    kettle, lamp, mug = _products(wholesaler, 3)
    order = place_order(
        customer=retailer, distributor=wholesaler, lines=[(kettle, 2), (lamp, 1), (mug, 3)]
    )
    Product.objects.filter(pk=kettle.pk).update(price=Decimal("120.00"))
    Product.objects.filter(pk=lamp.pk).update(is_active=False)

    response = client.post(reverse("retailer:order_again", args=[order.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("retailer:cart", args=[wholesaler.pk])
    said = [str(m) for m in response.context["messages"]]
    assert f"Order {order.number}: 2 lines added to your cart at today's prices." in said
    assert f"{kettle.name}: price up from ₹100.00 to ₹120.00 a unit." in said
    assert f"{lamp.name} is no longer for sale: left out." in said
    assert _cart(retailer, wholesaler) == {"QK-0000": 2, "QK-0002": 3}
    # The cart prices at today's price.
    summary_line = next(
        line for line in response.context["summary"].lines if line.product.pk == kettle.pk
    )
    assert summary_line.quote.unit_price == Decimal("120.00")


def test_order_again_says_when_stock_is_short_and_adds_all_the_same(client, retailer, wholesaler):
    (kettle,) = _products(wholesaler, 1, on_hand=10)
    order = place_order(customer=retailer, distributor=wholesaler, lines=[(kettle, 8)])
    response = client.post(reverse("retailer:order_again", args=[order.number]), follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert f"{kettle.name}: only 2 in stock now (8 asked)." in said
    assert _cart(retailer, wholesaler) == {"QK-0000": 8}


def test_another_buyers_order_cannot_be_repeated(client, retailer, wholesaler):
    order = place_order(distributor=wholesaler)
    response = client.post(reverse("retailer:order_again", args=[order.number]))
    assert response.status_code == 404
    assert CartItem.objects.count() == 0


def test_a_customer_orders_again_from_the_store(client):
    store = DistributorFactory(is_default_store=True)
    (kettle,) = _products(store, 1)
    customer = CustomerFactory()
    order = place_order(customer=customer, distributor=store, lines=[(kettle, 2)])
    client.force_login(customer)
    response = client.post(reverse("portal:order_again", args=[order.number]))
    assert response.status_code == 302 and response.url == reverse("portal:cart")
    assert _cart(customer, store) == {"QK-0000": 2}


# --- The API --------------------------------------------------------------------------------


@pytest.fixture
def api(retailer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(retailer)
    return client


def test_the_api_checks_rows_like_the_page_and_adds_on_request(api, retailer, wholesaler):
    _products(wholesaler, 3)
    url = reverse("api-retailer-quick-order")
    rows = [
        {"sku": "QK-0000", "quantity": 2},
        {"sku": "NOPE", "quantity": 1},
        {"sku": "QK-0002", "quantity": 101},
    ]
    body = {"distributor_id": wholesaler.pk, "rows": rows}
    checked = api.post(url, body, format="json")
    assert checked.status_code == 200, checked.json()
    data = checked.json()
    assert [(line["row"], line["sku"], line["unit_price"]) for line in data["lines"]] == [
        (1, "QK-0000", "100.00")
    ]
    assert data["lines"][0]["line_total"] == "200.00"
    assert data["errors"] == [
        {"row": 2, "sku": "NOPE", "message": "No product NOPE here."},
        {"row": 3, "sku": "QK-0002", "message": "Only 100 in stock."},
    ]
    assert data["added_to_cart"] == 0 and CartItem.objects.count() == 0
    added = api.post(url, {**body, "add_to_cart": True}, format="json")
    assert added.json()["added_to_cart"] == 1
    assert _cart(retailer, wholesaler) == {"QK-0000": 2}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rows": [{"sku": "A", "quantity": 1}]}, "distributor_id"),
        ({"distributor_id": 1, "rows": []}, "rows.non_field_errors"),
        ({"distributor_id": 1, "rows": [{"sku": "A", "quantity": 0}]}, "rows.0.quantity"),
        ({"distributor_id": 1, "rows": [{"sku": "A", "quantity": 1000}]}, "rows.0.quantity"),
        ({"distributor_id": 1, "rows": [{"sku": "A" * 65, "quantity": 1}]}, "rows.0.sku"),
        (
            {"distributor_id": 1, "rows": [{"sku": "A", "quantity": 1}] * 501},
            "rows.non_field_errors",
        ),
    ],
)
def test_the_api_answers_bad_bodies_with_field_errors(api, body, field):
    response = api.post(reverse("api-retailer-quick-order"), body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()


def test_the_api_answers_404_for_a_distributor_that_is_not_one(api, retailer):
    body = {"distributor_id": retailer.organization.pk, "rows": [{"sku": "A", "quantity": 1}]}
    assert api.post(reverse("api-retailer-quick-order"), body, format="json").status_code == 404


def test_customers_check_rows_at_the_store_through_the_api():
    from rest_framework.test import APIClient

    store = DistributorFactory(is_default_store=True)
    stocked_product(distributor=store, sku="ST-1", price=Decimal("250.00"))
    client = APIClient()
    client.force_authenticate(CustomerFactory())
    body = {"rows": [{"sku": "st-1", "quantity": 2}], "add_to_cart": True}
    data = client.post(reverse("api-quick-order"), body, format="json").json()
    assert data["lines"][0]["line_total"] == "500.00" and data["added_to_cart"] == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, retailer, wholesaler):
    from orders.quick_order import MAX_QUICK_FILE_BYTES

    upload = SimpleUploadedFile("order.csv", b"QK-0001,1\n" * (MAX_QUICK_FILE_BYTES // 10 + 1))
    response = client.post(_quick_url(wholesaler), {"file": upload})
    assert response.status_code == 400
    assert "The file is over 256 KB." in response.content.decode()
