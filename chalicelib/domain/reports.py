"""Error reports of a size that can be answered and kept.

A request inside the body limit can still name thousands of problems (every unknown
field of every item is one), and a report kept with the answer to a signed call must
fit one DynamoDB item (400 KB). Problem lists are capped where they are made, with the
number left out said at the end; an answer that is still too large is summarised (the
whole is kept elsewhere, see store/idempotency.py). Sizes are UTF-8 bytes, as DynamoDB
counts them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

#: problems shown per refusal; the rest are counted
MAX_PROBLEMS = 20
#: bytes of a field path and of a problem's text
MAX_FIELD_BYTES = 200
MAX_PROBLEM_BYTES = 300


def cut_utf8(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes of `text`, cut on a character boundary, '…' if cut."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: max(limit - 3, 0)].decode("utf-8", errors="ignore") + "…"


def problems_of(errors: Iterable[Mapping[str, Any]], limit: int = MAX_PROBLEMS) -> list[dict]:
    """pydantic's errors as `[{"field", "problem", "type"}]`, at most `limit` of them; when some are
    left out, a last entry `{"field": "", "problem": "...", "omitted": n}` counts them."""
    shown: list[dict] = []
    omitted = 0
    for error in errors:
        if len(shown) >= limit:
            omitted += 1
            continue
        field = ".".join(str(part) for part in error.get("loc", ())) or "body"
        shown.append(
            {
                "field": cut_utf8(field, MAX_FIELD_BYTES),
                "problem": cut_utf8(str(error.get("msg", "")), MAX_PROBLEM_BYTES),
                # pydantic's stable error type (missing, string_too_long...): clients say it
                # in their reader's words; `problem` is the English explanation for developers
                "type": str(error.get("type", "")),
            }
        )
    if omitted:
        shown.append({"field": "", "problem": "more problems not shown", "omitted": omitted})
    return shown


def size_of(answer: Any) -> int:
    """The answer's size as JSON, in UTF-8 bytes."""
    return len(json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def summarised(answer: Any, limit: int, archived: str | None) -> Any:
    """`answer` if it fits in `limit` bytes; else a smaller answer of the same shape, in
    steps that keep as much as they can: item errors without details, then without
    items (their counts stay). It says that it is not complete, and where the whole
    answer is kept (`archived`), when it is."""
    if size_of(answer) <= limit:
        return answer
    note = {"complete": False, "archived": archived}
    if not isinstance(answer, dict):
        return {"report": note}
    steps = (_without_item_details, _without_items)
    current = dict(answer)
    for step in steps:
        current = step(current)
        current["report"] = note
        if size_of(current) <= limit:
            return current
    return {k: v for k, v in current.items() if not isinstance(v, dict | list)} | {"report": note}


def _without_item_details(answer: dict) -> dict:
    items = answer.get("items")
    if not isinstance(items, list):
        return answer
    slim = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            error = item["error"]
            details = error.get("details")
            count = (
                sum(d.get("omitted", 1) if isinstance(d, dict) else 1 for d in details)
                if isinstance(details, list)
                else 0
            )
            error = {
                "code": error.get("code"),
                "message": cut_utf8(str(error.get("message", "")), MAX_PROBLEM_BYTES),
                "details": [{"field": "", "problem": "not shown", "omitted": count}]
                if count
                else None,
            }
            item = {**item, "error": error}
        slim.append(item)
    return {**answer, "items": slim}


def _without_items(answer: dict) -> dict:
    items = answer.get("items")
    if not isinstance(items, list):
        return answer
    return {**{k: v for k, v in answer.items() if k != "items"}, "items": [],
            "items_omitted": len(items)}  # fmt: skip
