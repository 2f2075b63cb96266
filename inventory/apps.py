from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from . import receivers  # noqa: F401  (connects with dispatch_uid)
