"""The customer's side of a case: filing from the site, confirming or rejecting a resolution."""

from __future__ import annotations

import pytest

FILED = {
    "type": "complaint",
    "subject": "Kargom gelmedi",
    "description": "Siparişim 5 gündür yolda",
}


def resolved_case(as_role, drain_routing) -> dict:
    """Ahmet files from the site; the agent claims, answers and resolves it."""
    filed = as_role("customer").post("/my/cases", FILED)
    assert filed.status == 201, filed
    drain_routing()
    agent = as_role("supervisor")
    case = agent.get(f"/cases/{filed.body['id']}").body["case"]
    case = agent.post(f"/cases/{case['id']}/assign",
                      {"version": case["version"], "group_id": "urun",
                       "assignee": "mehmet"}).body  # fmt: skip
    mehmet = as_role("agent")
    case = mehmet.post(
        f"/cases/{case['id']}/replies",
        {"version": case["version"], "body": "Kargonuz yarın teslim edilecek."},
    ).body
    case = mehmet.post(f"/cases/{case['id']}/status",
                       {"version": case["version"], "status": "resolved"}).body  # fmt: skip
    assert case["status"] == "resolved", case
    return case


def test_a_customer_files_from_the_site_and_sees_it_as_theirs(as_role):
    ahmet = as_role("customer")
    filed = ahmet.post("/my/cases", FILED)
    assert filed.status == 201, filed
    case = filed.body
    assert case["channel"] == "web" and case["status"] == "new" and case["number"]
    assert "assignee" not in case and "customer_id" not in case
    mine = ahmet.get("/my/cases").body["items"]
    assert mine[0]["id"] == case["id"]
    assert as_role("other_customer").get(f"/cases/{case['id']}").status == 404


@pytest.mark.parametrize(
    "body",
    [
        {**FILED, "type": "praise"},
        {**FILED, "subject": ""},
        {**FILED, "channel": "phone"},
        {**FILED, "customer_id": "u-other"},
        {**FILED, "registration_id": "no such/thing"},
    ],
)
def test_bad_filings_are_refused(as_role, body, table_items):
    before = table_items()
    answer = as_role("customer").post("/my/cases", body)
    assert answer.status == 422, answer
    assert table_items() == before


def test_confirming_a_resolution_closes_the_case(as_role, drain_routing):
    case = resolved_case(as_role, drain_routing)
    ahmet = as_role("customer")
    seen = ahmet.get(f"/cases/{case['id']}").body
    assert any(e["kind"] == "reply" and "yarın" in e["body"] for e in seen["history"])
    done = ahmet.post(
        f"/cases/{case['id']}/resolution",
        {"version": seen["case"]["version"], "solved": True, "comment": "Teşekkürler"},
    )
    assert done.status == 200, done
    assert done.body["status"] == "closed"
    again = ahmet.post(f"/cases/{case['id']}/resolution",
                       {"version": done.body["version"], "solved": True})  # fmt: skip
    assert again.status == 409 and again.body["error"]["code"] == "not_resolved"


def test_not_solved_reopens_with_the_reason_as_a_reply(as_role, drain_routing):
    case = resolved_case(as_role, drain_routing)
    ahmet = as_role("customer")
    version = ahmet.get(f"/cases/{case['id']}").body["case"]["version"]
    assert ahmet.post(f"/cases/{case['id']}/resolution",
                      {"version": version, "solved": False}).status == 422  # fmt: skip
    assert (
        as_role("other_customer")
        .post(
            f"/cases/{case['id']}/resolution", {"version": version, "solved": False, "comment": "x"}
        )
        .status
        == 404
    )
    reopened = ahmet.post(
        f"/cases/{case['id']}/resolution",
        {"version": version, "solved": False, "comment": "Hâlâ gelmedi"},
    )
    assert reopened.status == 200, reopened
    assert reopened.body["status"] == "reopened"
    staff_view = as_role("agent").get(f"/cases/{case['id']}").body
    assert staff_view["case"]["assignee"] == "mehmet"  # back on the desk of who resolved it
    assert staff_view["history"][-1]["body"] == "Hâlâ gelmedi"


def test_a_case_about_a_registered_product_keeps_its_serial_and_warranty(as_role, drain_routing):
    ahmet = as_role("customer")
    phone = next(
        r for r in ahmet.get("/my/products").body["items"] if r["serial_number"] == "SN-DEMO-0001"
    )
    filed = ahmet.post("/my/cases", {**FILED, "registration_id": phone["id"]})
    assert filed.status == 201, filed
    product = filed.body["product"]
    assert product["serial_number"] == "SN-DEMO-0001"
    assert product["warranty_ends"] == phone["warranty_ends"]
    drain_routing()
    staff_view = as_role("agent").get(f"/cases/{filed.body['id']}").body["case"]
    assert staff_view["product"]["product_group"] == "elektronik"

    stolen = as_role("other_customer").post("/my/cases", {**FILED, "registration_id": phone["id"]})
    assert stolen.status == 422, stolen


def test_an_agent_files_for_a_caller_about_their_product(as_role):
    phone = next(
        r for r in as_role("customer").get("/my/products").body["items"]
        if r["serial_number"] == "SN-DEMO-0001"
    )  # fmt: skip
    body = {"customer": {"customer_number": "10000001"}, "type": "request",
            "subject": "Şarj aleti", "description": "Yedek şarj aleti istiyor",
            "registration_id": phone["id"]}  # fmt: skip
    opened = as_role("agent").post("/cases", body)
    assert opened.status == 201, opened
    assert opened.body["product"]["registration_id"] == phone["id"]
    other = as_role("agent").post("/cases", {**body, "customer": {"customer_number": "10000002"}})
    assert other.status == 422, other
