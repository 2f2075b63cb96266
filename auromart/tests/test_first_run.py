"""A fresh install used through the API alone (#20): migrate, createsuperuser, then HTTP only.

No seed_demo and no admin. The journey is a list of steps sharing one `Run`,
so that a step can be inserted where it belongs (the distributor accepting the
manufacturer's supply agreement of #12 is in `SUPPLY_AGREEMENT_STEPS`).
"""

from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organization, User
from catalog.models import Category, Product

pytestmark = pytest.mark.django_db

PASSWORD = "a-Strong-passw0rd-2026"


@dataclass
class Run:
    clients: dict[str, APIClient] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def api(self, who: str) -> APIClient:
        return self.clients[who]


def signed_in(email: str, password: str = PASSWORD) -> APIClient:
    response = APIClient().post("/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def register(email: str, role: str, organization: str) -> APIClient:
    body = {
        "email": email,
        "password": PASSWORD,
        "name": organization + " admin",
        "role": role,
        "organization_name": organization,
    }
    response = APIClient().post("/api/auth/register", body)
    assert response.status_code == 201, response.content
    return signed_in(email)


# --- The steps -----------------------------------------------------------------------


def staff_create_a_category(run: Run):
    run.clients["staff"] = signed_in("root@example.test", "Root-passw0rd-2026")
    beds = run.api("staff").post("/api/categories", {"name": "Beds"})
    assert beds.status_code == 201, beds.content
    run.ids["beds"] = beds.json()["id"]
    # Rename and move through the API too.
    frames = run.api("staff").post("/api/categories", {"name": "Bed frame", "parent": "Beds"})
    assert frames.status_code == 201 and frames.json()["parent"] == run.ids["beds"]
    renamed = run.api("staff").patch(
        f"/api/categories/{frames.json()['id']}", {"name": "Bed frames", "parent": None}
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Bed frames" and renamed.json()["parent"] is None


def others_cannot_create_categories(run: Run):
    assert APIClient().post("/api/categories", {"name": "Nope"}).status_code == 401
    for who in ("manufacturer", "distributor"):
        assert run.api(who).post("/api/categories", {"name": "Nope"}).status_code == 403
    assert not Category.objects.filter(name="Nope").exists()


def manufacturer_registers_and_creates_products(run: Run):
    run.clients["manufacturer"] = register("maker@example.test", "manufacturer", "Auro Sleep")
    maker = run.api("manufacturer")
    product = {"sku": "BED-1", "name": "Oak bed", "price": "24999.00", "category": "beds"}
    created = maker.post("/api/manufacturer/products", {**product, "category": "Beds"})
    assert created.status_code == 201, created.content
    assert created.json()["category"] == run.ids["beds"]
    run.ids["product"] = created.json()["id"]
    # A typo: a 400 naming the close match; nothing written.
    typo = maker.post("/api/manufacturer/products", {**product, "sku": "BED-2", "category": "Bedz"})
    assert typo.status_code == 400
    assert "Close matches: Beds (beds)" in typo.json()["errors"]["category"][0]
    assert not Product.objects.filter(sku="BED-2").exists()
    # No category at all: "Uncategorised".
    plain = maker.post(
        "/api/manufacturer/products", {"sku": "PIL-1", "name": "Pillow", "price": "999.00"}
    )
    assert plain.status_code == 201, plain.content
    assert plain.json()["category_detail"]["name"] == "Uncategorised"


def distributor_registers(run: Run):
    run.clients["distributor"] = register("depot@example.test", "distributor", "Depot One")
    me = run.api("distributor").get("/api/auth/me").json()
    run.ids["distributor"] = me["organization"]["id"]
    # Registering never makes a distributor the store.
    assert Organization.objects.get(pk=run.ids["distributor"]).is_default_store is None


def assigning_before_an_agreement_is_refused(run: Run):
    body = {"product_id": run.ids["product"], "distributor_id": run.ids["distributor"]}
    response = run.api("manufacturer").post(
        "/api/manufacturer/inventory/assign", {**body, "quantity": 40}
    )
    assert response.status_code == 403, response.content


def manufacturer_asks_and_distributor_accepts(run: Run):
    listed = run.api("manufacturer").get("/api/manufacturer/distributors").json()["results"]
    assert [(d["id"], d["agreement_status"]) for d in listed] == [(run.ids["distributor"], None)]
    asked = run.api("manufacturer").post(
        "/api/manufacturer/agreements",
        {"distributor_id": run.ids["distributor"], "note": "Beds"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    waiting = run.api("distributor").get("/api/distributor/agreements").json()["results"]
    assert [a["id"] for a in waiting] == [asked.json()["id"]]
    accepted = run.api("distributor").post(
        f"/api/distributor/agreements/{asked.json()['id']}/accept", format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


# The distributor accepts the manufacturer's supply agreement (#12).
SUPPLY_AGREEMENT_STEPS: list = [
    assigning_before_an_agreement_is_refused,
    manufacturer_asks_and_distributor_accepts,
]


def manufacturer_assigns_stock(run: Run):
    body = {
        "product_id": run.ids["product"],
        "distributor_id": run.ids["distributor"],
        "quantity": 40,
    }
    response = run.api("manufacturer").post("/api/manufacturer/inventory/assign", body)
    assert response.status_code in (200, 201), response.content


def portal_says_not_sold_online_yet(run: Run):
    page = Client().get("/customer-portal/").content.decode()
    assert "Oak bed" in page
    assert "Not sold online yet" in page and "staff choose the store" in page
    assert "40 in stock" not in page


def staff_flag_the_store(run: Run):
    staff = run.api("staff")
    listed = staff.get("/api/organizations", {"kind": "distributor"}).json()["results"]
    assert [o["name"] for o in listed] == ["Depot One"] and not listed[0]["is_default_store"]
    assert (
        run.api("distributor")
        .patch(f"/api/organizations/{run.ids['distributor']}", {"is_default_store": True})
        .status_code
        == 403
    )
    flagged = staff.patch(
        f"/api/organizations/{run.ids['distributor']}", {"is_default_store": True}
    )
    assert flagged.status_code == 200 and flagged.json()["is_default_store"] is True


def portal_sells_with_stock(run: Run):
    page = Client().get("/customer-portal/").content.decode()
    assert "Oak bed" in page and "40 in stock" in page
    assert "Not sold online yet" not in page
    products = APIClient().get("/api/customer/products").json()["results"]
    oak = next(p for p in products if p["sku"] == "BED-1")
    assert oak["stock_quantity"] == 40 and oak["in_stock"] is True


JOURNEY = [
    staff_create_a_category,
    manufacturer_registers_and_creates_products,
    distributor_registers,
    others_cannot_create_categories,
    *SUPPLY_AGREEMENT_STEPS,
    manufacturer_assigns_stock,
    portal_says_not_sold_online_yet,
    staff_flag_the_store,
    portal_sells_with_stock,
]


def test_first_run_through_the_api_alone(monkeypatch):
    assert not Category.objects.exists() and not Organization.objects.exists()
    assert not User.objects.exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-passw0rd-2026")
    call_command(
        "createsuperuser",
        "--noinput",
        "--email",
        "root@example.test",
        "--name",
        "Root",
        verbosity=0,
    )
    run = Run()
    for step in JOURNEY:
        step(run)
