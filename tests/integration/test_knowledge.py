"""The knowledge base through the API on a moto server (docs/knowledge-base.md): write,
review, publish, versions and history; the help centre hides internal, draft-only and
archived articles; helpful votes once per visitor a day; a reply on a resolved case as a
draft article; an article inserted into a reply counted with the reply; a link counted
when the case is resolved (once); bad input refused with nothing written."""

from __future__ import annotations

import uuid

import pytest

from .conftest import open_case
from .test_search import flow  # noqa: F401 - the fixture: routing, stream, search queue


def unique_word() -> str:
    """A made-up word no other test's article holds, to find ours among the suggestions."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def article_body(word: str = "", visibility: str = "public", **more) -> dict:
    texts = {
        "tr": {
            "title": f"Kargo gecikmesi {word}".strip(),
            "problem": f"Kargom gelmedi {word}".strip(),
            "solution": "1. Takip numarasını açın\n2. Kargo firmasını arayın",
        },
        "en": {
            "title": "Late delivery",
            "problem": "My parcel did not arrive",
            "solution": "1. Open the tracking number\n2. Call the carrier",
        },
    }
    return {"texts": texts, "visibility": visibility, **more}


def publish(agent, supervisor, body: dict) -> dict:
    made = agent.post("/articles", body)
    assert made.status == 201, made
    sent = agent.post(f"/articles/{made.body['id']}/submit", {"revision": made.body["revision"]})
    assert sent.status == 200, sent
    live = supervisor.post(
        f"/articles/{made.body['id']}/approve", {"revision": sent.body["revision"]}
    )
    assert live.status == 200, live
    return live.body


def test_draft_review_publish_and_a_new_version(as_role):
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    made = agent.post("/articles", article_body(unique_word())).body
    assert made["state"] == "draft" and made["live"] is None and made["working"]["number"] == 1
    # a draft is nobody's to read outside
    assert public.get(f"/kb/articles/{made['slug']}").status == 404
    sent = agent.post(f"/articles/{made['id']}/submit", {"revision": made["revision"]}).body
    assert sent["state"] == "review"
    # agents may not approve: the publisher's permission is a supervisor's
    refused = agent.post(f"/articles/{made['id']}/approve", {"revision": sent["revision"]})
    assert refused.status == 403
    live = supervisor.post(f"/articles/{made['id']}/approve", {"revision": sent["revision"]}).body
    assert live["state"] == "published" and live["live"]["number"] == 1
    assert live["live"]["published_by"]["id"] == "selin"
    shown = public.get(f"/kb/articles/{made['slug']}?lang=en").body
    assert shown["title"] == "Late delivery" and shown["languages"] == ["en", "tr"]

    # saving a published article opens version 2; the live version stays 1 until approved
    edited = article_body("yeni")
    edited["texts"]["tr"]["solution"] = "1. Yeni adım"
    saved = agent.put(f"/articles/{made['id']}", {**edited, "revision": live["revision"]}).body
    assert saved["state"] == "draft" and saved["working"]["number"] == 2
    assert saved["live"]["number"] == 1
    assert public.get(f"/kb/articles/{made['slug']}").body["solution"].startswith("1. Takip")
    stale = agent.put(f"/articles/{made['id']}", {**edited, "revision": live["revision"]})
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
    sent = agent.post(f"/articles/{made['id']}/submit", {"revision": saved["revision"]}).body
    again = supervisor.post(f"/articles/{made['id']}/approve", {"revision": sent["revision"]}).body
    assert again["live"]["number"] == 2
    assert public.get(f"/kb/articles/{made['slug']}").body["solution"] == "1. Yeni adım"
    # the older version stays readable, and the history says who did what
    versions = agent.get(f"/articles/{made['id']}/versions").body
    assert [v["number"] for v in versions] == [2, 1]
    first = agent.get(f"/articles/{made['id']}/versions/1").body
    assert first["content"]["texts"]["tr"]["solution"].startswith("1. Takip")
    moves = [
        (h["move"], h["actor"]["id"]) for h in agent.get(f"/articles/{made['id']}/history").body
    ]
    assert moves == [
        ("approve", "selin"),
        ("submit", "mehmet"),
        ("save", "mehmet"),
        ("approve", "selin"),
        ("submit", "mehmet"),
        ("create", "mehmet"),
    ]


def test_reject_sends_back_and_archive_takes_down(as_role):
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    live = publish(agent, supervisor, article_body(unique_word()))
    saved = agent.put(
        f"/articles/{live['id']}", {**article_body("x"), "revision": live["revision"]}
    )
    sent = agent.post(f"/articles/{live['id']}/submit", {"revision": saved.body["revision"]}).body
    back = supervisor.post(
        f"/articles/{live['id']}/reject", {"revision": sent["revision"], "note": "Adımlar eksik"}
    ).body
    assert back["state"] == "draft" and back["review_note"] == "Adımlar eksik"
    assert back["live"]["number"] == 1  # still live while the new draft is reworked
    gone = supervisor.post(f"/articles/{live['id']}/archive", {"revision": back["revision"]}).body
    assert gone["state"] == "archived" and gone["live"] is None
    assert public.get(f"/kb/articles/{live['slug']}").status == 404
    slugs = [a["slug"] for a in public.get("/kb/articles?limit=100").body["items"]]
    assert live["slug"] not in slugs
    # an archived article takes no approval: it must be saved and reviewed again
    refused = supervisor.post(f"/articles/{live['id']}/approve", {"revision": gone["revision"]})
    assert refused.status == 409 and refused.body["error"]["code"] == "illegal_move"


def test_public_reads_hide_internal_and_drafts(as_role):
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    made = as_role("admin").post("/categories", {"name": "Bilgi Bankası Testi"})
    assert made.status == 201, made
    category = made.body["id"]
    shown = publish(agent, supervisor, article_body(unique_word(), category_id=category))
    internal = publish(
        agent, supervisor, article_body(unique_word(), visibility="internal", category_id=category)
    )
    agent.post("/articles", article_body(unique_word(), category_id=category))  # a draft
    listed = public.get(f"/kb/articles?category_id={category}").body["items"]
    assert [a["slug"] for a in listed] == [shown["slug"]]
    assert public.get(f"/kb/articles/{internal['slug']}").status == 404
    categories = {c["category_id"]: c for c in public.get("/kb/categories").body}
    assert categories[category]["articles"] == 1
    assert categories[category]["name"] == "Bilgi Bankası Testi"
    # staff read every state, by state and category
    drafts = agent.get(f"/articles?state=draft&category_id={category}").body["items"]
    assert len(drafts) == 1


def test_helpful_votes_once_per_visitor_a_day(as_role):
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    live = publish(agent, supervisor, article_body(unique_word()))
    visitor = uuid.uuid4().hex
    first = public.post(f"/kb/articles/{live['slug']}/votes", {"visitor": visitor, "helpful": True})
    assert first.status == 201 and first.body == {"helpful_yes": 1, "helpful_no": 0}
    again = public.post(
        f"/kb/articles/{live['slug']}/votes", {"visitor": visitor, "helpful": False}
    )
    assert again.status == 409 and again.body["error"]["code"] == "already_voted"
    other = public.post(
        f"/kb/articles/{live['slug']}/votes", {"visitor": uuid.uuid4().hex, "helpful": False}
    )
    assert other.body == {"helpful_yes": 1, "helpful_no": 1}
    counts = agent.get(f"/articles/{live['id']}").body["counts"]
    assert (counts["helpful_yes"], counts["helpful_no"]) == (1, 1)


def test_a_vote_that_is_not_a_json_boolean_is_422_and_not_counted(as_role):
    """Pydantic's lax mode would count "yes", "false" and 0 as votes (docs/api.md, strict
    bodies)."""
    agent, supervisor, public = as_role("agent"), as_role("supervisor"), as_role(None)
    live = publish(agent, supervisor, article_body(unique_word()))
    for helpful in ("yes", "false", 0, 1, None):
        vote = {"visitor": uuid.uuid4().hex, "helpful": helpful}
        answer = public.post(f"/kb/articles/{live['slug']}/votes", vote)
        assert answer.status == 422, (helpful, answer)
        assert answer.body["error"]["details"][0]["field"] == "helpful", answer
    counts = agent.get(f"/articles/{live['id']}").body["counts"]
    assert (counts["helpful_yes"], counts["helpful_no"]) == (0, 0)


def test_public_reads_refuse_unknown_query_parameters(as_role):
    public = as_role(None)
    for path in ("/kb/categories?x=1", "/kb/articles?x=1"):
        answer = public.get(path)
        assert answer.status == 422 and answer.body["error"]["details"][0]["field"] == "x", answer
    assert public.get("/kb/categories").status == 200


def resolved_case_with_reply(agent, drain_routing, text: str) -> tuple[dict, str]:
    case = open_case(
        agent,
        customer={"customer_number": "10000001"},
        subject="Fatura gelmedi",
        description="Siparişimin faturası e-postama gelmedi",
    )
    drain_routing()
    case = agent.get(f"/cases/{case['id']}").body["case"]
    case = agent.post(f"/cases/{case['id']}/claim", {"version": case["version"]}).body
    case = agent.post(
        f"/cases/{case['id']}/replies", {"version": case["version"], "body": text}
    ).body
    reply = next(
        h for h in agent.get(f"/cases/{case['id']}").body["history"] if h["kind"] == "reply"
    )
    return case, reply["id"]


def test_a_good_reply_becomes_a_draft_article(as_role, drain_routing):
    agent, worker = as_role("agent"), as_role("supervisor")  # the case is finans's, not mehmet's
    case, reply_id = resolved_case_with_reply(
        worker, drain_routing, "1. Hesabım > Faturalar\n2. İndir"
    )
    early = agent.post(f"/cases/{case['id']}/replies/{reply_id}/article")
    assert early.status == 409 and early.body["error"]["code"] == "case_not_resolved"
    case = worker.post(
        f"/cases/{case['id']}/status", {"version": case["version"], "status": "resolved"}
    ).body
    made = agent.post(f"/cases/{case['id']}/replies/{reply_id}/article")
    assert made.status == 201, made
    article = made.body
    text = article["working"]["content"]["texts"]["tr"]  # Ahmet reads Turkish
    assert text == {
        "title": "Fatura gelmedi",
        "problem": "Fatura gelmedi",
        "solution": "1. Hesabım > Faturalar\n2. İndir",
    }
    assert article["state"] == "draft" and article["source_case_id"] == case["id"]
    assert article["working"]["content"]["visibility"] == "internal"
    assert article["working"]["content"]["category_id"] == case["category_id"]
    wrong = agent.post(f"/cases/{case['id']}/replies/h0000000000000000000000000/article")
    assert wrong.status == 404


def test_insert_and_link_are_counted(as_role, drain_routing, flow):  # noqa: F811
    agent, supervisor = as_role("agent"), as_role("supervisor")
    word = unique_word()
    live = publish(agent, supervisor, article_body(word))
    flow()  # the search queue indexes it: suggestions come from the search engine
    # about a product (routed to urun, mehmet's group), naming the article's own word
    case = open_case(
        agent,
        customer={"customer_number": "10000001"},
        subject=f"Kargom gelmedi {word}",
        description="Kargo gecikti",
        group_id="urun",
    )
    drain_routing()
    shown = agent.get(f"/cases/{case['id']}/articles").body
    assert shown["language"] == "tr"
    assert shown["suggested"][0]["article_id"] == live["id"]
    assert shown["suggested"][0]["solution"].startswith("1. Takip")
    agent.get(f"/cases/{case['id']}/articles")  # shown again: counted once per case
    case = agent.get(f"/cases/{case['id']}").body["case"]
    case = agent.post(f"/cases/{case['id']}/claim", {"version": case["version"]}).body
    sent = agent.post(
        f"/cases/{case['id']}/replies",
        {
            "version": case["version"],
            "body": shown["suggested"][0]["solution"],
            "article_id": live["id"],
        },
    )
    assert sent.status == 201, sent
    reply = [h for h in agent.get(f"/cases/{case['id']}").body["history"] if h["kind"] == "reply"]
    assert reply[-1]["data"]["article_id"] == live["id"]
    linked = agent.post(
        f"/cases/{case['id']}/articles", {"version": sent.body["version"], "article_id": live["id"]}
    )
    assert linked.status == 201 and linked.body["articles"][0]["counted"] is False
    twice = agent.post(
        f"/cases/{case['id']}/articles",
        {"version": linked.body["version"], "article_id": live["id"]},
    )
    assert twice.status == 409 and twice.body["error"]["code"] == "article_already_linked"
    counts = agent.get(f"/articles/{live['id']}").body["counts"]
    assert (counts["suggested"], counts["inserted"], counts["resolved_links"]) == (1, 1, 0)
    # resolved: the link counts; reopened and resolved again: not twice
    case = linked.body
    for status in ("resolved", "reopened", "in_progress", "resolved"):
        case = agent.post(
            f"/cases/{case['id']}/status", {"version": case["version"], "status": status}
        ).body
        assert case["status"] == status, case
    assert agent.get(f"/articles/{live['id']}").body["counts"]["resolved_links"] == 1
    # the agent opens it from the case: a view
    assert agent.get(f"/articles/{live['id']}/live").status == 200
    assert agent.get(f"/articles/{live['id']}").body["counts"]["views"] == 1


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/articles", {"texts": {}}, 422),
        ("/articles", {"texts": {"de": {"title": "t", "problem": "p", "solution": "s"}}}, 422),
        ("/articles", {"texts": {"tr": {"title": "", "problem": "p", "solution": "s"}}}, 422),
        (
            "/articles",
            {"texts": {"tr": {"title": "t", "problem": "p", "solution": "a" * 24577}}},
            422,
        ),
        ("/articles", {**article_body(), "visibility": "everyone"}, 422),
        ("/articles", {**article_body(), "extra": 1}, 422),
    ],
)
def test_bad_input_writes_nothing(as_role, table_items, path, body, status):
    before = table_items()
    answer = as_role("agent").post(path, body)
    assert answer.status == status, answer
    assert table_items() == before


def test_bad_moves_and_links_write_nothing(as_role, table_items, drain_routing):
    agent = as_role("agent")
    draft = agent.post("/articles", article_body(unique_word())).body
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    case = agent.get(f"/cases/{case['id']}").body["case"]
    before = table_items()
    not_live = agent.post(
        f"/cases/{case['id']}/articles", {"version": case["version"], "article_id": draft["id"]}
    )
    assert not_live.status == 409 and not_live.body["error"]["code"] == "article_not_live"
    carried = agent.post(
        f"/cases/{case['id']}/replies",
        {"version": case["version"], "body": "x", "article_id": draft["id"]},
    )
    assert carried.status == 409
    unknown = agent.post(
        f"/cases/{case['id']}/articles", {"version": case["version"], "article_id": "a404"}
    )
    assert unknown.status == 404
    file = agent.post(
        f"/articles/{draft['id']}/files",
        {"filename": "x.html", "content_type": "text/html", "size": 10},
    )
    assert file.status == 422
    big = agent.post(
        f"/articles/{draft['id']}/files",
        {"filename": "x.png", "content_type": "image/png", "size": 11 * 2**20},
    )
    assert big.status == 413
    assert agent.post(f"/articles/{draft['id']}/submit", {"revision": 99}).status == 409
    assert agent.get(f"/articles/{draft['id']}/versions/x").status == 404
    assert table_items() == before


def test_an_image_uploaded_and_confirmed_joins_the_article(as_role):
    import requests

    agent = as_role("agent")
    draft = agent.post("/articles", article_body(unique_word())).body
    form = agent.post(
        f"/articles/{draft['id']}/files",
        {"filename": "ekran.png", "content_type": "image/png", "size": 4},
    ).body
    assert "articles/" in form["fields"]["key"]
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("ekran.png", b"\x89PNG")}, timeout=10
    )
    assert sent.status_code in (200, 204), sent.text
    done = agent.post(f"/articles/{draft['id']}/files/{form['attachment_id']}").body
    files = done["working"]["content"]["files"]
    assert [f["filename"] for f in files] == ["ekran.png"] and files[0]["url"]
    again = agent.post(f"/articles/{draft['id']}/files/{form['attachment_id']}").body
    assert len(again["working"]["content"]["files"]) == 1
