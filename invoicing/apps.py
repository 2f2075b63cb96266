from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from notifications.attachments import register_renderer

        from . import receivers  # noqa: F401
        from .services import PDF_RENDERER, invoice_pdf_render

        register_renderer(
            PDF_RENDERER,
            lambda invoice_id: invoice_pdf_render(invoice_id=invoice_id, replace=False),
        )
