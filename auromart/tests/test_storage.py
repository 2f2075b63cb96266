"""Media on S3-compatible object storage (django-storages + boto3), shared by every host.

Against moto's S3 server on loopback, started here: an import previewed by one
process is confirmed by another with its own MEDIA_ROOT, and invoice and PO
PDFs are written to the bucket and downloaded from it. The local-disk control
shows the failure the object store removes (the issue's 500 on a second host).
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import ManufacturerUserFactory, OrganizationFactory, UserFactory
from auromart.deploy_config import media_storage
from auromart.tests.helpers import database_url, free_port
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from invoicing.tests.factories import delivered_order
from orders.tests.factories import place_order
from procurement import services as procurement_services
from procurement.models import ProcurementRequest
from procurement.tests.factories import procurement_staff

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "auromart-media-test"
S3_PORTS = range(18200, 18220)  # this module's loopback ports for the fake S3


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on loopback; yields the environment that points media at its bucket."""
    from moto.server import ThreadedMotoServer

    port = free_port(S3_PORTS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing-secret",
    }
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    yield env, client
    server.stop()


def keys(client, prefix: str) -> list[str]:
    answer = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in answer.get("Contents", [])]


def test_without_a_bucket_media_stays_on_local_disk():
    assert media_storage(lambda name, default="": default) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


# --- An import previewed on one host, confirmed on another ------------------------

HOST_SCRIPT = """
import json, sys, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from accounts.models import User

client = Client()
client.force_login(User.objects.get(pk=int(sys.argv[1])))
if sys.argv[2] == "preview":
    csv = "sku,name,category,price,manufacturer\\nS3-1,Pillow from S3,home,450.00,Auro Sleep\\n"
    response = client.post(
        "/admin/catalog/product/import/",
        {"resource": "0", "format": "0",
         "import_file": SimpleUploadedFile("products.csv", csv.encode())},
    )
    assert response.status_code == 200, response.status_code
    print(json.dumps(response.context["confirm_form"].initial))
else:
    client.raise_request_exception = False
    response = client.post("/admin/catalog/product/process_import/", json.loads(sys.argv[3]))
    print(json.dumps({"status": response.status_code}))
"""


def run_host(media_root: Path, env: dict, *args: str) -> dict:
    """One "web host": its own process and MEDIA_ROOT, the shared database (and bucket)."""
    done = subprocess.run(
        [sys.executable, "-c", HOST_SCRIPT, *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            # The real settings (settings_test pins MEDIA_ROOT); DEBUG only so
            # that pages need no collectstatic manifest.
            "DJANGO_SETTINGS_MODULE": "auromart.settings",
            "DEBUG": "true",
            "SECRET_KEY": "storage-test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "CACHE_URL": "locmemcache://storage-test",
            "CELERY_BROKER_URL": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def importer():
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_product", "add_product", "change_product", "import_product"]
        )
    )
    return user


@pytest.mark.django_db(transaction=True)
def test_an_import_previewed_on_one_host_is_confirmed_on_another(s3_server, importer, tmp_path):
    env, client = s3_server
    host_a, host_b = tmp_path / "host-a-media", tmp_path / "host-b-media"
    confirm = run_host(host_a, env, str(importer.pk), "preview")

    stored = keys(client, "media/django-import-export/")
    assert stored == [f"media/django-import-export/{confirm['import_file_name']}"]
    assert not host_a.exists() or not any(host_a.rglob("*")), "host A kept the file locally"
    assert not Product.objects.filter(sku="S3-1").exists()  # a preview writes nothing

    answer = run_host(host_b, env, str(importer.pk), "confirm", json.dumps(confirm))

    assert answer["status"] == 302
    product = Product.objects.get(sku="S3-1")
    assert product.name == "Pillow from S3" and product.price == Decimal("450.00")
    assert keys(client, "media/django-import-export/") == []  # removed once imported


