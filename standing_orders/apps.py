from django.apps import AppConfig


class StandingOrdersConfig(AppConfig):
    name = "standing_orders"
    verbose_name = "Standing orders"
    default_auto_field = "django.db.models.BigAutoField"
