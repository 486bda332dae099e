"""docs/performance.md's measured part, written by `make bench` from the figures of its run.

The file has two parts: what people wrote (how to read the figures, decisions, history),
above MARKER, and what the last run measured, below it. `write` keeps the first part as
it is and replaces the second, so the document always says when it was measured and never
carries a figure nobody measured.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = "<!-- measured: all below this line is written by `make bench` (bench/report.py) -->"
DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "performance.md"

#: what each measured operation's calls are, for a reader who does not know the table
CALL_NOTES = {
    "open case, first request of a new container": "Query of the directory partition "
    "(roles, staff, revocations, groups); UpdateItem: the container's first block of case "
    "numbers (store/case_numbers.py)",
    "open case (caller found by phone)": "GetItem of the phone's uniqueness item, then of "
    "the customer",
    "open case (new caller created with it)": "GetItem of the phone's uniqueness item "
    "(none); the customer and its uniqueness items join the case's transaction",
    "route a case (SQS handler, one record)": "the case, rules, group, policies and ladder; "
    "one transaction; the customer's and the group's notices sent",
    "claim a case (read + conditional write)": "group membership comes from the cached directory",
    "site: file a case about a registered product": "GetItem of the registration and of "
    "its product's group",
    "site: register a product": "GetItem of the product; one transaction: registration, "
    "serial's uniqueness item, checks",
    "site: my products, first request of a new container": "the sign-in record, the "
    "directory, the products",
    "public: catalog (rate limit + one subtree Query)": "UpdateItem of the per-address "
    "counter, Query of the whole tree",
    "customer 360 (profile, products, orders, calls, cases)": "the customer's partition "
    "and the by_customer index",
    "email in: a new message becomes a pre-case": "GetObject of the raw mail; GetItem: was "
    "this Message-ID taken, the sender by email; Query of the routing rules (the topic); "
    "one transaction: pre-case, the customer's line, the mail's record",
    "convert a pre-case to a case (case + pre-case in one write)": "Query of the pre-case "
    "with later mails; GetItem of the sender's uniqueness item and profile; one "
    "transaction: case, history, the pre-case's end",
}


@dataclass
class Run:
    """Everything one `make bench` measured; any part may be missing (None or empty)."""

    date: str  # ISO date of the run
    machine: str  # cores and load, as measured
    calls: list[tuple[str, Counter[str]]] = field(default_factory=list)
    budgets: dict[str, dict[str, int]] = field(default_factory=dict)
    latency: list[Any] = field(default_factory=list)  # bench.latency.Timings
    sweeps: list[Any] = field(default_factory=list)  # bench.latency.Sweep
    cold_start: tuple[float, float] | None = None  # import boto3, import app (s, medians)
    cold_start_budget: float = 2.0
    package: Any = None  # bench.package.PackageFigures
    broken: list[str] = field(default_factory=list)
    seconds: float = 0.0  # the whole run
    #: DuckDB over a million events, the data store's cost in AWS (bench/duckdb_events.py)
    data_store: list[str] = field(default_factory=list)
    #: case events to a shop's receiver, and the restart at the largest size (restart.py)
    local_stack: list[str] = field(default_factory=list)
    #: knowledge base relevance: recall@3 and MRR of the customer questions (relevance.py)
    relevance: list[str] = field(default_factory=list)
    #: routing and sentiment on Turkish as customers write it (turkish_text.py, issue 20)
    turkish_text: list[str] = field(default_factory=list)
    #: the learned routing classifier against the rules (routing_learning.py, issue 20)
    routing_learning: list[str] = field(default_factory=list)
    #: the assistant's scripted conversations: answered, correct, leaks (assistant.py)
    assistant: list[str] = field(default_factory=list)
    #: one case's whole life: calls, units, messages, cost per 1,000 (case_life.py)
    cost: list[str] = field(default_factory=list)
    #: each function's peak memory, cold-start CPU and memory, a Markdown table (memory.py)
    memory: list[str] = field(default_factory=list)
    #: the console's cold first load in Chromium: bytes, requests, time (console_load.py)
    console: list[str] = field(default_factory=list)


def _calls(calls: Counter[str]) -> str:
    shown = [f"{op} {n}" for op, n in sorted(calls.items()) if not op.startswith("(")]
    return ", ".join(shown) or "none"


def _budget(calls: Counter[str], budget: dict[str, int] | None) -> str:
    if budget is None:
        return ""
    ok = set(calls) <= set(budget) and all(calls[k] <= v for k, v in budget.items())
    return f"{' + '.join(f'{op} ≤ {n}' for op, n in budget.items())} {'✔' if ok else '✘ OVER'}"


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def calls_section(run: Run) -> list[str]:
    lines = [
        "## AWS calls per operation",
        "",
        "Counted with a botocore `before-parameter-build` hook on the app's own clients, the app "
        "in-process against moto; warm container unless said.",
        "",
        "| operation | AWS calls | budget | what they are |",
        "| --- | --- | --- | --- |",
    ]
    for name, calls in run.calls:
        budget = _budget(calls, run.budgets.get(name))
        lines.append(f"| {name} | {_calls(calls)} | {budget} | {CALL_NOTES.get(name, '')} |")
    return lines


def latency_section(run: Run) -> list[str]:
    from .latency import OPERATIONS, WRITES

    timings = run.latency
    sizes = ["empty" if t.size == 0 else f"{t.size:,}" for t in timings]
    lines = [
        "## Latency at a shop's size",
        "",
        "Through the API over HTTP on the local stack, the table loaded by `bench/loader.py`. "
        "Milliseconds, p50 / p95 wall clock, and in brackets the p50 CPU time the process "
        "(API, moto, dispatcher) spent meanwhile.",
        "",
        "| operation | " + " | ".join(sizes) + " | largest against |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    by_size = {t.size: t for t in timings}
    largest = timings[-1]
    for name in OPERATIONS:
        cells = [
            f"{t.p(name, 0.5):.0f} / {t.p(name, 0.95):.0f} [{t.p(name, 0.5, cpu=True):.0f}]"
            for t in timings
        ]
        base = by_size.get(0 if name in WRITES else 1000)
        against = ""
        if base is not None and base is not largest:
            label = "empty" if base.size == 0 else f"{base.size:,}"
            against = f"{largest.p(name, 0.5) / base.p(name, 0.5):.1f}× of {label}"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {against} |")
    for label, values in (
        ("items in the table", [f"{t.items:,}" for t in timings]),
        ("items the report read", [f"{t.report_items:,}" for t in timings]),
        ("loading took (s)", [f"{t.load_seconds:.0f}" for t in timings]),
        ("machine load average", [f"{t.load_average:.1f}" for t in timings]),
    ):
        lines.append(f"| *{label}* | " + " | ".join(values) + " | |")
    if run.sweeps:
        lines += [
            "",
            "The SLA sweep with 100 cases due (a breach and two escalation levels each), every "
            "call real:",
            "",
            "| cases | SLA events | items read from the index | calls | time |",
            "| --- | --- | --- | --- | --- |",
        ]
        for sweep in run.sweeps:
            read = sweep.calls.get("(items read from the index)", 0)
            lines.append(f"| {sweep.size:,} | {sweep.events} | {read} | {_calls(sweep.calls)} "
                         f"| {sweep.seconds:.1f} s |")  # fmt: skip
    return lines


def cold_start_section(run: Run) -> list[str]:
    lines = ["## Cold start", ""]
    if run.cold_start:
        boto3_seconds, app_seconds = run.cold_start
        ratio = app_seconds / boto3_seconds
        verdict = "✔" if ratio <= run.cold_start_budget else "✘ OVER"
        lines += [
            f"`import boto3` {boto3_seconds * 1000:.0f} ms, `import app` "
            f"{app_seconds * 1000:.0f} ms: ratio **{ratio:.2f}** (budget "
            f"{run.cold_start_budget}) {verdict}; medians of 9 fresh interpreters each, "
            "alternating, in the venv.",
            "",
        ]
    package = run.package
    if package is not None:
        largest = ", ".join(f"{name} {_mb(size)}" for name, size in package.largest)
        lines += [
            "## The Lambda package",
            "",
            f"`make package` builds `build/deployment.zip`: **{_mb(package.zip_bytes)}** "
            f"zipped ({package.zip_bytes:,} bytes), {_mb(package.unpacked_bytes)} unpacked. "
            f"Largest parts, zipped: {largest}.",
            "",
            f"Started as Lambda starts it (medians of {package.runs} fresh interpreters, "
            "`bench/package.py`): unpacking the zip "
            f"{package.unpack_seconds * 1000:.0f} ms, `import app` from it "
            f"{package.import_app_seconds * 1000:.0f} ms, a first request's tracer and "
            f"DynamoDB client {package.first_request_seconds * 1000:.0f} ms.",
        ]
    return lines


def render(run: Run) -> str:
    """The measured part, in Markdown, starting with the run's date."""
    head = [
        MARKER,
        "",
        f"# Measured on {run.date}",
        "",
        f"By `make bench` on {run.machine}"
        + (f"; the run took {run.seconds / 60:.0f} min." if run.seconds else "."),
        "Budgets broken: " + (", ".join(run.broken) if run.broken else "none") + ".",
        "",
    ]
    parts = [head]
    if run.calls:
        parts.append(calls_section(run) + [""])
    if run.latency:
        parts.append(latency_section(run) + [""])
    parts.append(cold_start_section(run))
    if run.local_stack:
        parts.append(["", "## Events and restart on the local stack", "", "```",
                      *run.local_stack, "```"])  # fmt: skip
    if run.memory:
        parts.append(["", "## Lambda memory", "", *run.memory])
    if run.cost:
        parts.append(["", "## What a case costs", "", *run.cost])
    if run.data_store:
        parts.append(["", "## The open data store", "", "```", *run.data_store, "```"])
    if run.turkish_text:
        parts.append(["", "## Turkish routing and sentiment", "",
                      "The issue 20 sets (tests/data/routing_eval.tsv, sentiment_eval.tsv) through",
                      "the rules of bench/turkish_text.py and the sentiment analyser",
                      "(docs/turkish-text.md):", "", "```", *run.turkish_text, "```"])  # fmt: skip
    if run.routing_learning:
        parts.append(["", "## Routing learned from corrections", "",
                      "The classifier trained on the seeded history's resolved cases against",
                      "the rules (bench/routing_learning.py, docs/turkish-text.md):", "",
                      "```", *run.routing_learning, "```"])  # fmt: skip
    if run.relevance:
        parts.append(["", "## Knowledge base relevance", "",
                      "Customer questions (tests/data/kb_questions.tsv) against the seeded "
                      "articles, through the real index, as a customer (bench/relevance.py):",
                      "", *run.relevance])  # fmt: skip
    if run.console:
        parts.append(["", "## The console's first load", "", "```", *run.console, "```"])
    if run.assistant:
        from .assistant import section

        parts.append(["", *section(run.assistant)])
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def write(run: Run, path: Path = DOCUMENT) -> Path:
    """Keep what people wrote above MARKER, replace what is below it with this run."""
    text = path.read_text(encoding="utf-8")
    if MARKER not in text:
        raise ValueError(f"{path} has no marker line; the hand-written part would be lost")
    written = text.split(MARKER, 1)[0] + render(run)
    path.write_text(written, encoding="utf-8")
    return path
