"""The manufacturer's pictures-and-specifications page and the zip of pictures."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import ManufacturerUserFactory
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def maker(client):
    user = ManufacturerUserFactory()
    client.force_login(user)
    return user


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_manufacturer_adds_and_removes_pictures_and_writes_specifications(client, maker):
    product = ProductFactory(manufacturer=maker.organization, name="Brass Lamp")
    url = reverse("manufacturer:product_media", args=[product.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "action": "add_image",
            "alt_text": "The lamp, lit",
            "image": SimpleUploadedFile("lamp.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    image = product.images.get()
    assert image.alt_text == "The lamp, lit" and image.card

    response = client.post(url, {"action": "specifications", "specifications": "Height: 40 cm"})
    assert [(a.name, a.value) for a in product.attributes.all()] == [("Height", "40 cm")]
    bad = client.post(url, {"action": "specifications", "specifications": "no colon here"})
    assert bad.status_code == 200 and "write it as" in bad.content.decode()

    bogus = client.post(
        url,
        {"action": "add_image", "image": SimpleUploadedFile("x.png", b"nope")},
    )
    assert bogus.status_code == 200 and product.images.count() == 1

    client.post(url, {"action": "remove_image", "image": image.pk})
    assert not product.images.exists()


def test_another_manufacturers_product_is_404(client, maker):
    stranger = ProductFactory()
    url = reverse("manufacturer:product_media", args=[stranger.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"action": "specifications", "specifications": "A: b"}).status_code == 404
    )
    assert not stranger.attributes.exists()


def test_a_zip_adds_pictures_to_own_products_only(client, maker):
    own = ProductFactory(manufacturer=maker.organization, sku="OWN-1")
    stranger = ProductFactory(sku="OTH-1")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("OWN-1.png", png_bytes())
        bundle.writestr("OWN-1_2.png", png_bytes())
        bundle.writestr("OTH-1.png", png_bytes())
    response = client.post(
        reverse("manufacturer:product_images_zip"),
        {"images": SimpleUploadedFile("pics.zip", archive.getvalue())},
    )
    html = response.content.decode()
    assert "2 pictures added" in html and "OTH-1.png" in html
    assert own.images.count() == 2 and not stranger.images.exists()
