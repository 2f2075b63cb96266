import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

# Browser fixtures (`browser`, `watched_page`) for any app's end-to-end tests.
# strict_api: every API response a test gets is checked against the schema
# (AUROMART_STRICT_API_RESPONSES=0 turns it off).
pytest_plugins = ["auromart.tests.browser", "auromart.tests.strict_api"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lockout counters live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()
