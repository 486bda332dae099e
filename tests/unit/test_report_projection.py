"""The reports' projection (domain/report_projection.py): each event's counters, the case's
report state, repeats, backlog moves, and percentiles read from histograms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.business_hours import BusinessCalendar
from chalicelib.domain.report_projection import (
    ALL,
    EDGES,
    PAIRS,
    SINGLE,
    CaseFacts,
    Increments,
    ReportState,
    bucket,
    cells,
    fold,
    needs_case,
    new_breaches,
    percentile,
    report_day,
    slice_name,
    source,
)
from chalicelib.domain.report_projection import apply as project

#: every slice a report reads: `all`, each dimension, each pair (19; 10 are written)
READ_SLICES = (ALL, *(d.value for d in SINGLE), *(slice_name(p) for p in PAIRS))


def as_read(inc: Increments) -> Increments:
    """The increments as reports read them: every slice of READ_SLICES, folded from the
    stored slices written (`source`, `fold`), zero sums left out as the projection does."""
    out = Increments()
    for slice_ in READ_SLICES:
        stored, _ = source(slice_)
        days = [{"day": d, "cell": v, **c} for (d, s, v), c in inc.days.items() if s == stored]
        for item in fold(slice_, days):
            item = dict(item)
            out.days[(item.pop("day"), slice_, item.pop("cell"))] = item
        levels = [{"cell": v, **c} for (s, v), c in inc.levels.items() if s == stored]
        for item in fold(slice_, levels):
            item = dict(item)
            out.levels[(slice_, item.pop("cell"))] = item
    out.prune()
    return out


def apply(*args, **kwargs):
    """The projection's `apply`, its increments as reports read them (`as_read`)."""
    state, inc = project(*args, **kwargs)
    return state, as_read(inc)


T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Istanbul


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(kind: str, seq: int, at: datetime, data: dict, index: int = 0, actor=None) -> dict:
    return {
        "id": f"c1.{seq}.{index}", "type": f"destek.case.{kind}", "schema_version": 1,
        "case_id": "c1", "case_number": "2026-000001", "precase_id": None, "sequence": seq,
        "index": index, "occurred_at": iso(at),
        "actor": actor or {"kind": "system", "id": "destek"}, "data": data,
    }  # fmt: skip


OPENED = {"channel": "phone", "case_type": "complaint", "priority": "normal",
          "category_id": "kargo", "customer_id": "cu1", "product_id": "p1",
          "product_group": "telefon", "under_warranty": True}  # fmt: skip


def opening_facts(category: str | None = "vip") -> CaseFacts:
    return CaseFacts(opened_at=T0, values={}, status="new", customer_category=category)


def case_facts(fr_breached: datetime | None = None, res_breached=None, calendar=None) -> CaseFacts:
    return CaseFacts(
        opened_at=T0, values={}, status="in_progress",
        breached_at={"first_response": fr_breached, "resolution": res_breached},
        calendar=calendar,
    )  # fmt: skip


def total(inc: Increments, day: str = "2026-03-02") -> dict[str, int]:
    return inc.days.get((day, "all", "all"), {})


def opened_and_routed():
    """The state after an opening and its routing, the opening's increments (none) and the
    routing's (the opening counted), as reports read them."""
    state, inc = apply(None, event("opened", 1, T0, OPENED), opening_facts())
    state, counted = apply(state, event("routed", 2, T0 + timedelta(seconds=5), ROUTED))
    return state, inc, counted


ROUTED = {"group_id": "urun", "priority": "high", "category_id": "kargo",
          "reason_code": "rule_matched", "rule_id": "r-kargo", "sla_policy_id": "p"}  # fmt: skip


def test_an_opening_alone_records_the_state_and_counts_nothing():
    state, inc = project(None, event("opened", 1, T0, OPENED), opening_facts())
    assert not inc.days and not inc.levels  # the store writes the state alone: one PutItem
    assert state.opening_pending and not state.active and state.revision == 1
    assert state.cursor == "00000001#00" and state.warranty == "in_warranty"
    assert state.values["group"] is None and state.values["customer_category"] == "vip"


def test_a_state_stored_before_reads_as_counted():
    stored = {"case_id": "c1", "cursor": "00000001#00", "opened_at": iso(T0), "values": {},
              "active": True, "revision": 1}  # fmt: skip
    assert not ReportState.model_validate(stored).opening_pending


