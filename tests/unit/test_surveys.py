"""Planned surveys' pure rules: the sample, the segment, the schedule, consent, answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.consent import (
    Consent,
    ConsentChange,
    ConsentChannel,
    ConsentSource,
    applied,
    may_send,
    supersedes,
)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.survey_runs import (
    ROSTER_SHARDS,
    CaseFact,
    CustomerFacts,
    ProductFact,
    invitation_id,
    matches,
    roster_shard,
    run_id,
    sample_key,
    throttle_cutoff,
)
from chalicelib.domain.surveys import (
    Question,
    Sample,
    Schedule,
    Segment,
    Survey,
    SurveyStatus,
    add_months,
    check_answers,
    moved,
    run_time,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEXT = {"tr": "Soru", "en": "Question"}


def drawn(seed: int, ids: list[str], size: int) -> list[str]:
    """The first `size` of the ids in the run's order (what a run's send phase takes)."""
    return sorted(ids, key=lambda c: sample_key(seed, c))[:size]


def test_the_same_seed_draws_the_same_sample_whatever_the_reading_order():
    ids = [f"c{i:04d}" for i in range(500)]
    first = drawn(42, ids, 50)
    assert drawn(42, list(reversed(ids)), 50) == first
    assert len(set(first)) == 50
    assert drawn(43, ids, 50) != first


def test_the_sample_is_near_uniform():
    """Each id's chance to be among the first 100 of 1000 is 10%; over 200 seeds each id
    is drawn about 20 times, never wildly more (a biased key would favour some ids)."""
    ids = [f"c{i:04d}" for i in range(1000)]
    hits = dict.fromkeys(ids, 0)
    for seed in range(200):
        for c in drawn(seed, ids, 100):
            hits[c] += 1
    assert sum(hits.values()) == 200 * 100
    assert max(hits.values()) < 45 and min(hits.values()) >= 3


@pytest.mark.parametrize(
    ("sample", "matched", "size"),
    [
        (Sample(), 37, 37),
        (Sample(kind="percent", percent=10), 15, 2),  # 1.5 rounds half up
        (Sample(kind="percent", percent=10), 14, 1),
        (Sample(kind="percent", percent=100), 9, 9),
        (Sample(kind="count", count=5), 3, 3),
        (Sample(kind="count", count=5), 30, 5),
        (Sample(kind="percent", percent=50), 0, 0),
    ],
)
def test_sample_size(sample, matched, size):
    assert sample.size(matched) == size


def test_a_sample_kind_needs_its_figure():
    with pytest.raises(ValueError):
        Sample(kind="percent")
    with pytest.raises(ValueError):
        Sample(kind="count")


def test_ids_are_stable_and_shards_spread():
    assert invitation_id("r1", "c1") == invitation_id("r1", "c1") != invitation_id("r2", "c1")
    assert run_id("s1", NOW) == run_id("s1", NOW) != run_id("s1", NOW + timedelta(days=7))
    shards = {roster_shard(f"c{i}") for i in range(400)}
    assert shards == set(range(ROSTER_SHARDS))


def facts(**kw) -> CustomerFacts:
    return CustomerFacts(customer_id="c1", category=kw.pop("category", "normal"), **kw)


PHONE = ProductFact(product_id="p-phone", brand="Reeder", groups=["elektronik", "telefon"],
                    purchase_date=date(2026, 3, 10),
                    registered_at=datetime(2026, 3, 12, tzinfo=UTC))  # fmt: skip
COMPLAINT = CaseFact(type="complaint", channel="phone", category_id="kargo",
                     created_at=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip


def test_an_empty_segment_is_everyone():
    assert matches(Segment(), facts(), NOW)


def test_segment_by_category_and_product():
    seg = Segment(customer_categories=["vip"], product_groups=["telefon"])
    assert matches(seg, facts(category="vip", products=[PHONE]), NOW)
    assert not matches(seg, facts(category="normal", products=[PHONE]), NOW)
    assert not matches(seg, facts(category="vip"), NOW)
    assert matches(Segment(brands=["reeder"]), facts(products=[PHONE]), NOW)  # any case
    assert not matches(Segment(product_ids=["other"]), facts(products=[PHONE]), NOW)


def test_one_product_must_meet_every_product_criterion():
    other = PHONE.model_copy(update={"product_id": "p-tv", "groups": ["tv"],
                                     "purchase_date": date(2025, 1, 1)})  # fmt: skip
    seg = Segment(product_groups=["tv"], purchased_from=date(2026, 1, 1))
    assert not matches(seg, facts(products=[PHONE, other]), NOW)  # tv bought in 2025
    assert matches(Segment(purchased_from=date(2026, 3, 10), purchased_to=date(2026, 3, 10)),
                   facts(products=[PHONE]), NOW)  # fmt: skip
    assert not matches(Segment(registered_to=date(2026, 3, 11)), facts(products=[PHONE]), NOW)


def test_segment_by_cases_and_no_contact():
    seg = Segment(case_types=["complaint"], case_channels=["phone"],
                  cases_from=date(2026, 11, 1))  # fmt: skip
    assert matches(seg, facts(cases=[COMPLAINT]), NOW)
    assert not matches(seg.model_copy(update={"case_categories": ["iade"]}),
                       facts(cases=[COMPLAINT]), NOW)  # fmt: skip
    quiet = Segment(no_contact_days=30)
    assert not matches(quiet, facts(last_contact_at=NOW - timedelta(days=11)), NOW)
    assert matches(quiet, facts(last_contact_at=NOW - timedelta(days=30)), NOW)
    assert matches(quiet, facts(), NOW)  # never contacted us


def test_throttle_cutoff():
    assert throttle_cutoff(NOW, 90) == NOW - timedelta(days=90)


def test_consent_is_opt_in_and_the_newest_change_stands():
    assert not may_send(None)
    grant = applied(ConsentChange(channel="email", granted=True), ConsentSource.SHOP, NOW)
    assert may_send(grant) and grant.at == NOW
    withdraw = Consent(
        channel=ConsentChannel.EMAIL,
        granted=False,
        source=ConsentSource.OPT_OUT_LINK,
        at=NOW + timedelta(minutes=1),
    )
    assert not may_send(withdraw)
    old_grant = applied(ConsentChange(channel="email", granted=True, at=NOW - timedelta(days=3)),
                        ConsentSource.SHOP, NOW)  # fmt: skip
    assert not supersedes(old_grant, withdraw) and supersedes(withdraw, grant)
    future = applied(ConsentChange(channel="sms", granted=True, at=NOW + timedelta(days=1)),
                     ConsentSource.SHOP, NOW)  # fmt: skip
    assert future.at == NOW  # a clock ahead of ours does not outlive a later withdrawal


QUESTIONS = [
    Question(id="overall", kind="rating", text=TEXT),
    Question(id="nps", kind="nps", text=TEXT),
    Question(id="channel", kind="single_choice", text=TEXT,
             choices=[{"id": "web", "text": TEXT}, {"id": "phone", "text": TEXT}]),
    Question(id="liked", kind="multiple_choice", text=TEXT, required=False,
             choices=[{"id": "speed", "text": TEXT}, {"id": "tone", "text": TEXT}]),
    Question(id="words", kind="free_text", text=TEXT, required=False, max_bytes=10),
]  # fmt: skip


def test_good_answers_are_kept():
    kept = check_answers(QUESTIONS, {"overall": 5, "nps": 0, "channel": "web",
                                     "liked": ["tone", "speed"], "words": " çok iyi "})  # fmt: skip
    assert kept["words"] == "çok iyi" and kept["nps"] == 0
    assert check_answers(QUESTIONS, {"overall": 1, "nps": 10, "channel": "phone",
                                     "words": ""}) == {"overall": 1, "nps": 10,
                                                       "channel": "phone"}  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "field", "problem"),
    [
        ({"nps": 5, "channel": "web"}, "overall", "required"),
        ({"overall": 6, "nps": 5, "channel": "web"}, "overall", "out_of_scale"),
        ({"overall": 0, "nps": 5, "channel": "web"}, "overall", "out_of_scale"),
        ({"overall": True, "nps": 5, "channel": "web"}, "overall", "not_a_number"),
        ({"overall": "5", "nps": 5, "channel": "web"}, "overall", "not_a_number"),
        ({"overall": 3, "nps": 11, "channel": "web"}, "nps", "out_of_scale"),
        ({"overall": 3, "nps": 5, "channel": "mail"}, "channel", "unknown_choice"),
        ({"overall": 3, "nps": 5, "channel": "web", "liked": ["x"]}, "liked", "unknown_choice"),
        ({"overall": 3, "nps": 5, "channel": "web", "liked": ["tone", "tone"]}, "liked",
         "repeated_choice"),
        ({"overall": 3, "nps": 5, "channel": "web", "liked": "tone"}, "liked", "not_a_list"),
        # ten bytes: five Turkish letters fit, six do not (bytes, not characters)
        ({"overall": 3, "nps": 5, "channel": "web", "words": "şşşşşş"}, "words", "too_long"),
        ({"overall": 3, "nps": 5, "channel": "web", "extra": 1}, "extra", "unknown_question"),
    ],
)  # fmt: skip
def test_bad_answers_are_refused_by_name(answers, field, problem):
    with pytest.raises(InvalidInput) as refused:
        check_answers(QUESTIONS, answers)
    assert {"field": field, "problem": problem} in refused.value.details


def test_five_turkish_letters_fit_ten_bytes():
    assert check_answers(QUESTIONS, {"overall": 3, "nps": 5, "channel": "web",
                                     "words": "şşşşş"})["words"] == "şşşşş"  # fmt: skip


def test_question_shapes():
    with pytest.raises(ValueError):
        Question(id="c", kind="single_choice", text=TEXT, choices=[{"id": "a", "text": TEXT}])
    with pytest.raises(ValueError):
        Question(id="r", kind="rating", text=TEXT, choices=[{"id": "a", "text": TEXT},
                                                           {"id": "b", "text": TEXT}])  # fmt: skip
    assert Question(id="n", kind="nps", text=TEXT).scale == (0, 10)


def test_schedule_times():
    start = datetime(2026, 1, 31, 7, 0, tzinfo=UTC)
    assert run_time(Schedule(start_at=start), 0) == start
    assert run_time(Schedule(start_at=start), 1) is None
    assert run_time(Schedule(frequency="weekly", start_at=start), 2) == start + timedelta(weeks=2)
    assert run_time(Schedule(frequency="monthly", start_at=start), 1).day == 28  # February
    assert run_time(Schedule(frequency="quarterly", start_at=start), 1).month == 4
    assert add_months(start, 12).year == 2027


def survey(**kw) -> Survey:
    return Survey(id="s1", name="Memnuniyet", questions=QUESTIONS[:1],
                  schedule=Schedule(frequency="weekly", start_at=NOW), created_by="zeynep",
                  created_at=NOW, updated_at=NOW, **kw)  # fmt: skip


def test_status_moves():
    active = moved(survey(), SurveyStatus.ACTIVE, NOW)
    assert active.next_run_at == NOW and active.version == 2
    paused = moved(active.model_copy(update={"runs": 3}), SurveyStatus.PAUSED, NOW)
    assert paused.next_run_at is None
    again = moved(paused, SurveyStatus.ACTIVE, NOW)
    assert again.next_run_at == NOW + timedelta(weeks=3)  # the first time not yet run
    ended = moved(again, SurveyStatus.ENDED, NOW)
    with pytest.raises(Conflict):
        moved(ended, SurveyStatus.ACTIVE, NOW)
    with pytest.raises(Conflict):
        moved(survey(), SurveyStatus.PAUSED, NOW)
