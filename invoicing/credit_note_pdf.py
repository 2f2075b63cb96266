"""The credit note's PDF: rendered after commit, stored, attached to its e-mail."""

import logging
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from auromart.pdf import render_pdf
from auromart.tax import hsn_summary, is_intra_state
from notifications import as_sent

from .gst import amount_in_words
from .models import CreditNote

logger = logging.getLogger(__name__)

PDF_RENDERER = "invoicing.credit_note_pdf"


def credit_note_for_document(pk: int) -> CreditNote | None:
    return (
        CreditNote.objects.select_related("invoice").prefetch_related("lines").filter(pk=pk).first()
    )


def credit_note_context(note: CreditNote) -> dict:
    """What the page, the PDF and the e-mail print besides the note itself."""
    lines = list(note.lines.all())
    invoice = note.invoice
    return {
        "note": note,
        "invoice": invoice,
        "lines": lines,
        "hsn_summary": hsn_summary(lines),
        "intra_state": is_intra_state(
            seller_state=invoice.seller_state, place=invoice.place_of_supply
        ),
        "amount_in_words": amount_in_words(note.total),
        "site_name": settings.SITE_NAME,
    }


def credit_note_pdf_path(note: CreditNote) -> str:
    return f"credit-notes/{note.issue_date:%Y}/{note.seller_slug}/{note.pdf_filename}"


def credit_note_pdf_bytes(note: CreditNote) -> bytes:
    return render_pdf(
        "invoicing/credit_note_pdf.html",
        credit_note_context(note),
        stylesheets=("auromart/pdf/document.css",),
    )


def credit_note_pdf_render(*, credit_note_id: int, replace: bool = True) -> str:
    """Render the credit note's PDF into media storage; returns its path (after commit)."""
    note = credit_note_for_document(credit_note_id)
    if note is None:
        raise CreditNote.DoesNotExist(credit_note_id)
    path = credit_note_pdf_path(note)
    if default_storage.exists(path):
        if not replace:
            return path
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(credit_note_pdf_bytes(note)))
    CreditNote.objects.filter(pk=note.pk).update(pdf=saved)
    return saved


def credit_note_pdf_ensure(*, note: CreditNote) -> str:
    if note.pdf and default_storage.exists(note.pdf):
        return note.pdf
    return credit_note_pdf_render(credit_note_id=note.pk)


def credit_note_pdf_attachment(note: CreditNote) -> dict:
    """The outbox attachment reference: rendered at delivery when the file is not there."""
    return {
        "path": credit_note_pdf_path(note),
        "filename": note.pdf_filename,
        "mimetype": "application/pdf",
        "renderer": PDF_RENDERER,
        "object_id": note.pk,
    }


def _render_after_commit(credit_note_id: int) -> None:
    try:
        credit_note_pdf_render(credit_note_id=credit_note_id, replace=False)
    except Exception:
        # Rendered again when the e-mail is delivered or the PDF downloaded.
        logger.warning("Could not render credit note %s", credit_note_id, exc_info=True)


def credit_note_pdf_schedule(*, credit_note_id: int) -> None:
    """With a worker, render the PDF after commit; otherwise on delivery or first download."""
    if settings.CELERY_BROKER_URL and not as_sent.active():
        transaction.on_commit(partial(_render_after_commit, credit_note_id))


# --- The invoice's PDF, with its credit notes -----------------------------------------


def invoice_pdf_with_credit_notes(template: str, context: dict, *, stylesheets: tuple) -> bytes:
    """The invoice's PDF (`template`, `context` as invoicing.services renders it) with a
    last page listing its credit notes, refunds and what is owed now, as one document.

    The invoice's own template is not touched: the page is rendered on its own and put
    before the invoice's closing </body>, then the whole is laid out once (page numbers
    run on), with the same static-only fetcher and fonts as auromart.pdf.render_pdf.
    """
    from django.apps import apps
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from auromart.pdf import LocalFetcher, _static_roots, _stylesheet, font_config, static_path

    invoice = context["invoice"]
    page = render_to_string(
        "invoicing/invoice_credits_pdf.html",
        {
            "invoice": invoice,
            "credit_notes": list(invoice.credit_notes.order_by("issue_date", "pk")),
            "refunds": list(invoice.refunds.order_by("refunded_on", "pk")),
            "replaced_by": list(invoice.replaced_by.all()),
        },
    )
    html = render_to_string(template, context)
    head, tail = html.rsplit("</body>", 1) if "</body>" in html else (html, "")
    fetcher = LocalFetcher(_static_roots())
    base_url = (Path(apps.get_app_config("auromart").path) / "static").resolve().as_uri() + "/"
    return HTML(
        string=f"{head}{page}</body>{tail}", base_url=base_url, url_fetcher=fetcher
    ).write_pdf(
        stylesheets=[_stylesheet(static_path(name), fetcher) for name in stylesheets],
        font_config=font_config(),
    )
