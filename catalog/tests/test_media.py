"""Product media: gallery images with thumbnails, the view that serves them, the zip
import, specifications; and the query counts of the pages that show them."""

import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from catalog.demo_images import draw_product_picture
from catalog.models import ProductImage
from catalog.services_media import (
    parse_specifications,
    product_attributes_set,
    product_image_add,
    product_image_remove,
    product_images_import_zip,
)
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory
from orders.selectors import recommended_product_ids
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


def png(name="photo.png", size=(64, 48)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


# --- Images and thumbnails ------------------------------------------------------------


def test_an_added_image_is_stored_with_its_thumbnails():
    product = ProductFactory(name="Brass Lamp", sku="LMP-1")
    image = product_image_add(product=product, upload=png())
    assert image.alt_text == "Brass Lamp"  # the default
    assert image.image.name.startswith("products/lmp-1/")
    for stored in (image.image, image.card, image.small):
        assert stored.name and default_storage.exists(stored.name)
    with default_storage.open(image.card.name) as card:
        assert Image.open(card).size == (480, 360)
    with default_storage.open(image.small.name) as small:
        assert Image.open(small).size == (120, 120)
    second = product_image_add(product=product, upload=png(), alt_text="From the side")
    assert [i.alt_text for i in product.images.all()] == ["Brass Lamp", "From the side"]
    assert second.position == 1


def test_a_file_that_is_not_an_image_is_refused():
    product = ProductFactory()
    with pytest.raises(ValidationError) as caught:
        product_image_add(product=product, upload=ContentFile(b"%PDF-1.4 no", name="x.jpg"))
    assert "image" in caught.value.message_dict
    assert not ProductImage.objects.exists()


def test_removing_an_image_deletes_its_files(django_capture_on_commit_callbacks):
    image = product_image_add(product=ProductFactory(), upload=png())
    names = [image.image.name, image.card.name, image.small.name]
    with django_capture_on_commit_callbacks(execute=True):
        product_image_remove(image=image)
    assert not any(default_storage.exists(name) for name in names)


# --- Serving them -----------------------------------------------------------------------


def test_the_media_view_serves_with_long_cache_headers_and_an_etag(client):
    image = product_image_add(product=ProductFactory(), upload=png())
    url = image.card.url
    assert url.startswith("/media/products/")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"] and "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert client.get("/media/products/../../settings.py").status_code == 404
    assert client.get("/media/products/nope/missing.jpg").status_code == 404


# --- Zip import and specifications ------------------------------------------------------


def test_a_zip_of_images_is_matched_to_products_by_file_name():
    lamp = ProductFactory(sku="LMP-1")
    chair = ProductFactory(sku="CHR-9")
    stranger = ProductFactory(sku="XYZ-1")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in ("LMP-1.png", "lmp-1_2.png", "pics/CHR-9-2.png", "XYZ-1.png", "notes.png"):
            bundle.writestr(name, png().read())
        bundle.writestr("readme.txt", "ignored")
        bundle.writestr("CHR-9.jpg", b"not a picture")
    archive.seek(0)

    report = product_images_import_zip(archive=archive, products=[lamp, chair])

    assert report["added"] == 3
    assert sorted(report["unmatched"]) == ["XYZ-1.png", "notes.png"]
    assert len(report["errors"]) == 1 and report["errors"][0].startswith("CHR-9.jpg")
    assert lamp.images.count() == 2 and chair.images.count() == 1
    assert not stranger.images.exists()


def test_specifications_are_name_value_lines():
    product = ProductFactory()
    pairs = parse_specifications("Size: Queen\n\n Firmness : Medium \n")
    assert pairs == [("Size", "Queen"), ("Firmness", "Medium")]
    product_attributes_set(product=product, pairs=pairs)
    assert [(a.name, a.value) for a in product.attributes.all()] == pairs
    with pytest.raises(ValidationError) as caught:
        parse_specifications("Size Queen\nSize: A\nsize: B")
    assert len(caught.value.message_dict["specifications"]) == 2


# --- Recommendations ----------------------------------------------------------------------


def test_customers_also_bought_counts_shared_orders_then_falls_back_to_the_category():
    store = DistributorFactory(is_default_store=True)
    lamps = CategoryFactory()
    lamp = stocked_product(distributor=store, category=lamps)
    shade = stocked_product(distributor=store)
    bulb = stocked_product(distributor=store)
    other_lamp = stocked_product(distributor=store, category=lamps)
    place_order(distributor=store, lines=[(lamp, 1), (shade, 1), (bulb, 1)])
    place_order(distributor=store, lines=[(lamp, 1), (shade, 2)])
    place_order(distributor=store, lines=[(bulb, 1)])

    ids = recommended_product_ids(product_ids=[lamp.pk], category_ids=[lamps.pk])

    assert ids == [shade.pk, bulb.pk, other_lamp.pk]
    with CaptureQueriesContext(connection) as ctx:  # cached
        assert recommended_product_ids(product_ids=[lamp.pk], category_ids=[lamps.pk]) == ids
    assert len(ctx.captured_queries) == 0


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_catalog_page_with_pictures_costs_the_same_for_2_and_24_products(client):
    store = DistributorFactory(is_default_store=True)
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def count_with(n):
        while ProductImage.objects.count() < n:
            product = stocked_product(
                distributor=store, category=category, manufacturer=manufacturer
            )
            product_image_add(product=product, upload=png())
            product_image_add(product=product, upload=png())
        return _queries(client, reverse("portal:catalog"))

    two = count_with(2)
    twenty_four = count_with(48)
    assert two == twenty_four
    html = client.get(reverse("portal:catalog")).content.decode()
    assert html.count('class="product-picture product-picture-card') == 24
    assert "/media/products/thumbs/" in html


def test_the_product_page_costs_the_same_with_more_pictures_specs_and_recommendations(client):
    store = DistributorFactory(is_default_store=True)
    category = CategoryFactory()
    lamp = stocked_product(distributor=store, category=category, name="Brass Lamp")
    product_image_add(product=lamp, upload=draw_product_picture(name="Lamp", label="L"))
    product_attributes_set(product=lamp, pairs=[("Height", "40 cm")])
    place_order(distributor=store, lines=[(lamp, 1), (stocked_product(distributor=store), 1)])
    url = reverse("portal:product", args=[lamp.slug])
    first = _queries(client, url)
    cache.clear()
    for _n in range(4):
        product_image_add(product=lamp, upload=png())
        partner = stocked_product(distributor=store)
        product_image_add(product=partner, upload=png())
        place_order(distributor=store, lines=[(lamp, 1), (partner, 1)])
    product_attributes_set(product=lamp, pairs=[(f"Spec {n}", "x") for n in range(6)])
    cache.clear()
    assert _queries(client, url) == first
    html = client.get(url).content.decode()
    assert (
        "Customers also bought" in html and html.count("product-card recommendation") == 4
    )  # of 5
    assert "Spec 5" in html and 'alt="Lamp' not in html  # alt texts are the product's
    assert html.count("product-picture-small") == 5


def test_the_cart_shows_what_customers_also_bought(client):
    store = DistributorFactory(is_default_store=True)
    lamp = stocked_product(distributor=store, name="Brass Lamp")
    shade = stocked_product(distributor=store, name="Linen Shade")
    place_order(distributor=store, lines=[(lamp, 1), (shade, 1)])
    client.post(reverse("portal:cart_add", args=[lamp.pk]), {"quantity": 1})
    html = client.get(reverse("portal:cart")).content.decode()
    assert "Customers also bought" in html
    assert reverse("portal:product", args=[shade.slug]) in html
