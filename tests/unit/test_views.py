"""Saved views (domain/views.py): which one Query serves a view, what is filtered after its
key, what no index serves, and how counts are shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.views import ViewFilters, check_view, counted, plan

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def planned(sort="newest", viewer="mehmet", **filters):
    return plan(ViewFilters(**filters), sort, viewer, NOW)


def test_my_active_cases_read_my_partition_and_filter_the_rest_after_it():
    p = planned(assignee="me", priorities=["high", "urgent"], tags=["İADE"], sort="priority")
    assert (p.source, p.agent, p.done, p.order) == ("agent", "mehmet", False, "priority")
    assert ("in", ("priority",), ["high", "urgent"]) in p.conditions
    assert ("contains", ("tags",), "iade") in p.conditions  # normalised the Turkish way
    assert not any(path == ("assignee",) for _, path, _ in p.conditions)  # the key says it


def test_an_agents_finished_cases_read_the_done_partition():
    p = planned(assignee="ayse", statuses=["resolved", "closed"])
    assert (p.source, p.agent, p.done) == ("agent", "ayse", True)
    assert p.conditions == [("in", ("status",), ["closed", "resolved"])]


def test_a_group_in_one_status_reads_its_queue():
    p = planned(group_id="urun", statuses=["in_progress"], channels=["email"], sort="oldest")
    assert (p.source, p.group_id, p.status, p.order) == ("queue", "urun", "in_progress", "oldest")
    assert p.conditions == [("in", ("channel",), ["email"])]


def test_a_groups_unassigned_cases_are_its_pool():
    p = planned(group_id="urun", assignee="none")
    assert (p.source, p.status) == ("queue", "open")
    assert p.conditions == []


def test_breached_and_due_soon_read_the_due_index():
    breached = planned(sla="breached", group_id="urun", types=["complaint"])
    assert (breached.source, breached.due_before) == ("due", "2026-12-03T09:30:00")
    assert ("eq", ("group_id",), "urun") in breached.conditions
    soon = planned(sla="due_soon")
    assert soon.due_before == "2026-12-03T13:30:00"
    assert soon.conditions == [("gt", ("due_at",), "2026-12-03T09:30:00")]


def test_sla_and_age_filter_a_served_view_after_its_key():
    p = planned(group_id="urun", statuses=["open"], sla="on_track", older_than_hours=48)
    assert ("absent_or_gt", ("due_at",), "2026-12-03T13:30:00") in p.conditions
    assert ("lt", ("created_at",), "2026-12-01T09:30:00") in p.conditions
    mine = planned(assignee="me", sla="breached", newer_than_hours=2)
    assert ("lt", ("due_at",), "2026-12-03T09:30:00") in mine.conditions
    assert ("gt", ("created_at",), "2026-12-03T07:30:00") in mine.conditions


def test_custom_field_values_are_matched_as_their_field_stores_them():
    p = plan(ViewFilters(assignee="me", fields={"tutar": "100"}), "newest", "m", NOW,
             {"tutar": 100})  # fmt: skip
    assert ("eq", ("custom_fields", "tutar"), 100) in p.conditions


@pytest.mark.parametrize(
    "filters",
    [
        {"priorities": ["urgent"]},  # nothing to start from: a Scan
        {"group_id": "urun"},  # a group in every status: several partitions
        {"group_id": "urun", "statuses": ["open", "in_progress"]},
        {"assignee": "me", "statuses": ["in_progress", "resolved"]},  # active and done
        {"sla": "on_track"},
    ],
)
def test_a_view_no_index_serves_is_refused_when_saved(filters):
    with pytest.raises(InvalidInput) as refused:
        check_view(ViewFilters(**filters), "newest", NOW)
    assert refused.value.code == "view_unserved"


def test_an_age_window_that_holds_nothing_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_view(ViewFilters(assignee="me", older_than_hours=5, newer_than_hours=5), "newest",
                   NOW)  # fmt: skip
    assert refused.value.code == "empty_view"


def test_filters_are_bounded_and_strict():
    with pytest.raises(ValidationError):
        ViewFilters(tags=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(ValidationError):
        ViewFilters(unknown=1)
    with pytest.raises(ValidationError):
        ViewFilters(statuses=["lost"])


def test_counts_stop_at_a_hundred():
    assert counted(7).model_dump() == {"count": 7, "more": False}
    assert counted(101).model_dump() == {"count": 100, "more": True}


def test_if_none_match_is_compared_weakly_and_may_name_several_tags():
    from chalicelib.api.etags import etag_of, matches

    tag = etag_of('{"items":[]}')
    assert tag == etag_of('{"items":[]}') != etag_of('{"items":[1]}')
    assert matches(tag, tag) and matches(tag.removeprefix("W/"), tag)
    assert matches(f'"other", {tag}', tag) and matches("*", tag)
    assert not matches(None, tag) and not matches('"other"', tag)


class PagedCounts:
    """A DynamoDB client answering COUNT Queries a page at a time (each page's Count)."""

    def __init__(self, pages: list[int]) -> None:
        self.pages, self.calls = pages, []

    def query(self, **kwargs):
        self.calls.append(kwargs)
        at = len(self.calls) - 1
        more = {"LastEvaluatedKey": {"PK": {"S": str(at)}}} if at + 1 < len(self.pages) else {}
        return {"Count": self.pages[at], **more}


@pytest.mark.parametrize(
    ("pages", "rounds", "answer", "calls"),
    [
        ([3, 4], 3, (7, True), 2),  # the partition's end
        ([60, 60, 60], 3, (120, False), 2),  # past the cap: no third call
        ([1, 1, 1, 1], 3, (3, False), 3),  # the rounds ran out first
    ],
)
def test_a_count_reads_on_to_the_cap_the_end_or_its_rounds(pages, rounds, answer, calls):
    from chalicelib.store.dynamo import Table

    client = PagedCounts(pages)
    table = Table("t", client)
    found = table.count(("PK", "VIEWTEST"), matches=[("in", ["priority"], ["high", "urgent"])],
                        cap=101, rounds=rounds)  # fmt: skip
    assert found == answer and len(client.calls) == calls
    first = client.calls[0]
    assert first["Select"] == "COUNT"
    assert first["FilterExpression"] == "#m0_0 IN (:m0_0, :m0_1)"
    assert "ExclusiveStartKey" in client.calls[-1] or calls == 1


class KeysThenItems:
    """A DynamoDB client whose index holds keys only: Queries answer pages of entries, and
    BatchGetItem the items (case i has priority `high` when i is even, else `normal`)."""

    def __init__(self, entries: int, page: int) -> None:
        self.entries, self.page, self.queries = entries, page, 0

    def query(self, **kwargs):
        assert "FilterExpression" not in kwargs  # a keys-only index holds no attribute to test
        self.queries += 1
        at = int(kwargs.get("ExclusiveStartKey", {}).get("SK", {}).get("S", "0"))
        upto = min(at + min(self.page, kwargs["Limit"]), self.entries)
        rows = [{"PK": {"S": f"CASE#{i}"}, "SK": {"S": "CASE"}, "agent_pk": {"S": "A"},
                 "created_sk": {"S": f"{i:04}"}} for i in range(at, upto)]  # fmt: skip
        more = {
            "LastEvaluatedKey": {
                "PK": {"S": f"CASE#{upto}"},
                "SK": {"S": str(upto)},
                "agent_pk": {"S": "A"},
                "created_sk": {"S": f"{upto:04}"},
            }
        }
        return {"Items": rows, **(more if upto < self.entries else {})}

    def batch_get_item(self, RequestItems):  # noqa: N803 (boto3's name)
        keys = next(iter(RequestItems.values()))["Keys"]
        items = [{**k, "agent_pk": {"S": "A"},
                  "priority": {"S": "high" if int(k["PK"]["S"][5:]) % 2 == 0 else "normal"}}
                 for k in keys]  # fmt: skip
        return {"Responses": {"t": items}}


@pytest.mark.parametrize(("entries", "answer"), [(10, (5, True)), (500, (101, False))])
def test_a_count_on_a_keys_only_index_tests_the_items_it_reads(entries, answer):
    """The lists' indexes project keys only (issue 21 part 2): a view's conditions cannot be a
    FilterExpression there, so the count reads pages of entries and their items, to the cap."""
    from chalicelib.store.dynamo import Table

    client = KeysThenItems(entries, page=1000)
    table = Table("t", client)
    found = table.count(("agent_pk", "A"), index="agent_newest",
                        matches=[("in", ["priority"], ["high", "urgent"])], cap=101)  # fmt: skip
    assert found == answer


@pytest.mark.parametrize(("how", "path", "value", "item", "expected"), [
    ("in", ["priority"], ["high", "urgent"], {"priority": "urgent"}, True),
    ("in", ["priority"], ["high"], {"priority": "low"}, False),
    ("lt", ["created_at"], "2026-12-01", {"created_at": "2026-11-30T10:00"}, True),
    ("gt", ["created_at"], "2026-12-01", {"created_at": "2026-11-30T10:00"}, False),
    ("gt", ["n"], 3, {"n": "4"}, False),  # a string is not compared with a number
    ("absent", ["assignee"], None, {}, True),
    ("absent", ["assignee"], None, {"assignee": "ayse"}, False),
    ("absent_or_gt", ["due"], "b", {}, True),
    ("absent_or_gt", ["due"], "b", {"due": "c"}, True),
    ("absent_or_gt", ["due"], "b", {"due": "a"}, False),
    ("equals", ["custom_fields", "renk"], "mavi", {"custom_fields": {"renk": "mavi"}}, True),
])  # fmt: skip
def test_a_condition_read_on_an_item_decides_as_dynamodb_would(how, path, value, item, expected):
    from chalicelib.store.dynamo import _matches

    assert _matches(item, how, path, value) is expected
