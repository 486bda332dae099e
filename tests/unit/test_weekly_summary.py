"""The supervisors' Monday email: which weeks, which figures, both languages, once a week."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.directory import StaffMember
from chalicelib.domain.report_table import (
    ColumnKind,
    Dimension,
    ReportColumn,
    ReportName,
    ReportTable,
)
from chalicelib.domain.weekly_summary import figures_of, weeks_before
from chalicelib.messaging.templates import JinjaRenderer
from chalicelib.messaging.words import console_strings
from chalicelib.services.weekly_summary import SummaryNotSent, WeeklySummary

from .fakes import FakeSender
from .test_i18n import english_in

K = ColumnKind
#: Monday 30 November 2026, 08:00 in Istanbul
MONDAY = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def table(name, start, end, by, columns, rows=(), totals=None) -> ReportTable:
    return ReportTable(report=name, start=start, end=end, by=by,
                       columns=[ReportColumn(key=k, kind=kind) for k, kind in columns],
                       rows=list(rows), totals=totals or {})  # fmt: skip


class Reports:
    """Last week (23-29 Nov): 120 opened, 87.5% within target, 40 open on Sunday, cargo 30,
    refunds 12, other 4; the week before (16-22 Nov): 100, 90%, 35, cargo 20, refunds 15."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def report(self, name, start, end, by):
        self.asked.append((name, start, end, tuple(by)))
        last = start == date(2026, 11, 23)
        if name is ReportName.VOLUME:
            return table(
                name,
                start,
                end,
                by,
                [("opened", K.COUNT), ("resolved", K.COUNT)],
                totals={"opened": 120 if last else 100, "resolved": 90},
            )
        if name is ReportName.SLA:  # no preferred key: the first share column is read
            return table(
                name,
                start,
                end,
                by,
                [("met", K.COUNT), ("in_target", K.SHARE)],
                totals={"met": 7, "in_target": 0.875 if last else 0.9},
            )
        if name is ReportName.BACKLOG:
            return table(
                name,
                start,
                end,
                by,
                [("day", K.DIMENSION), ("backlog", K.COUNT)],
                rows=[
                    {"day": "2026-11-22", "backlog": 35},
                    {"day": "2026-11-25", "backlog": 50},
                    {"day": "2026-11-29", "backlog": 40},
                ],
            )
        if name is ReportName.TOPICS:
            rows = (
                [
                    {"topic": "r-kargo", "complaints": 30},
                    {"topic": "r-iade", "complaints": 12},
                    {"topic": "other", "complaints": 4},
                ]
                if last
                else [{"topic": "r-kargo", "complaints": 20}, {"topic": "r-iade", "complaints": 15}]
            )
            return table(
                name, start, end, by, [("topic", K.DIMENSION), ("complaints", K.COUNT)], rows=rows
            )
        raise AssertionError(name)  # fmt: skip


