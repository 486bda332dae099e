"""The help centre's search and the answers before a case (docs/knowledge-base.md, docs/search.md
"Articles") on a moto server: an article's live version is indexed through the `search` queue
when it is published and removed when it is archived; the public search finds public ones
only; the case screen's suggestions come from the search engine; a new-case draft's report
is kept and counted once, and the deflection report shows it; bad input writes nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from .conftest import open_case
from .test_knowledge import article_body, publish
from .test_search import flow  # noqa: F401 - the fixture: routing, stream, search queue


def word() -> str:
    """A made-up word of 10 letters no other test wrote (letters only: the analyzer keeps it)."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def typo(text: str) -> str:
    """The word with its last two letters swapped: one edit away."""
    return text[:-2] + text[-1] + text[-2]


def public_hits(public, q: str, lang: str = "tr") -> list[dict]:
    answer = public.get(f"/kb/search?q={q}&lang={lang}")
    assert answer.status == 200, answer
    return answer.body["items"]


def test_an_article_is_indexed_when_published_and_removed_when_archived(as_role, flow):  # noqa: F811
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    marker = word()
    body = article_body(marker)
    body["texts"]["en"]["solution"] = f"Ask the carrier about {marker}"
    live = publish(agent, supervisor, body)
    assert public_hits(public, marker) == []  # not yet: the search queue indexes it
    flow()
    hits = public_hits(public, f"kargom {typo(marker)}")
    assert [h["slug"] for h in hits][:1] == [live["slug"]]
    assert hits[0]["language"] == "tr" and f"<mark>{marker}</mark>" in hits[0]["title"]
    # the same article in English when the reader's words are English, one hit an article
    english = public_hits(public, f"carrier {marker}", lang="en")
    ours = [(h["slug"], h["language"]) for h in english if h["slug"] == live["slug"]]
    assert ours == [(live["slug"], "en")] and english[0]["slug"] == live["slug"]
    # staff search finds it too (one document a language)
    staff = supervisor.get(f"/search?q={marker}&kind=article").body["items"]
    assert {h["id"] for h in staff} == {f"{live['id']}.tr", f"{live['id']}.en"}
    # indexing the same article again changes nothing (idempotent)
    again = agent.get(f"/articles/{live['id']}").body
    flow()
    assert [h["slug"] for h in public_hits(public, marker)] == [live["slug"]]

    archived = supervisor.post(f"/articles/{live['id']}/archive", {"revision": again["revision"]})
    assert archived.status == 200, archived
    flow()
    assert public_hits(public, marker) == []
    assert supervisor.get(f"/search?q={marker}&kind=article").body["items"] == []


def test_public_search_hides_internal_and_drafts(as_role, flow):  # noqa: F811
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    customer = as_role("customer")
    marker = word()
    internal = publish(agent, supervisor, article_body(marker, visibility="internal"))
    draft = agent.post("/articles", article_body(marker))
    assert draft.status == 201
    flow()
    assert public_hits(public, marker) == []
    assert public_hits(customer, marker) == []
    # a customer may not use staff search for them either
    assert customer.get(f"/search?q={marker}&kind=article").status == 403
    staff = supervisor.get(f"/search?q={marker}&kind=article").body["items"]
    assert {h["id"].rsplit(".", 1)[0] for h in staff} == {internal["id"]}
    # made public by a new approved version: found
    edited = {**article_body(marker), "revision": internal["revision"]}
    saved = agent.put(f"/articles/{internal['id']}", edited).body
    sent = agent.post(f"/articles/{internal['id']}/submit", {"revision": saved["revision"]}).body
    supervisor.post(f"/articles/{internal['id']}/approve", {"revision": sent["revision"]})
    flow()
    assert [h["slug"] for h in public_hits(public, marker)] == [internal["slug"]]


def test_public_search_titles_and_snippets_are_escaped(as_role, flow):  # noqa: F811
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    marker = word()
    body = article_body(marker)
    body["texts"]["tr"]["title"] = f"<script>alert(1)</script> {marker}"
    body["texts"]["tr"]["problem"] = f"<img src=x onerror=alert(1)> {marker}"
    publish(agent, supervisor, body)
    flow()
    (hit,) = public_hits(public, marker)
    assert "<script>" not in hit["title"] and "&lt;script&gt;" in hit["title"]
    assert "<img" not in hit["snippet"] and "&lt;img" in hit["snippet"]


