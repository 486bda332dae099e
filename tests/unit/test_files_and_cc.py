"""Files on messages, the CC list and followers (docs/files-and-cc.md): the pure parts."""

from __future__ import annotations

import pytest

from chalicelib.domain import case_change as cc
from chalicelib.domain.attachments import (
    MAX_FILES_PER_MESSAGE,
    Attachment,
    StoredFile,
    customer_files,
    file_subject,
    message_files,
    parse_file_subject,
)
from chalicelib.domain.case_people import MAX_CC, MAX_FOLLOWERS, checked_cc, checked_followers
from chalicelib.domain.cases import EntryKind
from chalicelib.domain.errors import Conflict, InvalidInput, PayloadTooLarge
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import NoticeEvent

from .test_case_change import AHMET, MEHMET, NOW, case_in


def recorded(file_id: str, internal: bool = False) -> Attachment:
    return Attachment(id=file_id, case_id="c1", filename="a.pdf", content_type="application/pdf",
                      size=10, at=NOW, by=MEHMET, internal=internal)  # fmt: skip


PDF = StoredFile(size=100, filename="fatura.pdf", content_type="application/pdf")


def test_a_message_names_recorded_and_uploaded_files_once_each_in_order():
    known, new = message_files(["f2", "f1", "f2"], [recorded("f1")], {"f2": PDF})
    assert (known, new) == (["f1"], ["f2"])


def test_a_message_refuses_too_many_unknown_or_unfit_files():
    many = [f"f{i}" for i in range(MAX_FILES_PER_MESSAGE + 1)]
    with pytest.raises(InvalidInput) as refused:
        message_files(many, [], dict.fromkeys(many, PDF))
    assert refused.value.code == "too_many_files"
    with pytest.raises(InvalidInput) as refused:
        message_files(["f1", "f9"], [recorded("f1")], {"f9": None})
    assert refused.value.code == "no_such_file" and refused.value.details == {"ids": ["f9"]}
    script = StoredFile(size=10, filename="x.html", content_type="text/html")
    with pytest.raises(InvalidInput):
        message_files(["f3"], [], {"f3": script})
    huge = StoredFile(size=11 * 1024 * 1024, filename="x.pdf", content_type="application/pdf")
    with pytest.raises(PayloadTooLarge):
        message_files(["f4"], [], {"f4": huge})


def test_the_customer_never_sees_a_notes_files():
    shown = customer_files([recorded("f1"), recorded("f2", internal=True)])
    assert [a.id for a in shown] == ["f1"]
    assert (shown[0].by.id, shown[0].by.name) == ("", "Mehmet Demir")  # no username


def test_a_file_links_subject_round_trips():
    assert parse_file_subject(file_subject("c1", "f1")) == ("c1", "f1")
    assert parse_file_subject("c1") is None and parse_file_subject(".f1") is None


def test_cc_is_lower_case_without_duplicates_or_the_customer_and_bounded():
    got = checked_cc(["A@x.example", "a@x.example", "Ahmet@Example.com", "b@x.example"],
                     "ahmet@example.com")  # fmt: skip
    assert got == ["a@x.example", "b@x.example"]
    with pytest.raises(InvalidInput) as refused:
        checked_cc([f"p{i}@x.example" for i in range(MAX_CC + 1)], None)
    assert refused.value.code == "too_many_cc"


def test_followers_are_known_staff_without_duplicates_and_bounded():
    assert checked_followers(["selin", "ayse", "selin"], {"selin", "ayse"}) == ["selin", "ayse"]
    with pytest.raises(InvalidInput) as refused:
        checked_followers(["selin", "kimse"], {"selin"})
    assert refused.value.code == "no_such_staff" and refused.value.details == {
        "usernames": ["kimse"]}  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        checked_followers([f"u{i}" for i in range(MAX_FOLLOWERS + 1)], set())
    assert refused.value.code == "too_many_followers"


def test_changing_people_writes_a_line_tells_nobody_and_refuses_no_change_or_a_closed_case():
    before = case_in(Status.IN_PROGRESS)
    change = cc.change_case(before, cc.ChangePeople(cc=["a@x.example"]), MEHMET, NOW)
    assert change.case.cc == ["a@x.example"] and change.case.followers == []
    assert [e.kind for e in change.entries] == [EntryKind.PEOPLE_CHANGED]
    assert change.entries[0].changes == {"cc": {"from": [], "to": ["a@x.example"]}}
    assert change.notices == [] and change.events == []
    with pytest.raises(InvalidInput):
        cc.change_case(change.case, cc.ChangePeople(cc=["a@x.example"]), MEHMET, NOW)
    with pytest.raises(Conflict):
        cc.change_case(case_in(Status.CLOSED), cc.ChangePeople(followers=["selin"]), MEHMET, NOW)


