"""The request's recorded figures follow the stock figures of #12: reserved -> held, + allocated."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0003_numbersequence_moved"),
    ]

    operations = [
        migrations.RenameField(
            model_name="procurementrequest", old_name="reserved", new_name="held"
        ),
        migrations.AlterField(
            model_name="procurementrequest",
            name="held",
            field=models.IntegerField(help_text="Units the distributor held back from sale."),
        ),
        migrations.AddField(
            model_name="procurementrequest",
            name="allocated",
            field=models.IntegerField(default=0, help_text="Units promised to open orders."),
        ),
        migrations.AlterField(
            model_name="procurementrequest",
            name="available",
            field=models.IntegerField(help_text="On hand - allocated - held + incoming."),
        ),
    ]
