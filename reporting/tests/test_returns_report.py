"""The returns report (#17 §5) on a data set computed by hand: by product, reason and
distributor with the return rate; who sees what; the CSV; constant queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from orders.tests.factories import stocked_product
from procurement.tests.factories import procurement_staff
from reporting.selectors import ReportScope, returns_report
from reporting.selectors.base import ReportFilters
from returns.services import return_receive
from returns.tests.factories import approved, delivered, requested

pytestmark = pytest.mark.django_db


def receive(rma, restock, damaged):
    return return_receive(
        return_request=rma, by=None, received={rma.lines.get().pk: (restock, damaged)}
    )


@pytest.fixture
def book():
    """Depot One: lamp 5 + 5 delivered, 2 back (defective, restocked); kettle 4 delivered,
    1 back damaged in transit, 1 only asked for. Depot Two: lamp 3 delivered, nothing back."""
    one = DistributorUserFactory(organization__name="Depot One")
    two = DistributorUserFactory(organization__name="Depot Two")
    lamp = stocked_product(distributor=one.organization, sku="LAMP-1", name="Cedar Lamp")
    kettle = stocked_product(distributor=one.organization, sku="KET-2", name="Steel Kettle")
    from inventory.tests.factories import StockItemFactory

    StockItemFactory(product=lamp, distributor=two.organization, on_hand=50)
    receive(approved(delivered(distributor=one.organization, product=lamp), quantity=2), 2, 0)
    delivered(distributor=one.organization, product=lamp)
    kettle_order = delivered(distributor=one.organization, product=kettle, quantity=4)
    receive(approved(kettle_order, quantity=1, reason="damaged_in_transit"), 0, 1)
    requested(kettle_order, quantity=1, reason="not_needed")  # asked, not received
    delivered(distributor=two.organization, product=lamp, quantity=3)
    return {"one": one, "two": two}


def today_filters():
    from django.utils import timezone

    day = timezone.localdate()
    return ReportFilters(start=day, end=day)


def rows(table, *keys):
    return [tuple(row[key] for key in keys) for row in table.rows]


def test_staff_see_every_distributors_returns_and_rates(book):
    tables = returns_report(scope=ReportScope(ReportScope.ALL), filters=today_filters())
    assert rows(tables["product"], "sku", "distributor", "delivered", "returned", "rate") == [
        ("LAMP-1", "Depot One", 10, 2, Decimal("0.2000")),
        ("KET-2", "Depot One", 4, 1, Decimal("0.2500")),
        ("LAMP-1", "Depot Two", 3, 0, Decimal("0.0000")),
    ]
    # 3 returned of 17 delivered.
    assert tables["product"].totals["rate"] == Decimal("0.1765")
    assert rows(tables["reason"], "reason", "returned", "restocked", "damaged", "share") == [
        ("Defective or not working", 2, 2, 0, Decimal("0.6667")),
        ("Arrived damaged", 1, 0, 1, Decimal("0.3333")),
    ]
    assert rows(tables["distributor"], "distributor", "delivered", "returned", "rate") == [
        ("Depot One", 14, 3, Decimal("0.2143")),
        ("Depot Two", 3, 0, Decimal("0.0000")),
    ]


def test_a_distributor_sees_its_own_on_the_page_and_in_the_csv(client, book):
    client.force_login(book["two"])
    page = client.get(reverse("reporting:returns")).content.decode()
    assert "Depot Two" in page and "KET-2" not in page
    client.force_login(book["one"])
    csv = client.get(
        reverse("reporting:returns"), {"export": "csv", "table": "product"}
    ).content.decode()
    assert csv.splitlines() == [
        "sku,product,distributor,delivered,returned,rate",
        "LAMP-1,Cedar Lamp,Depot One,10,2,0.2",
        "KET-2,Steel Kettle,Depot One,4,1,0.25",
        "TOTAL,,,14,3,0.2143",
    ]
    reasons = client.get(reverse("reporting:returns"), {"export": "csv", "table": "reason"})
    assert "Arrived damaged,1,0,1,0.3333,0.0714" in reasons.content.decode()


def test_customers_have_no_report_and_staff_see_the_page(client, book):
    client.force_login(CustomerFactory())
    assert client.get(reverse("reporting:returns")).status_code == 403
    client.force_login(procurement_staff())
    page = client.get(reverse("reporting:returns")).content.decode()
    assert "Returns by reason" in page and "Depot One" in page


def test_the_page_costs_the_same_queries_with_more_returns(client, django_assert_max_num_queries):
    member = DistributorUserFactory()
    depot = member.organization
    receive(approved(delivered(distributor=depot), quantity=1), 1, 0)
    client.force_login(member)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("reporting:returns"))
    for _ in range(4):
        receive(approved(delivered(distributor=depot), quantity=2), 1, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("reporting:returns")).content.decode()
    assert page.count("<tr") >= 5


def test_a_large_returns_download_runs_as_a_job_with_the_same_rows(
    client, book, settings, django_capture_on_commit_callbacks
):
    from jobs.models import Job

    client.force_login(procurement_staff())
    query = {"export": "csv", "table": "product"}
    inline = client.get(reverse("reporting:returns"), query).content.decode().splitlines()
    settings.REPORT_EXPORT_INLINE_ROWS = 2  # the product table has 3 rows
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reporting:returns"), query)
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == "succeeded", job.error
    file = client.get(reverse("jobs:file", args=[job.public_id]))
    assert b"".join(file.streaming_content).decode().splitlines() == inline
