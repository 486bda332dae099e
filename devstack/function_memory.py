"""Each Lambda function's memory, from what it was measured to need (issue 21 part 5).

Lambda gives a function memory and, with it, CPU: "Lambda allocates CPU power in proportion
to the amount of memory configured ... at 1,769 MB, a function has the equivalent of one
vCPU" (AWS Lambda Developer Guide, "Configure Lambda function memory"). Memory is set in
1 MB steps from 128 MB to 10,240 MB and billed per GB-second. So a function needs the larger
of two things:

- room: its container's peak resident memory (bench/memory.py: VmHWM of the function run
  from the package, through case lives and its schedule) and the runtime's own client
  (RUNTIME_MB), with HEADROOM for what the measurement did not see (bigger batches and
  items);
- CPU: the share of a vCPU that does its CPU-bound work within a budget. For every function
  that work is a cold start (`import app` and the first invocation, CPU seconds measured on
  one core of the bench machine): within API_COLD_START_BUDGET_S for the API and
  EVENT_COLD_START_BUDGET_S for the others. For the search writer it is
  also the compaction of its index (WORK_CPU). CPU seconds, not wall-clock ones, so the
  bench machine's load moves the figure little (a wall-clock cold start measured at a load
  average of 12 had asked 1,792 MB of the API).

`need_mb` is that rule; MEMORY_MB is the table `make package` (devstack/package.py) writes
into each function's MemorySize, and bench/case_life.py prices Lambda at. The table is kept
as literal figures so that a change shows in review; tests/unit/test_function_memory.py
checks that it is the rule applied to bench/memory.json's measurement, so a new measurement
that moves a figure fails until the table follows it. docs/performance.md shows each
function's peak, its memory and why.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEASURED = ROOT / "bench" / "memory.json"

#: MB of memory that brings one vCPU (AWS Lambda Developer Guide, "Configure Lambda function
#: memory": CPU in proportion to memory, one vCPU at 1,769 MB)
MB_PER_VCPU = 1769
#: Lambda's smallest memory (MB)
FLOOR_MB = 128
#: the step memory is rounded up to (MB): figures a reader can compare; Lambda takes any MB
STEP_MB = 64
#: MB the Lambda runtime's own client adds to the function's process, which the bench's
#: harness does not run: importing awslambdaric 4.2.2 (the Python runtime interface client)
#: took a bare `python3.11 -S` from 8.3 MB to 15.4 MB of VmHWM on the bench machine
RUNTIME_MB = 8
#: room over the measured peak: the bench's batches are small and its items short
HEADROOM = 1.5
#: seconds a cold start (import app + first invocation) may take at the function's CPU
#: share. The API's: a customer or an agent waits for it on top of the request, so 2 s.
#: Every other function's: nobody waits, but its timeout (30 s) does; a fifth of it, the rest
#: for the batch's own work
API_COLD_START_BUDGET_S = 2.0
EVENT_COLD_START_BUDGET_S = 6.0
#: a function's other CPU-bound work: (seconds on one core, seconds allowed, source).
#: The search writer compacts its index (a copy of the base, a delta, `optimize`, gzip):
#: 17.9 s at 100,000 cases on one core (wall clock: docs/search.md, bench/search.py; a
#: single-threaded job, so its CPU time is at most that); within 40 s, a third of its
#: 120 s timeout, the rest for fetching and storing the 35 MB base in S3
WORK_CPU: dict[str, tuple[float, float, str]] = {
    "index_search": (17.9, 40.0, "compacting 100,000 cases' index (docs/search.md)"),
}

#: how far the table may be from a new measurement's rule before it must follow (`agrees`)
TOLERANCE_MB = STEP_MB

#: MB each function is given (app.py names); the rule applied to bench/memory.json
MEMORY_MB: dict[str, int] = {
    "api_handler": 832,
    "route_cases": 512,
    "reconcile_routing": 256,
    "sweep_sla": 192,
    "send_weekly_summary": 320,
    "send_satisfaction_alerts": 256,
    "sweep_late_deliveries": 256,
    "settle_conversations": 256,
    "deliver_notices": 384,
    "sweep_outbox": 256,
    "take_inbound_mail": 192,
    "publish_case_events": 192,
    "fan_out_webhooks": 256,
    "deliver_webhooks": 192,
    "project_reports": 256,
    "tick_surveys": 192,
    "run_surveys": 192,
    "index_search": 832,
    "count_checklist_steps": 256,
    "copy_merged_cases": 192,
    "send_arrival_digests": 192,
    "train_routing_classifier": 256,
}


def cold_start_budget(function: str) -> float:
    """Seconds the function's cold start may take at its CPU share."""
    return API_COLD_START_BUDGET_S if function == "api_handler" else EVENT_COLD_START_BUDGET_S


