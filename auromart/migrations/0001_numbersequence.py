# The gap-free number counters move from procurement to the project app, so
# invoicing numbers its invoices without depending on procurement. The table
# is kept (renamed), with its rows.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("procurement", "0002_procurement_group_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NumberSequence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("prefix", models.CharField(max_length=8)),
                        ("year", models.PositiveSmallIntegerField()),
                        ("last", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "procurement_numbersequence",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("prefix", "year"), name="numbersequence_unique"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="NumberSequence", table=None),
    ]
