from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from . import (
            receivers,  # noqa: F401  (connects with dispatch_uid)
            shipment_docs,  # noqa: F401  (the packing slip's receiver)
        )
