"""`python -m bench.memory`: the memory each Lambda function needs, measured from the package.

Lambda bills and limits a function by the memory it is given, and reports the peak resident
set of its container as "Max Memory Used". This measures that peak for every function of
app.py the way it would run in AWS:

- `make package` is built into a temporary folder and its deployment.zip unpacked, as Lambda
  unpacks it; beside it a folder stands in for the runtime's SDK (devstack/package.py);
- each function gets its own container, a fresh interpreter started from the unpacked zip
  (bench/lambda_harness.py: `python -S`, the zip's folder and the SDK on sys.path, nothing of
  the venv), which imports `app` and then serves that function's invocations;
- the invocations are real ones: bench/case_life.py's case lives (a case filed on the site,
  routed, told, read, claimed, answered, resolved, confirmed) on moto with the demo data,
  every API request and every stream, bus and queue delivery handed to the function's
  container instead of the handler in this process; then every schedule runs once, and a
  function nothing invoked gets one message it cannot read (its figure is then `import app`
  and its set-up, marked so in the report);
- each container's VmHWM (/proc/self/status) after its last invocation is its peak, with
  the CPU seconds of `import app` and of its first invocation (the cold start's CPU, which
  devstack/function_memory.py turns into the memory whose CPU share meets the budget).

BENCH_MEMORY_RUNS (2) whole runs, each in new containers: the largest peak and the least CPU
seconds of each function are kept. Written to bench/memory.json (`--json PATH` elsewhere),
which devstack/function_memory.py's table must agree with
(tests/unit/test_function_memory.py). `make bench` runs it
(BENCH_MEMORY=0 leaves it out). Peaks are this machine's CPython 3.11 on x86-64 Linux, the
runtime's own (Amazon Linux 2); the Lambda runtime's own client, which the harness does not
run, adds about 7 MB (devstack/function_memory.py RUNTIME_MB).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

HARNESS = Path(__file__).resolve().with_name("lambda_harness.py")
MEASURED = Path(__file__).resolve().with_name("memory.json")
LIVES = int(os.environ.get("BENCH_MEMORY_LIVES", "3"))
#: whole measurements, each in new containers: the peaks' largest and the CPU's least are
#: kept (other work on the machine only adds CPU seconds, through caches and shared cores)
RUNS = int(os.environ.get("BENCH_MEMORY_RUNS", "2"))
#: what the Lambda runtime sets in a function's environment (besides the function's own)
LAMBDA_ENVIRONMENT = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "POWERTOOLS_TRACE_DISABLED": "false",
    "POWERTOOLS_SERVICE_NAME": "destek",
    "POWERTOOLS_METRICS_NAMESPACE": "Destek",
    "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only: the zip's bytecode or none
    "PATH": "/usr/bin:/bin",
}


class Container:
    """One function's container: a harness process serving its invocations in order."""

    def __init__(self, function: str, task: Path, runtime: Path, env: dict[str, str],
                 logs: Path) -> None:  # fmt: skip
        self.function = function
        self.log = logs / f"{function}.log"
        variables = {**env, **LAMBDA_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": function,
                     "LAMBDA_TASK_ROOT": str(task)}  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-S", str(HARNESS), str(task), str(runtime), function],
                cwd=task, env=variables, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, text=True,
            )  # fmt: skip

    def _answer(self) -> dict[str, Any]:
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            tail = self.log.read_text()[-3000:]
            raise RuntimeError(f"{self.function}'s container ended:\n{tail}")
        return json.loads(line)

    def invoke(self, event: Any) -> Any:
        """The handler's answer to `event`; its exception is raised here (as Lambda reports
        a failed invocation to the event source)."""
        assert self.process.stdin
        self.process.stdin.write(json.dumps({"event": event}) + "\n")
        self.process.stdin.flush()
        answer = self._answer()
        if "error" in answer:
            raise RuntimeError(f"{self.function}: {answer['error']}")
        return answer["result"]

    def close(self) -> dict[str, Any]:
        """End the container; its figures (bench/lambda_harness.py)."""
        assert self.process.stdin
        self.process.stdin.close()
        figures = self._answer()["figures"]
        self.process.wait(timeout=60)
        return figures


class Gateway:
    """The Chalice app object as the local gateway sees it (routes, authorizers, types),
    but invoked in api_handler's container."""

    def __init__(self, app: Any, container: Any) -> None:
        self._app = app
        self._container = container

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        return self._container().invoke(event)


