"""The deployment files: docker-compose.yml, the proxy, gunicorn.conf.py, the Dockerfile.

No Docker engine runs here: the compose file is validated against the
compose specification's JSON schema (as vendored by check-jsonschema) and
read for the properties the README's deployment section states. gunicorn is
started for real to show the preloaded app answers its first request at once.
"""

import http.client
import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from auromart.tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_PORTS = range(18250, 18260)  # this module's loopback ports


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def compose_schema() -> dict:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text())


def seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration))


def test_the_compose_file_validates_against_the_compose_specification(compose):
    validator = Draft202012Validator(compose_schema())
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_the_schema_check_catches_a_broken_file(compose):
    """The validation is not vacuous: a misspelt key and a wrong type are errors."""
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["stop_grace_periods"] = "35s"
    broken["services"]["worker"]["depends_on"] = 3
    assert len(list(Draft202012Validator(compose_schema()).iter_errors(broken))) >= 2


def test_only_the_proxy_is_published_on_every_interface(compose):
    published = {}
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            published.setdefault(name, []).append(str(port))
    assert "web" not in published and "expose" in compose["services"]["web"]
    for name, ports in published.items():
        if name == "proxy":
            continue
        assert all(port.startswith("127.0.0.1:") for port in ports), (name, ports)
    assert published["proxy"] == ["${HTTP_PORT:-8000}:80"]


def test_proxy_count_1_is_the_proxy_that_appends_the_client_address(compose):
    env = compose["x-app-env"]
    assert env["PROXY_COUNT"] == "${PROXY_COUNT:-1}"
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_no_password_has_a_default(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    for variable in ("DB_PASSWORD", "MINIO_ROOT_PASSWORD", "SECRET_KEY"):
        uses = re.findall(r"\$\{" + variable + r"([^}]*)\}", text)
        assert uses and all(use.startswith(":?") for use in uses), (variable, uses)
    assert compose["services"]["db"]["environment"]["MARIADB_RANDOM_ROOT_PASSWORD"] == "1"
    for name in ("redis", "db"):
        assert "ports" not in compose["services"][name]


def test_migrate_is_a_one_shot_that_the_app_services_wait_for(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["restart"] == "no"
    script = " ".join(migrate["command"])
    assert "manage.py migrate --noinput" in script and "ensure_media_bucket" in script
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_media_goes_to_minio_whose_bucket_the_migrate_service_creates(compose):
    env = compose["x-app-env"]
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["AWS_STORAGE_BUCKET_NAME"]
    assert "MEDIA_ROOT" not in env
    minio = compose["services"]["minio"]
    assert minio["healthcheck"]["test"][:2] == ["CMD", "mc"]
    assert compose["services"]["migrate"]["depends_on"]["minio"] == {"condition": "service_healthy"}
    for name in ("web", "worker"):
        assert "media" not in " ".join(compose["services"][name].get("volumes", []))


def test_web_worker_and_beat_have_health_checks(compose):
    services = compose["services"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"][-4:] == [
        "manage.py",
        "beat_health",
        "--max-age",
        "60",
    ]


def test_web_stop_grace_period_outlasts_gunicorns_graceful_timeout(compose):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    graceful = config["graceful_timeout"]
    assert seconds(compose["services"]["web"]["stop_grace_period"]) == graceful + 5
    assert seconds(compose["services"]["proxy"]["stop_grace_period"]) >= graceful
    assert "gunicorn.conf.py" in compose["services"]["web"]["command"]
    assert '"--config", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()


def test_the_beat_health_check_fails_without_a_heartbeat():
    result = subprocess.run(
        [sys.executable, "manage.py", "beat_health"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "auromart.settings_test",
            "BEAT_LOCK_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "Redis is unreachable" in result.stderr


# --- gunicorn: the app is loaded before the socket opens ---------------------------


def first_request_seconds(preload: bool) -> float:
    """Seconds the first request waits when sent as soon as gunicorn accepts connections."""
    port = free_port(GUNICORN_PORTS)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "auromart.wsgi:application",
            "--config",
            "gunicorn.conf.py",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "auromart.settings_test",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2",
            "GUNICORN_PRELOAD": "true" if preload else "false",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn never listened"
                time.sleep(0.01)
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        return time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_answers_its_first_request_at_once_because_the_app_is_preloaded():
    preloaded = first_request_seconds(preload=True)
    lazy = first_request_seconds(preload=False)  # the control: each worker imports first
    # Measured here: preloaded 0.1-0.3 s, lazy about 3 s.
    assert preloaded < 1.0, preloaded
    assert lazy > preloaded, (lazy, preloaded)
