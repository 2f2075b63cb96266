from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"

    def ready(self):
        from notifications.attachments import register_renderer

        from . import receivers  # noqa: F401  (connects with dispatch_uid)
        from .services import purchase_order_pdf_render

        # The PO e-mail's PDF is rendered when the e-mail goes out.
        register_renderer(
            "procurement.purchase_order_pdf",
            lambda object_id: purchase_order_pdf_render(purchase_order_id=object_id),
        )
