"""Pre-case events: which move emits which event, its envelope, ids and data (pure, no AWS).

The written items (same transaction, refused moves write none) are pinned by
tests/integration/test_precase_events.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter

from chalicelib.domain import case_events as ev
from chalicelib.domain.case_change import OpenCase, change_case, numbered
from chalicelib.domain.case_kinds import CaseType, Channel
from chalicelib.domain.cases import Actor
from chalicelib.domain.errors import Conflict
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.precases import (
    Mood,
    PreCase,
    PreCaseFile,
    PreCaseMessage,
    PreCaseStatus,
    PreCaseWarning,
    Sender,
    SocialPost,
    WarningCode,
    assigned,
    finished,
    joined,
    received,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
SELIN = Actor(kind="staff", id="selin", name="Selin")
MEHMET = Actor(kind="staff", id="mehmet", name="Mehmet")


def pre(**fields) -> PreCase:
    base = {
        "id": "p1",
        "channel": Channel.EMAIL,
        "received_at": NOW,
        "subject": "Kırık",
        "text": "Ürün kırık geldi",
        "sender": Sender(name="Ayşe", email="ayse@example.com"),
    }
    return PreCase(**{**base, **fields})  # fmt: skip


def test_a_matched_verified_mail_is_received_by_its_customer_with_ids_and_codes_only():
    arrived = pre(customer_id="cu1", case_type=CaseType.COMPLAINT, topic="r-kargo",
                  mood=Mood(label="negative", score=-0.7),
                  files=[PreCaseFile(id="f1", filename="foto.jpg", content_type="image/jpeg",
                                     size=10)],
                  warnings=[PreCaseWarning(code=WarningCode.TEXT_CUT, detail="65000")])  # fmt: skip
    change = received(arrived)
    assert change.expected_version == 0 and change.precase is arrived
    (event,) = change.events
    assert isinstance(event, ev.PreCaseReceived) and event.type == "destek.precase.received"
    assert (event.id, event.sequence, event.index) == ("p1.1.0", 1, 0)
    assert (event.precase_id, event.case_id, event.case_number) == ("p1", None, None)
    assert event.subject_id == "p1" and event.occurred_at == "2026-11-23T09:00:00.000000Z"
    assert event.actor == ev.EventActor(kind="customer", id="cu1")
    assert event.data.model_dump() == {
        "channel": "email", "customer_id": "cu1", "sender_verified": True,
        "case_type": "complaint", "topic": "r-kargo", "mood": "negative", "platform": None,
        "file_count": 1, "warnings": ["text_cut"],
    }  # fmt: skip
    # no personal data: neither the sender's name, address nor a word they wrote
    dumped = str(event.model_dump())
    assert "Ayşe" not in dumped and "ayse@" not in dumped and "kırık" not in dumped.lower()


@pytest.mark.parametrize("code", [WarningCode.SENDER_UNVERIFIED, WarningCode.SENDER_UNKNOWN])
def test_a_forged_or_fromless_mail_is_unverified_and_caused_by_destek(code):
    (event,) = received(pre(warnings=[PreCaseWarning(code=code)])).events
    assert event.data.sender_verified is False and event.data.customer_id is None
    assert event.actor == ev.EventActor(kind="system", id="destek")
    assert event.data.warnings == [code.value]


def test_a_social_post_has_no_sender_check_and_names_its_platform():
    post = SocialPost(platform="x", author_handle="ayse", url="https://x.example/1",
                      posted_at=NOW)  # fmt: skip
    (event,) = received(pre(channel=Channel.SOCIAL, post=post)).events
    assert event.data.sender_verified is None and event.data.platform == "x"
    assert event.data.channel == "social"


def test_claiming_and_handing_out_emit_assigned_with_the_new_version():
    claimed = assigned(pre(), "mehmet", MEHMET, LATER)
    assert claimed.expected_version == 1
    (event,) = claimed.events
    assert (event.type, event.id, event.sequence) == ("destek.precase.assigned", "p1.2.0", 2)
    assert event.data.model_dump() == {"assignee": "mehmet", "previous_assignee": None,
                                       "how": "claimed"}  # fmt: skip
    assert event.actor == ev.EventActor(kind="staff", id="mehmet")
    handed = assigned(claimed.precase, "ayse", SELIN, LATER)
    (event,) = handed.events
    assert (event.id, event.data.previous_assignee, event.data.how) == (
        "p1.3.0", "mehmet", "by_supervisor")  # fmt: skip


def test_the_same_move_decided_twice_has_the_same_event_id():
    """A retried write (the same move from the same version) carries the same ids, so the
    store's `attribute_not_exists` refuses the second and a consumer deduplicates."""
    first = assigned(pre(), "mehmet", MEHMET, NOW).events[0]
    again = assigned(pre(), "mehmet", MEHMET, LATER).events[0]
    assert first.id == again.id == "p1.2.0"


