"""Each function's memory (devstack/function_memory.py): the rule, the table's agreement with
bench/memory.json's measurement, and where the figures are used (the packaged template's
MemorySize: devstack/package.py wire_memory; the cost model: bench/case_life.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devstack import function_memory as fm
from devstack.package import PackagingError, wire_memory

ROOT = Path(__file__).resolve().parents[2]


# ---- the rule ----------------------------------------------------------------------------


def test_memory_is_rounded_up_to_a_step_and_never_below_lambdas_floor() -> None:
    assert fm.round_up(1) == 128
    assert fm.round_up(128) == 128
    assert fm.round_up(129) == 192
    assert fm.round_up(1009) == 1024
    assert fm.round_up(1025) == 1088


def test_one_vcpu_is_1769_mb() -> None:
    """AWS: one vCPU at 1,769 MB, CPU in proportion to memory."""
    assert fm.cpu_mb(1.0, 1.0) == 1769
    assert fm.cpu_mb(1.0, 2.0) == pytest.approx(884.5)
    assert fm.cpu_mb(0.5, 1.0) == pytest.approx(884.5)


def test_a_large_peak_sets_memory_with_headroom() -> None:
    # (300 MB + the runtime's 8 MB) × 1.5 = 462 MB > a cold start of 0.6 CPU s in 6 s (177 MB)
    assert fm.need_mb("route_cases", 300, 0.6) == 512
    assert fm.need_mb("route_cases", 336, 0.6) == 576  # (336 + 8) × 1.5 = 516


def test_a_slow_cold_start_sets_memory_for_its_cpu_share() -> None:
    # 2.4 CPU s in 6 s: 0.4 vCPU = 708 MB, more than 100 MB × 1.5
    assert fm.need_mb("route_cases", 100, 2.4) == 768


def test_the_api_cold_start_has_the_tighter_budget() -> None:
    """A person waits for the API's cold start; nobody waits for a queue's."""
    assert fm.cold_start_budget("api_handler") < fm.cold_start_budget("route_cases")
    # 1.0 CPU s in 2 s: 885 MB; the same for a queue's function, in 6 s: 295 MB
    assert fm.need_mb("api_handler", 60, 1.0) == 896
    assert fm.need_mb("deliver_notices", 60, 1.0) == 320


def test_a_small_function_gets_lambdas_floor() -> None:
    assert fm.need_mb("sweep_sla", 50, 0.1) == 128


def test_the_search_writer_gets_the_cpu_its_compaction_needs() -> None:
    seconds, allowed, _ = fm.WORK_CPU["index_search"]
    assert fm.need_mb("index_search", 50, 0.1) == fm.round_up(seconds / allowed * 1769)
    assert fm.need_mb("index_search", 50, 0.1) > fm.need_mb("project_reports", 50, 0.1)


def test_why_names_the_term_that_sets_the_memory() -> None:
    assert fm.why("route_cases", 300, 0.6).startswith("(peak 300 MB + runtime 8 MB) × 1.5")
    assert fm.why("route_cases", 100, 2.4).startswith("cold start 2.40 CPU s in 6 s")
    assert fm.why("sweep_sla", 50, 0.1).startswith("Lambda's floor")
    assert fm.why("index_search", 50, 0.1).startswith("compacting")


# ---- the table and its measurement -------------------------------------------------------


def app_functions() -> set[str]:
    import app

    return {"api_handler", *(source.name for source in app.app.event_sources)}


def test_every_function_of_the_app_has_a_measured_memory() -> None:
    assert set(fm.MEMORY_MB) == app_functions()
    assert set(fm.measured()) == app_functions()


def test_the_table_is_the_rule_applied_to_the_measurement() -> None:
    """A new bench/memory.json that moves a figure fails here until MEMORY_MB follows it
    (`python -m devstack.function_memory` prints the table the rule gives) by more than the
    measurement's noise (`agrees`: one 64 MB step)."""
    rule = fm.table_from(fm.measured())
    assert {
        n: (fm.MEMORY_MB.get(n), mb)
        for n, mb in rule.items()
        if not fm.agrees(fm.MEMORY_MB.get(n), mb)
    } == {}


def test_a_figure_off_by_more_than_a_step_must_follow_the_measurement() -> None:
    assert fm.agrees(256, 192) and fm.agrees(256, 320) and fm.agrees(256, 256)
    assert not fm.agrees(256, 384) and not fm.agrees(384, 256) and not fm.agrees(None, 128)


def test_the_measurement_says_where_each_peak_comes_from() -> None:
    for name, row in fm.measured().items():
        assert row["invocations"] >= 1, name
        assert row["invoked_by"] in {"case life", "schedule", "one unreadable message"}, name
        assert row["peak_mb"] >= row["import_mb"] > 0, name
    assert fm.measured()["api_handler"]["invoked_by"] == "case life"


def test_chalice_sets_no_memory_of_its_own() -> None:
    """One source for memory: a lambda_memory_size in .chalice/config.json would be
    overwritten by `make package` and mislead whoever reads it there."""
    text = (ROOT / ".chalice" / "config.json").read_text()
    assert "lambda_memory_size" not in text
    json.loads(text)


def test_the_cost_model_prices_each_function_at_its_own_memory() -> None:
    from bench.case_life import memory_of

    for name, mb in fm.MEMORY_MB.items():
        assert memory_of(name) == mb


