import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from jobs.models import JobStatus
from jobs.services import progress_cache_key

from .factories import JobFactory

pytestmark = pytest.mark.django_db


def progress_url(job):
    return reverse("jobs:progress", kwargs={"public_id": job.public_id})


def test_the_owner_reads_the_live_progress_of_a_running_job(client):
    job = JobFactory(status=JobStatus.RUNNING, started_at=timezone.now(), total=200)
    cache.set(progress_cache_key(job.pk), (50, 200))
    client.force_login(job.owner)
    response = client.get(progress_url(job))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert (body["status"], body["done"], body["total"], body["percent"]) == (
        "running",
        50,
        200,
        25,
    )
    assert body["finished"] is False and body["file_url"] == ""


def test_a_finished_job_reads_100_percent_and_offers_its_file(client):
    job = JobFactory(status=JobStatus.SUCCEEDED, total=7, done=7, result={"rows": 7})
    job.result_file.save("out.csv", __import__("io").BytesIO(b"a,b\n"), save=True)
    client.force_login(job.owner)
    body = client.get(progress_url(job)).json()
    assert (body["percent"], body["finished"], body["result"]) == (100, True, {"rows": 7})
    download = client.get(body["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"a,b\n"


@pytest.mark.parametrize("who", ["anonymous", "someone else", "staff", "superuser"])
def test_only_the_owner_sees_a_job_others_get_404(client, who):
    job = JobFactory(status=JobStatus.SUCCEEDED)
    job.result_file.save("out.csv", __import__("io").BytesIO(b"secret"), save=True)
    if who != "anonymous":
        client.force_login(
            UserFactory(is_staff=who in ("staff", "superuser"), is_superuser=who == "superuser")
        )
    assert client.get(progress_url(job)).status_code == 404
    assert client.get(reverse("jobs:file", kwargs={"public_id": job.public_id})).status_code == 404


def test_progress_answers_get_only(client):
    job = JobFactory()
    client.force_login(job.owner)
    assert client.post(progress_url(job)).status_code in (403, 405)  # CSRF first, else 405


def test_the_admin_job_list_costs_the_same_queries_for_1_or_20_jobs(
    client, django_assert_max_num_queries
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    JobFactory()
    url = reverse("admin:jobs_job_changelist")
    with django_assert_max_num_queries(8) as few:
        assert client.get(url).status_code == 200
    JobFactory.create_batch(19)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
