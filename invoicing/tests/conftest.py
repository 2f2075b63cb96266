import pytest

from notifications.tests.conftest import smtp_server  # noqa: F401  (the real SMTP fixture)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """PDFs go to a throwaway media root."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
