"""The satisfaction deviation alert through the app's schedule handler: CSAT counters
written through the report store (as the projection writes them), read back by the
report-store adapter, tested, and mailed through SES (moto) once however often it runs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.report_projection import Increments, ReportState
from chalicelib.services.report_projection import read_versions
from chalicelib.services.satisfaction_history import ReportSatisfactionHistory
from devstack.lambda_runtime import LocalContext, scheduled_event

#: Monday 7 December 2026, 08:30 in Istanbul: week 2026-W49 (30 November – 6 December)
#: against the eight weeks from 5 October
MONDAY = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)
TESTED = date(2026, 11, 30)


def write_week(value: str, monday: date, responses: int, satisfied: int) -> None:
    """One week's ratings of a group, on its Wednesday, as the projection adds them."""
    store = wiring.report_store()
    day = (monday + timedelta(days=2)).isoformat()
    # the version reports read that day by: a rebuild another test ran on this shared stack
    # makes the live version start later, and older days stay on the one before
    version = read_versions(store).version_for(day)
    # the counters domain/report_projection.py `rating_counters` adds for customers' ratings,
    # and an agent-recorded score (`rta_*`), which the alert leaves out
    unhappy = responses - satisfied
    counters = {"rt_n": responses, "rt_sat": satisfied, "rt_sum": 5 * satisfied + 2 * unhappy,
                "rt_s5": satisfied, "rt_s2": unhappy, "rta_n": 100, "rta_sat": 100,
                "rta_s5": 100}  # fmt: skip
    # where the projection writes a group's counters: the group+agent pair (no agent here);
    # the `group` slice is folded from it when read (issue 21)
    increments = Increments(days={(day, "group+agent", f"{value}|~"): counters})
    state = ReportState(case_id=f"csat-{uuid.uuid4().hex}", opened_at=MONDAY, values={},
                        revision=1)  # fmt: skip
    assert store.write(version, state, 0, increments, [])


def fire(chalice_app) -> None:
    chalice_app.send_satisfaction_alerts(scheduled_event("satisfaction", "eu-central-1"),
                                         LocalContext("satisfaction"))  # fmt: skip


def test_a_groups_fall_is_mailed_to_supervisors_once_and_a_steady_group_is_not(
    chalice_app, mailbox, monkeypatch, table_items
):
    fell, steady = f"g-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    for k in range(1, 9):
        for value in (fell, steady):
            write_week(value, TESTED - timedelta(days=7 * k), 25, 22)  # 88% for eight weeks
    write_week(fell, TESTED, 40, 30)  # 75%
    write_week(steady, TESTED, 40, 36)  # 90%
    write_week(fell, TESTED + timedelta(days=7), 40, 0)  # this week: not tested yet

    history = ReportSatisfactionHistory(wiring.report_store())
    weeks = [(TESTED - timedelta(days=7 * k), TESTED - timedelta(days=7 * k - 6))
             for k in range(8, -1, -1)]  # fmt: skip
    read = history.weekly("group", weeks)
    assert [(t.responses, t.satisfied) for t in read[fell]] == [(25, 22)] * 8 + [(40, 30)]
    assert read[fell][-1].scores.counts == {5: 30, 2: 10}

    monkeypatch.setattr(wiring.satisfaction_alerts(), "clock", lambda: MONDAY)
    fire(chalice_app)
    fire(chalice_app)  # EventBridge's retry, or a second rule firing

    emails = mailbox()["emails"]
    about_fell = [m for m in emails if fell in m["subject"]]
    assert not [m for m in emails if steady in m["subject"]]
    to_selin = [m for m in about_fell if m["to"] == ["selin@destek.example"]]
    assert len(to_selin) == 1  # once, however often the schedule fires
    assert to_selin[0]["subject"] == (
        f"Memnuniyet düştü: {fell} (grup), 30 Kasım 2026 – 6 Aralık 2026"
    )
    body = to_selin[0]["body"]
    assert "%75,0 memnun (40 değerlendirmenin 30 tanesi" in body and "−13,0 puan" in body
    recipients = [a for m in about_fell for a in m["to"]]
    assert len(recipients) == len(set(recipients)) >= 1

    marks = [i for i in table_items() if i["PK"] == {"S": "SATALERT#2026-W49"}]
    selin = next(i for i in marks if i["SK"] == {"S": f"group#{fell}#selin"})
    assert selin["state"] == {"S": "sent"} and "expires_at" in selin
