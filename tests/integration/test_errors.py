"""Bad input of every kind: a clear 4xx in one JSON shape, and nothing written."""

import json

import pytest

from .conftest import open_case

BIG = "x" * (70 * 1024)
GOOD = {
    "customer": {"customer_number": "10000001"},
    "type": "question",
    "subject": "Fatura",
    "description": "Faturam nerede?",
}


def with_(**changes):
    return json.dumps({**GOOD, **changes})


BAD_OPENINGS = [
    ("malformed json", b'{"customer": ', 400, "malformed_json"),
    ("not utf-8", b"\xff\xfe\x00", 400, "malformed_json"),
    ("array body", b"[1, 2]", 422, "invalid_input"),
    ("empty object", b"{}", 422, "invalid_input"),
    ("wrong type", with_(subject=123).encode(), 422, "invalid_input"),
    ("unknown type", with_(type="praise").encode(), 422, "invalid_input"),
    ("unknown priority", with_(priority="asap").encode(), 422, "invalid_input"),
    ("unknown channel", with_(channel="fax").encode(), 422, "invalid_input"),
    ("unknown field", with_(colour="red").encode(), 422, "invalid_input"),
    ("blank subject", with_(subject="   ").encode(), 422, "invalid_input"),
    ("no way to find caller", with_(customer={"name": "A"}).encode(), 422, "invalid_input"),
    ("impossible phone", with_(customer={"phone": "12"}).encode(), 422, "invalid_input"),
    (
        "unknown customer id",
        with_(customer={"customer_id": "u-none"}).encode(),
        422,
        "invalid_input",
    ),
    ("unknown new caller", with_(customer={"email": "x@y.com"}).encode(), 422, "invalid_input"),
    ("unknown category", with_(category_id="k-none").encode(), 422, "invalid_input"),
    ("unknown group", with_(group_id="g-none").encode(), 422, "invalid_input"),
    ("oversize", with_(description=BIG).encode(), 413, "payload_too_large"),
]


@pytest.mark.parametrize(
    ("label", "raw", "status", "code"), BAD_OPENINGS, ids=[b[0] for b in BAD_OPENINGS]
)
def test_bad_case_openings(as_role, table_items, label, raw, status, code):
    agent = as_role("agent")
    before = table_items()
    answer = agent.call("POST", "/cases", raw=raw)
    assert answer.status == status, answer
    assert answer.body["error"]["code"] == code
    assert answer.body["error"]["message"]
    assert "details" in answer.body["error"]
    assert table_items() == before


def test_a_refused_opening_gives_its_case_number_back(as_role):
    agent = as_role("agent")
    found = agent.call("GET", "/customers?customer_number=10000001").body
    body = {"customer": {"customer_id": found["id"]}, "type": "question",
            "subject": "Numara", "description": "Sıradaki numara"}  # fmt: skip
    first = agent.call("POST", "/cases", body)
    refused = agent.call("POST", "/cases", {**body, "customer": {"customer_id": "u-nobody"}})
    second = agent.call("POST", "/cases", body)
    assert (first.status, refused.status, second.status) == (201, 422, 201)
    year, number = first.body["number"].split("-")
    assert second.body["number"] == f"{year}-{int(number) + 1:06d}"  # no gap where it failed


BAD_READS = [
    ("/cases/c-does-not-exist", 404, "not_found"),
    ("/cases/2026-999999", 404, "not_found"),
    ("/cases/has.dots", 404, "not_found"),
    ("/customers/u-nobody", 404, "not_found"),
    ("/customers?phone=12", 422, "invalid_input"),
    ("/customers?phone=0532%20999%2099%2099", 404, "not_found"),
    ("/customers", 422, "invalid_input"),
    ("/groups/nothere", 404, "not_found"),
    ("/cases?view=everything", 422, "invalid_input"),
    ("/cases?view=group", 422, "invalid_input"),
    ("/cases?view=mine&limit=0", 422, "invalid_input"),
    ("/cases?view=mine&limit=1000", 422, "invalid_input"),
    ("/cases?view=mine&limit=abc", 422, "invalid_input"),
    ("/cases?view=mine&status=finished", 422, "invalid_input"),
    ("/cases?view=customer&customer_id=u1&order=priority", 422, "invalid_input"),
    ("/cases?view=pool&group_id=urun&cursor=garbage", 400, "invalid_cursor"),
    ("/cases?view=pool&group_id=urun&cursor=eyJQSyI6IngifQ", 400, "invalid_cursor"),
    ("/no-such-route", 404, "not_found"),  # chalice local matches {proxy+} one segment deep,
]


