"""The metrics chalicelib writes, read from its source: what the dashboard and the alarms
may show (tests/infra/test_dashboard.py, test_package.py).

Every metric goes through `chalicelib.observability.emit(name, unit, value, **dimensions)`
with its name as a literal; emit adds the `service` dimension. A call inside one of
observability.py's own helpers (count_case_opened...) counts only when another module calls
that helper: a helper nobody calls writes nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.observability import NAMESPACE

ROOT = Path(__file__).resolve().parents[2]
CHALICELIB = ROOT / "chalicelib"
#: Powertools' and boto3's ways to write a metric; only `emit` may use them
RAW_WRITERS = {"single_metric", "add_metric", "put_metric_data"}

Metric = tuple[str, str, frozenset[str]]  # (namespace, name, dimension names)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _functions_with_calls(tree: ast.Module) -> list[tuple[str | None, ast.Call]]:
    """(the enclosing top-level function's name or None, call) for every call in tree."""
    found: list[tuple[str | None, ast.Call]] = []
    for node in tree.body:
        owner = node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None
        found.extend((owner, n) for n in ast.walk(node) if isinstance(n, ast.Call))
    return found


def written_metrics(package: Path = CHALICELIB) -> set[Metric]:
    """Every (namespace, metric, dimension names) some code path of `package` writes.

    Raises AssertionError for a metric written another way than through emit, or with a
    name or dimensions the source does not spell out, since this scan could not see it.
    """
    helpers: dict[str, list[ast.Call]] = {}  # observability's functions -> their emit calls
    direct: list[ast.Call] = []
    called_elsewhere: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_observability = path == package / "observability.py"
        for owner, call in _functions_with_calls(tree):
            name = _called_name(call)
            if name in RAW_WRITERS:
                assert in_observability and owner == "emit", (
                    f"{path.name}:{call.lineno}: {name}() writes a metric the "
                    "dashboard test cannot see; write it through observability.emit"
                )
            elif name == "emit":
                if in_observability:
                    helpers.setdefault(owner or "", []).append(call)
                else:
                    direct.append(call)
            elif name and not in_observability:
                called_elsewhere.add(name)
    calls = direct + [c for owner, cs in helpers.items() if owner in called_elsewhere for c in cs]
    written: set[Metric] = set()
    for call in calls:
        first = call.args[0] if call.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"line {call.lineno}: emit's metric name must be a literal"
        )
        assert all(k.arg for k in call.keywords), f"line {call.lineno}: emit(**...) hides names"
        dimensions = frozenset({"service", *(k.arg for k in call.keywords if k.arg)})
        written.add((NAMESPACE, first.value, dimensions))
    return written


def shown_metrics(body: dict) -> list[tuple[str, str, dict[str, str], dict]]:
    """(namespace, name, {dimension: value}, options) of every metric a dashboard body's
    graphs show, in CloudWatch's form [namespace, name, dim, value, ..., {options}]; the
    shorthand "." (same as the line above) is refused, so each line says all it shows."""
    found = []
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        for line in widget["properties"]["metrics"]:
            options = line[-1] if isinstance(line[-1], dict) else {}
            parts = line[:-1] if options else line
            assert "." not in parts, f"{widget['properties']['title']}: shorthand in {line}"
            namespace, name, *flat = parts
            assert len(flat) % 2 == 0, line
            found.append((namespace, name, dict(zip(flat[::2], flat[1::2], strict=True)), options))
    return found