@pytest.mark.django_db(transaction=True)
def test_control_with_local_disk_per_host_the_confirm_on_the_other_host_fails(importer, tmp_path):
    """Why the bucket: the same two hosts on local disks lose the file (the issue's 500)."""
    host_a, host_b = tmp_path / "host-a-media", tmp_path / "host-b-media"
    confirm = run_host(host_a, {}, str(importer.pk), "preview")
    assert any(host_a.rglob(confirm["import_file_name"]))

    answer = run_host(host_b, {}, str(importer.pk), "confirm", json.dumps(confirm))

    assert answer["status"] == 500
    assert not Product.objects.filter(sku="S3-1").exists()


# --- Invoice and purchase-order PDFs ------------------------------------------------


@pytest.fixture
def s3_media(s3_server, settings, tmp_path):
    """This process's default storage is the bucket (what the settings build from the env)."""
    env, client = s3_server
    default = media_storage(lambda name, default="": env.get(name, default))
    settings.STORAGES = {**settings.STORAGES, "default": default}
    settings.MEDIA_ROOT = tmp_path / "unused-local-media"
    return client


def _assert_pdf_download(response, client, key_prefix: str) -> bytes:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    stored = keys(client, key_prefix)
    assert len(stored) == 1
    assert client.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read() == body
    return body


@pytest.mark.django_db
def test_invoice_pdfs_are_written_to_the_bucket_and_downloaded_from_it(s3_media, settings):
    order = delivered_order()
    invoice = order.invoices.get()
    buyer = Client()
    buyer.force_login(order.customer)

    response = buyer.get(f"/invoices/{invoice.seller_slug}/{invoice.number}/pdf/")

    body = _assert_pdf_download(response, s3_media, f"media/invoices/{invoice.issue_date.year}/")
    invoice.refresh_from_db()
    assert (
        invoice.pdf
        == f"invoices/{invoice.issue_date.year}/{invoice.seller_slug}/{invoice.number}.pdf"
    )
    assert not settings.MEDIA_ROOT.exists()  # nothing on this host's disk
    again = buyer.get(
        f"/invoices/{invoice.seller_slug}/{invoice.number}/pdf/"
    )  # read back, not rendered again
    assert b"".join(again.streaming_content) == body


@pytest.mark.django_db
def test_purchase_order_pdfs_are_written_to_the_bucket_and_downloaded_from_it(s3_media, settings):
    supplier = OrganizationFactory(kind="manufacturer", contact_email="orders@supplier.test")
    distributor = DistributorFactory()
    product = ProductFactory(
        manufacturer=supplier, supplier=supplier, reorder_level=10, reorder_quantity=40
    )
    StockItemFactory(product=product, distributor=distributor, on_hand=14)
    place_order(distributor=distributor, lines=[(product, 5)])
    po = procurement_services.procurement_request_approve(
        request=ProcurementRequest.objects.get(), by=procurement_staff()
    )
    member = Client()
    member.force_login(ManufacturerUserFactory(organization=supplier))

    response = member.get(f"/procurement/purchase-orders/{po.number}/pdf/")

    _assert_pdf_download(response, s3_media, "media/purchase_orders/")
    po.refresh_from_db()
    assert po.pdf.startswith("purchase_orders/") and po.pdf.endswith(f"{po.number}.pdf")
    assert not settings.MEDIA_ROOT.exists()


def test_ensure_media_bucket_creates_a_missing_bucket_once(s3_server, settings):
    env, client = s3_server
    env = {**env, "AWS_STORAGE_BUCKET_NAME": "auromart-fresh-bucket"}
    default = media_storage(lambda name, default="": env.get(name, default))
    settings.STORAGES = {**settings.STORAGES, "default": default}
    first, second = StringIO(), StringIO()

    call_command("ensure_media_bucket", stdout=first)
    call_command("ensure_media_bucket", stdout=second)

    assert "created" in first.getvalue() and "exists" in second.getvalue()
    client.head_bucket(Bucket="auromart-fresh-bucket")  # raises when missing


def test_ensure_media_bucket_does_nothing_on_local_disk():
    out = StringIO()
    call_command("ensure_media_bucket", stdout=out)
    assert "local disk" in out.getvalue()
