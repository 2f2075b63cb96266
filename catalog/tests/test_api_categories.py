"""Categories through the API (#20): staff create, rename and move; manufacturers name them."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, ManufacturerUserFactory, UserFactory
from catalog.models import Category, Product
from catalog.services import category_create

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/categories"
PRODUCTS = "/api/manufacturer/products"


def as_user(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def staff():
    return as_user(UserFactory(is_staff=True))


def test_staff_create_rename_and_move_categories(staff):
    home = staff.post(CATEGORIES, {"name": "Home"})
    assert home.status_code == 201, home.content
    assert home.json() == {"id": home.json()["id"], "name": "Home", "slug": "home", "parent": None}
    assert home["Location"] == f"{CATEGORIES}/{home.json()['id']}"
    lamps = staff.post(CATEGORIES, {"name": "Lamps", "parent": "home"}).json()
    assert lamps["parent"] == home.json()["id"] and lamps["slug"] == "home-lamps"

    renamed = staff.patch(f"{CATEGORIES}/{lamps['id']}", {"name": "Lighting"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Lighting" and renamed.json()["slug"] == "home-lamps"
    moved = staff.patch(f"{CATEGORIES}/{lamps['id']}", {"parent": None})
    assert moved.json()["parent"] is None
    back = staff.patch(f"{CATEGORIES}/{lamps['id']}", {"parent": home.json()["id"]})
    assert back.json()["parent"] == home.json()["id"]
    assert as_user().get(f"{CATEGORIES}/{lamps['id']}").json()["name"] == "Lighting"


def test_category_writes_refuse_bad_moves_and_duplicates_and_write_nothing(staff):
    home = category_create(name="Home")
    lamps = category_create(name="Lamps", parent=home)
    loop = staff.patch(f"{CATEGORIES}/{home.pk}", {"parent": lamps.pk})
    assert loop.status_code == 400 and "parent" in loop.json()["errors"]
    duplicate = staff.post(CATEGORIES, {"name": "LAMPS", "parent": home.pk})
    assert (
        duplicate.status_code == 400 and "already exists" in duplicate.json()["errors"]["name"][0]
    )
    unknown = staff.post(CATEGORIES, {"name": "Desk lamps", "parent": "Lamsp"})
    assert unknown.status_code == 400
    assert "Close matches: Lamps (home-lamps)" in unknown.json()["errors"]["parent"][0]
    for bad in ({"name": ""}, {"name": "x" * 121}, {"name": "A", "parent": True}):
        assert staff.post(CATEGORIES, bad).status_code == 400
    home.refresh_from_db()
    assert home.parent is None and Category.objects.count() == 2


@pytest.mark.parametrize(
    "user", [None, CustomerFactory, ManufacturerUserFactory], ids=["anonymous", "cust", "maker"]
)
def test_only_staff_write_categories(user):
    category = category_create(name="Home")
    client = as_user(user() if user else None)
    expected = 401 if user is None else 403
    assert client.post(CATEGORIES, {"name": "Nope"}).status_code == expected
    assert client.patch(f"{CATEGORIES}/{category.pk}", {"name": "Nope"}).status_code == expected
    assert client.get(CATEGORIES).status_code == 200
    assert list(Category.objects.values_list("name", flat=True)) == ["Home"]


def test_category_reads_ignore_a_stale_token():
    category_create(name="Home")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert client.get(CATEGORIES).status_code == 200
    assert client.post(CATEGORIES, {"name": "X"}).status_code == 401


@pytest.fixture
def maker():
    return as_user(ManufacturerUserFactory())


def new_product(client, sku, **fields):
    return client.post(PRODUCTS, {"sku": sku, "name": sku, "price": "10.00", **fields})


@pytest.mark.parametrize("how", ["id", "id-text", "slug", "name", "NAME"])
def test_a_manufacturer_names_a_category_by_id_slug_or_name(maker, how):
    home = category_create(name="Home Decor")
    reference = {
        "id": home.pk,
        "id-text": str(home.pk),
        "slug": "home-decor",
        "name": "Home Decor",
        "NAME": "HOME DECOR",
    }[how]
    response = new_product(maker, "P-1", category=reference)
    assert response.status_code == 201, response.content
    assert response.json()["category"] == home.pk
    other = category_create(name="Garden")
    patched = maker.patch(f"{PRODUCTS}/{response.json()['id']}", {"category": "garden"})
    assert patched.status_code == 200 and patched.json()["category"] == other.pk


def test_unknown_and_ambiguous_categories_are_400s_that_write_nothing(maker):
    home = category_create(name="Home")
    garden = category_create(name="Garden")
    category_create(name="Tools", parent=home)
    category_create(name="Tools", parent=garden)
    unknown = new_product(maker, "P-1", category="Hom")
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["category"] == [
        "No category “Hom”. Close matches: Home (home)."
    ]
    nothing_close = new_product(maker, "P-1", category="zzzzzz")
    assert "Staff create categories" in nothing_close.json()["errors"]["category"][0]
    ambiguous = new_product(maker, "P-1", category="tools")
    assert ambiguous.status_code == 400
    assert "home-tools, garden-tools" in ambiguous.json()["errors"]["category"][0] or (
        "garden-tools, home-tools" in ambiguous.json()["errors"]["category"][0]
    )
    for bad in (999999, 2**70, "", True, [1]):
        assert new_product(maker, "P-1", category=bad).status_code == 400
    assert not Product.objects.exists()


def test_no_category_means_uncategorised(maker):
    first = new_product(maker, "P-1")
    second = new_product(maker, "P-2")
    assert first.status_code == second.status_code == 201
    assert first.json()["category_detail"]["name"] == "Uncategorised"
    assert first.json()["category"] == second.json()["category"]
    assert Category.objects.filter(name="Uncategorised").count() == 1
