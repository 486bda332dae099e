"""The satisfaction alert service: who is told of which fall, in their language, once a week
per dimension value and supervisor, with failed sends retried and only they."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.satisfaction_alerts import WeekTally
from chalicelib.messaging.templates import JinjaRenderer
from chalicelib.services.report_exports import ReportNames
from chalicelib.services.satisfaction_alerts import AlertsNotSent, SatisfactionAlerts

from .fakes import FakeSender
from .test_i18n import english_in
from .test_weekly_summary import Marks

MONDAY = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 08:30 in Istanbul: week 2026-W49 tested
STEADY = [WeekTally(25, 22)] * 8  # 88%
FELL = [*STEADY, WeekTally(40, 30)]  # 75%: flagged (z = 2.15)
HELD = [*STEADY, WeekTally(40, 36)]  # 90%: not


class History:
    def __init__(self, by_dimension: dict[str, dict[str, list[WeekTally]]]) -> None:
        self.by_dimension = by_dimension
        self.asked: list[tuple[str, list]] = []

    def weekly(self, dimension, weeks):
        self.asked.append((dimension, weeks))
        return self.by_dimension.get(dimension, {})


SELIN = StaffMember(username="selin", name="Selin Aydın", email="selin@shop.example",
                    roles=["supervisor"])  # fmt: skip
JOHN = StaffMember(username="john", name="John Smith", email="john@shop.example",
                   roles=["supervisor"], language="en")  # fmt: skip
OTHERS = [
    StaffMember(username="ayse", name="Ayşe Kaya", email="ayse@shop.example", roles=["agent"]),
    StaffMember(username="gone", name="Eski", email="g@shop.example", roles=["supervisor"],
                active=False),
]  # fmt: skip
GROUPS = [
    Group(id="teslimat", name="Teslimat", members=["ayse"], supervisors=["selin"]),
    Group(id="finans", name="Finans", supervisors=["john"]),
    Group(id="urun", name="Ürün", supervisors=[]),
]


class Directory:
    def __init__(self, members=None) -> None:
        self.members = members if members is not None else [SELIN, JOHN, *OTHERS]
        self.listed = 0

    def list_staff(self):
        self.listed += 1
        return self.members

    def list_groups(self):
        return GROUPS

    def list_categories(self):
        from chalicelib.domain.categories import Category

        return [Category(id="k-teslimat", name="Teslimat sorunları")]


class FailingFor(FakeSender):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def email(self, to, subject, body, html=None):
        if to == self.address:
            raise RuntimeError("SES said no")
        return super().email(to, subject, body, html)


def alerts(history, sender=None, marks=None, directory=None) -> SatisfactionAlerts:
    directory = directory or Directory()
    return SatisfactionAlerts(
        history=history, directory=directory, marks=marks or Marks(),
        sender=sender or FakeSender(), renderer=JinjaRenderer(),
        names=lambda language: ReportNames(directory, None, language),
        console="https://api.example/console", clock=lambda: MONDAY,
    )  # fmt: skip


def test_the_nine_weeks_are_asked_once_per_watched_dimension():
    history = History({})
    outcome = alerts(history).send()
    assert outcome.week == "2026-W49" and outcome.deviations == []
    assert [d for d, _ in history.asked] == ["group", "category", "agent"]
    weeks = history.asked[0][1]
    assert len(weeks) == 9 and weeks[-1] == (date(2026, 11, 30), date(2026, 12, 6))
    assert weeks[0] == (date(2026, 10, 5), date(2026, 10, 11))


def test_a_groups_fall_goes_to_its_own_supervisors_in_their_language():
    sender = FakeSender()
    outcome = alerts(History({"group": {"teslimat": FELL, "finans": HELD}}), sender).send()
    assert [d.value for d in outcome.deviations] == ["teslimat"]
    assert outcome.sent == ["group#teslimat#selin"]
    [(to, subject, text)] = sender.emails
    assert to == "selin@shop.example"
    assert subject == "Memnuniyet düştü: Teslimat (grup), 30 Kasım 2026 – 6 Aralık 2026"
    assert "Teslimat grubunun müşteri memnuniyeti" in text
    assert "Geçen hafta: %75,0 memnun (40 değerlendirmenin 30 tanesi 4 ya da 5)" in text
    assert "Önceki 8 hafta (5 Ekim 2026 – 29 Kasım 2026): %88,0" in text
    assert "Değişim: −13,0 puan" in text
    assert "p = 0,016" in text
    assert "https://api.example/console#/reports" in text
    assert english_in(subject + text) == set()


def test_an_agents_fall_goes_to_the_supervisors_of_the_agents_groups():
    sender = FakeSender()
    outcome = alerts(History({"agent": {"ayse": FELL}}), sender).send()
    assert outcome.sent == ["agent#ayse#selin"]
    assert "Ayşe Kaya temsilcisinin" in sender.emails[0][2]


def test_a_category_or_a_group_without_supervisors_goes_to_every_supervisor():
    sender = FakeSender()
    outcome = alerts(History({"category": {"k-teslimat": FELL}, "group": {"urun": FELL}}),
                     sender).send()  # fmt: skip
    assert sorted(outcome.sent) == ["category#k-teslimat#john", "category#k-teslimat#selin",
                                    "group#urun#john", "group#urun#selin"]  # fmt: skip
    english = [e for e in sender.emails if e[0] == "john@shop.example"]
    assert any(s.startswith("Satisfaction fell: Teslimat sorunları (category)")
               for _, s, _ in english)  # fmt: skip
    assert any("Change: −13.0 pts" in t for _, _, t in english)


def test_run_twice_each_alert_goes_once():
    sender, marks = FakeSender(), Marks()
    history = History({"group": {"teslimat": FELL}})
    alerts(history, sender, marks).send()
    again = alerts(history, sender, marks).send()
    assert again.sent == [] and again.already == ["group#teslimat#selin"]
    assert len(sender.emails) == 1


def test_a_failed_send_is_retried_by_the_next_run_and_only_it():
    marks = Marks()
    history = History({"category": {"k-teslimat": FELL}})
    failing = FailingFor("john@shop.example")
    with pytest.raises(AlertsNotSent):
        alerts(history, failing, marks).send()
    assert [to for to, _, _ in failing.emails] == ["selin@shop.example"]
    sender = FakeSender()
    retry = alerts(history, sender, marks).send()
    assert retry.sent == ["category#k-teslimat#john"]
    assert retry.already == ["category#k-teslimat#selin"]


def test_no_deviation_reads_no_staff():
    directory = Directory()
    alerts(History({"group": {"teslimat": HELD}}), directory=directory).send()
    assert directory.listed == 0
