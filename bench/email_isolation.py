"""Order latency with an SMTP server that answers after 2 s, against one that answers at once.

The app on gunicorn (2 gthread workers of 4 threads, production settings; bench/server.py)
sends its mail through Django's SMTP backend to an aiosmtpd server on
loopback run by this process (like notifications/tests/conftest.py's). With
no broker, NOTIFICATIONS_DELIVERY is "thread": the order's e-mails are outbox
rows written in its transaction and handed to an in-process pool after
commit, so a slow SMTP server must not show in the order's response time.
8 client threads place 3-line orders for a fixed time with the server
answering DATA at once, then the same with it answering after 2 s; then the
outbox is drained and every message must be sent.

Target: order p95 with the slow server within 1.2x of the instant one.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_orders \
        .venv/bin/python bench/email_isolation.py [--quick]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, cli, setup_django
from server import (
    Gunicorn,
    SMTPServer,
    api_order_step,
    describe,
    fivexx,
    order_lines,
    reset_and_seed,
    run_clients,
    wait_outbox_drained,
)

NAME = "email_isolation"
TARGET = 1.2
CLIENTS = 8
SLOW_SECONDS = 2.0


def main(quick: bool) -> list[Result]:
    setup_django()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    seconds = 2.0 if quick else 20.0
    seed = reset_and_seed(products=200 if quick else 1000, stock=1_000_000, customers=CLIENTS)
    product_ids = list(seed.products)
    runs = {}
    with SMTPServer() as smtp:
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "EMAIL_TIMEOUT": "10"}
        with Gunicorn(workers=2, env=env) as server:

            def make(index: int):
                rng = random.Random(3000 + index)
                return api_order_step(
                    server.port, seed.tokens[index], lambda: order_lines(rng, product_ids)
                )

            for label, delay in (("instant", 0.0), ("slow", SLOW_SECONDS)):
                smtp.handler.delay = delay
                runs[label] = run_clients(make, clients=CLIENTS, seconds=seconds)
                print(describe(f"SMTP {label} ({delay:g} s)", runs[label]), flush=True)
            smtp.handler.delay = 0.0
            outbox = wait_outbox_drained(timeout=120)
        received = smtp.handler.received
    ratio = runs["slow"].ms(95) / runs["instant"].ms(95)
    errors_5xx = sum(fivexx(r) for r in runs.values())
    print(
        f"p95 slow / instant = {ratio:.2f}; 5xx {errors_5xx}; outbox {outbox};"
        f" SMTP server received {received}"
    )
    passed = (
        ratio <= TARGET
        and errors_5xx == 0
        and all(set(r.statuses) == {201} for r in runs.values())
        and outbox.get("pending", 0) == 0
        and outbox.get("failed", 0) == 0
    )
    return [
        Result(
            NAME,
            round(ratio, 3),
            f"x (order p95 {runs['slow'].ms(95):.0f} ms with a 2 s SMTP server vs"
            f" {runs['instant'].ms(95):.0f} ms with an instant one)",
            f"<= {TARGET} x",
            passed,
            {
                "instant_p95_ms": runs["instant"].ms(95),
                "slow_p95_ms": runs["slow"].ms(95),
                "instant_p50_ms": runs["instant"].ms(50),
                "slow_p50_ms": runs["slow"].ms(50),
                "instant_orders": runs["instant"].ok,
                "slow_orders": runs["slow"].ok,
                "outbox": outbox,
                "smtp_received": received,
            },
        )
    ]


if __name__ == "__main__":
    cli(main)
