from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from notifications.attachments import register_renderer

        from . import receivers  # noqa: F401
        from .credit_note_pdf import PDF_RENDERER as CREDIT_NOTE_PDF
        from .credit_note_pdf import credit_note_pdf_render
        from .services import PDF_RENDERER, invoice_pdf_render

        register_renderer(
            CREDIT_NOTE_PDF,
            lambda pk: credit_note_pdf_render(credit_note_id=pk, replace=False),
        )
        register_renderer(
            PDF_RENDERER,
            lambda invoice_id: invoice_pdf_render(invoice_id=invoice_id, replace=False),
        )
