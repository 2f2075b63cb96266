"""The pure parts of the mixed-load benchmark (bench/load_plan.py): the mix, the steps,
the p95 threshold, the load generator's limit and the report lines. The load itself
runs only in `make bench-load`."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load_plan


def raw(samples: dict, *, seconds=10.0, failures=(), cpu=None) -> dict:
    return {"seconds": seconds, "samples": samples, "failures": list(failures), "cpu": cpu or {}}


def step(users: int, p95_ms: float, generator: float = 0.1) -> dict:
    # 100 requests: 94 at 10 ms and 6 at p95_ms, so p95 (the 95th) is p95_ms.
    samples = {"browse: catalog page": [10.0] * 94 + [p95_ms] * 6}
    return load_plan.summarize_step(users, raw(samples, cpu={"load generator": generator}))


def test_the_mix_is_the_issues_and_adds_to_100_percent():
    assert load_plan.MIX == {
        "browse": 70,
        "cart": 10,
        "order": 5,
        "distributor": 5,
        "report": 5,
        "invoice": 5,
    }
    weights = load_plan.task_weights()
    assert sum(weights.values()) == pytest.approx(100)
    for group, percent in load_plan.MIX.items():
        inside = sum(w for label, w in weights.items() if load_plan.group_of(label) == group)
        assert inside == pytest.approx(percent)
    # Some orders are on hot products; browsing covers the three kinds of page.
    assert weights["order: customer API, hot product"] > 0
    assert {"browse: catalog page", "browse: product page", "browse: search API"} <= set(weights)


def test_the_users_task_weights_are_the_mix():
    """bench/load_users.py weights each group's task by MIX (read from its source, since
    importing it would monkey-patch this process for gevent)."""
    source = (Path(load_plan.__file__).parent / "load_users.py").read_text()
    for group in load_plan.MIX:
        assert f'@task(MIX["{group}"])' in source


def test_steps_grow_are_bounded_and_quick_is_about_30_seconds():
    for quick in (False, True):
        users = [s.users for s in load_plan.steps(quick)]
        assert users == sorted(set(users)) and users[0] >= 1
        assert all(0 < s.seconds <= 60 and s.warmup >= 0 for s in load_plan.steps(quick))
    quick_load = sum(s.warmup + s.seconds for s in load_plan.steps(True))
    assert 20 <= quick_load <= 40
    assert [s.users for s in load_plan.steps(False)][:4] == [5, 10, 20, 40]


def test_summary_groups_percentiles_errors_and_5xx():
    samples = {
        "browse: catalog page": [float(ms) for ms in range(1, 101)],
        "browse: search API": [1000.0],
        "order: customer API": [50.0, 60.0],
    }
    failures = [
        {"label": "order: customer API", "status": 503, "message": "busy"},
        {"label": "cart: add", "status": 200, "message": "'Added to your cart' not in"},
        {"label": "invoice: API PDF", "status": 0, "message": "connection reset"},
    ]
    summary = load_plan.summarize_step(10, raw(samples, seconds=20.0, failures=failures))
    assert summary["requests"] == 103
    assert summary["rps"] == pytest.approx(103 / 20)
    browse = summary["groups"]["browse"]
    assert browse["count"] == 101
    assert (browse["p50"], browse["p95"], browse["p99"]) == (51.0, 96.0, 100.0)
    assert summary["groups"]["order"]["p99"] == 60.0
    assert summary["groups"]["report"] == {"count": 0, "p50": None, "p95": None, "p99": None}
    assert summary["errors"] == 3
    assert summary["fivexx"] == 1


def test_knee_is_the_first_step_whose_p95_passes_500_ms():
    steps = [step(5, 120), step(10, 480), step(20, 500), step(40, 501), step(80, 900)]
    assert load_plan.knee(steps) == 40  # 500 ms itself does not pass it
    assert load_plan.capacity(steps) == 20
    assert load_plan.knee(steps[:3]) is None
    assert load_plan.capacity(steps[:3]) == 20
    assert load_plan.knee([step(5, 700)]) == 5
    assert load_plan.capacity([step(5, 700), step(10, 100)]) == 0  # stops at the first pass


def test_the_generator_is_the_limit_near_one_core():
    assert not load_plan.generator_limited(step(5, 100, generator=0.5))
    assert load_plan.generator_limited(step(80, 100, generator=0.85))
    assert "load generator is at its limit" in load_plan.format_cpu(step(80, 100, 0.9))
    assert "limit" not in load_plan.format_cpu(step(5, 100, 0.2))


def test_the_report_lines():
    cpu = {"load generator": 0.12, "gunicorn": 1.31, "mariadb": 0.4, "celery worker": 0.05}
    summary = load_plan.summarize_step(
        20,
        raw(
            {"browse: product page": [30.0, 40.0], "report: sales": [800.0]},
            seconds=2.0,
            failures=[{"label": "report: sales", "status": 500, "message": "500 (expected 200)"}],
            cpu=cpu,
        ),
    )
    lines = load_plan.format_step(summary)
    assert lines[0] == "step 20 users: 3 requests in 2 s = 1.5/s"
    browse = next(line for line in lines if line.strip().startswith("browse"))
    assert browse.split() == ["browse", "66.7%", "2", "30", "40", "40"]
    report = next(line for line in lines if line.strip().startswith("report"))
    assert report.split()[-3:] == ["800", "800", "800"]
    cart = next(line for line in lines if line.strip().startswith("cart"))
    assert cart.split() == ["cart", "0.0%", "0", "-", "-", "-"]
    assert "  errors 1 (5xx 1)" in lines
    assert any("report: sales: 500" in line for line in lines)
    assert lines[-1] == (
        "  CPU, cores: load generator 0.12, gunicorn 1.31, mariadb 0.40, celery worker 0.05"
    )
