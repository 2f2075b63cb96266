"""Order lines get their figures, and open orders' sales become allocations (#12).

Before #12 placing an order took its units off on_hand at once (a `sale`
movement). Now on_hand is the shelf and an open order holds an allocation
until dispatch. For every open order (placed, accepted, processing) this
writes, per product, one `allocation_migrated` movement that puts back what
its sales still had out (sales less returns, by the order's reference) and
allocates the same units: on_hand goes up, allocated goes up by as much, so
available is what it was, and the ledger still sums to on_hand. Cancelling
such an order later releases the allocation and returns nothing twice (its
sales are already netted out by the reversal).

Shipped and delivered orders' lines count as shipped; rejected and cancelled
ones as cancelled (their sales were returned at the time).
"""

from collections import defaultdict

from django.db import migrations, models
from django.db.models import F, Q, Sum

OPEN = ("placed", "accepted", "processing")
SHIPPED = ("shipped", "delivered")


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    StockItem = apps.get_model("inventory", "StockItem")
    StockMovement = apps.get_model("inventory", "StockMovement")

    OrderItem.objects.filter(order__status__in=SHIPPED).update(quantity_shipped=F("quantity"))
    OrderItem.objects.exclude(order__status__in=(*OPEN, *SHIPPED)).update(
        quantity_cancelled=F("quantity")
    )
    for order in Order.objects.filter(status__in=OPEN).order_by("pk").iterator():
        reference = f"order:{order.pk}"
        out = {
            row["stock_item_id"]: -row["net"]
            for row in StockMovement.objects.filter(
                reference=reference, kind__in=["sale", "return"]
            )
            .values("stock_item_id")
            .annotate(net=Sum("quantity"))
            .order_by()
            if row["net"] < 0
        }
        taken_by_product = defaultdict(int)
        for item in StockItem.objects.filter(pk__in=list(out)).order_by("pk"):
            quantity = out[item.pk]
            item.on_hand += quantity
            item.allocated += quantity
            item.save(update_fields=["on_hand", "allocated"])
            StockMovement.objects.create(
                stock_item=item,
                kind="allocation_migrated",
                quantity=quantity,
                balance_after=item.on_hand,
                reference=reference,
                note=f"Order {order.number}: its sale became an allocation",
            )
            taken_by_product[item.product_id] += quantity
        for line in OrderItem.objects.filter(order=order):
            allocated = min(taken_by_product.get(line.product_id, 0), line.quantity)
            line.quantity_allocated = allocated
            line.quantity_cancelled = line.quantity - allocated
            line.save(update_fields=["quantity_allocated", "quantity_cancelled"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("inventory", "0006_stock_figures_allocated_held"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="quantity_allocated",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="quantity_backordered",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="quantity_cancelled",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="quantity_shipped",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=Q(
                    quantity=F("quantity_allocated")
                    + F("quantity_shipped")
                    + F("quantity_backordered")
                    + F("quantity_cancelled")
                ),
                name="orderitem_quantities_add_up",
            ),
        ),
    ]
