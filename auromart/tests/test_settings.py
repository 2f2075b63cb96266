"""Configuration: production settings pass `check --deploy`; CI runs where it says it does."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    """manage.py under the production settings; a random SECRET_KEY unless one is given.

    SECRET_KEY=None runs with no key at all.
    """
    # settings_test put test defaults into this process's environment: drop them.
    dropped = ("SECURE_", "SESSION_", "CSRF_", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
    base = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    base.update(DJANGO_SETTINGS_MODULE="auromart.settings")
    base.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="auromart.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_send_a_strict_content_security_policy():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        # /healthz: pages need collectstatic's manifest under production storage.
        "import json; from django.conf import settings; from django.test import Client;"
        "r = Client().get('/healthz', secure=True);"
        "print(json.dumps([r.status_code, settings.DEBUG, 'auromart.csp.CSPMiddleware' in "
        "settings.MIDDLEWARE, r.get('Content-Security-Policy', ''),"
        "r.get('Strict-Transport-Security', '')]))",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    status, debug, middleware, policy, hsts = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, debug, middleware) == (200, False, True)
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    assert hsts.startswith("max-age=31536000")


@pytest.mark.parametrize("debug", ["false", None])  # DEBUG off, or not set at all
@pytest.mark.parametrize("key", [None, ""])  # SECRET_KEY absent, or empty
def test_start_up_without_a_secret_key_is_refused_unless_debug(debug, key):
    result = run_manage("check", DEBUG=debug, SECRET_KEY=key, ALLOWED_HOSTS="auromart.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "DEBUG=true" in result.stderr
    assert "Traceback" in result.stderr  # a start-up error, not a check warning


def test_development_key_only_with_debug_and_check_deploy_flags_it():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="true",
        SECRET_KEY=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure-")
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="true", SECRET_KEY=None
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize(("broker", "eager"), [("", "True"), ("redis://127.0.0.1:6379/9", "False")])
def test_tasks_run_in_process_only_without_a_broker(broker, eager):
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        CELERY_BROKER_URL=broker,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == eager


def test_mysql_urls_get_utf8mb4_strict_mode_and_read_committed():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o['charset'], o['isolation_level'], 'STRICT_TRANS_TABLES' in o['init_command'])",
        DATABASE_URL="mysql://u:p@db.example:3306/auromart",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["utf8mb4", "read", "committed", "True"]


def test_an_empty_database_url_means_the_sqlite_default():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])",
        DATABASE_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")]


@pytest.mark.django_db
def test_ci_runs_on_the_database_and_broker_it_claims():
    """CI sets AUROMART_EXPECT_DB/BROKER; a run pointed at the wrong service fails here."""
    expected_db = os.environ.get("AUROMART_EXPECT_DB")
    if not expected_db:
        pytest.skip("AUROMART_EXPECT_DB is set only by .ci/run")
    assert connection.vendor == expected_db
    if expected_db == "mysql":
        assert connection.mysql_is_mariadb
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            assert "MariaDB" in cursor.fetchone()[0]
    expected_broker = os.environ.get("AUROMART_EXPECT_BROKER")
    if expected_broker:
        assert settings.CELERY_BROKER_URL.startswith(f"{expected_broker}://")
        assert not settings.CELERY_TASK_ALWAYS_EAGER
    else:
        assert settings.CELERY_BROKER_URL == ""


def test_the_suite_collects_every_apps_tests():
    """`make test` runs pytest's testpaths: an app whose tests are not listed never runs in CI."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
            "testpaths"
        ]
    )
    with_tests = {p.parent.name for p in ROOT.glob("*/tests") if any(p.glob("test_*.py"))}
    assert with_tests - listed == set(), "add these apps to testpaths in pyproject.toml"
