"""Satisfaction without AWS: the rate command and its event, the low-score rule and its
follow-up, the change window, the projection's counting (a changed answer taken back where
it was counted, agents' scores apart), the report's columns, and the rating link a resolved
notice carries (docs/satisfaction.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import case_change as cc
from chalicelib.domain.case_events import CaseRated
from chalicelib.domain.cases import EntryKind, ReasonCode
from chalicelib.domain.errors import Conflict
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import NoticeEvent
from chalicelib.domain.ratings import is_low, is_satisfied
from chalicelib.domain.report_table import ReportName
from chalicelib.services.reports import derive

from .test_case_change import AHMET, MEHMET, NOW, SELIN, case_in
from .test_report_projection import T0, apply, event, opened_and_routed

WINDOW = timedelta(days=3)


def rate(case, score, source="customer", actor=AHMET, at=NOW, comment=None):
    command = cc.Rate(score=score, comment=comment, source=source, change_window=WINDOW)
    return cc.change_case(case, command, actor, at)


@pytest.mark.parametrize(("score", "low", "satisfied"),
                         [(1, True, False), (2, True, False), (3, False, False),
                          (4, False, True), (5, False, True)])  # fmt: skip
def test_low_is_the_bottom_40_percent_and_satisfied_the_top(score, low, satisfied):
    assert is_low(score) is low and is_satisfied(score) is satisfied


@pytest.mark.parametrize(("scale", "low", "satisfied"),
                         [(2, [1], [2]), (3, [1], [3]), (5, [1, 2], [4, 5]),
                          (10, [1, 2, 3, 4], [7, 8, 9, 10])])  # fmt: skip
def test_every_scale_a_shop_may_choose_has_a_low_end_and_a_satisfied_top(scale, low, satisfied):
    scores = range(1, scale + 1)
    assert [n for n in scores if is_low(n, scale)] == low
    assert [n for n in scores if is_satisfied(n, scale)] == satisfied


def test_a_score_on_the_shops_three_point_scale_is_kept_with_its_scale():
    command = cc.Rate(score=1, scale=3, source="customer", change_window=WINDOW)
    change = cc.change_case(case_in(Status.RESOLVED), command, AHMET, NOW)
    assert (change.case.rating.score, change.case.rating.scale) == (1, 3)
    assert change.case.follow_up is not None  # 1 of 3 is low
    (rated,) = [e for e in change.events if isinstance(e, CaseRated)]
    assert (rated.data.score, rated.data.scale, rated.data.low) == (1, 3, True)
    satisfied = cc.Rate(score=3, scale=3, source="customer", change_window=WINDOW)
    counted = cc.change_case(case_in(Status.RESOLVED), satisfied, AHMET, NOW)
    assert counted.case.follow_up is None


def test_a_score_over_the_shops_scale_is_refused():
    from chalicelib.domain.errors import InvalidInput

    command = cc.Rate(score=4, scale=3, source="customer", change_window=WINDOW)
    with pytest.raises(InvalidInput) as refused:
        cc.change_case(case_in(Status.RESOLVED), command, AHMET, NOW)
    assert refused.value.details[0]["field"] == "score"


def test_a_rating_is_a_change_with_a_line_and_an_event_without_the_comment():
    change = rate(case_in(Status.RESOLVED), 4, comment="Teşekkürler")
    assert change.case.version == 6 and change.case.rating.score == 4
    assert change.case.rating.first_at == NOW and change.case.follow_up is None
    [line] = change.entries
    assert (line.kind, line.body, line.data["previous_score"]) == (EntryKind.RATED, "Teşekkürler",
                                                                   None)  # fmt: skip
    [rated] = change.events
    assert isinstance(rated, CaseRated) and rated.id == "c1.6.0"
    assert rated.data.model_dump() == {"score": 4, "scale": 5, "source": "customer",
                                       "previous_score": None, "low": False}  # fmt: skip
    assert "Teşekkürler" not in rated.model_dump_json()
    assert change.notices == []


def test_a_changed_answer_names_the_previous_score_and_keeps_the_first_time():
    first = rate(case_in(Status.CLOSED), 5).case
    later = NOW + timedelta(days=1)
    change = rate(first, 3, at=later)
    assert change.case.rating.score == 3 and change.case.rating.first_at == NOW
    assert change.case.rating.answers == 2 and change.events[0].data.previous_score == 5


def test_the_answer_locks_when_the_window_ends():
    first = rate(case_in(Status.RESOLVED), 5).case
    rate(first, 4, at=NOW + WINDOW)  # still inside
    with pytest.raises(Conflict) as refused:
        rate(first, 4, at=NOW + WINDOW + timedelta(seconds=1))
    assert refused.value.code == "rating_locked"


#: a merged case is refused every command (`case_merged`: test_case_change.py)
UNRATED = [s for s in Status if s not in (Status.RESOLVED, Status.CLOSED, Status.MERGED)]


@pytest.mark.parametrize("status", UNRATED)
def test_only_a_finished_case_is_rated(status):
    with pytest.raises(Conflict) as refused:
        rate(case_in(status), 5)
    assert refused.value.code == "not_rateable"


def test_a_low_score_opens_a_follow_up_and_tells_the_supervisors_once():
    change = rate(case_in(Status.RESOLVED), 2, comment="Kötü")
    assert change.case.follow_up.open and change.case.follow_up.score == 2
    kinds = [(e.kind, e.reason_code) for e in change.entries]
    assert kinds == [(EntryKind.RATED, None), (EntryKind.FOLLOW_UP, ReasonCode.LOW_RATING)]
    [told] = change.notices
    assert (told.event, told.audience) == (NoticeEvent.LOW_RATING, "supervisors")
    assert told.data == {"score": 2, "scale": 5, "source": "customer"}  # no comment
    assert change.events[0].data.low is True
    again = rate(change.case, 1, at=NOW + timedelta(hours=1))  # a follow-up is open already
    assert again.notices == [] and [e.kind for e in again.entries] == [EntryKind.RATED]


def test_the_agents_score_is_kept_apart_and_its_follow_up_closes():
    change = rate(case_in(Status.CLOSED), 1, source="agent", actor=MEHMET)
    assert change.case.rating is None and change.case.agent_rating.by == "mehmet"
    assert change.events[0].data.source == "agent"
    done = cc.change_case(change.case, cc.CloseFollowUp(note="Aradım"), SELIN, NOW)
    assert done.case.follow_up.done_by == "selin" and not done.case.follow_up.open
    assert done.events == [] and done.entries[0].reason_code == ReasonCode.FOLLOW_UP_DONE
    with pytest.raises(Conflict) as refused:
        cc.change_case(done.case, cc.CloseFollowUp(), SELIN, NOW)
    assert refused.value.code == "no_follow_up"


# ---- the projection --------------------------------------------------------------------


def rated(seq, at, score, previous=None, source="customer") -> dict:
    data = {"score": score, "scale": 5, "source": source, "previous_score": previous,
            "low": score <= 2}  # fmt: skip
    return event("rated", seq, at, data)


def test_ratings_count_per_day_and_a_change_is_taken_back_where_it_was_counted():
    state, _, _ = opened_and_routed()
    day1, day2 = T0 + timedelta(hours=1), T0 + timedelta(days=1, hours=1)
    state, first = apply(state, rated(3, day1, 2))
    d1 = first.days[("2026-03-02", "group", "urun")]
    assert d1 == {"rt_n": 1, "rt_sum": 2, "rt_s2": 1}
    state, changed = apply(state, rated(4, day2, 5, previous=2))
    # the 2 leaves the day it was counted on; the 5 counts on its own day
    assert changed.days[("2026-03-02", "group", "urun")] == {"rt_n": -1, "rt_sum": -2, "rt_s2": -1}
    assert changed.days[("2026-03-03", "group", "urun")] == {"rt_n": 1, "rt_sum": 5, "rt_s5": 1,
                                                            "rt_sat": 1}  # fmt: skip
    # the same event again changes nothing
    assert apply(state, rated(4, day2, 5, previous=2))[1].days == {}


def test_agents_scores_count_apart_and_a_change_on_one_day_nets_out():
    state, _, _ = opened_and_routed()
    at = T0 + timedelta(hours=2)
    state, inc = apply(state, rated(3, at, 4, source="agent"))
    assert inc.days[("2026-03-02", "all", "all")] == {"rta_n": 1, "rta_sum": 4, "rta_s4": 1,
                                                      "rta_sat": 1}  # fmt: skip
    state, inc = apply(state, rated(4, at, 5, previous=4, source="agent"))
    assert inc.days[("2026-03-02", "all", "all")] == {"rta_sum": 1, "rta_s4": -1, "rta_s5": 1}


def test_the_satisfaction_columns():
    raw = {"rt_n": 4, "rt_sum": 15, "rt_sat": 3, "rt_s5": 2, "rt_s4": 1, "rt_s1": 1,
           "rta_n": 2, "rta_sum": 5, "rta_sat": 1}  # fmt: skip
    row = derive(raw, ReportName.SATISFACTION)
    assert row["csat_responses"] == 4 and row["csat"] == 0.75 and row["csat_average"] == 3.75
    assert [row[f"csat_score_{n}"] for n in range(1, 6)] == [1, 0, 0, 1, 2]
    assert row["agent_csat"] == 0.5 and row["agent_csat_average"] == 2.5
    assert derive({}, ReportName.SATISFACTION)["csat"] is None
    assert derive(raw, ReportName.AGENTS)["csat"] == 0.75


# ---- the link in the resolved notice --------------------------------------------------


def test_the_rating_link_is_signed_for_the_case_and_its_customer():
    from chalicelib.domain.links import site_rating_url

    assert site_rating_url("https://s.example/", "en", "AbC-_1", 4) == (
        "https://s.example/en/rate.html?t=AbC-_1&s=4"
    )
    assert site_rating_url("", "tr", "AbC") == "" and site_rating_url("https://s", "tr", "") == ""


def test_the_scale_setting_is_read_from_the_environments_text():
    """RATING_SCALE arrives as text ("3"); a scale no page or report knows is refused."""
    from pydantic import ValidationError

    from chalicelib.config import Settings

    from .test_queue_registry import _env

    assert Settings.model_validate(_env()).rating_scale == 5
    assert Settings.model_validate(_env() | {"RATING_SCALE": "3"}).rating_scale == 3
    with pytest.raises(ValidationError):
        Settings.model_validate(_env() | {"RATING_SCALE": "4"})