def test_a_reply_with_files_tells_the_customer_which_and_followers_hear_but_not_the_actor():
    before = case_in(Status.IN_PROGRESS, followers=["selin", "mehmet"])
    reply = cc.Reply(body="Ekte", data={"attachment_ids": ["f1"]})
    change = cc.change_case(before, reply, MEHMET, NOW)
    told = {n.event: n for n in change.notices}
    assert told[NoticeEvent.AGENT_REPLIED].data["attachment_ids"] == ["f1"]
    update = told[NoticeEvent.CASE_UPDATED]
    assert update.audience == "followers" and update.exclude == ["mehmet"]
    (line,) = [e for e in change.entries if e.kind == EntryKind.REPLY]
    assert line.body == "Ekte"  # the notices name the line that says it
    assert told[NoticeEvent.AGENT_REPLIED].data["line"] == line.id
    assert update.data == {"what": "reply", "by": "Mehmet Demir", "line": line.id,
                           "status": "in_progress"}  # fmt: skip


def test_the_customer_reads_which_files_came_with_a_reply_from_either_side():
    """The site shows a reply's files in the reply: an agent's are uploaded before it, so
    by time alone they would read as lines of their own before the reply."""
    from chalicelib.domain.customer_view import customer_history

    for actor in (MEHMET, AHMET):
        reply = cc.Reply(body="Ekte", data={"attachment_ids": ["f1", "f2"]})
        (line,) = customer_history(cc.change_case(case_in(Status.IN_PROGRESS), reply, actor,
                                                  NOW).entries)  # fmt: skip
        assert (line.kind, line.attachment_ids) == (EntryKind.REPLY, ["f1", "f2"])
    plain = cc.change_case(case_in(Status.IN_PROGRESS), cc.Reply(body="Yok"), MEHMET, NOW)
    assert customer_history(plain.entries)[0].attachment_ids == []


def test_followers_hear_of_notes_and_status_moves_not_of_their_own_or_of_nothing_followed():
    mine = case_in(Status.IN_PROGRESS, followers=["mehmet"])
    assert not [n for n in cc.change_case(mine, cc.Note(body="x"), MEHMET, NOW).notices
                if n.event == NoticeEvent.CASE_UPDATED]  # fmt: skip
    followed = case_in(Status.IN_PROGRESS, followers=["selin"])
    noted = cc.change_case(followed, cc.Note(body="iç"), MEHMET, NOW).notices
    assert [n.data["what"] for n in noted if n.event == NoticeEvent.CASE_UPDATED] == ["note"]
    moved = cc.change_case(followed, cc.ChangeStatus(status=Status.WAITING_CUSTOMER), MEHMET, NOW)
    assert [n.data["what"] for n in moved.notices if n.event == NoticeEvent.CASE_UPDATED] == [
        "status"]  # fmt: skip
    customer = cc.change_case(followed, cc.Reply(body="Merhaba"), AHMET, NOW).notices
    assert [n.exclude for n in customer if n.event == NoticeEvent.CASE_UPDATED] == [[]]
    tagged = cc.change_case(followed, cc.ChangeTags(add=["x"]), MEHMET, NOW).notices
    assert not [n for n in tagged if n.event == NoticeEvent.CASE_UPDATED]


def test_a_merge_carries_the_sources_cc_and_followers_onto_the_survivor():
    source = case_in(Status.IN_PROGRESS, cc=["a@x.example"], followers=["selin"])
    into = case_in(Status.IN_PROGRESS, id="c2", number="2026-000008", cc=["b@x.example"],
                   followers=["ayse", "selin"])  # fmt: skip
    _gone, kept = cc.merge(source, into, MEHMET, NOW)
    assert kept.case.cc == ["b@x.example", "a@x.example"]
    assert kept.case.followers == ["ayse", "selin"]


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_console_names_every_notice_audience(language):
    import json
    from typing import get_args

    from chalicelib.domain.notifications import Audience
    from chalicelib.messaging.templates import TEMPLATES

    path = TEMPLATES.parent / "console" / "strings" / f"{language}.json"
    strings = json.loads(path.read_text(encoding="utf-8"))
    assert [a for a in get_args(Audience) if f"audience_{a}" not in strings] == []
