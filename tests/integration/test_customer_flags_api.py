"""Staff flags and notes on customers: set and read by roles with `customer_flags`, from the
list admins define; refusals (stale version, unknown flag, a note too long, no permission)
write nothing; the customer's own answers never carry them."""

from __future__ import annotations

import pytest

from tests.support import unique_phone

NOTE = "Basına konuştu; yanıtları müdür onaylasın."


@pytest.fixture
def customer(as_role) -> dict:
    answer = as_role("agent").post(
        "/customers", {"name": "İşaretli Müşteri", "phone": unique_phone()}
    )
    assert answer.status == 201, answer
    return answer.body


def test_a_supervisor_flags_a_customer_and_notes_why(as_role, customer):
    supervisor = as_role("supervisor")
    path = f"/customers/{customer['id']}/flags"
    assert supervisor.get(path).body["version"] == 0  # never set
    answer = supervisor.put(path, {"flags": ["press", "vip", "press"], "staff_notes": NOTE,
                                   "version": 0})  # fmt: skip
    assert answer.status == 200, answer
    # repeats dropped, in the list's order
    assert answer.body["flags"] == ["vip", "press"]
    read = supervisor.get(path).body
    assert (read["flags"], read["staff_notes"], read["version"]) == (["vip", "press"], NOTE, 1)
    assert read["updated_by"]
    # never in what carries the customer's profile
    for route in (f"/customers/{customer['id']}", f"/customers/{customer['id']}/overview"):
        shown = as_role("agent").get(route)
        assert shown.status == 200 and NOTE not in str(shown.body)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"flags": ["vip"], "version": 5}, 409, "version_conflict"),
        ({"flags": ["unheard-of"], "version": 1}, 422, "unknown_flag"),
        ({"flags": ["VIP!"], "version": 1}, 422, None),
        ({"flags": [], "staff_notes": "ş" * 2001, "version": 1}, 422, None),  # 4,002 bytes
        ({"flags": [], "version": 1, "extra": 1}, 422, None),
        ({"flags": []}, 422, None),
    ],
)
def test_refused_marks_write_nothing(as_role, customer, table_items, body, status, code):
    supervisor = as_role("supervisor")
    path = f"/customers/{customer['id']}/flags"
    assert supervisor.put(path, {"flags": ["risky"], "version": 0}).status == 200
    before = table_items()
    answer = supervisor.put(path, body)
    assert answer.status == status, answer
    if code:
        assert answer.body["error"]["code"] == code
    assert table_items() == before
    assert supervisor.get(path).body["flags"] == ["risky"]


def test_agents_without_the_permission_neither_see_nor_set(as_role, customer, table_items):
    agent = as_role("agent")
    path = f"/customers/{customer['id']}/flags"
    before = table_items()
    assert agent.get(path).status == 403
    assert agent.put(path, {"flags": ["vip"], "version": 0}).status == 403
    assert agent.get("/customer-flags").status == 403
    assert table_items() == before


def test_an_unknown_customer_is_404(as_role):
    assert as_role("supervisor").get("/customers/nobody-here/flags").status == 404


def test_the_flag_list_is_the_admins(as_role, table_items):
    admin = as_role("admin")
    current = admin.get("/customer-flags").body
    assert {"vip", "risky", "press"} <= {f["code"] for f in current["flags"]} or current["version"]
    before = table_items()
    for body, status in [
        ({"flags": current["flags"], "version": current["version"] + 7}, 409),
        (
            {
                "flags": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}],
                "version": current["version"],
            },
            422,
        ),  # fmt: skip
        ({"flags": [{"code": "Büyük", "name": "B"}], "version": current["version"]}, 422),
        (
            {
                "flags": [{"code": f"f{i}", "name": "x"} for i in range(21)],
                "version": current["version"],
            },
            422,
        ),  # fmt: skip
    ]:
        answer = admin.put("/customer-flags", body)
        assert answer.status == status, (body, answer)
    assert as_role("supervisor").put("/customer-flags", current).status == 403
    assert table_items() == before


def test_deleting_the_customer_deletes_staffs_marks(as_role, customer, table_items):
    path = f"/customers/{customer['id']}/flags"
    assert as_role("supervisor").put(path, {"flags": ["vip"], "staff_notes": NOTE,
                                            "version": 0}).status == 200  # fmt: skip
    key = {"PK": {"S": f"CUSTOMER#{customer['id']}"}, "SK": {"S": "STAFF_MARKS"}}
    marked = [i for i in table_items() if {k: i[k] for k in ("PK", "SK")} == key]
    assert len(marked) == 1
    assert as_role("admin").call("DELETE", f"/customers/{customer['id']}").status == 204
    assert [i for i in table_items() if {k: i[k] for k in ("PK", "SK")} == key] == []
    assert as_role("supervisor").get(path).status == 404