def test_routing_counts_the_opening_once_in_every_slice_at_the_routed_values():
    state, _, inc = opened_and_routed()
    minutes = state.opened_at.timestamp() // 60
    assert total(inc) == {"opened": 1, "complaints": 1, "in_warranty": 1,
                          "complaints_in_warranty": 1, "active": 1, "age": minutes}  # fmt: skip
    day = "2026-03-02"
    assert inc.days[(day, "channel", "phone")]["opened"] == 1
    assert inc.days[(day, "customer_category", "vip")]["opened"] == 1
    assert inc.days[(day, "group", "urun")]["opened"] == 1
    assert inc.days[(day, "topic", "r-kargo")]["complaints"] == 1
    assert inc.days[(day, "priority", "high")]["opened"] == 1
    assert inc.days[(day, "product_group+product", "telefon|p1")]["opened"] == 1
    # never at the requested values: no cell of them is written, not even netting to zero
    written = project(*opened_and_routed_raw())[1]
    assert len(written.days) == len(cells({})) == 10 and len(written.levels) == 10
    assert all("~" not in v.split("|")[0] for (_d, s, v) in written.days if s == "group+agent")
    assert not any(c.get("opened", 1) <= 0 for c in inc.days.values())
    assert (day, "group", "~") not in inc.days and (day, "priority", "normal") not in inc.days
    assert (day, "topic", "~") not in inc.days
    assert len([k for k in inc.days if k[0] == day]) == len(READ_SLICES) == 19
    assert ("2026-03-02", "all", "all") not in written.days  # folded from the stored slices
    assert inc.levels[("all", "all")] == {"active": 1, "age": minutes}
    assert inc.levels[("group", "urun")]["active"] == 1 and ("group", "~") not in inc.levels
    assert not state.opening_pending and state.active and state.routed
    assert state.values["group"] == "urun" and state.values["topic"] == "r-kargo"


def opened_and_routed_raw():
    """The opened state (as the projection returns it) and the routing event."""
    state, _ = project(None, event("opened", 1, T0, OPENED), opening_facts())
    return state, event("routed", 2, T0 + timedelta(seconds=5), ROUTED)


def test_routing_still_moves_an_opening_counted_before():
    # a state stored before issue 21's change: its opening counted at the requested values
    state = ReportState(case_id="c1", cursor="00000001#00", opened_at=T0, active=True,
                        warranty="in_warranty", revision=1,
                        values={"group": None, "type": "complaint", "priority": "normal",
                                "channel": "phone", "category": "kargo"})  # fmt: skip
    _, moved = apply(state, event("routed", 2, T0 + timedelta(seconds=5), ROUTED))
    day = "2026-03-02"
    assert moved.days[(day, "group", "~")]["opened"] == -1
    assert moved.days[(day, "group", "urun")]["opened"] == 1
    assert moved.days[(day, "topic", "r-kargo")]["complaints"] == 1
    assert (day, "channel", "phone") not in moved.days  # unchanged cells net to nothing
    assert moved.levels[("group", "urun")]["active"] == 1
    assert moved.levels[("group", "~")]["active"] == -1


