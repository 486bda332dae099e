"""One Lambda container of one function, run from the unpacked package (bench/memory.py).

`python -S bench/lambda_harness.py TASK RUNTIME FUNCTION`: TASK is the unpacked
deployment.zip, RUNTIME a folder standing in for the runtime's SDK (devstack/package.py
`runtime_folder`); sys.path is those two and the standard library, as in Lambda. It
imports `app` as the runtime imports the handler's module, then reads invocations, one JSON
line each on stdin (`{"event": {...}}`), calls the function's handler (`app.app` for
`api_handler`, else `app.<FUNCTION>`) with a Lambda-like context, and answers each with one
line (`{"result": ...}` or `{"error": "traceback"}`). At end of input it writes the figures:

    {"peak_mb": VmHWM in MiB (the process's peak resident set, what Lambda reports as
     "Max Memory Used"), "import_mb": VmHWM after `import app`,
     "import_cpu_s": CPU seconds (user + system) of `import app`,
     "first_cpu_s": CPU seconds of the first invocation, "cpu_s": CPU seconds of all
     invocations, "invocations": n}

Answers go to a private copy of stdout; the app's own prints and logs (Powertools writes
JSON to stdout) are sent to stderr. Standard library only: nothing of the venv is on the
path.
"""

import json
import os
import resource
import sys
import traceback
import uuid

TASK, RUNTIME, FUNCTION = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[0:1] = [TASK, RUNTIME]  # the script's own folder (bench/) is not Lambda's


def peak_mb() -> int:
    """VmHWM of this process in MiB (/proc/self/status gives kB)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Context:
    """What a handler may read of Lambda's context object."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{name}"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008"))
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main() -> None:
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # the app's stdout (logs, metrics) goes to stderr
    sys.stdout = sys.stderr
    started = cpu_seconds()
    import app

    import_cpu = cpu_seconds() - started
    imported = peak_mb()
    handler = app.app if FUNCTION == "api_handler" else getattr(app, FUNCTION)
    first_cpu = None
    invocations = 0
    serving = 0.0
    for line in sys.stdin:
        request = json.loads(line)
        started = cpu_seconds()
        try:
            answer = {"result": handler(request["event"], Context(FUNCTION))}
        except Exception:  # the parent reports it; the container goes on, as Lambda's does
            answer = {"error": traceback.format_exc()}
        serving += cpu_seconds() - started
        if first_cpu is None:
            first_cpu = cpu_seconds() - started
        invocations += 1
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()
    figures = {"peak_mb": peak_mb(), "import_mb": imported, "import_cpu_s": import_cpu,
               "first_cpu_s": first_cpu or 0.0, "cpu_s": serving,
               "invocations": invocations}  # fmt: skip
    answers.write(json.dumps({"figures": figures}) + "\n")
    answers.flush()


if __name__ == "__main__":
    main()
