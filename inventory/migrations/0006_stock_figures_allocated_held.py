"""The stock figures of #12: `reserved` becomes `held`, and `allocated` is added.

Open orders' units move from sales to allocations in orders 0002 (it needs
the order lines' new columns).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_supply_agreements_from_stock"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="stockitem", name="stockitem_reserved_within_on_hand"
        ),
        migrations.RenameField(model_name="stockitem", old_name="reserved", new_name="held"),
        migrations.AlterField(
            model_name="stockitem",
            name="held",
            field=models.IntegerField(
                default=0, help_text="Units on the shelf held back from sale by the distributor."
            ),
        ),
        migrations.AddField(
            model_name="stockitem",
            name="allocated",
            field=models.IntegerField(
                default=0,
                help_text="Units on the shelf promised to open orders, not yet dispatched.",
            ),
        ),
        migrations.AlterField(
            model_name="stockitem",
            name="on_hand",
            field=models.IntegerField(default=0, help_text="Units on the shelf."),
        ),
        migrations.AlterField(
            model_name="stockmovement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("assignment", "Assignment"),
                    ("receipt", "Receipt"),
                    ("adjustment", "Adjustment"),
                    ("count", "Count"),
                    ("shipment", "Shipment"),
                    ("sale", "Sale (before allocations)"),
                    ("return", "Return of a cancelled order (before allocations)"),
                    ("allocation_migrated", "Sale turned into an allocation"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="stockitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("held__gte", 0), ("allocated__gte", 0)),
                name="stockitem_held_allocated_non_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="stockitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("on_hand__gte", models.F("allocated") + models.F("held"))),
                name="stockitem_allocated_held_within_on_hand",
            ),
        ),
    ]
