from django.conf import settings


def site_url(path: str) -> str:
    """An absolute URL on this site, for links that leave it (e-mails, PDFs)."""
    return f"{settings.SITE_URL}{path}"