class Marks:
    """WeeklyMarks in memory, with the store's lease rule."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], dict] = {}

    def claim(self, week, username, at):
        mark = self.marks.get((week, username))
        if mark and not (mark["state"] == "sending" and mark["lease_until"] < at):
            return False
        lease = at + timedelta(minutes=5)
        self.marks[(week, username)] = {"state": "sending", "lease_until": lease}
        return True

    def sent(self, week, username, message_id, at):
        self.marks[(week, username)] = {"state": "sent", "message_id": message_id}

    def release(self, week, username):
        if self.marks.get((week, username), {}).get("state") == "sending":
            del self.marks[(week, username)]


class Staff:
    def __init__(self, members: list[StaffMember]) -> None:
        self.members = members

    def list_staff(self):
        return self.members

    def list_rules(self):
        from types import SimpleNamespace

        return [SimpleNamespace(id="r-kargo", name="Kargo gecikmesi"),
                SimpleNamespace(id="r-iade", name="İade <b>süreci</b>")]  # fmt: skip


SELIN = StaffMember(username="selin", name="Selin Aydın", email="selin@shop.example",
                    roles=["supervisor"])  # fmt: skip
JOHN = StaffMember(username="john", name="John Smith", email="john@shop.example",
                   roles=["agent", "supervisor"], language="en")  # fmt: skip
OTHERS = [
    StaffMember(username="mehmet", name="Mehmet", email="m@shop.example", roles=["agent"]),
    StaffMember(username="admin", name="Sistem Yöneticisi", email="a@shop.example",
                roles=["admin"]),
    StaffMember(username="gone", name="Eski", email="g@shop.example", roles=["supervisor"],
                active=False),
    StaffMember(username="nomail", name="Postasız", roles=["supervisor"]),
]  # fmt: skip


def summary(sender=None, marks=None, members=None, reports=None) -> WeeklySummary:
    from chalicelib.services.report_exports import ReportNames

    staff = Staff(members if members is not None else [SELIN, JOHN, *OTHERS])
    return WeeklySummary(
        source=lambda: reports or Reports(),
        directory=staff,
        marks=marks or Marks(),
        sender=sender or FakeSender(),
        renderer=JinjaRenderer(),
        names=lambda language: ReportNames(staff, None, language),
        words=console_strings,
        console="https://api.example/console",
        clock=lambda: MONDAY,
    )


# ---- weeks and figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "start", "code"),
    [
        (MONDAY, date(2026, 11, 23), "2026-W48"),
        # Sunday 22:00 UTC is already Monday 01:00 in Istanbul
        (datetime(2026, 11, 29, 22, 0, tzinfo=UTC), date(2026, 11, 23), "2026-W48"),
        (datetime(2026, 11, 29, 20, 0, tzinfo=UTC), date(2026, 11, 16), "2026-W47"),
        (datetime(2027, 1, 4, 5, 0, tzinfo=UTC), date(2026, 12, 28), "2026-W53"),
    ],
)
def test_last_week_is_monday_to_sunday_on_istanbuls_calendar(now, start, code):
    weeks = weeks_before(now)
    assert (weeks.start, weeks.end) == (start, start + timedelta(days=6))
    assert (weeks.previous_start, weeks.previous_end) == (start - timedelta(days=7),
                                                          start - timedelta(days=1))  # fmt: skip
    assert weeks.start.weekday() == 0 and weeks.code == code


def test_the_figures_come_from_seven_reports_asked_once_for_everyone():
    reports = Reports()
    sender = FakeSender()
    summary(sender=sender, reports=reports).send()
    weeks = weeks_before(MONDAY)
    last, before = (weeks.start, weeks.end), (weeks.previous_start, weeks.previous_end)
    assert sorted(reports.asked, key=str) == sorted([
        (ReportName.VOLUME, *last, ()), (ReportName.VOLUME, *before, ()),
        (ReportName.SLA, *last, ()), (ReportName.SLA, *before, ()),
        (ReportName.BACKLOG, weeks.previous_start, weeks.end, (Dimension.DAY,)),
        (ReportName.TOPICS, *last, (Dimension.TOPIC,)),
        (ReportName.TOPICS, *before, (Dimension.TOPIC,)),
    ], key=str)  # fmt: skip
    assert len(sender.emails) == 2


def test_figures_read_the_preferred_column_or_the_first_of_its_kind():
    weeks = weeks_before(MONDAY)
    r = Reports()

    def both(name, by):
        return (r.report(name, weeks.start, weeks.end, by),
                r.report(name, weeks.previous_start, weeks.previous_end, by))  # fmt: skip

    figures = figures_of(weeks, both(ReportName.VOLUME, []), both(ReportName.SLA, []),
                         r.report(ReportName.BACKLOG, weeks.previous_start, weeks.end,
                                  [Dimension.DAY]),
                         both(ReportName.TOPICS, [Dimension.TOPIC]))  # fmt: skip
    assert (figures.opened, figures.opened_before) == (120, 100)
    assert (figures.sla_share, figures.sla_share_before) == (0.875, 0.9)
    assert (figures.backlog, figures.backlog_before) == (40, 35)
    assert [(t.topic, t.count, t.previous) for t in figures.topics] == [
        ("r-kargo", 30, 20), ("r-iade", 12, 15), ("other", 4, 0)]  # fmt: skip


# ---- the email --------------------------------------------------------------------------------


def sent_to(sender: FakeSender, address: str) -> tuple[str, str, str]:
    index = next(i for i, (to, _, _) in enumerate(sender.emails) if to == address)
    to, subject, text = sender.emails[index]
    return subject, text, sender.html[index]


def visible(html: str) -> str:
    """An HTML body's words (its tags and the values of their attributes left out)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_each_supervisor_gets_it_in_their_language_with_no_english_in_turkish():
    sender = FakeSender()
    outcome = summary(sender=sender).send()
    assert sorted(outcome.sent) == ["john", "selin"]
    assert sorted(to for to, _, _ in sender.emails) == ["john@shop.example", "selin@shop.example"]

    subject, text, html = sent_to(sender, "selin@shop.example")
    assert subject == "Haftalık özet: 23 Kasım 2026 – 29 Kasım 2026"
    assert "Merhaba Selin Aydın" in text
    assert "Açılan talepler: 120 (önceki hafta 100, +20)" in text
    assert "SLA uyumu: %87,5 (önceki hafta %90,0, −2,5 puan)" in text
    assert "Bekleyen talepler, pazar günü sonunda: 40 (önceki hafta 35, +5)" in text
    assert "1. Kargo gecikmesi: 30 (önceki hafta 20, +10)" in text
    assert "3. Diğer: 4 (önceki hafta 0, +4)" in text
    assert "https://api.example/console#/reports" in text
    for part in (subject, text, visible(html)):
        assert english_in(part) == set(), part
    assert "<td>Kargo gecikmesi</td>" in html and "%87,5" in html

    subject, text, html = sent_to(sender, "john@shop.example")
    assert subject == "Weekly summary: 23 November 2026 – 29 November 2026"
    assert "SLA compliance: 87.5% (week before 90.0%, −2.5 pts)" in text
    assert "3. Other: 4 (week before 0, +4)" in text
    assert "https://api.example/console?lang=en#/reports" in html


