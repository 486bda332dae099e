"""Hostile input that once reached a 500, overdue listing on the real index, metrics and
correlation ids, and two agents claiming at once."""

import base64
import json
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import utcnow
from chalicelib.domain.errors import Conflict
from chalicelib.services import case_commands as cmd

from .conftest import all_items, open_case


def unsigned(claims: dict) -> str:
    """A JWT nobody signed (PyJWT itself refuses to encode odd claim types)."""
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")  # noqa: E731
    return f"{part({'alg': 'RS256', 'kid': 'dummy'})}.{part(claims)}.c2ln"


@pytest.mark.parametrize(
    "claims",
    [
        {"token_use": "id", "iss": ["a"]},
        {"token_use": "id", "iss": {"a": 1}},
        {"token_use": ["id"], "iss": "x"},
        {"token_use": "id", "iss": 5},
    ],
)
def test_odd_claim_types_are_401_not_500(api, claims):
    answer = api.as_(unsigned(claims)).get("/me")
    assert answer.status == 401, answer


def test_deep_nesting_is_a_bad_request(as_role, table_items):
    before = table_items()
    for raw in (b"[" * 30000 + b"]" * 30000, b'{"customer": ' + b"[" * 30000 + b"]" * 30000 + b"}"):
        answer = as_role("agent").call("POST", "/cases", raw=raw)
        assert answer.status == 400 and answer.body["error"]["code"] == "malformed_json"
    assert table_items() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/customers", {"name": "X", "customer_number": "a" * 3000}),
        ("POST", "/customers", {"name": "X", "customer_number": "ABC 123"}),
        ("POST", "/customers", {"name": "X", "emial": "typo@example.com"}),
        ("POST", "/customers", {"name": "X", "phone": "0" * 100}),
        ("GET", "/customers?customer_number=" + "a" * 3000, None),
    ],
)
def test_oversize_or_odd_customer_fields_are_422(as_role, table_items, method, path, body):
    before = table_items()
    assert as_role("agent").call(method, path, body).status == 422
    assert table_items() == before


def cursor_of(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "key",
    [
        {"PK": "", "SK": "", "queue_pk": "Q#urun#open", "priority_sk": ""},
        {"PK": "CASE#x", "SK": "#CASE", "queue_pk": "Q#urun#open", "priority_sk": "9" * 1100},
    ],
)
def test_well_shaped_forged_cursors_are_400(as_role, key):
    answer = as_role("supervisor").get(f"/cases?view=pool&group_id=urun&cursor={cursor_of(key)}")
    assert answer.status == 400 and answer.body["error"]["code"] == "invalid_cursor"


def test_overdue_view_lists_a_late_case(as_role, drain_routing, monkeypatch):
    agent = as_role("agent")
    case = open_case(agent, priority="urgent")
    drain_routing()
    assert case["id"] not in [c["id"] for c in all_items(agent, "/cases?view=overdue&limit=100")]
    later = utcnow() + timedelta(hours=5)  # the urgent policy resolves within 4 hours
    monkeypatch.setattr(wiring.case_service(), "clock", lambda: later)
    overdue = all_items(agent, "/cases?view=overdue&limit=100")
    assert case["id"] in [c["id"] for c in overdue]
    due = [c["due_at"] for c in overdue]
    assert due == sorted(due)
    in_other_group = all_items(agent, "/cases?view=overdue&group_id=teslimat&limit=100")
    assert case["id"] not in [c["id"] for c in in_other_group]


def test_agent_view_and_status_filter(as_role, drain_routing):
    agent, supervisor = as_role("agent"), as_role("supervisor")
    case = open_case(agent)
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
    theirs = all_items(supervisor, "/cases?view=agent&agent=mehmet&limit=100")
    assert case["id"] in [c["id"] for c in theirs]
    path = "/cases?view=agent&agent=mehmet&status=waiting_customer&limit=100"
    assert case["id"] not in [c["id"] for c in all_items(supervisor, path)]
    agent.post(
        f"/cases/{case['id']}/status", {"version": claimed["version"], "status": "waiting_customer"}
    )
    assert case["id"] in [c["id"] for c in all_items(supervisor, path)]


def test_correlation_id_and_cases_opened_metric(as_role, capfd):
    from chalicelib.observability import logger

    answer = as_role("agent").call(
        "POST",
        "/cases",
        {"customer": {"customer_number": "10000001"}, "type": "suggestion", "channel": "web",
         "subject": "Öneri", "description": "Gece teslimat olsun"},
        headers={"x-correlation-id": "trace-me-123"},
    )  # fmt: skip
    assert answer.status == 201
    assert logger.get_correlation_id() == "trace-me-123"  # on every log line of the request
    lines = capfd.readouterr().out.splitlines()
    printed = [json.loads(line) for line in lines if line.startswith("{")]
    emf = [p for p in printed if "_aws" in p and "CasesOpened" in p]
    dimensions = [
        tuple(sorted(d for d in p["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0])) for p in emf
    ]
    assert ("channel", "service") in dimensions and ("service", "type") in dimensions
    assert any(p.get("channel") == "web" for p in emf)
    assert any(p.get("type") == "suggestion" for p in emf)


def test_correlation_id_is_echoed(client, tokens):
    response = client.http.get(
        "/me", headers={"authorization": f"Bearer {tokens['agent']}", "x-correlation-id": "abc"}
    )
    assert response.headers["x-correlation-id"] == "abc"


def test_second_claim_from_a_stale_read_is_refused_by_the_table(
    as_role, drain_routing, monkeypatch
):
    """Two agents read the case, both claim. The second's read is stale by the time it
    writes, so only the table's condition (version) can stop it: it must, and say so.

    Threads are not used: moto's transactions are not thread-safe (a failed one can roll
    back a concurrent success), so the interleaving is made deterministic instead.
    """
    from chalicelib.domain.caller import Caller
    from chalicelib.domain.permissions import Principal, default_role

    def agent(username: str) -> Caller:
        principal = Principal(kind="staff", subject=username, username=username, roles=["agent"])
        return Caller(principal, (default_role("agent"),), frozenset({"urun"}))

    case = open_case(as_role("agent"))
    drain_routing()
    service = wiring.case_service()
    stale = service.cases.get(case["id"])  # elif reads
    service.claim(agent("mehmet"), case["id"], cmd.Claim(version=stale.case.version))
    monkeypatch.setattr(service.cases, "get", lambda case_id: stale)  # elif's read is old
    with pytest.raises(Conflict) as refused:
        service.claim(agent("elif"), case["id"], cmd.Claim(version=stale.case.version))
    assert refused.value.details["case"]["assignee"] == "mehmet"
    monkeypatch.undo()
    history = as_role("agent").get(f"/cases/{case['id']}").body["history"]
    assert [e["kind"] for e in history].count("assigned") == 1
