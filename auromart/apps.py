from django.apps import AppConfig


class AuroMartConfig(AppConfig):
    """Project-wide plumbing: API error format, pagination, the demo data command."""

    name = "auromart"
    verbose_name = "AuroMart"
