"""The load generator of bench/load.py: Locust users and one step, in a process of its own.

`python bench/load_users.py PLAN.json OUT.json` runs one step: the users of
bench/load_plan.py's mix against the server PLAN.json names, for the step's
warm-up and measured seconds, with Locust as a library (a LocalRunner, users
as gevent greenlets, FastHttpUser clients). It writes every measured request's
latency by endpoint label, the failures, and the CPU the processes used in
the measured window (psutil) to OUT.json. It runs apart from bench/load.py
because Locust monkey-patches the standard library for gevent, which the
Django process that seeds the data and starts the servers must not get.

Each virtual user is one seeded customer (a session for the pages, a JWT for
the API). What that customer cannot do, it does as the seeded party that
can: retailer orders as a retailer member, order moves as a member of the
store (the default distributor), report pages as procurement staff, invoice
downloads as one of the customers who have an invoice (their own). Every answer is
checked: the expected status (redirects are not followed) and, where the page
answers 200 either way, what it says; anything else is a failure.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from http.cookiejar import DefaultCookiePolicy  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
from locust import FastHttpUser, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.user.wait_time import between  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_plan import ENDPOINTS, MIX, THINK_SECONDS  # noqa: E402

PLAN: dict = {}
RECORD = {"on": False, "samples": {}, "failures": []}
# Orders the store's staff can move: filled from the plan, and by the orders
# placed during the step. One process, so a deque is safe between greenlets.
PLACED: deque = deque()
ACCEPTED: deque = deque()
REPORT_PAGES = {
    "overview": "/reports/",
    "sales": "/reports/sales/",
    "monthly": "/reports/monthly/",
    "fulfillment": "/reports/fulfillment/",
    "stock": "/reports/stock/",
}


@events.request.add_listener
def _record(name, response_time, response, exception, **_kwargs):
    if not RECORD["on"]:
        return
    RECORD["samples"].setdefault(name, []).append(response_time)
    if exception is not None:
        status = getattr(response, "status_code", None) or 0
        RECORD["failures"].append({"label": name, "status": status, "message": str(exception)})


def _pick(group: str, rng: random.Random) -> str:
    inside = ENDPOINTS[group]
    return rng.choices(list(inside), weights=list(inside.values()))[0]


def _body(response, *, binary: bool):
    if binary:
        return response.content or b""
    return response.text or ""


def _cookie(party: dict) -> dict:
    return {
        "Cookie": f"sessionid={party['session']}; csrftoken={party['csrf']}",
        "X-CSRFToken": party["csrf"],
    }


def _bearer(party: dict) -> dict:
    return {"Authorization": f"Bearer {party['token']}", "Accept": "application/json"}


class Shopper(FastHttpUser):
    wait_time = between(*THINK_SECONDS)
    count = 0

    def on_start(self):
        # Cookies are sent by hand (the session and CSRF cookies of the seeded
        # parties); none the server sets is kept, so each request is who it says.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        index = Shopper.count
        Shopper.count += 1
        self.rng = random.Random(index)
        customers = PLAN["customers"]
        self.customer = customers[index % len(customers)]
        self.retailer = PLAN["retailers"][index % len(PLAN["retailers"])]
        self.distributor = PLAN["distributors"][index % len(PLAN["distributors"])]
        self.staff = PLAN["staff"]
        self.invoiced = PLAN["invoices"][index % len(PLAN["invoices"])]
        self.cart: dict[int, int] = {}

    def call(self, method, path, label, *, expect=200, contains=None, headers=None, **kwargs):
        """One request, judged: the status `expect`, and `contains` (bytes or text) in the body."""
        with self.client.request(
            method,
            path,
            name=label,
            headers=headers or {},
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} (expected {expect}): {path}")
            elif contains and contains not in _body(response, binary=isinstance(contains, bytes)):
                response.failure(f"{contains!r} not in the answer: {path}")
            else:
                response.success()
            return response

    # --- the mix: one task per group, weighted by its share ---------------------

    @task(MIX["browse"])
    def browse(self):
        products = PLAN["products"]
        what = _pick("browse", self.rng)
        if what == "catalog page":
            if self.rng.random() < 0.5:
                path = f"/customer-portal/?page={self.rng.randint(1, PLAN['catalog_pages'])}"
            else:
                path = f"/customer-portal/?q={self.rng.choice(PLAN['terms'])}"
            self.call("GET", path, "browse: catalog page", headers=_cookie(self.customer))
        elif what == "product page":
            slug = self.rng.choice(products)["slug"]
            self.call(
                "GET",
                f"/customer-portal/products/{slug}/",
                "browse: product page",
                headers=_cookie(self.customer),
            )
        else:
            term = self.rng.choice(PLAN["terms"])
            self.call(
                "GET",
                f"/api/customer/products?search={term}",
                "browse: search API",
                headers=_bearer(self.customer),
            )

    @task(MIX["cart"])
    def cart_change(self):
        # A cart of at most 3 lines: add until there are 3, then change or remove.
        what = _pick("cart", self.rng) if len(self.cart) >= 3 else "add"
        if not self.cart and what != "add":
            what = "add"
        headers = {**_cookie(self.customer), "HX-Request": "true"}
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        if what == "add":
            product = self.rng.choice(PLAN["products"])["id"]
            quantity = self.rng.randint(1, 2)
            response = self.call(
                "POST",
                f"/customer-portal/cart/add/{product}/",
                "cart: add",
                headers={**headers, **form},
                data=f"quantity={quantity}",
                contains="Added to your cart",
            )
            if response.status_code == 200:
                self.cart[product] = self.cart.get(product, 0) + quantity
        elif what == "change quantity":
            product = self.rng.choice(list(self.cart))
            quantity = self.rng.randint(1, 3)
            self.call(
                "POST",
                f"/customer-portal/cart/update/{product}/",
                "cart: change quantity",
                headers={**headers, **form},
                data=f"quantity={quantity}",
                contains="quantity set to",
            )
            self.cart[product] = quantity
        else:
            product = self.rng.choice(list(self.cart))
            self.call(
                "POST",
                f"/customer-portal/cart/remove/{product}/",
                "cart: remove",
                headers={**headers, **form},
                contains="from your cart",
            )
            self.cart.pop(product, None)

    @task(MIX["order"])
    def order(self):
        what = _pick("order", self.rng)
        ids = [p["id"] for p in self.rng.sample(PLAN["products"], 3)]
        if what == "customer API, hot product":
            ids[0] = self.rng.choice(PLAN["hot"])
        payload = {
            "items": [{"product_id": pid, "quantity": self.rng.randint(1, 3)} for pid in ids],
            "fulfillment_type": "delivery",
            "shipping_address": "1 Bench Street, Loopback",
        }
        if what == "retailer API":
            party, path = self.retailer, "/api/retailer/orders"
            payload["distributor_id"] = PLAN["store_id"]
        else:
            party, path = self.customer, "/api/customer/orders"
        response = self.call(
            "POST", path, f"order: {what}", expect=201, headers=_bearer(party), json=payload
        )
        if response.status_code == 201:
            PLACED.append(response.json()["id"])

    @task(MIX["distributor"])
    def distributor_move(self):
        headers = _bearer(self.distributor)
        if ACCEPTED and (not PLACED or self.rng.random() < 0.5):
            pk = ACCEPTED.popleft()
            self.call(
                "PUT",
                f"/api/distributor/orders/{pk}/status",
                "distributor: processing",
                headers=headers,
                json={"status": "processing"},
            )
        elif PLACED:
            pk = PLACED.popleft()
            response = self.call(
                "POST",
                f"/api/distributor/orders/{pk}/accept",
                "distributor: accept",
                headers=headers,
                json={"note": ""},
            )
            if response.status_code == 200:
                ACCEPTED.append(pk)
        else:  # nothing to move (the plan's backlog ran out): look at the queue instead
            self.call(
                "GET",
                "/api/distributor/orders?status=placed",
                "distributor: incoming list",
                headers=headers,
            )

    @task(MIX["report"])
    def report(self):
        what = _pick("report", self.rng)
        self.call("GET", REPORT_PAGES[what], f"report: {what}", headers=_cookie(self.staff))

    @task(MIX["invoice"])
    def invoice(self):
        invoice = self.invoiced  # a customer with an invoice, downloading their own
        if _pick("invoice", self.rng) == "page PDF":
            path, label = invoice["pdf"], "invoice: page PDF"
            headers = _cookie(invoice)
        else:
            path, label = f"/api/invoices/{invoice['id']}/pdf", "invoice: API PDF"
            headers = _bearer(invoice)
        self.call("GET", path, label, headers=headers, contains=b"%PDF-")


# --- CPU of the processes ---------------------------------------------------------------


def _tree(pid: int | None) -> list[psutil.Process]:
    if not pid:
        return []
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return seconds


def _groups() -> dict[str, list[psutil.Process]]:
    pids = PLAN["pids"]
    return {
        "load generator": [psutil.Process()],
        "gunicorn": _tree(pids.get("gunicorn")),
        "mariadb": _tree(pids.get("mariadb")),
        "celery worker": _tree(pids.get("worker")),
    }


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq + times.steal


def run(plan_path: str, out_path: str) -> None:
    PLAN.update(json.loads(Path(plan_path).read_text()))
    PLACED.extend(PLAN["placed"])
    ACCEPTED.extend(PLAN["accepted"])
    step = PLAN["step"]
    environment = Environment(user_classes=[Shopper], host=PLAN["host"], events=events)
    runner = environment.create_local_runner()
    runner.start(step["users"], spawn_rate=step["users"])
    gevent.sleep(step["warmup"])
    groups = _groups()
    before = {name: _cpu_seconds(procs) for name, procs in groups.items()}
    machine_before = _machine_busy()
    started = time.monotonic()
    RECORD["on"] = True
    gevent.sleep(step["seconds"])
    RECORD["on"] = False
    seconds = time.monotonic() - started
    cpu = {}
    for name, procs in groups.items():
        after = _cpu_seconds(procs)
        used = sum(after[pid] - before[name].get(pid, after[pid]) for pid in after)
        cpu[name] = used / seconds
    cpu["whole machine"] = (_machine_busy() - machine_before) / seconds
    runner.quit()
    out = {
        "seconds": seconds,
        "samples": RECORD["samples"],
        "failures": RECORD["failures"],
        "cpu": cpu,
        "left": {"placed": list(PLACED), "accepted": list(ACCEPTED)},
    }
    Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
