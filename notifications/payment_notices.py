"""What a buyer is told about paying its invoices (issue #16, money in).

- A cheque it paid with bounced (`invoice_payment_bounced`): the invoice is
  owed again, by how much.
- A reminder of an unpaid invoice at a PAYMENT_REMINDER_DAYS step
  (`invoice_payment_reminder_due`): before the due date, or how late it is.
- Money paid back against an invoice (`refund_recorded`): how much, how, the
  reference the bank will show, and what the invoice stands at now.

Each goes to the customer who placed the order on the channels they chose
for "invoice_payments", and, for a retailer's invoice, by e-mail to the
organization's contact address when that is not the customer's own (as the
invoice itself, notifications.order_notices.invoice_messages_queue). Both run
inside the transaction that recorded the change.
"""

from django.urls import reverse

from .services import invoice_buyer_notify


def _buyer_notify(*, invoice, template: str, context: dict, dedup_key: str) -> list[str]:
    link = reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number])
    return invoice_buyer_notify(
        invoice=invoice,
        event="invoice_payments",
        template=template,
        context={"invoice": invoice, "balance": invoice.balance_due, **context},
        dedup_key=dedup_key,
        link=link,
    )


def payment_bounced_queue(*, payment_id: int) -> list[str]:
    """A bounced cheque: the buyer learns the invoice is owed again. Once per payment."""
    from invoicing.models import InvoicePayment

    payment = InvoicePayment.objects.select_related(
        "invoice__buyer_organization", "invoice__customer__notification_preference"
    ).get(pk=payment_id)
    return _buyer_notify(
        invoice=payment.invoice,
        template="payment_bounced",
        context={"payment": payment},
        dedup_key=f"payment_bounced:{payment.pk}",
    )


def payment_reminder_queue(*, invoice_id: int, step: int) -> list[str]:
    """A reminder of an unpaid invoice at `step` days from its due date. Once per step."""
    from invoicing.models import Invoice

    invoice = Invoice.objects.select_related(
        "buyer_organization", "customer__notification_preference"
    ).get(pk=invoice_id)
    return _buyer_notify(
        invoice=invoice,
        template="payment_reminder",
        context={"step": step, "days": abs(step), "overdue": step > 0},
        dedup_key=f"payment_reminder:{invoice.pk}:{step}",
    )


def refund_recorded_queue(*, refund_id: int) -> list[str]:
    """The buyer is told a refund was made (by hand or confirmed by the gateway). Once per
    refund."""
    from invoicing.models import Refund

    refund = Refund.objects.select_related(
        "invoice__buyer_organization",
        "invoice__customer__notification_preference",
        "credit_note",
    ).get(pk=refund_id)
    return _buyer_notify(
        invoice=refund.invoice,
        template="refund_recorded",
        context={
            "refund": refund,
            "credit_note": refund.credit_note,
            "credit_owed": refund.invoice.credit_owed,
        },
        dedup_key=f"refund_recorded:{refund.pk}",
    )
