"""The distributor's transfer pages: list (filters, constant queries), new, detail steps,
packing slip PDF, and the receiving side's e-mail through the outbox."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from notifications.models import OutboundMessage
from transfers import services
from transfers.models import TransferOrder, TransferStatus

from .factories import distributor_with_member, on_hand, stock

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pair():
    east, east_clerk = distributor_with_member(name="Eastern Distribution Co.")
    west, west_clerk = distributor_with_member(name="Western Depot")
    product = ProductFactory(sku="GEN-0036", name="Basmati 5 kg")
    stock(product, east, 51)
    return product, east, east_clerk, west, west_clerk


def _transfers(source, destination, product, count):
    for _ in range(count):
        services.transfer_create(
            source=source, destination=destination, lines=[(product, 1)], by=None
        )


def test_list_filters_and_runs_a_constant_number_of_queries(pair, django_assert_max_num_queries):
    product, east, east_clerk, west, _ = pair
    client = login(east_clerk)
    _transfers(east, west, product, 2)
    _transfers(west, east, product, 1)
    with django_assert_max_num_queries(30) as few:
        page = client.get(reverse("transfers:list"))
    assert page.status_code == 200 and len(page.context["page"].object_list) == 3
    _transfers(east, west, product, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("transfers:list")).status_code == 200
    incoming = client.get(reverse("transfers:list"), {"direction": "in"})
    assert [t.destination_id for t in incoming.context["page"].object_list] == [east.pk]
    drafts = client.get(reverse("transfers:list"), {"status": "requested"})
    assert len(drafts.context["page"].object_list) == 0


def test_api_list_runs_a_constant_number_of_queries(pair, django_assert_max_num_queries):
    product, east, east_clerk, west, _ = pair
    client = login(east_clerk)
    _transfers(east, west, product, 2)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/api/distributor/transfers").status_code == 200
    _transfers(east, west, product, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/distributor/transfers")
    assert response.status_code == 200 and response.json()["count"] == 32


def test_create_form_bounds_and_writes_a_draft(pair):
    _product, east, east_clerk, west, _ = pair
    client = login(east_clerk)
    assert client.get(reverse("transfers:create")).status_code == 200
    bad = client.post(
        reverse("transfers:create"),
        {"direction": "send", "other": west.pk, "lines": "GEN-0036, 100001"},
    )
    assert bad.status_code == 400 and "from 1 to 100,000" in bad.content.decode()
    assert not TransferOrder.objects.exists()
    response = client.post(
        reverse("transfers:create"),
        {"direction": "send", "other": west.pk, "lines": "gen-0036, 12"},
    )
    transfer = TransferOrder.objects.get()
    assert response.status_code == 302
    assert (transfer.source, transfer.destination, transfer.status) == (
        east,
        west,
        TransferStatus.DRAFT,
    )


def test_the_whole_flow_through_the_pages_with_a_short_receipt(
    pair, django_capture_on_commit_callbacks
):
    product, east, east_clerk, west, west_clerk = pair
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 10)], by=east_clerk
    )
    source, destination = login(east_clerk), login(west_clerk)
    url = reverse("transfers:detail", args=[transfer.number])
    page = source.get(url)
    assert "Confirm and allocate" in page.content.decode()
    source.post(reverse("transfers:confirm", args=[transfer.number]))
    with django_capture_on_commit_callbacks(execute=True):
        source.post(
            reverse("transfers:ship", args=[transfer.number]), {"tracking_reference": "LR-9"}
        )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SHIPPED and on_hand(product, east) == 41
    # The receiving distributor's member is told, through the outbox.
    notice = OutboundMessage.objects.get(
        dedup_key=f"transfer_shipped:{transfer.pk}:{west_clerk.pk}:email"
    )
    assert notice.recipient == west_clerk.email
    [sent] = [m for m in mail.outbox if transfer.number in m.subject]
    assert "LR-9" in sent.body and "10 x Basmati 5 kg" in sent.body

    line = transfer.lines.get()
    short = destination.post(
        reverse("transfers:receive", args=[transfer.number]), {f"line_{line.pk}": 8}
    )
    assert short.status_code == 400 and "did not arrive: say why" in short.content.decode()
    destination.post(
        reverse("transfers:receive", args=[transfer.number]),
        {f"line_{line.pk}": 8, f"reason_{line.pk}": "Two cartons wet"},
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED_SHORT and on_hand(product, west) == 8
    page = destination.get(url).content.decode()
    assert "Two cartons wet" in page and "Write off as a transit loss" in page
    destination.post(
        reverse("transfers:write_off", args=[transfer.number]), {"reason": "Carrier claim"}
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CLOSED


def test_packing_slip_is_a_pdf(pair):
    product, east, east_clerk, west, _ = pair
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 3)], by=east_clerk
    )
    response = login(east_clerk).get(reverse("transfers:packing_slip", args=[transfer.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_another_organizations_transfer_is_404(pair):
    product, east, east_clerk, west, _ = pair
    _stranger, stranger_clerk = distributor_with_member(name="Stranger")
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 3)], by=east_clerk
    )
    client = login(stranger_clerk)
    assert client.get(reverse("transfers:detail", args=[transfer.number])).status_code == 404
    assert client.get(f"/api/distributor/transfers/{transfer.number}").status_code == 404


def test_a_move_between_own_warehouses_through_the_form(pair):
    from inventory.warehouses import warehouse_create, warehouse_default

    _product, east, east_clerk, _west, _ = pair
    main = warehouse_default(east)
    annex = warehouse_create(distributor=east, name="Annex", code="ANX", priority=50)
    client = login(east_clerk)
    missing = client.post(
        reverse("transfers:create"), {"direction": "internal", "lines": "GEN-0036, 5"}
    )
    assert (
        missing.status_code == 400 and "Choose both of your warehouses" in missing.content.decode()
    )
    client.post(
        reverse("transfers:create"),
        {
            "direction": "internal",
            "from_warehouse": main.pk,
            "to_warehouse": annex.pk,
            "lines": "GEN-0036, 5",
        },
    )
    transfer = TransferOrder.objects.get()
    assert (transfer.source, transfer.destination) == (east, east)
    assert (transfer.source_warehouse, transfer.destination_warehouse) == (main, annex)
    page = client.get(reverse("transfers:detail", args=[transfer.number])).content.decode()
    assert "Annex" in page and "Confirm and allocate" in page
