"""What a buyer is told when a credit note is issued against one of its invoices (issue 24).

One e-mail with the credit note's PDF attached (rendered at delivery, after
commit: notifications.attachments), WhatsApp and in-app on the channels the
customer chose for "Shipments and invoices" (the credit note is a tax
document like the invoice), and, for a retailer's invoice, the e-mail to the
organization's contact address when that is not the customer's own. Queued
inside the transaction that issued the credit note; once per credit note.
"""

from django.urls import reverse

from .services import billing_document_notify


def credit_note_messages_queue(*, credit_note_id: int) -> list[str]:
    """Queue the buyer's messages about a credit note; returns the customer's channels."""
    from invoicing.credit_note_pdf import credit_note_pdf_attachment
    from invoicing.models import CreditNote

    note = (
        CreditNote.objects.select_related(
            "invoice__buyer_organization", "invoice__customer__notification_preference"
        )
        .prefetch_related("lines")
        .get(pk=credit_note_id)
    )
    invoice = note.invoice
    context = {
        "note": note,
        "invoice": invoice,
        "lines": list(note.lines.all()),
        "balance": invoice.balance_due,
        "credit_owed": invoice.credit_owed,
    }
    attachment = credit_note_pdf_attachment(note)
    link = reverse("invoicing:credit_note_detail", args=[note.seller_slug, note.number])
    return billing_document_notify(
        invoice=invoice,
        template="credit_note",
        context=context,
        dedup_key=f"credit_note_issued:{note.pk}",
        link=link,
        attachment=attachment,
    )
