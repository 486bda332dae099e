"""The weekly summary through the app's schedule handler into SES (moto), with a fake
ReportSource in place of `wiring.report_service`; and its marks in the table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.report_table import ColumnKind, ReportColumn, ReportName, ReportTable
from devstack.lambda_runtime import LocalContext, scheduled_event

from .conftest import aws

#: Monday 7 December 2026, 08:00 in Istanbul: the summary of 30 November - 6 December
MONDAY = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
SUBJECT = "Haftalık özet: 30 Kasım 2026 – 6 Aralık 2026"


class Reports:
    def __init__(self) -> None:
        self.asked = 0

    def report(self, name, start, end, by) -> ReportTable:
        self.asked += 1
        last = start.isoformat() == "2026-11-30"
        k = ColumnKind
        if name is ReportName.VOLUME:
            columns, totals, rows = [("opened", k.COUNT)], {"opened": 64 if last else 50}, []
        elif name is ReportName.SLA:
            columns, totals, rows = (
                [("sla_share", k.SHARE)],
                {"sla_share": 0.9 if last else 0.8},
                [],
            )
        elif name is ReportName.BACKLOG:
            columns, totals = [("day", k.DIMENSION), ("backlog", k.COUNT)], {}
            rows = [{"day": "2026-11-29", "backlog": 12}, {"day": "2026-12-06", "backlog": 9}]
        else:
            columns, totals = [("topic", k.DIMENSION), ("complaints", k.COUNT)], {}
            rows = [{"topic": "other", "complaints": 7 if last else 3}]
        columns = [ReportColumn(key=c, kind=kind) for c, kind in columns]
        return ReportTable(report=name, start=start, end=end, by=by, totals=totals, rows=rows,
                           columns=columns)  # fmt: skip


def fire(chalice_app) -> None:
    chalice_app.send_weekly_summary(scheduled_event("weekly", "eu-central-1"),
                                    LocalContext("weekly"))  # fmt: skip


def test_each_supervisor_gets_one_summary_in_ses_even_when_the_schedule_runs_twice(
    chalice_app, mailbox, monkeypatch, table_items
):
    reports = Reports()
    monkeypatch.setattr(wiring, "report_service", lambda: reports)
    monkeypatch.setattr(wiring.weekly_summary(), "clock", lambda: MONDAY)
    fire(chalice_app)
    fire(chalice_app)  # EventBridge's retry, or a second rule firing

    summaries = [m for m in mailbox()["emails"] if m["subject"] == SUBJECT]
    to_selin = [m for m in summaries if m["to"] == ["selin@destek.example"]]
    assert len(to_selin) == 1
    assert sorted(a for m in summaries for a in m["to"]) == sorted(
        {a for m in summaries for a in m["to"]}
    )  # nobody twice
    body = to_selin[0]["body"]  # moto keeps the HTML part when there is one
    assert body.startswith("<!DOCTYPE html>") and "Merhaba Selin Aydın" in body
    assert "%90,0" in body and "+14" in body and "Diğer" in body
    assert reports.asked == 7  # once for everyone, and not again on the second run

    marks = [i for i in table_items() if i["PK"] == {"S": "WEEKLY#2026-W49"}]
    selin = next(i for i in marks if i["SK"] == {"S": "STAFF#selin"})
    assert selin["state"] == {"S": "sent"} and "expires_at" in selin
    assert "lease_until" not in selin


def test_a_mark_is_taken_once_and_taken_over_only_when_its_send_died(aws_env):
    from chalicelib.store.weekly_marks import DynamoWeeklyMarks

    marks = DynamoWeeklyMarks(wiring.table())
    week, at = f"T-{uuid.uuid4().hex[:8]}", MONDAY
    assert marks.claim(week, "selin", at) is True
    assert marks.claim(week, "selin", at + timedelta(minutes=1)) is False  # being sent
    assert marks.claim(week, "selin", at + timedelta(minutes=6)) is True  # that run died
    marks.release(week, "selin")
    assert marks.claim(week, "selin", at + timedelta(minutes=7)) is True  # given back
    marks.sent(week, "selin", "m-1", at + timedelta(minutes=7))
    marks.release(week, "selin")  # a sent mark is never given back
    assert marks.claim(week, "selin", at + timedelta(days=1)) is False
    item = aws(aws_env, "dynamodb").get_item(
        TableName=aws_env["TABLE_NAME"],
        Key={"PK": {"S": f"WEEKLY#{week}"}, "SK": {"S": "STAFF#selin"}},
    )["Item"]
    assert (item["state"], item["message_id"]) == ({"S": "sent"}, {"S": "m-1"})