def scheduled_event(name: str) -> dict[str, Any]:
    """What EventBridge Scheduler hands a scheduled function."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": now,
        "region": "eu-central-1",
        "resources": [f"arn:aws:events:eu-central-1:123456789012:rule/destek-{name}"],
        "detail": {},
    }  # fmt: skip


def unreadable_message() -> dict[str, Any]:
    """An SQS batch of one message no handler can read (`{}`): the handler's set-up, its
    parsing and its failure report run; nothing else."""
    record = {
        "messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": "{}",
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "s",
                       "ApproximateFirstReceiveTimestamp": "1"},
        "messageAttributes": {}, "md5OfBody": "0" * 32, "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:destek-bench",
        "awsRegion": "eu-central-1",
    }  # fmt: skip
    return {"Records": [record]}


def measure(zip_path: Path, lives: int = LIVES) -> dict[str, dict[str, Any]]:
    """Every function's figures, by its app.py name: {"peak_mb", "import_mb",
    "import_cpu_s", "first_cpu_s", "invocations", "invoked_by"} ("invoked_by": "case life",
    "schedule" or "one unreadable message": what its peak comes from)."""
    from chalice.app import ScheduledEventConfig

    import app as app_module
    from bench import case_life
    from devstack.package import runtime_folder

    names = ["api_handler", *(s.name for s in app_module.app.event_sources)]
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="destek-memory-", dir=memory) as tmp:
        task, logs = Path(tmp) / "task", Path(tmp) / "logs"
        logs.mkdir()
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
        runtime = runtime_folder(Path(tmp) / "runtime")
        containers: dict[str, Container] = {}
        invoked_by: dict[str, str] = {}
        environment: dict[str, str] = {}

        def container(name: str, how: str = "case life") -> Container:
            if name not in containers:
                containers[name] = Container(name, task, runtime, environment, logs)
                invoked_by[name] = how
            return containers[name]

        def through(name: str, handler: Any, env: dict[str, str]) -> Any:
            environment.update(env)
            if name == "api_handler":
                return Gateway(handler, lambda: container(name))
            return lambda event, context: container(name).invoke(event)

        def then(env: dict[str, str]) -> None:
            for source in app_module.app.event_sources:
                if isinstance(source, ScheduledEventConfig):
                    container(source.name, "schedule").invoke(scheduled_event(source.name))
            for name in names:
                if name not in containers:
                    # the record fails to parse (reported or raised): what the container
                    # imported and set up on the way is the figure
                    with contextlib.suppress(RuntimeError):
                        container(name, "one unreadable message").invoke(unreadable_message())

        try:
            case_life.measure(lives, through=through, then=then)
        finally:
            figures = {}
            for name, running in containers.items():
                try:
                    figures[name] = {**running.close(), "invoked_by": invoked_by[name]}
                except Exception:
                    running.process.kill()
                    raise
        return {name: figures[name] for name in names}


def combine(runs: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One figure a function from several runs of `measure`: the largest peaks (MB), the
    least CPU seconds, the last run's invocations and what invoked it."""
    combined: dict[str, dict[str, Any]] = {}
    for name in runs[-1]:
        rows = [run[name] for run in runs]
        combined[name] = {
            **rows[-1],
            "peak_mb": max(r["peak_mb"] for r in rows),
            "import_mb": max(r["import_mb"] for r in rows),
            **{k: round(min(r[k] for r in rows), 3) for k in ("import_cpu_s", "first_cpu_s")},
            "cpu_s": round(rows[-1]["cpu_s"], 3),
        }
    return combined


def measure_in_fresh_process(zip_path: Path) -> dict[str, dict[str, Any]]:
    """`measure` in a new interpreter: moto's backends live in the process that started
    the server, and a second stack there finds the first one's names taken."""
    code = (
        "import json; from pathlib import Path; from bench.memory import measure; "
        f"print(json.dumps(measure(Path({str(zip_path)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_and_write(zip_path: Path | None = None, path: Path = MEASURED) -> dict[str, Any]:
    """BENCH_MEMORY_RUNS runs of `measure` (on `zip_path`, or a `make package` built into a
    temporary folder), combined and written to `path`; what was written."""
    with tempfile.TemporaryDirectory(prefix="destek-memory-package-") as tmp:
        if zip_path is None:
            from devstack.package import build

            build(Path(tmp))
            zip_path = Path(tmp) / "deployment.zip"
        loads, runs = [], []
        for _ in range(RUNS):
            runs.append(measure_in_fresh_process(zip_path))
            loads.append(round(os.getloadavg()[0], 1))
    written = {"measured": datetime.date.today().isoformat(), "load_averages": loads,
               "lives": LIVES, "runs": RUNS, "functions": combine(runs)}  # fmt: skip
    path.write_text(json.dumps(written, indent=2) + "\n")
    return written


def report_lines(written: dict[str, Any]) -> list[str]:
    """A Markdown table a function: its measured peak, the memory the rule gives it, the
    memory it is deployed with (MEMORY_MB) and which term of the rule set it."""
    from devstack.function_memory import MEMORY_MB, agrees, need_mb, why

    lines = [
        f"Measured {written['measured']} (`bench/memory.py`, {written['runs']} runs of "
        f"{written['lives']} case lives each, load averages {written['load_averages']}); "
        "CPU: `import app` + the first invocation, the least of the runs.",
        "",
        "| function | invoked by | peak RSS | cold-start CPU | rule | deployed | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in written["functions"].items():
        cpu = row["import_cpu_s"] + row["first_cpu_s"]
        rule = need_mb(name, row["peak_mb"], cpu)
        deployed = MEMORY_MB.get(name)
        flag = "" if agrees(deployed, rule) else " ✘ table differs"
        lines.append(
            f"| {name} | {row['invocations']} × {row['invoked_by']} | {row['peak_mb']} MB | "
            f"{cpu:.2f} s | {rule} MB | {deployed} MB{flag} | {why(name, row['peak_mb'], cpu)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--zip", type=Path, help="a deployment.zip already built")
    parser.add_argument("--json", type=Path, default=MEASURED, help="where to write figures")
    args = parser.parse_args(argv)
    print("\n".join(report_lines(measure_and_write(args.zip, args.json))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
