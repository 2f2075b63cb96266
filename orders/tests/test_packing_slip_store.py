"""A packing slip is rendered once, off the request; downloads serve the stored file (#22 §4)."""

import pytest
from django.core.files.storage import default_storage

from accounts.tests.factories import DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from orders import shipment_docs, tasks
from orders.models import Shipment
from orders.tests.factories import place_order, stocked_product
from orders.tests.test_shipments import api_for, pdf_text, to_processing


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def dispatched(db):
    store = DistributorFactory(name="Deccan Distribution")
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=20, name="Assam tea")
    order = to_processing(place_order(distributor=store, lines=[(tea, 3)]))
    body = api_for(clerk).post(
        f"/api/distributor/orders/{order.pk}/shipments",
        {"lines": [{"product_id": tea.pk, "quantity": 2}], "tracking_reference": "AWB 9"},
        format="json",
    )
    assert body.status_code == 201, body.content
    return clerk, Shipment.objects.get(pk=body.json()["id"])


def count_renders(monkeypatch) -> list[int]:
    renders = []
    real = shipment_docs.packing_slip_pdf

    def counting(shipment):
        renders.append(shipment.pk)
        return real(shipment)

    monkeypatch.setattr(shipment_docs, "packing_slip_pdf", counting)
    return renders


def test_the_worker_renders_it_once_and_downloads_serve_the_file(client, dispatched, monkeypatch):
    clerk, shipment = dispatched
    renders = count_renders(monkeypatch)
    tasks.render_packing_slip(shipment.pk)
    tasks.render_packing_slip(shipment.pk)  # a second delivery of the task keeps the file
    assert renders == [shipment.pk]
    assert default_storage.exists(shipment_docs.packing_slip_path(shipment))

    client.force_login(clerk)
    page = client.get(f"/distributor/shipments/{shipment.number}/packing-slip.pdf")
    api = api_for(clerk).get(f"/api/distributor/shipments/{shipment.pk}/packing-slip")
    assert renders == [shipment.pk]  # neither download rendered
    assert page.content == api.content
    assert shipment.number in pdf_text(page.content) and "Assam tea" in pdf_text(api.content)


def test_without_the_worker_the_first_download_renders_and_stores_it(
    client, dispatched, monkeypatch
):
    clerk, shipment = dispatched
    renders = count_renders(monkeypatch)
    client.force_login(clerk)
    url = f"/distributor/shipments/{shipment.number}/packing-slip.pdf"
    first, second = client.get(url), client.get(url)
    assert renders == [shipment.pk]
    assert first.content == second.content and first["Content-Type"] == "application/pdf"


def test_a_dispatch_queues_the_render_after_commit(
    dispatched, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "memory://"
    queued = []
    monkeypatch.setattr(shipment_docs, "_render_after_commit", queued.append)
    _, shipment = dispatched
    with django_capture_on_commit_callbacks(execute=True):
        shipment_docs.packing_slip_schedule(sender=Shipment, shipment_id=shipment.pk)
    assert queued == [shipment.pk]
    settings.CELERY_BROKER_URL = ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shipment_docs.packing_slip_schedule(sender=Shipment, shipment_id=shipment.pk)
    assert callbacks == []
