"""The plan and the arithmetic of the mixed-load benchmark (bench/load.py), with no Django
and no Locust in it, so auromart/tests/test_bench_load.py can test it on its own.

- MIX: the share of requests each endpoint group gets (percent, adding to 100), and
  the endpoints inside each group with their relative weights.
- STEPS: how many users each step runs, and for how long.
- summarize_step(): raw samples of one step -> p50/p95/p99 per group and overall,
  errors, 5xx, the processes' CPU.
- knee() / capacity(): the step where p95 passes 500 ms.
- generator_limited(): whether the load generator's own CPU was the limit.
- format_step() / format_cpu(): the report lines.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile

P95_LIMIT_MS = 500.0
# The load generator is one gevent process: it can use one core at most, and
# on this 2-core machine whatever it uses is taken from the servers.
GENERATOR_LIMIT_CORES = 0.8

# Group -> percent of all requests (the mix).
MIX: dict[str, int] = {
    "browse": 70,  # catalog page, product page, search API
    "cart": 10,  # add, change a quantity, remove (htmx posts on the portal)
    "order": 5,  # POST an order through the API; some on hot products
    "distributor": 5,  # accept a placed order, move an accepted one to processing
    "report": 5,  # the report pages, as procurement staff
    "invoice": 5,  # an invoice PDF, as its buyer (page or API)
}

# Within each group: endpoint label -> relative weight. Labels are "group: what".
ENDPOINTS: dict[str, dict[str, int]] = {
    "browse": {"catalog page": 30, "product page": 25, "search API": 15},
    "cart": {"add": 5, "change quantity": 3, "remove": 2},
    "order": {"customer API": 3, "customer API, hot product": 1, "retailer API": 1},
    "distributor": {"accept": 1, "processing": 1},
    "report": {"overview": 1, "sales": 1, "monthly": 1, "fulfillment": 1, "stock": 1},
    "invoice": {"page PDF": 1, "API PDF": 1},
}

# Think time of each virtual user between two requests (seconds, uniform).
THINK_SECONDS = (0.5, 1.5)


@dataclass(frozen=True)
class Step:
    users: int
    warmup: float  # seconds after all users started, not measured
    seconds: float  # measured


FULL_STEPS = tuple(Step(users, warmup=10, seconds=45) for users in (5, 10, 20, 40, 80))
# About 30 s of load in all (CI prints it after bench-quick).
QUICK_STEPS = (Step(5, warmup=3, seconds=10), Step(20, warmup=3, seconds=12))


def steps(quick: bool) -> tuple[Step, ...]:
    return QUICK_STEPS if quick else FULL_STEPS


def group_of(label: str) -> str:
    return label.split(":", 1)[0]


def task_weights() -> dict[str, float]:
    """Each endpoint label's share of all requests, in percent (adds to 100)."""
    weights = {}
    for group, percent in MIX.items():
        inside = ENDPOINTS[group]
        total = sum(inside.values())
        for what, weight in inside.items():
            weights[f"{group}: {what}"] = percent * weight / total
    return weights


def _latency(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None}
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
    }


def summarize_step(users: int, raw: dict) -> dict:
    """One step's figures from the load generator's raw output.

    raw: {"seconds": wall seconds measured, "samples": {label: [ms, ...]} (every
    answered request, failed ones included), "failures": [{"label", "status",
    "message"}], "cpu": {process: cores}}.
    """
    samples: dict[str, list[float]] = raw["samples"]
    by_group: dict[str, list[float]] = {group: [] for group in MIX}
    for label, values in samples.items():
        by_group.setdefault(group_of(label), []).extend(values)
    everything = [ms for values in samples.values() for ms in values]
    failures = raw.get("failures", [])
    seconds = raw["seconds"]
    return {
        "users": users,
        "seconds": seconds,
        "requests": len(everything),
        "rps": len(everything) / seconds if seconds else 0.0,
        "all": _latency(everything),
        "groups": {group: _latency(values) for group, values in by_group.items()},
        "endpoints": {label: _latency(values) for label, values in sorted(samples.items())},
        "errors": len(failures),
        "fivexx": sum(1 for f in failures if (f.get("status") or 0) >= 500),
        "failures": failures[:20],
        "cpu": raw.get("cpu", {}),
    }


def knee(summaries: list[dict], limit_ms: float = P95_LIMIT_MS) -> int | None:
    """Users of the first step whose overall p95 passes `limit_ms` (None: no step did)."""
    for summary in summaries:
        p95 = summary["all"]["p95"]
        if p95 is not None and p95 > limit_ms:
            return summary["users"]
    return None


def capacity(summaries: list[dict], limit_ms: float = P95_LIMIT_MS) -> int:
    """Users of the last step before p95 passes `limit_ms` (0: the first step did)."""
    best = 0
    for summary in summaries:
        p95 = summary["all"]["p95"]
        if p95 is None or p95 > limit_ms:
            break
        best = summary["users"]
    return best


def generator_limited(summary: dict, limit: float = GENERATOR_LIMIT_CORES) -> bool:
    """The load generator used (nearly) all the one core it can use."""
    return summary["cpu"].get("load generator", 0.0) >= limit


def _ms(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.0f}"


def format_step(summary: dict) -> list[str]:
    """The step's table: one line per group, then all requests, errors and CPU."""
    lines = [
        f"step {summary['users']} users: {summary['requests']} requests in"
        f" {summary['seconds']:.0f} s = {summary['rps']:.1f}/s",
        f"  {'group':<12} {'share':>6} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}",
    ]
    total = summary["requests"] or 1
    rows = [*summary["groups"].items(), ("all", summary["all"])]
    for group, figures in rows:
        share = 100 * figures["count"] / total
        lines.append(
            f"  {group:<12} {share:5.1f}% {figures['count']:>6} {_ms(figures['p50']):>7}"
            f" {_ms(figures['p95']):>7} {_ms(figures['p99']):>7}"
        )
    lines.append(f"  errors {summary['errors']} (5xx {summary['fivexx']})")
    for failure in summary["failures"][:5]:
        lines.append(f"    {failure['label']}: {failure['status']} {failure['message'][:120]}")
    lines.append("  " + format_cpu(summary))
    return lines


def format_cpu(summary: dict) -> str:
    cpu = summary["cpu"]
    parts = [f"{name} {cores:.2f}" for name, cores in cpu.items()]
    text = "CPU, cores: " + (", ".join(parts) if parts else "not measured")
    if generator_limited(summary):
        text += " -- the load generator is at its limit (one core): this step measures it too"
    return text
