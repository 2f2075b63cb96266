"""The return pages: the buyer asks from a delivered order and follows it; the distributor
finds, approves, refuses and receives it; form errors; 404 across organizations; queries."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from returns.models import ReturnRequest, ReturnStatus

from .factories import approved, delivered, requested

pytestmark = pytest.mark.django_db


def test_the_request_page_offers_only_what_can_be_returned_and_says_what_is_wrong(client):
    order = delivered(quantity=5)
    item = order.items.get()
    client.force_login(order.customer)
    page = client.get(reverse("returns:create", args=[order.number])).content.decode()
    assert "up to 5 can be returned" in page and 'max="5"' in page
    response = client.post(
        reverse("returns:create", args=[order.number]),
        {f"quantity_{item.pk}": "6", f"reason_{item.pk}": "defective"},
    )
    assert response.status_code == 400
    assert "less than or equal to 5" in response.content.decode()
    response = client.post(
        reverse("returns:create", args=[order.number]),
        {f"quantity_{item.pk}": "2", f"reason_{item.pk}": ""},
    )
    assert response.status_code == 400 and "Say why you return it." in response.content.decode()
    response = client.post(reverse("returns:create", args=[order.number]), {})
    assert "at least one line" in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_retailer_requests_a_return_and_a_colleague_sees_it(client):
    buyer = RetailerUserFactory()
    order = delivered(customer=buyer, quantity=3)
    item = order.items.get()
    client.force_login(buyer)
    page = client.get(reverse("retailer:order", args=[order.number])).content.decode()
    assert "Request a return" in page
    response = client.post(
        reverse("returns:create", args=[order.number]),
        {f"quantity_{item.pk}": "1", f"reason_{item.pk}": "wrong_item"},
    )
    rma = ReturnRequest.objects.get()
    assert response["Location"] == reverse("returns:detail", args=[rma.pk])
    client.force_login(RetailerUserFactory(organization=buyer.organization))
    page = client.get(reverse("returns:list")).content.decode()
    assert rma.number in page
    detail = client.get(reverse("returns:detail", args=[rma.pk])).content.decode()
    assert "Wrong item sent" in detail and "Requested" in detail


def test_another_buyers_order_and_return_are_404(client):
    order = delivered(quantity=3)
    rma = requested(order, quantity=1)
    client.force_login(CustomerFactory())
    assert client.get(reverse("returns:create", args=[order.number])).status_code == 404
    assert client.get(reverse("returns:detail", args=[rma.pk])).status_code == 404
    client.force_login(DistributorUserFactory())
    assert client.get(reverse("distributor_returns:detail", args=[rma.pk])).status_code == 404
    response = client.post(reverse("distributor_returns:approve", args=[rma.pk]))
    assert response.status_code == 404
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.REQUESTED


def test_the_distributor_filters_searches_and_decides(client):
    member = DistributorUserFactory()
    depot = member.organization
    one = requested(delivered(distributor=depot, quantity=2), quantity=1)
    two = approved(delivered(distributor=depot, quantity=2), quantity=2)
    client.force_login(member)
    page = client.get(reverse("distributor_returns:list"), {"status": "approved"}).content.decode()
    assert two.number in page and one.number not in page
    page = client.get(reverse("distributor_returns:list"), {"q": one.order.number}).content.decode()
    assert one.number in page and two.number not in page
    response = client.post(reverse("distributor_returns:reject", args=[one.pk]), {"note": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    client.post(reverse("distributor_returns:reject", args=[one.pk]), {"note": "Used."})
    one.refresh_from_db()
    assert one.status == ReturnStatus.REJECTED and one.decision_note == "Used."


def test_the_receive_form_bounds_each_line(client):
    member = DistributorUserFactory()
    rma = approved(delivered(distributor=member.organization, quantity=5), quantity=2)
    line = rma.lines.get()
    client.force_login(member)
    page = client.get(reverse("distributor_returns:detail", args=[rma.pk])).content.decode()
    assert f'name="restock_{line.pk}"' in page and 'max="2"' in page
    response = client.post(
        reverse("distributor_returns:receive", args=[rma.pk]),
        {f"restock_{line.pk}": "2", f"damaged_{line.pk}": "1"},
    )
    assert response.status_code == 400
    assert "more than the 2 announced" in response.content.decode()
    response = client.post(
        reverse("distributor_returns:receive", args=[rma.pk]),
        {f"restock_{line.pk}": "0", f"damaged_{line.pk}": "0"},
    )
    assert response.status_code == 400 and "at least one unit" in response.content.decode()
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.APPROVED
    client.post(
        reverse("distributor_returns:receive", args=[rma.pk]),
        {f"restock_{line.pk}": "1", f"damaged_{line.pk}": "1"},
    )
    client.post(reverse("distributor_returns:close", args=[rma.pk]))
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CLOSED


def test_the_buyers_list_makes_the_same_queries_for_one_or_many(
    client, django_assert_max_num_queries
):
    buyer = CustomerFactory()
    member = DistributorUserFactory()
    requested(delivered(customer=buyer, distributor=member.organization, quantity=2))
    client.force_login(buyer)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("returns:list"))
    for _ in range(5):
        requested(delivered(customer=buyer, distributor=member.organization, quantity=2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("returns:list")).content.decode()
    assert page.count("RMA-") == 6


def test_the_distributors_list_makes_the_same_queries_for_one_or_many(
    client, django_assert_max_num_queries
):
    member = DistributorUserFactory()
    requested(delivered(distributor=member.organization, quantity=2))
    client.force_login(member)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("distributor_returns:list"))
    for _ in range(5):
        requested(delivered(customer=RetailerUserFactory(), distributor=member.organization))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("distributor_returns:list")).content.decode()
    assert page.count("RMA-") == 6
