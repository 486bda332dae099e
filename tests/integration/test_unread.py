"""Unread marks through the API on DynamoDB (moto server): each list row says whether the case
changed since the caller last looked, in the list's one Query; opening clears it in one
UpdateItem; the mark follows the person, not the browser."""

from __future__ import annotations

from collections import Counter

from .conftest import all_items, open_case


def aws_calls(run) -> Counter[str]:
    """The DynamoDB calls the app makes while `run` runs (a botocore hook, as bench/ counts)."""
    from chalicelib.store.aws import client as aws_client

    calls: Counter[str] = Counter()
    hook = lambda model, **_: calls.update([model.name])  # noqa: E731
    events = aws_client("dynamodb").meta.events
    events.register("before-parameter-build", hook)
    try:
        run()
    finally:
        events.unregister("before-parameter-build", hook)
    return calls


def row(api, case_id: str, path: str = "/cases?view=mine&limit=100") -> dict:
    """The case's row in the list, on whichever page it is."""
    found = [r for r in all_items(api, path) if r["id"] == case_id]
    assert found, f"{case_id} is in no page of {path}"
    return found[0]


def test_a_customer_reply_marks_the_row_until_the_agent_opens_the_case(as_role, drain_routing):
    agent, ahmet = as_role("agent"), as_role("customer")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    pooled = row(agent, case["id"], "/cases?view=pool&group_id=urun&limit=100")
    assert pooled["unread"] is True and "seen" not in pooled  # routed since he opened it
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": pooled["version"]}).body
    assert row(agent, case["id"])["unread"] is False  # his own change
    ahmet.post(f"/cases/{case['id']}/replies", {"version": claimed["version"], "body": "Ek"})

    answer: dict = {}
    calls = aws_calls(lambda: answer.update(row(agent, case["id"])))
    # no read per row: the page's keys, then its cases in one BatchGetItem (keys-only index)
    assert calls == Counter({"Query": 1, "BatchGetItem": 1})
    assert answer["unread"] is True and answer["customer_unread"] is True
    assert answer["customer_activity_at"]

    current = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    seen: dict = {}
    calls = aws_calls(lambda: seen.update(
        agent.post(f"/cases/{case['id']}/seen", {"version": current}).body))  # fmt: skip
    assert calls == Counter({"UpdateItem": 1})
    assert seen == {"case_id": case["id"], "version": current}
    assert row(agent, case["id"])["unread"] is False
    after = agent.get(f"/cases/{case['id']}").body["case"]
    assert after["version"] == current  # looking is not a change: nobody's write conflicts
    selins = row(as_role("supervisor"), case["id"], "/cases?view=agent&agent=mehmet&limit=100")
    assert selins["unread"] is True  # each caller gets their own answer: selin has not looked


def test_marking_seen_refuses_what_cannot_be_and_changes_nothing(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    current = agent.get(f"/cases/{case['id']}").body["case"]
    future = agent.post(f"/cases/{case['id']}/seen", {"version": current["version"] + 1})
    assert future.status == 422 and future.body["error"]["code"] == "no_such_version"
    assert agent.post("/cases/c-nothing/seen", {"version": 1}).status == 404
    assert agent.post(f"/cases/{case['id']}/seen", {}).status == 422
    assert agent.post(f"/cases/{case['id']}/seen", {"version": 0}).status == 422
    assert row(agent, case["id"], "/cases?view=pool&group_id=urun&limit=100")["unread"] is True
    assert as_role("customer").post(f"/cases/{case['id']}/seen", {"version": 1}).status == 403


def test_a_case_written_before_cases_kept_seen_marks_are_marked_too(
    as_role, aws_env, drain_routing
):
    from .conftest import aws

    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    aws(aws_env, "dynamodb").update_item(
        TableName=aws_env["TABLE_NAME"], Key={"PK": {"S": f"CASE#{case['id']}"},
                                              "SK": {"S": "#CASE"}},
        UpdateExpression="REMOVE seen",
    )  # fmt: skip
    path = "/cases?view=pool&group_id=urun&limit=100"
    old = row(agent, case["id"], path)
    assert old["unread"] is True
    answer = agent.post(f"/cases/{case['id']}/seen", {"version": old["version"]})
    assert answer.status == 200, answer
    assert row(agent, case["id"], path)["unread"] is False