def test_case_suggestions_come_from_the_search_engine(as_role, drain_routing, flow):  # noqa: F811
    agent, supervisor = as_role("agent"), as_role("supervisor")
    marker = word()
    body = article_body()
    body["texts"]["tr"]["solution"] = f"1. {marker} ayarını açın\n2. Yeniden deneyin"
    live = publish(agent, supervisor, body)
    flow()
    # a typo of a word in the solution only: keyword overlap (stems) would not find it
    case = open_case(agent, subject=f"{typo(marker)} ayarı", description=typo(marker))
    drain_routing()
    shown = agent.get(f"/cases/{case['id']}/articles").body
    assert [s["article_id"] for s in shown["suggested"]][:1] == [live["id"]]


def test_empty_query_is_refused(as_role):
    answer = as_role(None).get("/kb/search?q=%21%21%21")
    assert answer.status == 422 and answer.body["error"]["code"] == "empty_query"
    assert as_role(None).get("/kb/search?q=kargo&lang=de").status == 422
    assert as_role(None).get("/kb/search?q=kargo&limit=21").status == 422


# ---- answers before a case: the drafts' reports ---------------------------------------------


def draft_id() -> str:
    return uuid.uuid4().hex


def deflection_totals(supervisor) -> dict:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/Istanbul")).date().isoformat()
    answer = supervisor.get(f"/reports/deflection?from={today}&to={today}")
    assert answer.status == 200, answer
    return answer.body["totals"]


def test_draft_reports_are_kept_once_and_counted(as_role):
    public, supervisor = as_role(None), as_role("supervisor")
    before = deflection_totals(supervisor)
    left = {"draft": draft_id(), "shown": ["kargo-a", "iade-b"], "opened": ["kargo-a"],
            "outcome": "left"}  # fmt: skip
    first = public.post("/kb/deflection", left)
    assert first.status == 200 and first.body == {"draft": left["draft"], "outcome": "left",
                                                  "recorded": True}  # fmt: skip
    # the page's beacon sends text/plain (no preflight): the same report, recorded once
    raw = json.dumps({**left, "outcome": "filed"}).encode()
    plain = {"content-type": "text/plain;charset=UTF-8"}
    repeat = public.call("POST", "/kb/deflection", raw=raw, headers=plain)
    assert repeat.status == 200 and repeat.body["recorded"] is False
    assert repeat.body["outcome"] == "left"
    filed = {"draft": draft_id(), "shown": ["kargo-a"], "opened": [], "outcome": "filed"}
    assert public.post("/kb/deflection", filed).body["recorded"] is True
    nothing = {"draft": draft_id(), "outcome": "left"}
    assert public.post("/kb/deflection", nothing).body["recorded"] is True

    after = deflection_totals(supervisor)
    names = ("drafts", "drafts_suggested", "drafts_opened", "drafts_deflected", "drafts_filed")
    assert [after[k] - before[k] for k in names] == [3, 2, 1, 1, 1]
    share = round(after["drafts_deflected"] / after["drafts_suggested"], 4)
    assert after["deflection_share"] == share


def test_deflection_report_by_day(as_role):
    supervisor = as_role("supervisor")
    answer = supervisor.get("/reports/deflection?from=2031-01-01&to=2031-01-03&by=day")
    assert answer.status == 200, answer
    assert [r["day"] for r in answer.body["rows"]] == ["2031-01-01", "2031-01-02", "2031-01-03"]
    assert answer.body["rows"][0]["deflection_share"] is None
    refused = supervisor.get("/reports/deflection?from=2031-01-01&to=2031-01-03&by=group")
    assert refused.status == 422 and refused.body["error"]["code"] == "invalid_dimensions"
    assert as_role("agent").get("/reports/deflection?from=2031-01-01&to=2031-01-03").status == 403


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"draft": "short", "outcome": "left"}, 422),
        ({"draft": "d" * 20, "outcome": "gone"}, 422),
        ({"draft": "d" * 20, "outcome": "left", "shown": ["a"], "opened": ["b"]}, 422),
        ({"draft": "d" * 20, "outcome": "left", "shown": ["<b>"]}, 422),
        ({"draft": "d" * 20, "outcome": "left", "shown": [f"s-{n}" for n in range(31)]}, 422),
        ({"draft": "d" * 20, "outcome": "left", "extra": 1}, 422),
        # valid JSON over the report's byte limit (the fields' limits keep a real one far
        # under it): refused by its size
        ('{"draft": "' + "d" * 20 + '",' + " " * 9000 + '"outcome": "left"}', 413),
        ("not json", 400),
    ],
)
def test_bad_draft_reports_write_nothing(as_role, table_items, body, status):
    def kept() -> list[dict]:
        return [i for i in table_items() if not i["PK"]["S"].startswith("RATE#")]

    before = kept()
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    answer = as_role(None).call("POST", "/kb/deflection", raw=raw)
    assert answer.status == status, answer
    assert kept() == before