def round_up(mb: float) -> int:
    """`mb` rounded up to a STEP_MB step, at least FLOOR_MB."""
    return max(FLOOR_MB, math.ceil(mb / STEP_MB) * STEP_MB)


def cpu_mb(cpu_seconds: float, budget_seconds: float) -> float:
    """MB whose vCPU share does `cpu_seconds` of one core's work in `budget_seconds`."""
    return cpu_seconds / budget_seconds * MB_PER_VCPU


def need_mb(function: str, peak_mb: float, cold_start_cpu_s: float) -> int:
    """MB `function` needs: the larger of its peak resident memory (MB) and RUNTIME_MB,
    times HEADROOM, and
    the memory whose CPU share does its cold start (CPU seconds on one core) within its
    budget, and its WORK_CPU within that work's; rounded up to STEP_MB, at least FLOOR_MB."""
    wanted = [
        (peak_mb + RUNTIME_MB) * HEADROOM,
        cpu_mb(cold_start_cpu_s, cold_start_budget(function)),
    ]
    if function in WORK_CPU:
        seconds, allowed, _ = WORK_CPU[function]
        wanted.append(cpu_mb(seconds, allowed))
    return round_up(max(wanted))


def why(function: str, peak_mb: float, cold_start_cpu_s: float) -> str:
    """Which of the rule's terms sets the function's memory, in words (docs/performance.md)."""
    terms = {
        f"(peak {peak_mb:.0f} MB + runtime {RUNTIME_MB} MB) × {HEADROOM}": (peak_mb + RUNTIME_MB)
        * HEADROOM,
        f"cold start {cold_start_cpu_s:.2f} CPU s in {cold_start_budget(function):.0f} s": cpu_mb(
            cold_start_cpu_s, cold_start_budget(function)
        ),
    }
    if function in WORK_CPU:
        seconds, allowed, source = WORK_CPU[function]
        terms[f"{source}: {seconds} s of a core in {allowed:.0f} s"] = cpu_mb(seconds, allowed)
    largest = max(terms, key=lambda k: terms[k])
    if round_up(terms[largest]) == FLOOR_MB:
        return f"Lambda's floor ({largest}: {terms[largest]:.0f} MB)"
    return f"{largest} = {terms[largest]:.0f} MB"


def measured(path: Path = MEASURED) -> dict[str, dict[str, Any]]:
    """bench/memory.json's figures by function (bench/memory.py writes them)."""
    return json.loads(path.read_text())["functions"]


def table_from(figures: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The rule applied to each function's measured peak and cold-start CPU."""
    return {
        name: need_mb(name, row["peak_mb"], row["import_cpu_s"] + row["first_cpu_s"])
        for name, row in figures.items()
    }


def agrees(deployed_mb: int | None, rule_mb: int) -> bool:
    """Whether the table's figure may stand against a new measurement's: within TOLERANCE_MB
    of what the rule gives. Cold-start CPU measured on a shared machine moves by about one
    step between runs (three runs at load averages 13-16 moved 14 of 20 functions by one
    64 MB step, none by two), so a figure is re-set when it is off by more than that, not
    at every run."""
    return deployed_mb is not None and abs(deployed_mb - rule_mb) <= TOLERANCE_MB


def memory_of(function: str) -> int:
    """The MB `function` (an app.py name) is deployed with."""
    return MEMORY_MB[function]


if __name__ == "__main__":  # python -m devstack.function_memory: the table the rule gives
    for name, mb in table_from(measured()).items():
        print(f'    "{name}": {mb},')
