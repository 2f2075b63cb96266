import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_with_no_external_request(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server.url}/api/docs/")
    # The sections start folded (docExpansion "none"): every one is listed; open "auth".
    page.wait_for_selector(".swagger-ui .opblock-tag", state="attached")
    tags = [t.split("\n")[0] for t in page.locator(".opblock-tag").all_inner_texts()]
    assert {"auth", "distributor", "returns", "credit-notes"} <= set(tags), tags
    page.locator(".opblock-tag", has_text="auth").first.click()
    page.wait_for_selector(".swagger-ui .opblock", state="attached")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/auth/login" in p for p in paths), paths
    watched_page.screenshot("api-docs")
    watched_page.assert_clean()


def test_business_signup_logout_and_login_in_a_browser(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Register a business").click()
    page.get_by_label("Distributor").check()
    page.get_by_label("Organization name").fill("Browser Distribution")
    page.get_by_label("Your name").fill("Dee Stributor")
    page.get_by_label("E-mail").fill("dee@browser.test")
    page.get_by_label("City").fill("Kochi")
    page.locator("#id_password1").fill("a-Strong-passw0rd")
    page.locator("#id_password2").fill("a-Strong-passw0rd")
    watched_page.screenshot("signup-business-filled")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/distributor/")
    assert page.get_by_role("heading", name="Distributor dashboard").is_visible()
    assert page.locator("main").get_by_role("heading", name="Browser Distribution").is_visible()
    watched_page.screenshot("distributor-dashboard")
    assert User.objects.get(email="dee@browser.test").organization.kind == "distributor"

    page.get_by_role("button", name="Dee").click()  # the account menu
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/distributor/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/distributor/")
    page.get_by_label("E-mail").fill("dee@browser.test")
    page.locator("#id_password").fill("a-Strong-passw0rd")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/distributor/")
    watched_page.assert_clean()
