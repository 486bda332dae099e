"""POST /sla/preview: the due times a sample case would get, from a saved policy, from the
policy a form holds, or from the one its priority chooses; refusals are clear 4xx and the
preview never writes."""

from __future__ import annotations

import uuid

import pytest

FRIDAY_EVENING = "2026-03-06T17:00:00"  # Istanbul wall clock, no offset


@pytest.fixture
def admin(as_role):
    return as_role("admin")


def test_a_saved_policy_gives_due_times_in_istanbul_and_writes_nothing(admin, table_items):
    policy = admin.post(
        "/sla-policies",
        {"name": f"Önizleme {uuid.uuid4().hex[:6]}", "first_response_minutes": 120,
         "resolution_minutes": 600},
    ).body  # fmt: skip
    before = table_items()
    answer = admin.post("/sla/preview", {"policy_id": policy["id"], "opened_at": FRIDAY_EVENING})
    assert answer.status == 200, answer
    assert answer.body["timezone"] == "Europe/Istanbul"
    assert answer.body["opened_at"] == "2026-03-06T17:00:00+03:00"
    assert [(t["kind"], t["due_at"]) for t in answer.body["targets"]] == [
        ("first_response", "2026-03-09T10:00:00+03:00"),
        ("resolution", "2026-03-09T18:00:00+03:00"),
    ]
    assert table_items() == before


def test_the_form_policy_is_previewed_unsaved(admin, table_items):
    before = table_items()
    answer = admin.post(
        "/sla/preview",
        {"policy": {"name": "Taslak", "resolution_minutes": 30, "hours": "calendar"},
         "opened_at": "2026-03-07T23:45:00+03:00"},
    )  # fmt: skip
    assert answer.status == 200, answer
    assert answer.body["policy_id"] == "preview"
    assert answer.body["targets"][0]["due_at"] == "2026-03-08T00:15:00+03:00"
    assert table_items() == before


def test_without_a_policy_the_samples_priority_chooses_one(admin):
    answer = admin.post("/sla/preview", {"priority": "urgent", "opened_at": FRIDAY_EVENING})
    assert answer.status == 200, answer
    chosen = answer.body["policy_id"]
    policies = admin.get("/sla-policies").body
    # whatever the seeded policies are, the preview names one of them (or none applies)
    assert chosen is None or chosen in {p["id"] for p in policies}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"opened_at": FRIDAY_EVENING, "calendar_id": "yok-boyle"}, 422, "unknown_calendar"),
        ({"opened_at": FRIDAY_EVENING, "policy_id": "yok"}, 404, None),
        ({"opened_at": "dün"}, 422, None),
        ({"opened_at": "9999-12-31T23:59:59"}, 422, None),
        ({"opened_at": "0001-01-01T00:00:00+14:00"}, 422, None),
        ({"opened_at": FRIDAY_EVENING, "priority": "çok"}, 422, None),
        ({"opened_at": FRIDAY_EVENING, "policy_id": "x", "policy": {"name": "a"}}, 422, None),
        ({"opened_at": FRIDAY_EVENING, "policy": {"name": "boş"}}, 422, None),
        ({}, 422, None),
    ],
)
def test_bad_samples_are_refused_and_write_nothing(admin, table_items, body, status, code):
    before = table_items()
    answer = admin.post("/sla/preview", body)
    assert answer.status == status, answer
    if code:
        assert answer.body["error"]["code"] == code
    assert table_items() == before


def test_agents_may_not_preview(as_role):
    assert as_role("agent").post("/sla/preview", {"opened_at": FRIDAY_EVENING}).status == 403


def test_a_calendars_own_saturday_hours_move_the_due_time(admin, table_items):
    calendar_id = f"cumartesi-{uuid.uuid4().hex[:6]}"
    saturday = {"5": {"opens": "10:00:00", "closes": "14:00:00"}}
    six_days = [0, 1, 2, 3, 4, 5]
    answer = admin.put(f"/calendars/{calendar_id}", {
        "name": "Cumartesi yarım gün", "weekdays": six_days, "day_hours": saturday})  # fmt: skip
    assert answer.status == 200, answer
    assert answer.body["day_hours"] == saturday
    listed = [c for c in admin.get("/calendars").body if c["id"] == calendar_id]
    assert listed[0]["day_hours"] == saturday
    preview = admin.post("/sla/preview", {
        "calendar_id": calendar_id, "opened_at": FRIDAY_EVENING,
        "policy": {"name": "Taslak", "first_response_minutes": 120}}).body  # fmt: skip
    assert preview["targets"][0]["due_at"] == "2026-03-07T11:00:00+03:00"
    before = table_items()
    for bad in (
        {"6": {"opens": "10:00", "closes": "14:00"}},  # Sunday is a day off here
        {"5": {"opens": "14:00", "closes": "10:00"}},
        {"5": {"opens": "10:00"}},
        {"x": {"opens": "10:00", "closes": "14:00"}},
    ):
        refused = admin.put(f"/calendars/{calendar_id}", {
            "name": "Bozuk", "weekdays": [0, 1, 2, 3, 4, 5], "day_hours": bad})  # fmt: skip
        assert refused.status == 422, (bad, refused)
    assert table_items() == before
