"""The procurement API: staff only, 409 on a second approval, receipts with clear errors."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
    UserFactory,
)
from auromart.tests.openapi import call_and_validate
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import place_order
from procurement.models import POStatus, ProcurementRequest, PurchaseOrder, RequestStatus

from .factories import procurement_staff

BASE = "/api/admin/procurement"


def low_item(distributor=None, **product_fields):
    distributor = distributor or DistributorFactory()
    product = ProductFactory(reorder_level=10, reorder_quantity=30, **product_fields)
    StockItemFactory(product=product, distributor=distributor, on_hand=11)
    place_order(distributor=distributor, lines=[(product, 2)])
    return ProcurementRequest.objects.get(product=product)


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory",
    [
        CustomerFactory,
        RetailerUserFactory,
        DistributorUserFactory,
        ManufacturerUserFactory,
        lambda: UserFactory(is_staff=True),  # staff, but not in the procurement group
    ],
)
def test_everyone_but_procurement_staff_gets_403(factory):
    request = low_item()
    client = as_user(factory())
    calls = [
        ("get", f"{BASE}/requests", None),
        ("put", f"{BASE}/{request.pk}/approve", None),
        ("put", f"{BASE}/{request.pk}/reject", {"reason": "No"}),
        ("get", f"{BASE}/purchase-orders", None),
        ("get", f"{BASE}/purchase-orders/1", None),
        ("put", f"{BASE}/purchase-orders/1/approve", None),
        ("post", f"{BASE}/purchase-orders/1/receive", {"lines": []}),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
    assert not PurchaseOrder.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


@pytest.mark.django_db
def test_anonymous_gets_401():
    assert APIClient().get(f"{BASE}/requests").status_code == 401


@pytest.mark.django_db
def test_list_with_filters_and_the_computation_figures():
    distributor = DistributorFactory()
    first = low_item(distributor)
    second = low_item(distributor)
    client = as_user(procurement_staff())
    body = client.get(f"{BASE}/requests").json()
    assert body["count"] == 2
    row = body["results"][0]
    assert row["id"] == second.pk and row["number"] == second.number
    assert row["product"]["sku"] == second.product.sku
    assert row["distributor"]["id"] == distributor.pk
    assert row["supplier"]["id"] == second.supplier_id
    assert row["quantity"] == 30 and row["status"] == "open" and row["created_at"]
    assert row["supplier_line_id"] == second.supplier_line_id and row["unit_cost"] == "70.00"
    assert row["computation"] == {
        "on_hand": 11,  # the shelf: 2 of them allocated to the order that crossed the level
        "allocated": 2,
        "held": 0,
        "incoming": 0,
        "backordered": 0,
        "available": 9,
        "reorder_level": 10,
        "reorder_quantity": 30,
        "order_up_to_level": None,
        "pack_size": 1,
        "minimum_order_quantity": 1,
        "rule": "reorder quantity 30",
    }
    only = client.get(f"{BASE}/requests", {"product": first.product_id}).json()
    assert [r["id"] for r in only["results"]] == [first.pk]
    assert client.get(f"{BASE}/requests", {"status": "approved"}).json()["count"] == 0
    assert client.get(f"{BASE}/requests", {"supplier": first.supplier_id}).json()["count"] == 1
    bad = client.get(f"{BASE}/requests", {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


@pytest.mark.django_db
def test_request_list_query_count_does_not_grow(django_assert_max_num_queries):
    client = as_user(procurement_staff())
    distributor = DistributorFactory()
    for _ in range(3):
        low_item(distributor)
    with django_assert_max_num_queries(6) as few:
        client.get(f"{BASE}/requests")
    baseline = len(few.captured_queries)
    for _ in range(12):
        low_item(distributor)
    with django_assert_max_num_queries(baseline):
        assert client.get(f"{BASE}/requests").json()["count"] == 15


@pytest.mark.django_db
def test_approve_returns_the_po_and_a_second_approve_is_409_with_still_one_po():
    request = low_item()
    client = as_user(procurement_staff())
    response = client.put(f"{BASE}/{request.pk}/approve")
    assert response.status_code == 200
    body = response.json()
    po = PurchaseOrder.objects.get()
    assert body["status"] == "approved"
    assert body["purchase_order"] == {"id": po.pk, "number": po.number, "status": "sent"}
    again = client.put(f"{BASE}/{request.pk}/approve")
    assert again.status_code == 409 and again.json()["code"] == "request_not_open"
    assert "already approved" in again.json()["detail"]
    assert PurchaseOrder.objects.count() == 1
    assert client.put(f"{BASE}/999999/approve").status_code == 404


@pytest.mark.django_db
def test_reject_needs_a_reason_and_frees_the_slot():
    request = low_item()
    client = as_user(procurement_staff())
    missing = client.put(f"{BASE}/{request.pk}/reject", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    response = client.put(f"{BASE}/{request.pk}/reject", {"reason": "Seasonal"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "Seasonal"
    assert client.put(f"{BASE}/{request.pk}/approve").status_code == 409
    assert not PurchaseOrder.objects.exists()


@pytest.mark.django_db
def test_second_approval_above_the_limit_needs_a_different_approver(settings):
    settings.PROCUREMENT_APPROVAL_LIMIT = 1000
    request = low_item(price=100)  # 30 x 100 = 3000 > 1000
    first, second = procurement_staff(), procurement_staff()
    client = as_user(first)
    body = client.put(f"{BASE}/{request.pk}/approve").json()
    assert body["purchase_order"]["status"] == POStatus.AWAITING_APPROVAL
    po_id = body["purchase_order"]["id"]
    assert client.put(f"{BASE}/purchase-orders/{po_id}/approve").status_code == 403
    response = as_user(second).put(f"{BASE}/purchase-orders/{po_id}/approve")
    assert response.status_code == 200 and response.json()["status"] == "sent"
    assert response.json()["second_approved_by"] == second.email
    assert as_user(second).put(f"{BASE}/purchase-orders/{po_id}/approve").status_code == 409


@pytest.mark.django_db
def test_receive_partial_then_full_and_refuse_over_receipt():
    request = low_item()
    client = as_user(procurement_staff())
    po_id = client.put(f"{BASE}/{request.pk}/approve").json()["purchase_order"]["id"]
    url = f"{BASE}/purchase-orders/{po_id}/receive"
    product_id = request.product_id
    partial = client.post(url, {"lines": [{"product_id": product_id, "quantity": 10}]}, "json")
    assert partial.status_code == 201
    assert partial.json()["purchase_order"]["status"] == "partially_received"
    assert partial.json()["purchase_order"]["lines"][0]["outstanding"] == 20
    item = StockItem.objects.get(product_id=product_id)
    assert item.available == 19

    over = client.post(url, {"lines": [{"product_id": product_id, "quantity": 21}]}, "json")
    assert over.status_code == 400
    assert "Only 20" in over.json()["errors"]["lines.0.quantity"][0]
    stranger = client.post(url, {"lines": [{"product_id": 999999, "quantity": 1}]}, "json")
    assert stranger.status_code == 400 and "lines.0.product_id" in stranger.json()["errors"]
    empty = client.post(url, {"lines": []}, "json")
    assert empty.status_code == 400
    item.refresh_from_db()
    assert item.available == 19

    full = client.post(url, {"lines": [{"product_id": product_id, "quantity": 20}]}, "json")
    assert full.json()["purchase_order"]["status"] == "received"
    request.refresh_from_db()
    assert request.status == RequestStatus.FULFILLED
    done = client.post(url, {"lines": [{"product_id": product_id, "quantity": 1}]}, "json")
    assert done.status_code == 409 and done.json()["code"] == "purchase_order_state"


@pytest.mark.django_db
def test_purchase_order_list_and_detail(django_assert_max_num_queries):
    client = as_user(procurement_staff())
    distributor = DistributorFactory()
    for _ in range(3):
        client.put(f"{BASE}/{low_item(distributor).pk}/approve")
    with django_assert_max_num_queries(5) as few:
        listing = client.get(f"{BASE}/purchase-orders").json()
    baseline = len(few.captured_queries)
    assert listing["count"] == 3 and listing["results"][0]["line_count"] == 1
    for _ in range(6):
        client.put(f"{BASE}/{low_item(distributor).pk}/approve")
    with django_assert_max_num_queries(baseline):
        assert client.get(f"{BASE}/purchase-orders").json()["count"] == 9
    po = PurchaseOrder.objects.first()
    detail = client.get(f"{BASE}/purchase-orders/{po.pk}").json()
    assert detail["number"] == po.number and len(detail["lines"]) == 1
    assert client.get(f"{BASE}/purchase-orders", {"status": "received"}).json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/admin/procurement/requests", "/api/admin/procurement/purchase-orders"]
)
@pytest.mark.parametrize("field", ["supplier", "distributor"])
def test_an_id_filter_beyond_any_id_is_400_not_500(path, field):
    # Found by schemathesis: supplier=15253377347578683392 overflowed SQLite's integer (500).
    response = call_and_validate(
        "GET", path, user=procurement_staff(), query={field: 15253377347578683392}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 10**20}, "lines.0.quantity"),
        ({"quantity": 2**31}, "lines.0.quantity"),
        ({"product_id": 10**20, "quantity": 1}, "lines.0.product_id"),
    ],
)
def test_receipt_numbers_past_the_bounds_are_a_400(line, field):
    request = low_item()
    client = as_user(procurement_staff())
    po_id = client.put(f"{BASE}/{request.pk}/approve").json()["purchase_order"]["id"]
    body = {"lines": [{"product_id": request.product_id, **line}]}
    response = client.post(f"{BASE}/purchase-orders/{po_id}/receive", body, "json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert StockItem.objects.get(product_id=request.product_id).available == 9
