from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from notifications.attachments import register_renderer

        from .services import PDF_RENDERER, monthly_report_pdf_render

        # The monthly e-mail's PDF is rendered when the e-mail goes out.
        register_renderer(PDF_RENDERER, lambda period: monthly_report_pdf_render(period=period))