def test_a_later_mail_emits_sender_replied_and_moves_the_version():
    message = PreCaseMessage(id="m1", received_at=LATER, subject="Re: Kırık", text="Acil",
                             files=[PreCaseFile(id="f2", filename="b.pdf",
                                                content_type="application/pdf", size=3)],
                             warnings=[PreCaseWarning(code=WarningCode.FILE_REFUSED,
                                                      filename="x.exe")])  # fmt: skip
    change = joined(pre(customer_id="cu1", version=2), message)
    assert change.expected_version == 2 and change.precase.version == 3
    assert change.precase.messages == [message]
    (event,) = change.events
    assert (event.type, event.id, event.occurred_at) == (
        "destek.precase.sender_replied", "p1.3.0", "2026-11-23T09:05:00.000000Z")  # fmt: skip
    assert event.data.model_dump() == {"message_id": "m1", "file_count": 1,
                                       "warnings": ["file_refused"]}  # fmt: skip
    assert event.actor.kind == "customer"


def test_a_finished_pre_case_takes_no_later_mail():
    done = finished(pre(), PreCaseStatus.SPAM, SELIN, NOW).precase
    message = PreCaseMessage(id="m1", received_at=LATER, subject="s", text="t")
    with pytest.raises(Conflict) as refused:
        joined(done, message)
    assert refused.value.code == "precase_finished"


def test_spam_and_duplicates_emit_discarded_and_a_conversion_nothing_of_its_own():
    claimed = assigned(pre(), "mehmet", MEHMET, NOW).precase
    spam = finished(claimed, PreCaseStatus.SPAM, SELIN, LATER)
    (event,) = spam.events
    assert (event.type, event.id, event.sequence) == ("destek.precase.discarded", "p1.3.0", 3)
    assert event.data.model_dump() == {
        "reason_code": "spam", "status_from": "claimed", "assignee": "mehmet",
        "duplicate_of_case_id": None, "duplicate_of_case_number": None,
    }  # fmt: skip
    assert event.actor == ev.EventActor(kind="staff", id="selin")

    duplicate = finished(pre(), PreCaseStatus.DUPLICATE, SELIN, LATER, case_id="c9",
                         duplicate_of="2026-000009")  # fmt: skip
    (event,) = duplicate.events
    assert event.data.reason_code == "duplicate" and event.data.status_from == "pooled"
    assert (event.data.duplicate_of_case_id, event.data.duplicate_of_case_number) == (
        "c9", "2026-000009")  # fmt: skip
    assert event.case_id is None  # the case it repeats is in data, not the envelope

    converted = finished(pre(), PreCaseStatus.CONVERTED, SELIN, LATER, case_id="c1",
                         case_number="2026-000001")  # fmt: skip
    assert converted.events == [] and converted.expected_version == 1


def test_a_conversion_event_names_the_pre_case_in_its_envelope_and_belongs_to_the_case():
    from tests.unit.test_case_change import case_in

    draft = case_in(Status.NEW, version=1, number="")
    change = numbered(change_case(draft, OpenCase(precase_id="p1"), SELIN, NOW), "2026-000001")
    opened, converted = change.events
    assert converted.type == "destek.precase.converted"
    assert (converted.case_id, converted.case_number, converted.precase_id) == (
        "c1", "2026-000001", "p1")  # fmt: skip
    assert converted.subject_id == "c1" and converted.id == "c1.1.1"
    assert opened.precase_id is None and opened.data.precase_id == "p1"


def test_every_pre_case_event_is_in_the_published_union_and_round_trips():
    union = TypeAdapter(ev.CaseEvent)
    events = [
        *received(pre()).events,
        *assigned(pre(), "mehmet", MEHMET, NOW).events,
        *joined(pre(), PreCaseMessage(id="m", received_at=NOW, subject="", text="")).events,
        *finished(pre(), PreCaseStatus.SPAM, SELIN, NOW).events,
    ]
    assert {e.type for e in events} == {t for t in ev.EVENT_TYPES if t.startswith(
        "destek.precase.") and t != "destek.precase.converted"}  # fmt: skip
    for event in events:
        body = event.model_dump(mode="json")
        assert set(body) >= {"id", "type", "schema_version", "case_id", "case_number",
                             "precase_id", "sequence", "index", "occurred_at", "actor",
                             "data"}  # fmt: skip
        assert union.validate_python(body) == event


def test_a_pre_case_event_without_its_pre_case_or_with_a_case_is_refused():
    union = TypeAdapter(ev.CaseEvent)
    body = received(pre()).events[0].model_dump(mode="json")
    with pytest.raises(ValueError):
        union.validate_python({**body, "precase_id": None})
    with pytest.raises(ValueError):
        union.validate_python({**body, "case_id": "c1"})