def test_a_reply_before_routing_counts_the_opening_at_the_current_values():
    opened, _ = project(None, event("opened", 1, T0, OPENED), opening_facts())
    reply = event("customer_replied", 2, T0 + timedelta(seconds=1), {})
    state, inc = apply(opened, reply)
    day = "2026-03-02"
    assert total(inc) == {"opened": 1, "complaints": 1, "in_warranty": 1,
                          "complaints_in_warranty": 1, "active": 1,
                          "age": T0.timestamp() // 60}  # fmt: skip
    assert inc.days[(day, "group", "~")]["opened"] == 1  # where the case is: not routed
    assert inc.levels[("group", "~")]["active"] == 1
    assert not state.opening_pending and state.active and not state.routed
    # routing then moves it, as it moves any opening counted before it
    _, moved = apply(state, event("routed", 3, T0 + timedelta(seconds=5), ROUTED))
    assert moved.days[(day, "group", "~")]["opened"] == -1
    assert moved.days[(day, "group", "urun")]["opened"] == 1


def test_a_resolution_of_an_unrouted_case_counts_its_opening_and_its_leaving():
    opened, _ = project(None, event("opened", 1, T0, OPENED), opening_facts())
    next_day = T0 + timedelta(days=1)
    resolved = event("resolved", 2, next_day, {"status_from": "new"})
    state, inc = apply(opened, resolved, case_facts())
    minutes = T0.timestamp() // 60
    # counted on the opening's day, joins the backlog then; leaves it on the resolution's
    assert total(inc) == {"opened": 1, "complaints": 1, "in_warranty": 1,
                          "complaints_in_warranty": 1, "active": 1, "age": minutes}  # fmt: skip
    assert total(inc, "2026-03-03")["resolved"] == 1
    assert total(inc, "2026-03-03")["active"] == -1
    assert ("all", "all") not in inc.levels  # in and out: the level is unchanged
    assert not state.active and not state.opening_pending


def test_routing_the_next_day_counts_the_opening_and_the_backlog_on_its_day():
    opened, _ = project(None, event("opened", 1, T0, OPENED), opening_facts())
    state, inc = apply(opened, event("routed", 2, T0 + timedelta(days=1), ROUTED))
    assert total(inc)["opened"] == 1 and total(inc)["active"] == 1  # the opening's day
    assert ("2026-03-03", "all", "all") not in inc.days
    assert inc.levels[("all", "all")]["active"] == 1


def test_a_conversion_with_the_opening_leaves_it_pending():
    opened, _ = project(None, event("opened", 1, T0, OPENED), opening_facts())
    converted = dict(event("x", 1, T0, {"precase_id": "p1", "channel": "email"}, index=1),
                     type="destek.precase.converted")  # fmt: skip
    state, inc = project(opened, converted)
    assert state.opening_pending and not inc.days and not inc.levels
    assert state.cursor == "00000001#01"
    _, inc = apply(state, event("routed", 2, T0 + timedelta(seconds=5), ROUTED))
    assert total(inc)["opened"] == 1 and inc.days[("2026-03-02", "group", "urun")]["opened"]


def test_a_repeat_of_the_counting_event_changes_nothing():
    state, _, _ = opened_and_routed()
    again, inc = project(state, event("routed", 2, T0 + timedelta(seconds=5), ROUTED))
    assert again is state and not inc.days and not inc.levels


def test_events_applied_together_count_as_applied_one_by_one():
    # a rebuild (or a catch-up) applies a case's events in one write: the same counters
    events = [event("opened", 1, T0, OPENED),
              event("routed", 2, T0 + timedelta(seconds=5), ROUTED),
              event("agent_replied", 3, T0 + timedelta(minutes=3), {"first_response": False},
                    actor={"kind": "staff", "id": "ayse"})]  # fmt: skip
    one_by_one, state = Increments(), None
    for e in events:
        state, inc = project(state, e, opening_facts() if e["type"].endswith("opened") else None)
        one_by_one.add(inc)
    again = Increments()
    for e in events:  # a second delivery of all: every one a repeat
        state, inc = project(state, e, opening_facts() if e["type"].endswith("opened") else None)
        again.add(inc)
    assert not again.days and not again.levels
    assert as_read(one_by_one).days[("2026-03-02", "all", "all")]["opened"] == 1
    assert as_read(one_by_one).levels[("all", "all")]["active"] == 1


def test_a_repeat_changes_nothing():
    state, _, _ = opened_and_routed()
    again, inc = apply(state, event("routed", 2, T0, {"group_id": "x", "priority": "low",
                                                      "reason_code": "default_group"}))  # fmt: skip
    assert again is state and not inc.days and not inc.levels
    same, inc = apply(state, event("opened", 1, T0, OPENED), opening_facts())
    assert same is state and not inc.days


def test_first_response_resolution_fcr_and_sla_from_the_case_clocks():
    state, _, _ = opened_and_routed()
    calendar = BusinessCalendar()
    reply_at = T0 + timedelta(minutes=20)
    assert needs_case(state, event("agent_replied", 3, reply_at, {"first_response": True}))
    state, inc = apply(
        state, event("agent_replied", 3, reply_at, {"first_response": True},
                     actor={"kind": "staff", "id": "ayse"}),
        case_facts(calendar=calendar),
    )  # fmt: skip
    counters = total(inc)
    assert counters["replies"] == 1 and counters["frt_n"] == 1 and counters["frt_sum"] == 20
    assert counters[f"frt_c{bucket(20)}"] == 1 and counters["frt_bsum"] == 20
    assert counters["sla_first_response_met"] == 1
    assert inc.days[("2026-03-02", "agent", "ayse")]["replies"] == 1
    done_at = T0 + timedelta(hours=3)
    late = T0 + timedelta(hours=2)
    state, inc = apply(state, event("resolved", 4, done_at, {"status_from": "in_progress",
                                                            "assignee": "ayse",
                                                            "group_id": "urun"}),
                       case_facts(res_breached=late))  # fmt: skip
    counters = total(inc)
    assert counters["resolved"] == 1 and counters["fcr"] == 1
    assert counters["sla_resolution_breached"] == 1 and "sla_resolution_met" not in counters
    assert counters["res_sum"] == 180 and counters["replies_at_resolution"] == 1
    assert counters["active"] == -1
    assert inc.days[("2026-03-02", "group+agent", "urun|ayse")]["resolved"] == 1
    # reopened the next day: counted there, and the first-contact resolution taken back
    next_day = T0 + timedelta(days=1)
    state, inc = apply(
        state,
        event(
            "reopened", 5, next_day, {"status_from": "resolved", "to_pool": True, "by": "customer"}
        ),
    )
    assert total(inc, "2026-03-03")["reopened"] == 1
    assert total(inc, "2026-03-03")["active"] == 1
    assert total(inc)["fcr"] == -1
    assert state.values["agent"] is None and state.reopened and "resolution" not in state.sla


def test_a_breach_counts_once_and_leaves_a_drill_down_record():
    state, _, _ = opened_and_routed()
    breach = event("sla_breached", 3, T0 + timedelta(hours=1),
                   {"target": "first_response", "priority": "urgent"})  # fmt: skip
    after, inc = apply(state, breach)
    assert total(inc)["sla_first_response_breached"] == 1
    assert inc.days[("2026-03-02", "priority", "urgent")]["sla_first_response_breached"] == 1
    records = new_breaches(state, after, breach)
    assert [(r["target"], r["group"], r["priority"]) for r in records] == [
        ("first_response", "urun", "urgent")]  # fmt: skip
    reply = event("agent_replied", 4, T0 + timedelta(hours=2), {"first_response": True},
                  actor={"kind": "staff", "id": "ayse"})  # fmt: skip
    _, inc = apply(after, reply, case_facts(fr_breached=T0 + timedelta(minutes=30)))
    assert "sla_first_response_breached" not in total(inc)
    assert "sla_first_response_met" not in total(inc)


def test_a_case_met_first_by_a_later_event_is_seeded_from_the_case():
    facts = CaseFacts(opened_at=T0, values={"group": "urun", "type": "question"},
                      status="in_progress")  # fmt: skip
    reply = event("agent_replied", 7, T0 + timedelta(minutes=5), {"first_response": False},
                  actor={"kind": "staff", "id": "ali"})  # fmt: skip
    assert needs_case(None, reply)
    assert apply(None, reply, None) == (None, Increments())
    state, inc = apply(None, reply, facts)
    assert state is not None and state.cursor == "00000007#00"
    assert total(inc)["replies"] == 1
    assert total(inc)["active"] == 1  # open now: joins the backlog


def test_closing_a_resolved_case_does_not_leave_the_backlog_twice():
    state, _, _ = opened_and_routed()
    state, inc = apply(state, event("resolved", 3, T0 + timedelta(hours=1),
                                    {"status_from": "open"}), case_facts())  # fmt: skip
    assert total(inc)["active"] == -1
    state, inc = apply(state, event("closed", 4, T0 + timedelta(hours=2),
                                    {"status_from": "resolved"}))  # fmt: skip
    assert total(inc) == {"closed": 1}


def fields_changed(seq: int, at: datetime, **changes: tuple[str | None, str]) -> dict:
    data: dict = {"fields": list(changes)}
    for name, (old, new) in changes.items():
        data[name], data[f"previous_{name}"] = new, old
    return event("fields_changed", seq, at, data, actor={"kind": "staff", "id": "selin"})


def test_a_hand_edit_moves_the_later_counts_and_the_backlog_not_the_past():
    state, _, _ = opened_and_routed()  # routed: group urun, priority high, category kargo
    next_day = T0 + timedelta(days=1)
    edit = fields_changed(3, next_day, category_id=("kargo", "iade"), priority=("high", "low"),
                          case_type=("complaint", "request"))  # fmt: skip
    assert not needs_case(state, edit)
    state, inc = apply(state, edit)
    assert (state.values["category"], state.values["priority"], state.values["type"]) == (
        "iade",
        "low",
        "request",
    )
    day = "2026-03-03"
    # the opening stays where it was counted; the backlog moves, on the edit's day
    assert not any(c.get("opened") or c.get("complaints") for c in inc.days.values())
    assert inc.levels[("category", "kargo")] == {"active": -1, "age": -(T0.timestamp() // 60)}
    assert inc.levels[("category", "iade")]["active"] == 1
    assert inc.days[(day, "category+type", "kargo|complaint")]["active"] == -1
    assert inc.days[(day, "category+type", "iade|request")]["active"] == 1
    assert ("all", "all") not in inc.levels and ("group", "urun") not in inc.levels
    # the resolution counts under the new values
    state, inc = apply(state, event("resolved", 4, next_day + timedelta(hours=1),
                                    {"status_from": "in_progress", "assignee": "ayse",
                                     "group_id": "urun"}), case_facts())  # fmt: skip
    assert inc.days[(day, "category", "iade")]["resolved"] == 1
    assert inc.days[(day, "priority", "low")]["resolved"] == 1
    assert inc.days[(day, "type", "request")]["resolved"] == 1
    assert (day, "category", "kargo") not in inc.days
    assert inc.levels[("category", "iade")]["active"] == -1
    # only the subject: the case's cells stay, nothing is counted
    same, inc = apply(state, fields_changed(5, next_day, subject=(None, None)))
    assert same.values == state.values and not inc.days and not inc.levels


def test_an_edit_before_routing_counts_the_opening_at_the_edited_values():
    state, inc = apply(None, event("opened", 1, T0, OPENED), opening_facts())
    edit = fields_changed(2, T0 + timedelta(minutes=1), case_type=("complaint", "question"),
                          category_id=("kargo", "fatura"))  # fmt: skip
    state, counted = apply(state, edit)
    day = "2026-03-02"
    minutes = T0.timestamp() // 60
    assert (day, "category", "kargo") not in counted.days  # never at the requested values
    assert counted.days[(day, "category", "fatura")] == {"opened": 1, "in_warranty": 1,
                                                         "active": 1, "age": minutes}  # fmt: skip
    # a question now: not a complaint anywhere, one opening about a product
    assert counted.days[(day, "all", "all")] == {"opened": 1, "in_warranty": 1, "active": 1,
                                                 "age": minutes}  # fmt: skip
    assert counted.levels[("category", "fatura")]["active"] == 1
    routed = {"group_id": "urun", "priority": "normal", "category_id": "fatura",
              "reason_code": "default_group"}  # fmt: skip
    state, moved = apply(state, event("routed", 3, T0 + timedelta(minutes=2), routed))
    # routing takes the opening back from where the edit counted it, as before
    assert moved.days[(day, "group", "~")] == {"opened": -1, "in_warranty": -1,
                                               "active": -1, "age": -minutes}  # fmt: skip
    assert moved.days[(day, "group", "urun")]["opened"] == 1
    assert (day, "category", "fatura") not in moved.days


def test_pre_case_events_are_not_projected():
    pre = {"id": "p1.1.0", "type": "destek.precase.received", "case_id": None,
           "precase_id": "p1", "sequence": 1, "index": 0, "occurred_at": iso(T0),
           "actor": {"kind": "system", "id": "destek"}, "data": {"channel": "email"}}  # fmt: skip
    assert apply(None, pre) == (None, Increments())


def test_the_report_day_is_istanbuls():
    assert report_day("2026-03-01T20:59:59.000000Z") == "2026-03-01"
    assert report_day("2026-03-01T21:00:00.000000Z") == "2026-03-02"


# ---- percentiles from histograms ------------------------------------------------------------


def test_buckets_follow_the_edges():
    assert bucket(0) == 0 and bucket(4.9) == 0 and bucket(5) == 1 and bucket(-3) == 0
    assert bucket(10**6) == len(EDGES) - 1


def counts(**by_bucket: int) -> list[int]:
    out = [0] * len(EDGES)
    for name, n in by_bucket.items():
        out[int(name[1:])] = n
    return out


@pytest.mark.parametrize(
    ("histogram", "q", "expected"),
    [
        (counts(), 0.5, None),
        (counts(b1=10), 0.5, 10.0),  # [5, 15): rank 5 of 10 is half way
        (counts(b1=10), 0.9, 14.0),
        (counts(b0=5, b3=5), 0.5, 5.0),  # the rank ends exactly at the first bucket's top
        (counts(b0=5, b3=5), 0.9, 30 + 4 / 5 * 30),  # rank 9: 4 of 5 into [30, 60)
        (counts(b14=3), 0.5, 43200.0),  # the open last bucket: its lower edge
        (counts(b0=1, b2=2, b4=1), 0.5, 15 + 1 / 2 * 15),  # rank 2: 1 of 2 into [15, 30)
    ],
)
def test_percentile_interpolates_inside_the_bucket(histogram, q, expected):
    assert percentile(histogram, q) == pytest.approx(expected) if expected else (
        percentile(histogram, q) is None)  # fmt: skip


def test_percentile_of_exact_durations_is_within_their_bucket():
    durations = [3, 7, 12, 20, 25, 45, 50, 70, 200, 400]
    histogram = [0] * len(EDGES)
    for d in durations:
        histogram[bucket(d)] += 1
    median = percentile(histogram, 0.5)
    assert EDGES[bucket(25)] <= median <= EDGES[bucket(25) + 1]
