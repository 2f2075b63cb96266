"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never `playwright install` (it downloads a browser). Each page is watched for
console errors and for any request that leaves the test server.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
    )
)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does it as root)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls in the test are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class WatchedPage:
    """A page that records console errors and requests to hosts other than the server's."""

    def __init__(self, page, base_url):
        self.page = page
        self.host = urlsplit(base_url).hostname
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", self._on_console)
        page.on("request", self._on_request)

    def _on_console(self, message):
        if message.type == "error":
            where = message.location or {}
            source = f"{where.get('url', '')}:{where.get('lineNumber', '')}"
            self.console_errors.append(f"{self.page.url}: {message.text} ({source})")

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != self.host:
            self.foreign_requests.append(request.url)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret makes Playwright inject a <style>,
        # which the site's CSP blocks and reports as a console error.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    def assert_clean(self):
        assert self.foreign_requests == [], self.foreign_requests
        assert self.console_errors == [], self.console_errors


@pytest.fixture
def open_page(browser, live_server):
    """Open a fresh browser context (its own cookies: another user) as a WatchedPage."""
    contexts = []

    def open_():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return WatchedPage(page, live_server.url)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def watched_page(open_page):
    return open_page()


def log_in(watched: WatchedPage, base_url: str, email: str, password: str, next_path: str = "/"):
    """Log in through the login page, as a person would, and land on `next_path`."""
    page = watched.page
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}{next_path}")
