from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.agreements import agreement_end
from accounts.models import Organization, SupplyAgreement
from accounts.tests.factories import DistributorUserFactory, OrganizationFactory, supplies
from catalog.models import SUPPLIER_RULE, Product
from catalog.services import category_create, product_create
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def make_product(**overrides):
    fields = {
        "sku": "mat-0001",
        "name": "CloudRest Memory Foam Mattress, Queen",
        "category": CategoryFactory(),
        "price": Decimal("24999.00"),
        "manufacturer": ManufacturerFactory(),
    }
    fields.update(overrides)
    return product_create(**fields)


def test_category_create_slugs_a_sub_category_under_its_parent():
    clothing = category_create(name="Clothing")
    men = category_create(name="Men", parent=clothing)

    assert clothing.slug == "clothing"
    assert men.slug == "clothing-men"
    assert men.parent == clothing


def test_category_create_allows_the_same_name_under_two_parents():
    clothing = category_create(name="Clothing")
    electronics = category_create(name="Electronics")

    a = category_create(name="Accessories", parent=clothing)
    b = category_create(name="Accessories", parent=electronics)

    assert {a.slug, b.slug} == {"clothing-accessories", "electronics-accessories"}


def test_category_create_refuses_a_duplicate_name_under_the_same_parent():
    category_create(name="Laptops")

    with pytest.raises(ValidationError) as exc:
        category_create(name="laptops ")

    assert "name" in exc.value.message_dict


def test_category_create_refuses_an_empty_name():
    with pytest.raises(ValidationError) as exc:
        category_create(name="  ")

    assert "name" in exc.value.message_dict


def test_category_clean_refuses_a_loop():
    top = category_create(name="Top")
    child = category_create(name="Child", parent=top)
    top.parent = child

    with pytest.raises(ValidationError) as exc:
        top.full_clean()

    assert "parent" in exc.value.message_dict


def test_product_create_defaults_supplier_to_manufacturer_and_normalises_sku():
    product = make_product(sku="  mat-0001 ")

    assert product.pk is not None
    assert product.sku == "MAT-0001"
    assert product.slug == "cloudrest-memory-foam-mattress-queen"
    assert product.supplier == product.manufacturer
    assert (product.reorder_level, product.reorder_quantity, product.pack_size) == (10, 50, 1)
    assert product.is_active


def test_product_create_accepts_a_distributor_it_supplies_as_supplier():
    distributor = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR)
    maker = ManufacturerFactory()
    supplies(maker, distributor)

    product = make_product(manufacturer=maker, supplier=distributor)

    assert product.supplier == distributor


@pytest.mark.parametrize("kind", ["distributor", "manufacturer", "retailer"])
def test_a_supplier_without_an_accepted_agreement_is_refused(kind):
    stranger = OrganizationFactory(kind=kind)
    with pytest.raises(ValidationError) as info:
        make_product(supplier=stranger)
    assert info.value.message_dict["supplier"] == [SUPPLIER_RULE]
    assert stranger.name not in str(info.value)


def test_ending_an_agreement_makes_the_manufacturer_the_supplier_again():
    distributor = OrganizationFactory(kind=Organization.Kind.DISTRIBUTOR)
    maker = ManufacturerFactory()
    supplies(maker, distributor)
    product = make_product(manufacturer=maker, supplier=distributor)
    other = make_product(sku="other-1", manufacturer=ManufacturerFactory())
    member = DistributorUserFactory(organization=distributor)

    agreement_end(agreement=SupplyAgreement.objects.get(), by=member, reason="Closing")

    product.refresh_from_db()
    assert product.supplier == maker
    other.refresh_from_db()
    assert other.supplier == other.manufacturer


def test_product_create_makes_slugs_unique():
    first = make_product(sku="A-1", name="Wall Clock")
    second = make_product(sku="A-2", name="Wall Clock")
    third = make_product(sku="A-3", name="Wall clock!")

    assert [first.slug, second.slug, third.slug] == ["wall-clock", "wall-clock-2", "wall-clock-3"]


@pytest.mark.parametrize("kind", [Organization.Kind.DISTRIBUTOR, Organization.Kind.RETAILER])
def test_product_create_requires_a_manufacturer(kind):
    with pytest.raises(ValidationError) as exc:
        make_product(manufacturer=OrganizationFactory(kind=kind))

    assert "not a manufacturer" in exc.value.message_dict["manufacturer"][0]
    assert not Product.objects.exists()


def test_product_create_refuses_a_retailer_as_supplier():
    with pytest.raises(ValidationError) as exc:
        make_product(supplier=OrganizationFactory(kind=Organization.Kind.RETAILER))

    assert "supplier" in exc.value.message_dict


def test_product_create_refuses_a_taken_sku_whatever_its_case():
    ProductFactory(sku="LAP-0001")

    with pytest.raises(ValidationError) as exc:
        make_product(sku="lap-0001")

    assert "sku" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", Decimal("-0.01")),
        ("price", "not a number"),
        ("pack_size", 0),
        ("minimum_order_quantity", 0),
        ("order_up_to_level", 10),
        ("name", " "),
        ("sku", ""),
    ],
)
def test_product_create_reports_invalid_values_by_field(field, value):
    with pytest.raises(ValidationError) as exc:
        make_product(**{field: value})

    assert field in exc.value.message_dict
    assert not Product.objects.exists()


def test_product_create_keeps_the_maximum_level_above_the_reorder_level():
    product = make_product(reorder_level=10, order_up_to_level=60)

    assert product.order_up_to_level == 60


def test_database_refuses_a_negative_price_even_behind_the_service():
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("-1"))


def test_database_refuses_a_zero_pack_size_even_behind_the_service():
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(pack_size=0)
