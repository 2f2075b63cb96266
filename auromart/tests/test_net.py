import pytest

from auromart.net import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy: a client's header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the forged left part is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than configured: trust the socket
        (1, "", "10.0.0.9"),
    ],
)
def test_client_ip_behind_proxies(rf, settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_lockout_behind_a_proxy_is_per_client_address(api_client, settings):
    from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

    settings.PROXY_COUNT = 1
    UserFactory(email="pat@example.test")

    def attempt(addr, password):
        return api_client.post(
            "/api/auth/login",
            {"email": "pat@example.test", "password": password},
            REMOTE_ADDR="10.0.0.1",  # every request arrives from the load balancer
            HTTP_X_FORWARDED_FOR=addr,
        )

    for _ in range(5):
        attempt("198.51.100.1", "wrong")
    assert attempt("198.51.100.1", DEFAULT_PASSWORD).status_code == 429
    assert attempt("198.51.100.2", DEFAULT_PASSWORD).status_code == 200
