"""/healthz (liveness) and /readyz (readiness: database, cache, broker, storage, each timed)."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from auromart.celery import app
from auromart.deploy_config import cache_config
from auromart.tests.helpers import free_port

pytestmark = pytest.mark.django_db

REDIS_PORTS = range(18230, 18240)  # this module's loopback ports


def point_cache_at(settings, url: str) -> None:
    """The cache as settings build it from CACHE_URL (bounded socket waits included)."""
    settings.CACHES = {
        "default": cache_config(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        )
    }


def test_healthz_is_liveness_only(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_answers_200_with_every_check_timed(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    # The broker is a dependency only when one is configured (CI's Redis run).
    broker = {"broker"} if settings.CELERY_BROKER_URL else set()
    assert set(body["checks"]) == {"database", "cache", "storage"} | broker
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def redis_server():
    """A Redis of this test's own on a loopback port: not running until start() is called."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (CI installs it)")
    port = free_port(REDIS_PORTS)
    processes = []

    def start():
        processes.append(
            subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port, socket_connect_timeout=0.2).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    yield port, start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_readyz_is_503_naming_the_cache_while_redis_is_unreachable_and_200_once_it_is_back(
    client, settings, redis_server
):
    port, start = redis_server
    point_cache_at(settings, f"redis://127.0.0.1:{port}/0")  # nothing listens there yet

    started = time.monotonic()
    down = client.get("/readyz")
    elapsed = time.monotonic() - started

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "fail" and body["failing"] == ["cache"]
    assert body["checks"]["cache"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert elapsed < settings.READINESS_TIMEOUT + 1

    start()
    back = client.get("/readyz")
    assert back.status_code == 200, back.json()
    assert back.json()["failing"] == [] and back.json()["checks"]["cache"]["ok"]


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never answers: a frozen server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_a_frozen_cache_fails_readiness_within_the_time_limit(client, settings, silent_port):
    settings.READINESS_TIMEOUT = 1.5
    point_cache_at(settings, f"redis://127.0.0.1:{silent_port}/0")

    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503 and response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"]["error"] == "no answer within 1.5 s"
    assert elapsed < 2.5, f"/readyz took {elapsed:.2f} s"


@pytest.fixture
def broker_at(settings, monkeypatch):
    def point_at(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(app.conf, "broker_url", url)
        app._pool = None

    yield point_at
    app._pool = None


def test_a_configured_broker_is_checked_and_named_when_down(client, settings, broker_at):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    broker_at(f"redis://127.0.0.1:{closed}/10")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"] and set(body["checks"]) == {
        "database",
        "cache",
        "storage",
        "broker",
    }
