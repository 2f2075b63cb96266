import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from auromart.spreadsheets import read_dataset
from inventory.tests.factories import DistributorFactory
from orders.models import Order
from orders.resources import OrderLineResource
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


def rows_of(dataset):
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def test_orders_export_one_row_per_line_with_the_orders_figures():
    distributor = DistributorFactory(name="Central Store")
    mattress = stocked_product(distributor=distributor, sku="MAT-1", name="=Mattress")
    pillow = stocked_product(distributor=distributor, sku="PIL-2", name="Pillow")
    order = place_order(distributor=distributor, lines=[(mattress, 2), (pillow, 1)])

    rows = rows_of(OrderLineResource().export())

    assert [(r["order_number"], r["sku"], r["quantity"]) for r in rows] == [
        (order.number, "MAT-1", "2"),
        (order.number, "PIL-2", "1"),
    ]
    first = rows[0]
    assert first["product_name"] == "'=Mattress"  # escaped
    assert (first["distributor"], first["status"], first["customer"]) == (
        "Central Store",
        "placed",
        order.customer.email,
    )
    assert first["order_total"] == str(order.total)
    assert first["line_total"] == str(order.items.get(sku="MAT-1").line_total)


def test_import_of_orders_is_refused():
    with pytest.raises(ValueError, match="export"):
        OrderLineResource().import_data(OrderLineResource().export())


@pytest.mark.parametrize(("fmt_index", "fmt"), [("0", "csv"), ("1", "xlsx")])
def test_admin_exports_the_filtered_orders_lines(client, fmt_index, fmt):
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, sku="MAT-1")
    kept = place_order(distributor=distributor, lines=[(product, 1)])
    dropped = place_order(distributor=distributor, lines=[(product, 1)])
    Order.objects.filter(pk=dropped.pk).update(status="cancelled")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    # The export form has a checkbox per column, all ticked by default.
    columns = {f"orderlineresource_{name}": "on" for name in OrderLineResource().get_export_order()}

    response = client.post(
        reverse("admin:orders_order_export") + "?status__exact=placed",
        {"resource": "0", "format": fmt_index, **columns},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    file_format = [base_formats.CSV, base_formats.XLSX][int(fmt_index)](encoding="utf-8")
    rows = rows_of(read_dataset(response.content, file_format))
    assert [r["order_number"] for r in rows] == [kept.number]


def test_order_line_export_queries_do_not_grow_with_orders():
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=500)

    def queries(count):
        for _ in range(count):
            place_order(distributor=distributor, lines=[(product, 1)])
        with CaptureQueriesContext(connection) as ctx:
            dataset = OrderLineResource().export()
        assert len(dataset) == Order.objects.count()
        return len(ctx.captured_queries)

    assert queries(2) == queries(20)
