# NumberSequence now lives in the auromart app (its migration 0001 took the
# table over); procurement forgets it without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_procurement_group_permissions"),
        ("auromart", "0001_numbersequence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="NumberSequence")],
        ),
    ]