def test_names_in_the_html_are_escaped():
    sender = FakeSender()
    summary(sender=sender).send()
    _, text, html = sent_to(sender, "selin@shop.example")
    assert "İade <b>süreci</b>" in text  # plain text shows it as written
    assert "İade &lt;b&gt;süreci&lt;/b&gt;" in html and "<b>" not in html


def test_run_twice_each_supervisor_gets_one_email_a_week():
    sender, marks = FakeSender(), Marks()
    first = summary(sender=sender, marks=marks).send()
    again = summary(sender=sender, marks=marks).send()
    assert sorted(first.sent) == ["john", "selin"] and again.sent == []
    assert sorted(again.already) == ["john", "selin"]
    assert len(sender.emails) == 2
    assert {m["state"] for m in marks.marks.values()} == {"sent"}


def test_a_failed_send_is_retried_by_the_next_run_and_only_it():
    class Flaky(FakeSender):
        def __init__(self) -> None:
            super().__init__()
            self.refuse = {"john@shop.example"}

        def email(self, to, subject, body, html=None):
            if to in self.refuse:
                raise ConnectionError("SES is away")
            return super().email(to, subject, body, html)

    sender, marks = Flaky(), Marks()
    with pytest.raises(SummaryNotSent):
        summary(sender=sender, marks=marks).send()
    assert [to for to, _, _ in sender.emails] == ["selin@shop.example"]
    assert ("2026-W48", "john") not in marks.marks
    sender.refuse = set()
    retry = summary(sender=sender, marks=marks).send()
    assert (retry.sent, retry.already) == (["john"], ["selin"])
    assert sorted(to for to, _, _ in sender.emails) == ["john@shop.example", "selin@shop.example"]


def test_no_supervisor_asks_no_report():
    reports = Reports()
    outcome = summary(members=OTHERS[:2], reports=reports).send()
    assert (outcome.sent, reports.asked) == ([], [])


def test_weeks_with_nothing_counted_say_so_without_failing():
    class Empty:
        def report(self, name, start, end, by):
            return table(name, start, end, by, [("x", K.COUNT)])

    sender = FakeSender()
    summary(sender=sender, reports=Empty()).send()
    _, text, html = sent_to(sender, "selin@shop.example")
    assert "Açılan talepler: — (önceki hafta —, —)" in text
    assert "Geçen hafta konusu belli bir şikâyet gelmedi." in text
    assert english_in(visible(html)) == set()


def test_a_run_that_finds_every_summary_sent_asks_no_report():
    marks, reports = Marks(), Reports()
    summary(marks=marks).send()
    summary(marks=marks, reports=reports).send()
    assert reports.asked == []


def test_reports_that_fail_give_the_mark_back_and_fail_the_run():
    class Down:
        def report(self, name, start, end, by):
            raise ConnectionError("reports are away")

    marks, sender = Marks(), FakeSender()
    with pytest.raises(ConnectionError):
        summary(marks=marks, sender=sender, reports=Down()).send()
    assert (marks.marks, sender.emails) == ({}, [])
