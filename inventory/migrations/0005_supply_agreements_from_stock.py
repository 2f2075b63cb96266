"""Accepted supply agreements for every pair that already trades.

Before agreements existed a manufacturer could put stock anywhere and name any
organization as supplier. Where stock of a manufacturer's product is already
at a distributor, or a product already names a distributor as its supplier,
the two evidently work together: record that as an accepted agreement, so that
nothing that worked yesterday is refused today.
"""

from django.db import migrations
from django.utils import timezone


def create_agreements(apps, schema_editor):
    StockItem = apps.get_model("inventory", "StockItem")
    Product = apps.get_model("catalog", "Product")
    SupplyAgreement = apps.get_model("accounts", "SupplyAgreement")
    pairs = set(
        StockItem.objects.filter(product__manufacturer__kind="manufacturer")
        .values_list("product__manufacturer_id", "distributor_id")
        .distinct()
    )
    pairs |= set(
        Product.objects.filter(supplier__kind="distributor", manufacturer__kind="manufacturer")
        .values_list("manufacturer_id", "supplier_id")
        .distinct()
    )
    existing = set(SupplyAgreement.objects.values_list("manufacturer_id", "distributor_id"))
    now = timezone.now()
    SupplyAgreement.objects.bulk_create(
        SupplyAgreement(
            manufacturer_id=manufacturer_id,
            distributor_id=distributor_id,
            status="accepted",
            note="Recorded when agreements were introduced: stock or supply already existed.",
            requested_at=now,
            accepted_at=now,
        )
        for manufacturer_id, distributor_id in sorted(pairs - existing)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_import_permission"),
        ("accounts", "0004_supplyagreement"),
        ("catalog", "0005_product_fulltext"),
    ]

    operations = [migrations.RunPython(create_agreements, migrations.RunPython.noop)]
