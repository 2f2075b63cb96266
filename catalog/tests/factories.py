from decimal import Decimal

import factory
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from accounts.models import Organization
from accounts.tests.factories import OrganizationFactory
from catalog.models import Category, Product


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None


class ManufacturerFactory(OrganizationFactory):
    kind = Organization.Kind.MANUFACTURER


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.name} {o.sku}"))
    description = "A product made for the tests."
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("100.00")
    # What suppliers charge: a request needs a supplier cost (procurement.suppliers).
    cost_price = Decimal("70.00")
    manufacturer = factory.SubFactory(ManufacturerFactory)
    supplier = factory.SelfAttribute("manufacturer")
