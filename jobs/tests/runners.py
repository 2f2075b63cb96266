"""Job runners for the tests (registered with override_settings(JOB_RUNNERS=...))."""

from catalog.models import Category
from jobs.services import JobFailed, JobOutcome

RUNNERS = {
    "test_ok": "jobs.tests.runners.run_ok",
    "test_refused": "jobs.tests.runners.run_refused",
    "test_crash": "jobs.tests.runners.run_crash",
}


def run_ok(*, job, progress):
    progress(0, 4)
    for done in range(1, 5):
        Category.objects.create(name=f"{job.label} {done}", slug=f"job-{job.pk}-{done}")
        progress(done)
    return JobOutcome(result={"made": 4}, file_name="made.csv", file_content=b"slug\nmade\n")


def run_refused(*, job, progress):
    progress(0, 2)
    Category.objects.create(name="half written", slug="half-written")
    progress(1)
    raise JobFailed(
        "Nothing was imported: 1 error.",
        error_report=[{"row": 3, "column": "price", "message": "Too large."}],
    )


def run_crash(*, job, progress):
    Category.objects.create(name="crash", slug="crash")
    raise RuntimeError("boom")
