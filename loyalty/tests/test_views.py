"""The points page, the points API and the admin (#18 §5)."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, RetailerUserFactory, UserFactory
from loyalty.models import EntryKind, LoyaltyAccount, LoyaltySettings, PointsEntry
from loyalty.services import _write
from loyalty.tests.factories import loyalty_on

pytestmark = pytest.mark.django_db

POINTS = reverse("loyalty:points")


def entries(customer, count, points=7):
    account, _ = LoyaltyAccount.objects.get_or_create(user=customer)
    for _ in range(count):
        _write(account=account, kind=EntryKind.EARN, points=points, dedup_key=None)


def test_the_points_page_shows_the_balance_the_terms_and_the_history(client):
    loyalty_on(points_per_100=Decimal("5"), point_value=Decimal("0.50"))
    customer = CustomerFactory()
    entries(customer, 3)
    client.force_login(customer)
    html = client.get(POINTS).content.decode()
    assert 'data-testid="points-balance">21 points<' in html
    assert "Worth ₹10.50" in html
    assert "You earn 5 points per ₹100" in html
    assert html.count("+7</td>") == 3
    assert 'href="/loyalty/"' in html  # in the customer's navigation


def test_the_page_says_when_the_programme_is_paused(client):
    customer = CustomerFactory()
    client.force_login(customer)
    html = client.get(POINTS).content.decode()
    assert "paused" in html and "0 points" in html


def test_the_points_page_and_api_read_in_constant_queries(client, django_assert_max_num_queries):
    loyalty_on()
    customer = CustomerFactory()
    client.force_login(customer)
    api = APIClient()
    api.force_authenticate(customer)
    entries(customer, 2)
    with django_assert_max_num_queries(30) as page_few:
        assert client.get(POINTS).status_code == 200
    with django_assert_max_num_queries(30) as api_few:
        assert api.get("/api/loyalty/points/history").status_code == 200
    entries(customer, 40)
    with django_assert_max_num_queries(len(page_few.captured_queries)):
        assert client.get(POINTS).status_code == 200
    with django_assert_max_num_queries(len(api_few.captured_queries)):
        body = api.get("/api/loyalty/points/history").json()
    assert body["count"] == 42 and len(body["results"]) == 25
    summary = api.get("/api/loyalty/points").json()
    assert summary == {"enabled": True, "balance": 294, "point_value": "1.00", "value": "294.00"}


def test_retailers_get_403_and_visitors_log_in(client):
    client.force_login(RetailerUserFactory())
    assert client.get(POINTS).status_code == 403
    client.logout()
    assert client.get(POINTS).status_code == 302
    assert APIClient().get("/api/loyalty/points").status_code == 401


def test_the_admin_shows_the_ledger_read_only_and_one_settings_row():
    staff = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = staff
    entry_admin = site._registry[PointsEntry]
    assert not entry_admin.has_add_permission(request)
    assert not entry_admin.has_change_permission(request)
    assert not entry_admin.has_delete_permission(request)
    settings_admin = site._registry[LoyaltySettings]
    assert settings_admin.has_add_permission(request)
    LoyaltySettings.objects.create()
    assert not settings_admin.has_add_permission(request)
    assert not settings_admin.has_delete_permission(request)


def test_staff_change_the_settings_in_the_admin_within_bounds(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:loyalty_loyaltysettings_add")
    form = {
        "enabled": "on",
        "points_per_100": "500",
        "point_value": "1",
        "max_redeem_percent": "20",
        "max_redeem_amount": "500",
        "expiry_months": "12",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not LoyaltySettings.objects.exists()
    assert "less than or equal to 100" in response.content.decode()
    response = client.post(url, {**form, "points_per_100": "2.5"})
    assert response.status_code == 302
    saved = LoyaltySettings.load()
    assert saved.enabled and saved.points_per_100 == Decimal("2.5")


def test_checkout_offers_the_points_and_redeems_them(client):
    import re

    from inventory.tests.factories import DistributorFactory
    from orders.models import Order
    from orders.tests.factories import stocked_product

    loyalty_on(max_redeem_percent=Decimal("10"))
    store = DistributorFactory(is_default_store=True)
    customer = CustomerFactory()
    entries(customer, 1, points=100)
    product = stocked_product(distributor=store, price=Decimal("500.00"))
    client.force_login(customer)
    client.post(reverse("portal:cart_add", args=[product.pk]), {"quantity": 1})
    page = client.get(reverse("portal:checkout")).content.decode()
    assert "You have 100 points; this order can use up to 50" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {"fulfillment_type": "delivery", "shipping_address": "1 Main St", "token": token}

    too_many = client.post(reverse("portal:checkout"), {**data, "loyalty_points": "51"})
    assert too_many.status_code == 200
    assert "use at most 50 points" in too_many.context["form"].errors["loyalty_points"][0]
    placed = client.post(reverse("portal:checkout"), {**data, "loyalty_points": "50"})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.loyalty_points_redeemed, order.loyalty_discount) == (50, Decimal("50.00"))
    assert order.subtotal == Decimal("450.00") and order.tax == Decimal("81.00")

    api = APIClient()
    api.force_authenticate(customer)
    refused = api.post(
        "/api/customer/orders",
        {
            "items": [{"product_id": product.pk, "quantity": 1}],
            "shipping_address": "1 Main St",
            "loyalty_points": 51,
        },
        format="json",
    )
    assert refused.status_code == 400 and "loyalty_points" in refused.json()["errors"]


def test_checkout_shows_the_points_discount_before_the_order_is_placed(client):
    """The htmx preview recomputes the estimate as the buyer types points; it places nothing."""
    import re

    from inventory.tests.factories import DistributorFactory
    from orders.models import Order
    from orders.tests.factories import stocked_product

    loyalty_on(max_redeem_percent=Decimal("10"))
    store = DistributorFactory(is_default_store=True, state="27")
    customer = CustomerFactory()
    entries(customer, 1, points=100)
    lamp = stocked_product(distributor=store, price=Decimal("300.00"), hsn_code="")
    mug = stocked_product(distributor=store, price=Decimal("200.00"), hsn_code="")
    client.force_login(customer)
    for product in (lamp, mug):
        client.post(reverse("portal:cart_add", args=[product.pk]), {"quantity": 1})
    page = client.get(reverse("portal:checkout")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {
        "fulfillment_type": "delivery",
        "shipping_address": "1 Main St",
        "shipping_state": "27",
        "token": token,
    }

    preview = client.post(
        reverse("portal:checkout"),
        {**data, "loyalty_points": "50", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    # ₹50 off ₹500 before GST: 450.00 taxable, 18 % GST 81.00 (30 + 20 off the lines,
    # 270 x 9 % = 24.30 and 180 x 9 % = 16.20, twice), total 531.00.
    estimate = preview.context["estimate"]
    assert (estimate["subtotal"], estimate["tax"], estimate["total"]) == (
        Decimal("450.00"),
        Decimal("81.00"),
        Decimal("531.00"),
    )
    totals = preview.content.decode()
    assert "50 loyalty points" in totals and "\u2212₹50.00" in totals and "₹531.00" in totals
    assert not Order.objects.exists()
    # Points the order may not use show the plain estimate; sending them names the problem.
    too_many = client.post(
        reverse("portal:checkout"),
        {**data, "loyalty_points": "51", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert too_many.context["estimate"]["total"] == Decimal("590.00")
    assert not Order.objects.exists()
    # Sent for real, the order is placed at the total the preview showed.
    placed = client.post(reverse("portal:checkout"), {**data, "loyalty_points": "50"})
    assert placed.status_code == 302
    assert Order.objects.get().total == Decimal("531.00")


def test_staff_see_the_programme_totals_in_the_reports(client):
    import datetime

    from django.utils import timezone

    from accounts.tests.factories import DistributorUserFactory
    from procurement.tests.factories import procurement_staff

    loyalty_on(point_value=Decimal("0.50"))
    customer = CustomerFactory()
    account, _ = LoyaltyAccount.objects.get_or_create(user=customer)
    _write(account=account, kind=EntryKind.EARN, points=300, dedup_key=None)
    _write(account=account, kind=EntryKind.REDEEM, points=-120, dedup_key=None, amount=60)
    _write(account=account, kind=EntryKind.EXPIRE, points=-30, dedup_key=None)
    last_year = timezone.now() - datetime.timedelta(days=400)
    _write(account=account, kind=EntryKind.EARN, points=1000, dedup_key=None, when=last_year)
    today = timezone.localdate()
    query = {"start": (today - datetime.timedelta(days=30)).isoformat(), "end": today.isoformat()}

    client.force_login(procurement_staff())
    html = client.get(reverse("reporting:overview"), query).content.decode()
    assert 'id="figure-loyalty-earned">300<' in html  # the range only
    assert 'id="figure-loyalty-redeemed">120<' in html and "₹60.00 of discounts" in html
    assert 'id="figure-loyalty-expired">30<' in html
    assert 'id="figure-loyalty-outstanding">1,150<' in html and "worth ₹575.00" in html

    client.force_login(DistributorUserFactory())
    assert 'id="loyalty-figures"' not in client.get(reverse("reporting:overview")).content.decode()
