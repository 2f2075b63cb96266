"""The product pictures and specifications in the API: the shopper's product list and the
manufacturer's endpoints."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.tests.factories import ManufacturerUserFactory
from catalog.services_media import product_image_add
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_product_list_carries_the_pictures_with_absolute_urls():
    store = DistributorFactory(is_default_store=True)
    lamp = stocked_product(distributor=store)
    product_image_add(product=lamp, upload=png(), alt_text="Lit")
    body = APIClient().get("/api/customer/products").json()
    (item,) = body["results"]
    (image,) = item["images"]
    assert image["alt_text"] == "Lit"
    assert image["card"].startswith("http://testserver/media/products/thumbs/")
    assert image["url"].startswith("http://testserver/media/products/")


def test_a_manufacturer_uploads_lists_removes_pictures_and_sets_specifications():
    maker = ManufacturerUserFactory()
    product = ProductFactory(manufacturer=maker.organization)
    client = APIClient()
    client.force_authenticate(maker)
    base = f"/api/manufacturer/products/{product.pk}"

    created = client.post(
        f"{base}/images", {"image": png(), "alt_text": "Front"}, format="multipart"
    )
    assert created.status_code == 201 and created.json()["alt_text"] == "Front"
    assert [i["alt_text"] for i in client.get(f"{base}/images").json()] == ["Front"]
    bad = client.post(
        f"{base}/images", {"image": SimpleUploadedFile("x.png", b"no")}, format="multipart"
    )
    assert bad.status_code == 400

    put = client.put(
        f"{base}/specifications",
        {"attributes": [{"name": "Size", "value": "Queen"}, {"name": "Firm", "value": "Yes"}]},
        format="json",
    )
    assert put.status_code == 200
    assert client.get(f"{base}/specifications").json()["attributes"][0] == {
        "name": "Size",
        "value": "Queen",
    }
    twice = client.put(
        f"{base}/specifications",
        {"attributes": [{"name": "Size", "value": "A"}, {"name": "size", "value": "B"}]},
        format="json",
    )
    assert twice.status_code == 400

    removed = client.delete(f"{base}/images/{created.json()['id']}")
    assert removed.status_code == 204 and not product.images.exists()