# ---- the packaged template ---------------------------------------------------------------


def template(*handlers: str) -> dict[str, Any]:
    resources = {
        f"F{i}": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Handler": handler, "MemorySize": 512},
        }
        for i, handler in enumerate(handlers)
    }
    return {"Resources": resources}


def test_the_package_gives_each_function_its_own_memory() -> None:
    handlers = ["app.app", *(f"app.{name}" for name in fm.MEMORY_MB if name != "api_handler")]
    built = template(*handlers)
    wire_memory(built)
    sizes = {
        handler: built["Resources"][f"F{i}"]["Properties"]["MemorySize"]
        for i, handler in enumerate(handlers)
    }
    assert sizes["app.app"] == fm.MEMORY_MB["api_handler"]
    assert sizes["app.index_search"] == fm.MEMORY_MB["index_search"]
    assert len(set(sizes.values())) > 1  # not one size for all


def test_a_function_without_a_measured_memory_stops_the_package() -> None:
    handlers = ["app.app", *(f"app.{name}" for name in fm.MEMORY_MB if name != "api_handler")]
    with pytest.raises(PackagingError, match="lacks \\['new_function'\\]"):
        wire_memory(template(*handlers, "app.new_function"))
    with pytest.raises(PackagingError, match="names \\['index_search'\\]"):
        wire_memory(template(*(h for h in handlers if h != "app.index_search")))


def test_runs_of_the_measurement_keep_the_largest_peak_and_the_least_cpu() -> None:
    """Other work on the machine adds CPU seconds and never takes any away."""
    from bench.memory import combine

    def row(peak: int, cpu: float, how: str) -> dict[str, Any]:
        return {"peak_mb": peak, "import_mb": 35, "import_cpu_s": cpu, "first_cpu_s": 2 * cpu,
                "cpu_s": 3 * cpu, "invocations": 4, "invoked_by": how}  # fmt: skip

    combined = combine([{"f": row(90, 0.5, "case life")}, {"f": row(80, 0.3, "schedule")}])
    assert combined["f"]["peak_mb"] == 90
    assert combined["f"]["import_cpu_s"] == 0.3
    assert combined["f"]["first_cpu_s"] == 0.6
    assert combined["f"]["invoked_by"] == "schedule"


# ---- what `make bench` writes ------------------------------------------------------------


def test_the_bench_report_shows_each_functions_memory_and_flags_a_stale_table() -> None:
    from bench.memory import report_lines
    from bench.report import Run, render

    written = {
        "measured": "2026-12-03", "runs": 2, "lives": 3, "load_averages": [1.0, 1.2],
        "functions": {
            "api_handler": {"peak_mb": 120, "import_cpu_s": 0.3, "first_cpu_s": 0.7,
                            "invocations": 28, "invoked_by": "case life"},
            "sweep_sla": {"peak_mb": 9000, "import_cpu_s": 0.3, "first_cpu_s": 0.3,
                          "invocations": 1, "invoked_by": "schedule"},
        },
    }  # fmt: skip
    lines = report_lines(written)
    api = next(line for line in lines if line.startswith("| api_handler |"))
    assert "| 28 × case life | 120 MB | 1.00 s | 896 MB |" in api
    sweep = next(line for line in lines if line.startswith("| sweep_sla |"))
    assert "table differs" in sweep  # 9,000 MB × 1.5 is not the table's figure
    page = render(Run(date="2026-12-03", machine="2 cores", memory=lines))
    assert "## Lambda memory" in page
    assert api in page


# ---- the bench's container ---------------------------------------------------------------

FAKE_APP = """
print("a log line on stdout")  # Powertools logs to stdout: never mistaken for an answer
ballast = []


class App:
    def __call__(self, event, context):
        return {"statusCode": 200, "body": context.function_name}


app = App()


def grow(event, context):
    ballast.append(bytearray(event["mb"] * 1024 * 1024))
    if event.get("fail"):
        raise ValueError("a bad record")
    return {"batchItemFailures": []}
"""


def test_a_container_serves_invocations_and_reports_its_peak(tmp_path: Path) -> None:
    """bench/lambda_harness.py, the way bench/memory.py drives it, on a stand-in app."""
    from bench.memory import Container

    task, runtime, logs = tmp_path / "task", tmp_path / "runtime", tmp_path / "logs"
    for folder in (task, runtime, logs):
        folder.mkdir()
    (task / "app.py").write_text(FAKE_APP)
    grow = Container("grow", task, runtime, {}, logs)
    assert grow.invoke({"mb": 5}) == {"batchItemFailures": []}
    with pytest.raises(RuntimeError, match="a bad record"):
        grow.invoke({"mb": 40, "fail": True})
    figures = grow.close()
    assert figures["invocations"] == 2
    assert figures["peak_mb"] >= figures["import_mb"] + 40  # the 45 MB it held
    assert figures["import_cpu_s"] >= 0 and figures["first_cpu_s"] >= 0
    api = Container("api_handler", task, runtime, {}, logs)
    assert api.invoke({}) == {"statusCode": 200, "body": "api_handler"}  # `app.app`
    assert api.close()["invocations"] == 1
    assert "a log line on stdout" in (logs / "api_handler.log").read_text()