@pytest.mark.parametrize(("path", "status", "code"), BAD_READS)
def test_bad_reads(as_role, path, status, code):
    answer = as_role("supervisor").get(path)
    assert answer.status == status, answer
    assert answer.body["error"]["code"] == code


def test_cursor_from_another_list_is_refused(as_role, drain_routing):
    supervisor = as_role("supervisor")
    for _ in range(3):
        open_case(supervisor, group_id="teslimat")
    drain_routing()
    cursor = supervisor.get("/cases?view=pool&group_id=teslimat&limit=1").body["next_cursor"]
    assert cursor
    other = supervisor.get(f"/cases?view=pool&group_id=urun&cursor={cursor}")
    assert other.status == 400 and other.body["error"]["code"] == "invalid_cursor"


@pytest.fixture
def routed_case(as_role, drain_routing):
    case = open_case(as_role("agent"))
    drain_routing()
    return as_role("agent").get(f"/cases/{case['id']}").body["case"]


BAD_CHANGES = [
    ("PATCH", "", {"version": "x", "priority": "low"}, 422),
    ("PATCH", "", {"version": 0, "priority": "low"}, 422),
    ("PATCH", "", {"priority": "low"}, 422),
    ("PATCH", "", {"version": "{v}"}, 422),
    ("PATCH", "", {"version": "{v}", "priority": "asap"}, 422),
    ("PATCH", "", {"version": "{v}", "category_id": "k-none"}, 422),
    ("POST", "/status", {"version": "{v}", "status": "done"}, 422),
    ("POST", "/status", {"version": "{v}", "status": "closed"}, 409),
    ("POST", "/status", {"version": "{v}", "status": "in_progress"}, 409),
    ("POST", "/replies", {"version": "{v}", "body": ""}, 422),
    ("POST", "/notes", {"version": "{v}"}, 422),
    ("POST", "/claim", {"version": 99}, 409),
    ("POST", "/assign", {"version": "{v}"}, 422),
    ("POST", "/assign", {"version": "{v}", "assignee": "ghost"}, 422),
    ("POST", "/assign", {"version": "{v}", "group_id": "g-none"}, 422),
]


@pytest.mark.parametrize(("method", "suffix", "body", "status"), BAD_CHANGES)
def test_bad_changes_change_nothing(
    as_role, routed_case, table_items, method, suffix, body, status
):
    body = {k: (routed_case["version"] if v == "{v}" else v) for k, v in body.items()}
    before = table_items()
    answer = as_role("supervisor").call(method, f"/cases/{routed_case['id']}{suffix}", body)
    assert answer.status == status, answer
    assert set(answer.body["error"]) == {"code", "message", "details"}
    assert table_items() == before


def test_chalice_own_refusals_use_the_same_shape(as_role):
    agent = as_role("agent")
    plain = agent.call("POST", "/cases", raw=b"hi", headers={"content-type": "text/plain"})
    assert plain.status == 415 and plain.body["error"]["code"] == "unsupported_media_type"
    wrong_method = agent.call("DELETE", "/cases")
    assert wrong_method.status == 405 and wrong_method.body["error"]["code"] == "method_not_allowed"


def test_roles_refuse_unknown_and_lockout(as_role):
    admin = as_role("admin")
    assert admin.put("/roles/wizard", {"permissions": {}}).status == 404
    lockout = admin.put("/roles/admin", {"permissions": {"cases": ["read"]}})
    assert lockout.status == 422
    assert admin.put("/roles/agent", {"permissions": {"cases": ["fly"]}}).status == 422
    assert admin.put("/roles/agent", {"permissions": {"planets": ["read"]}}).status == 422


def test_an_unknown_path_is_a_json_404_by_every_method_and_changes_nothing(as_role, table_items):
    """API Gateway sends every method on a path no route takes to `/{proxy+}`, where the app
    has it: each is destek's 404 (a 403 from the gateway before), and nothing is written
    but the rate limit's count."""
    agent = as_role("agent")
    before = [i for i in table_items() if not i["PK"]["S"].startswith("RATE#")]
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        answer = agent.call(method, "/no-such-route", **({} if method == "GET" else {"body": {}}))
        assert answer.status == 404 and answer.body["error"]["code"] == "not_found", method
    after = [i for i in table_items() if not i["PK"]["S"].startswith("RATE#")]
    assert after == before
