"""`make run PORT=...`: the e-mailed links point at the port it serves; seeding prints no mail.

The Makefile's own logic is read through `make -n` (a copy of the Makefile in
an empty directory, so a developer's .env cannot change the answer); the
seed then runs with the SITE_URL make would give it, and the links in every
e-mail it queued are checked.
"""

import re
import shutil
import subprocess
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

from notifications.as_sent import HISTORY_BODY
from notifications.models import Channel, OutboundMessage

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")


def make_run_commands(tmp_path, *args, env_site_url=None, dotenv=None) -> dict[str, str]:
    """What `make run <args>` would run, by manage.py command: {"migrate": line, ...}."""
    shutil.copy(settings.BASE_DIR / "Makefile", tmp_path / "Makefile")
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    env = {"PATH": "/usr/bin:/bin"}
    if env_site_url:
        env["SITE_URL"] = env_site_url
    out = subprocess.run(
        [MAKE, "-n", "-o", "install", "run", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = {}
    for line in out.splitlines():
        found = re.search(r"manage\.py (\w+)", line)
        if found:
            commands[found.group(1)] = line
    assert set(commands) == {"migrate", "seed_demo", "runserver"}, out
    return commands


def site_url_of(line: str) -> str:
    found = re.search(r"SITE_URL='([^']*)'", line)
    assert found, line
    return found.group(1)


def test_make_run_sets_site_url_to_its_port_unless_one_is_given(tmp_path):
    commands = make_run_commands(tmp_path, "PORT=8101")
    assert {site_url_of(line) for line in commands.values()} == {"http://127.0.0.1:8101"}
    assert commands["runserver"].endswith("runserver 127.0.0.1:8101")

    given = make_run_commands(tmp_path, "PORT=8101", "SITE_URL=https://shop.example")
    assert {site_url_of(line) for line in given.values()} == {"https://shop.example"}
    from_env = make_run_commands(tmp_path, "PORT=8101", env_site_url="https://env.example")
    assert site_url_of(from_env["seed_demo"]) == "https://env.example"
    everywhere = make_run_commands(tmp_path, "HOST=0.0.0.0", "PORT=8102")
    assert site_url_of(everywhere["seed_demo"]) == "http://127.0.0.1:8102"
    (tmp_path / "dotenv").mkdir()
    from_dotenv = make_run_commands(
        tmp_path / "dotenv", "PORT=8101", dotenv="SITE_URL=https://dot.example\n"
    )
    assert site_url_of(from_dotenv["seed_demo"]) == "https://dot.example"


URL = re.compile(r"""https?://[^\s"'<>)]+""")


@pytest.mark.django_db(transaction=False)
def test_seeding_as_make_run_does_prints_a_summary_and_mails_links_to_that_port(tmp_path):
    site_url = site_url_of(make_run_commands(tmp_path, "PORT=8101")["seed_demo"])
    carriers = {urlsplit(template).netloc for template in settings.CARRIERS.values()}
    out = StringIO()
    mail_dir = tmp_path / "mail"
    with override_settings(
        SITE_URL=site_url,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        DEMO_MAIL_DIR=str(mail_dir),
    ):
        call_command("seed_demo", stdout=out)
    printed = out.getvalue().splitlines()
    assert len(printed) < 60, printed
    assert not any("Content-Type" in line or "MIME-Version" in line for line in printed)
    assert any("admin@auromart.local" in line for line in printed)

    # The demo history's messages are written as already sent, unrendered (no links):
    # the e-mails that go out are the others.
    emails = list(
        OutboundMessage.objects.filter(channel=Channel.EMAIL).exclude(body_text=HISTORY_BODY)
    )
    assert emails, "the demo queues e-mails"
    written = re.search(
        rf"(\d+) demo e-mails written to {re.escape(str(mail_dir))}/", out.getvalue()
    )
    assert written and 0 < int(written.group(1)) <= len(emails), printed
    links = 0
    for message in emails:
        for url in URL.findall(message.body_text) + URL.findall(message.body_html):
            if urlsplit(url).netloc in carriers or "w3.org" in url:
                continue
            links += 1
            assert url == site_url or url.startswith(site_url + "/"), (message.subject, url)
    assert links >= len(emails)  # every e-mail has at least one link to the site


def test_while_seeding_console_mail_goes_to_files_not_the_terminal(tmp_path, capsys):
    from django.core.mail import send_mail

    from notifications.demo_mail import quiet_demo_mail

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        DEMO_MAIL_DIR=str(tmp_path / "mail"),
    ):
        with quiet_demo_mail(write=None):
            send_mail("Demo", "Body of the demo e-mail", "a@example.test", ["b@example.test"])
        send_mail("After", "Printed again", "a@example.test", ["b@example.test"])
    printed = capsys.readouterr().out
    assert "Body of the demo e-mail" not in printed and "Printed again" in printed
    [file] = (tmp_path / "mail").glob("*.log")
    assert "Body of the demo e-mail" in file.read_text()
