"""Page-side hardening: the Content Security Policy, CSRF on every form, no internals on errors.

The browser half (no CSP violation on any page the journeys visit) is in
test_e2e.py and orders/tests/test_browser.py: a violation is a console error.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from accounts.tests.factories import CustomerFactory, UserFactory
from catalog.api.views import CategoryListView
from invoicing.views import InvoiceListView

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


# --- Content Security Policy --------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_the_admin_may_have_inline_styles_but_never_inline_scripts(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    policy = directives(client.get("/admin/")["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    # Only the admin: the same user's pages stay strict.
    assert "'unsafe-inline'" not in client.get("/invoices/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_swagger_ui_runs_under_the_same_policy_with_its_script_as_a_file(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"])["script-src"] == ["'self'"]
    html = page.content.decode()
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # every script has a src
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def page_templates():
    """Every HTML template a browser can be served (not e-mails, not PDFs)."""
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    for directory in dirs:
        for path in directory.rglob("*.html"):
            relative = path.relative_to(directory).as_posix()
            # E-mail bodies: */email/... and notifications/<event>/...
            in_event_folder = relative.startswith("notifications/") and relative.count("/") > 1
            if "/email/" in relative or in_event_folder:
                continue
            if "pdf" in relative:
                continue  # WeasyPrint documents, never shown in a browser
            # Template comments are never sent to the browser.
            text = re.sub(r"\{#.*?#\}", "", path.read_text())
            text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
            yield relative, text


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    found = []
    for name, text in page_templates():
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # an inline script
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",  # onclick=, onchange=...
            r"\shx-on",  # htmx's inline handlers need eval
            r"javascript:",
            r"hx-trigger=\"[^\"]*\[",  # htmx trigger filters need eval
        ):
            found += [f"{name}: {match}" for match in re.findall(pattern, text)]
    assert found == []


def test_the_template_scan_sees_the_page_templates():
    names = dict(page_templates())
    assert "base.html" in names and "orders/checkout.html" in names
    assert "drf_spectacular/swagger_ui.html" in names
    assert not any("email" in name or "pdf" in name for name in names)


# --- CSRF ----------------------------------------------------------------------

POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post\b[^>]*>(.*?)</form>", re.I | re.S)


# Forms that post to another site: our CSRF token must not go there.
OFFSITE_FORMS = {
    "payments/checkout.html",  # Razorpay's hosted checkout (payments.views: its URL)
}


def test_every_post_form_in_a_template_has_the_csrf_token():
    forms, missing = 0, []
    for name, text in page_templates():
        if name in OFFSITE_FORMS:
            assert "{% csrf_token %}" not in text, name
            continue
        for match in POST_FORM.finditer(text):
            forms += 1
            if "{% csrf_token %}" not in match.group(1):
                missing.append(f"{name}: {match.group(0)[:120]}")
    assert missing == []
    assert forms > 20  # the scan finds the forms (cart, checkout, moves, login...)


def page_routes(patterns=None, prefix=""):
    """(path with sample arguments, callback) for every route-style page pattern."""
    samples = {
        "int": "1",
        "str": "PO-1",
        "slug": "x",
        "path": "x",
        "uuid": "00000000-0000-0000-0000-000000000000",
    }
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the admin's regex patterns: covered below by its own pages
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from page_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples[m.group(1) or "str"], route)
            yield "/" + path, entry.callback


# Views that take POSTs from elsewhere and authenticate them otherwise.
CSRF_EXEMPT_PREFIXES = (
    "/api/",  # DRF: JWT, or the session with DRF's own CSRF check (tested below)
    "/anymail/",  # the ESP's webhook, guarded by ANYMAIL_WEBHOOK_SECRET (basic auth)
    "/notifications/sms/status/",  # Twilio's receipts, signed (X-Twilio-Signature; bad: 400)
)
# Exempt single pages (as page_routes fills their ids).
CSRF_EXEMPT_PATHS = (
    "/payments/webhook/razorpay/",  # Razorpay's webhook: the SDK's signature check (bad: 400)
    # Razorpay's hosted checkout posts the buyer back from its own site; the post only
    # triggers a server-side fetch of the payment (payments.services), never trusted alone.
    "/payments/1/return/",
)


def _exempt(path: str) -> bool:
    return path.startswith(CSRF_EXEMPT_PREFIXES) or path in CSRF_EXEMPT_PATHS


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused_on_every_page():
    client = Client(enforce_csrf_checks=True)
    client.force_login(CustomerFactory())
    routes = [(path, callback) for path, callback in page_routes()]
    paths = [path for path, _ in routes if not _exempt(path)]
    # The admin's own pages, which are regex patterns.
    paths += ["/admin/login/", "/admin/catalog/product/", "/admin/catalog/product/import/"]
    assert len(paths) > 40
    let_through = []
    for path in paths:
        response = client.post(path, {"quantity": "1", "action": "confirm"})
        if response.status_code != 403 or b"CSRF verification failed" not in response.content:
            let_through.append((path, response.status_code))
    assert let_through == []
    # Nothing else is exempt: a csrf_exempt view outside those prefixes fails here.
    exempt = [
        path
        for path, callback in routes
        if getattr(callback, "csrf_exempt", False) and not _exempt(path)
    ]
    assert exempt == []


@pytest.mark.django_db
def test_the_login_form_refuses_a_post_without_the_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@b.test", "password": "x"})
    assert response.status_code == 403 and b"CSRF verification failed" in response.content
    page = client.get("/accounts/login/")
    assert b'name="csrfmiddlewaretoken"' in page.content


@pytest.mark.django_db
def test_the_api_refuses_a_session_post_without_the_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(CustomerFactory())
    response = client.post("/api/customer/orders", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- No internals on errors ------------------------------------------------------

LEAKS = ("Traceback", "SELECT", "secret_column", "ProgrammingError", 'File "')


def explode(*args, **kwargs):
    from django.db import ProgrammingError

    raise ProgrammingError("SELECT secret_column FROM invoicing_invoice WHERE 1")


@pytest.mark.django_db
def test_a_failing_page_shows_the_500_page_without_a_traceback_or_sql(monkeypatch):
    assert settings.DEBUG is False
    monkeypatch.setattr(InvoiceListView, "get", explode)
    client = Client(raise_request_exception=False)
    client.force_login(CustomerFactory())
    response = client.get("/invoices/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert [leak for leak in LEAKS if leak in body] == []


@pytest.mark.django_db
def test_a_failing_api_call_answers_json_without_the_exception(monkeypatch):
    monkeypatch.setattr(CategoryListView, "get_queryset", explode)
    client = Client(raise_request_exception=False)
    client.force_login(CustomerFactory())
    response = client.get("/api/categories")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Server error; it has been logged.",
        "code": "server_error",
        "errors": {},
    }
    assert [leak for leak in LEAKS if leak in response.content.decode()] == []
