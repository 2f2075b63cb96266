"""Invoices marked paid before payments were recorded get the payment that paid them.

Each paid invoice gets one recorded payment of its total (bank transfer, on
the day it was marked paid, with its reference and who recorded it) and its
amount paid set to the total, so its balance is zero and its status still
follows from its payments. The Finance group may also see payments and the
reminder log.
"""

from django.db import migrations
from django.utils import timezone

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

GROUP = "Finance"
PERMISSIONS = {"invoicing": ["view_invoicepayment", "view_paymentreminder"]}


def payments_for_paid(apps, schema_editor):
    Invoice = apps.get_model("invoicing", "Invoice")
    InvoicePayment = apps.get_model("invoicing", "InvoicePayment")
    paid = Invoice.objects.filter(status="paid", payments__isnull=True).order_by("pk")
    for invoice in paid.iterator(chunk_size=500):
        if invoice.total > 0:
            InvoicePayment.objects.create(
                invoice_id=invoice.pk,
                amount=invoice.total,
                received_on=timezone.localdate(invoice.paid_at),
                method="bank_transfer",
                reference=invoice.payment_reference,
                recorded_by_id=invoice.paid_by_id,
                status="recorded",
            )
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.total)


def undo_payments(apps, schema_editor):
    apps.get_model("invoicing", "InvoicePayment").objects.all().delete()


def grant(apps, schema_editor):
    grant_group_permissions(apps, GROUP, PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, GROUP, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_payments")]

    operations = [
        migrations.RunPython(payments_for_paid, undo_payments),
        migrations.RunPython(grant, revoke),
    ]
