"""Admin settings survive the console's round trip: an object as GET returns it, less the few
fields the API owns, is a valid PUT body that changes nothing; a field the API does not know
is refused (422, naming it) rather than dropped; the vocabulary lists the domain's codes."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.domain.business_hours import BusinessCalendar
from chalicelib.domain.categories import CategoryNode
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.legacy_conditions import LADDER, POLICY, RULE
from chalicelib.domain.permissions import Role
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.sla import EscalationLadder, EscalationLevel, SlaPolicy
from chalicelib.services.directory import (
    CategoryDetails,
    GroupDetails,
    RolePermissions,
    StaffDetails,
)
from chalicelib.services.routing_rules import RuleDetails
from chalicelib.services.sla_config import (
    CalendarDetails,
    LadderDetails,
    LevelDetails,
    PolicyDetails,
)

#: what each admin object carries that its PUT body does not: the path's key and the server's
#: own bookkeeping. templates/console/static/console.js (SERVER_OWNED) leaves out the same.
OWNED = {
    "rule": (RoutingRule, RuleDetails, {"id"}),
    "policy": (SlaPolicy, PolicyDetails, {"id"}),
    "ladder": (EscalationLadder, LadderDetails, {"id"}),
    "level": (EscalationLevel, LevelDetails, set()),
    "calendar": (BusinessCalendar, CalendarDetails, {"id"}),
    "group": (Group, GroupDetails, {"id", "last_assigned"}),
    # email_notices: the member's own choice (PUT /me/notices), kept by an admin's edit
    "staff": (StaffMember, StaffDetails, {"username", "email_notices"}),
    "role": (Role, RolePermissions, {"name"}),
    "category": (CategoryNode, CategoryDetails, {"id", "path", "children"}),
}


#: the flat condition fields of before, still taken by the PUT bodies (as conditions)
OLD_FIELDS = {"rule": set(RULE.fields), "policy": set(POLICY.fields), "ladder": set(LADDER.fields)}


@pytest.mark.parametrize("kind", sorted(OWNED))
def test_every_field_an_admin_object_has_is_one_its_put_takes(kind):
    """A field added to an object but not to its PUT body would be lost by every edit."""
    shown, body, owned = OWNED[kind]
    old = OLD_FIELDS.get(kind, set())
    assert set(shown.model_fields) - owned == set(body.model_fields) - old


def tag() -> str:
    return uuid.uuid4().hex[:6]


def full_objects(admin) -> dict[str, tuple[str, dict]]:
    """One of each admin object with every optional field set away from its default, made
    through the API: (the path to PUT it, the object as GET returns it)."""
    t = tag()
    made = {}
    calendar = admin.call("PUT", f"/calendars/cal-{t}", {
        "name": f"Cumartesi {t}", "timezone": "Europe/London", "weekdays": [0, 2, 5],
        "opens": "08:30:00", "closes": "17:15:00", "observe_holidays": False}).body  # fmt: skip
    made["calendar"] = (f"/calendars/{calendar['id']}", calendar)
    parent = admin.post("/categories", {"name": f"Üst {t}"}).body
    category = admin.post("/categories", {"name": f"Alt {t}", "parent_id": parent["id"]}).body
    node = next(n for n in admin.get("/categories").body if n["id"] == parent["id"])["children"][0]
    made["category"] = (f"/categories/{category['id']}", node)
    rule = admin.post("/routing-rules", {
        "name": f"Kural {t}", "order": 7, "enabled": False, "phrases": ["kupon", "indirim kodu"],
        "match_modes": {"kupon": "inflected", "indirim kodu": "exact"},
        "not_words": {"kupon": ["kuponsuz"]},
        "case_types": ["complaint", "question"], "category_id": parent["id"],
        "product_group": "elektronik", "customer_category": "vip", "group_id": "finans",
        "set_category_id": category["id"], "priority_bump": 2}).body  # fmt: skip
    made["rule"] = (f"/routing-rules/{rule['id']}", rule)
    policy = admin.post("/sla-policies", {
        "name": f"Politika {t}", "order": 3, "enabled": False, "case_type": "complaint",
        "category_id": parent["id"], "priority": "high", "customer_category": "risky",
        "first_response_minutes": 45, "resolution_minutes": 900, "hours": "calendar",
        "remind_at": 0.5}).body  # fmt: skip
    made["policy"] = (f"/sla-policies/{policy['id']}", policy)
    ladder = admin.post("/escalation-ladders", {
        "name": f"Merdiven {t}", "group_id": "finans", "category_id": parent["id"],
        "levels": [{"after_minutes": 0, "notify": "assignee_and_group", "raise_priority": True},
                   {"after_minutes": 30, "notify": "managers", "emails": ["mudur@example.com"],
                    "raise_priority": False}]}).body  # fmt: skip
    made["ladder"] = (f"/escalation-ladders/{ladder['id']}", ladder)
    staff = admin.call("PUT", f"/staff/u{t}", {
        "name": f"Kullanıcı {t}", "email": f"u{t}@destek.example", "roles": ["agent", "supervisor"],
        "on_shift": False}).body  # fmt: skip
    made["staff"] = (f"/staff/{staff['username']}", staff)
    group = admin.call("PUT", f"/groups/g{t}", {
        "name": f"Grup {t}", "members": [staff["username"], "burak"], "supervisors": ["selin"],
        "calendar_id": calendar["id"], "auto_assign": "fewest_open"}).body  # fmt: skip
    made["group"] = (f"/groups/{group['id']}", group)
    role = next(r for r in admin.get("/roles").body if r["name"] == "supervisor")
    made["role"] = ("/roles/supervisor", role)
    return made


def read_back(admin, kind: str, path: str) -> dict:
    if kind == "category":
        key = path.rsplit("/", 1)[1]
        nodes, found = admin.get("/categories").body, None
        while nodes and found is None:
            found = next((n for n in nodes if n["id"] == key), None)
            nodes = [c for n in nodes for c in n["children"]]
        return found
    listing = {"calendar": "/calendars", "rule": "/routing-rules", "policy": "/sla-policies",
               "ladder": "/escalation-ladders", "staff": "/staff", "group": "/groups",
               "role": "/roles"}[kind]  # fmt: skip
    key = path.rsplit("/", 1)[1]
    return next(o for o in admin.get(listing).body
                if o.get("id", o.get("username", o.get("name"))) == key)  # fmt: skip


def test_an_object_sent_back_as_read_is_unchanged(as_role):
    admin = as_role("admin")
    for kind, (path, before) in full_objects(admin).items():
        body = {k: v for k, v in before.items() if k not in OWNED[kind][2]}
        answer = admin.call("PUT", path, body)
        assert answer.status == 200, (kind, answer)
        after = read_back(admin, kind, path)
        if kind == "group":
            assert after.pop("version") == before.pop("version") + 1
        assert after == before, kind


#: a plausible mistake per object: a field name the API does not have
MISTAKES = {
    "rule": ("case_type", ["complaint"]),
    "policy": ("customer_categories", ["vip"]),
    "ladder": ("levels", [{"after_minutes": 0, "notify": "supervisors", "email": ["a@b.co"]}]),
    "calendar": ("weekday", [5]),
    "group": ("member", ["burak"]),
    "staff": ("role", "admin"),
    "role": ("permission", {"cases": ["read"]}),
    "category": ("parent", None),
}


@pytest.mark.parametrize("kind", sorted(MISTAKES))
def test_an_unknown_field_is_refused_by_name_and_changes_nothing(as_role, kind):
    admin = as_role("admin")
    path, before = full_objects(admin)[kind]
    body = {k: v for k, v in before.items() if k not in OWNED[kind][2]}
    name, value = MISTAKES[kind]
    answer = admin.call("PUT", path, {**body, name: value})
    assert answer.status == 422, answer
    fields = [d["field"] for d in answer.body["error"]["details"]]
    assert fields == (["levels.0.email"] if kind == "ladder" else [name])
    assert read_back(admin, kind, path) == before


def test_a_category_moves_with_its_subcategories(as_role):
    admin = as_role("admin")
    t = tag()
    top = admin.post("/categories", {"name": f"A {t}"}).body
    middle = admin.post("/categories", {"name": f"B {t}", "parent_id": top["id"]}).body
    leaf = admin.post("/categories", {"name": f"C {t}", "parent_id": middle["id"]}).body
    moved = admin.call("PUT", f"/categories/{middle['id']}", {"name": f"B2 {t}"})
    assert moved.status == 200 and moved.body["path"] == [middle["id"]]
    assert read_back(admin, "category", f"/x/{leaf['id']}")["path"] == [middle["id"], leaf["id"]]
    back = admin.call("PUT", f"/categories/{middle['id']}",
                      {"name": f"B2 {t}", "parent_id": leaf["id"]})  # fmt: skip
    assert back.status == 422 and back.body["error"]["code"] == "category_cycle"
    assert admin.call("PUT", "/categories/yok", {"name": "x"}).status == 404


def test_a_stale_group_edit_is_a_conflict(as_role):
    admin = as_role("admin")
    group = admin.call("PUT", f"/groups/g{tag()}", {"name": "Eski"}).body
    body = {"name": "Yeni", "version": group["version"]}
    assert admin.call("PUT", f"/groups/{group['id']}", body).status == 200
    stale = admin.call("PUT", f"/groups/{group['id']}", {**body, "name": "Daha yeni"})
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
    assert admin.get(f"/groups/{group['id']}").body["name"] == "Yeni"


def test_the_vocabulary_is_served_to_staff(as_role):
    from chalicelib.domain.vocabulary import vocabulary

    answer = as_role("agent").get("/vocabulary")
    assert answer.status == 200
    assert answer.body == vocabulary().model_dump(mode="json")
    assert as_role("customer").get("/vocabulary").status == 403


def test_the_store_refuses_a_move_from_a_stale_path(as_role):
    from chalicelib import wiring
    from chalicelib.domain.categories import Category
    from chalicelib.domain.errors import Conflict

    made = as_role("admin").post("/categories", {"name": f"Taşınan {tag()}"}).body
    store = wiring.directory_store()
    moved = Category(id=made["id"], name="Taşındı", path=["k-hesap", made["id"]],
                     parent_id="k-hesap")  # fmt: skip
    with pytest.raises(Conflict):
        store.replace_categories([(moved, ["k-baska", made["id"]])])
    assert store.get_category(made["id"]).path == [made["id"]]
    store.replace_categories([(moved, [made["id"]])])
    assert store.get_category(made["id"]).path == ["k-hesap", made["id"]]


def test_a_rules_match_modes_name_its_own_phrases(as_role):
    """Issue 20: a mode or never-trigger words for a phrase the rule lacks, an unknown mode or
    a phrase of several words among the words that never trigger a keyword is a 422 naming
    the field and the problem, and saves nothing."""
    admin = as_role("admin")
    name = f"Kargo {tag()}"
    base = {"name": name, "phrases": ["kargo"], "group_id": "teslimat"}
    for bad, problem in [
        ({"match_modes": {"fatura": "exact"}}, "unknown_phrase"),
        ({"match_modes": {"kargo": "loose"}}, "enum"),
        ({"not_words": {"fatura": ["faturasız"]}}, "unknown_phrase"),
        ({"not_words": {"kargo": ["iki kelime"]}}, "not_one_word"),
        ({"not_words": ["iki kelime"]}, "not_one_word"),  # the list of before, checked alike
    ]:
        answer = admin.call("POST", "/routing-rules", {**base, **bad})
        assert answer.status == 422, (bad, answer)
        field = next(iter(bad))
        assert [(d["field"].split(".")[0], d["type"]) for d in answer.body["error"]["details"]] == [
            (field, problem)
        ], answer.body
    assert not [r for r in admin.get("/routing-rules").body if r["name"] == name]


def test_never_trigger_words_are_per_keyword(as_role):
    """Issue 20: "gönderin" never counts as the keyword `gönderi`, yet `kargo` in the same
    rule still matches; what is saved is listed per keyword."""
    admin = as_role("admin")
    word = "zq" + tag().translate(str.maketrans("0123456789", "ghijklmnop"))
    rule = admin.post("/routing-rules", {
        "name": f"Gönderi {word}", "order": 0, "phrases": [f"{word}gönderi", f"{word}kargo"],
        "not_words": {f"{word}gönderi": [f"{word}gönderin"]}, "group_id": "finans",
    }).body  # fmt: skip
    try:
        assert rule["not_words"] == {f"{word}gönderi": [f"{word}gönderin"]}
        sample = lambda text: admin.post("/routing-rules/test", {"text": text}).body  # noqa: E731
        assert sample(f"{word}gönderin lütfen")["rule_id"] is None
        assert sample(f"{word}gönderim nerede")["rule_id"] == rule["id"]
        assert sample(f"{word}gönderin {word}kargo ile")["matched"] == [f"{word}kargo"]
    finally:
        admin.call("DELETE", f"/routing-rules/{rule['id']}")
