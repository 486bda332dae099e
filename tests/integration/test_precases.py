"""The pre-case pool through the API: what the shop, social media and email leave there, and
what agents and supervisors do with it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chalicelib import wiring
from chalicelib.domain.case_kinds import Channel
from chalicelib.domain.precases import Sender
from chalicelib.services.precases import Arrival, ArrivingFile
from chalicelib.store.aws import client
from tests.support import unique_number

from .test_signed_calls import customer, post, signed


def shop_customer(api, shop) -> tuple[str, str]:
    number = unique_number()
    status, body = post(api, f"/integrations/{shop}/customers", signed(customer(number)))
    assert status == 200, body
    return number, body["customer_id"]


def pooled(**extra) -> dict:
    arrival = Arrival(channel=Channel.EMAIL, subject="Soru", text="Faturamı nasıl alırım?",
                      sender=Sender(name="Ayla", email=f"{uuid.uuid4().hex[:8]}@example.com"),
                      **extra)  # fmt: skip
    return wiring.precase_pool().receive(arrival).model_dump(mode="json")


def test_a_case_the_shop_opens_waits_in_the_pool_and_becomes_a_case(api, shop, as_role):
    number, customer_id = shop_customer(api, shop)
    status, opened = post(
        api,
        f"/integrations/{shop}/cases",
        signed(
            {
                "customer_number": number,
                "type": "complaint",
                "subject": "İade talebi",
                "description": "Ürünü iade etmek istiyor, kargo kodu gerekiyor",
                "order_id": "O-77",
            }
        ),
    )
    assert status == 201, opened
    assert opened["customer_id"] == customer_id and opened["topic"] == "r-demo-1"  # kargo first
    agent = as_role("agent")
    pool = agent.get("/precases?channel=api&order=newest").body["items"]
    pre = next(p for p in pool if p["id"] == opened["precase_id"])
    assert pre["status"] == "pooled" and pre["case_type"] == "complaint"
    assert pre["sender"]["email"] == f"{number.lower()}@shop.example"
    assert "O-77" in pre["source_ref"]
    view = agent.get(f"/customers/{customer_id}/overview").body
    assert [p["id"] for p in view["precases"]] == [pre["id"]]

    claimed = agent.post(f"/precases/{pre['id']}/claim", {"version": pre["version"]}).body
    assert claimed["status"] == "claimed" and claimed["assignee"] == "mehmet"
    assert pre["id"] not in [p["id"] for p in agent.get("/precases?channel=api").body["items"]]
    assert pre["id"] in [p["id"] for p in agent.get("/precases/mine").body["items"]]

    answer = agent.post(f"/precases/{pre['id']}/case", {"version": claimed["version"]})
    assert answer.status == 201, answer.body
    case = answer.body["case"]
    assert case["channel"] == "api" and case["type"] == "complaint"
    assert case["customer_id"] == customer_id and case["subject"] == "İade talebi"
    assert answer.body["precase"]["status"] == "converted"
    assert answer.body["precase"]["case_number"] == case["number"]
    again = agent.post(f"/precases/{pre['id']}/case", {"version": claimed["version"]})
    assert again.status == 409 and again.body["error"]["code"] == "version_conflict"
    view = agent.get(f"/customers/{customer_id}/overview").body
    assert view["precases"] == [] and [c["id"] for c in view["cases"]] == [case["id"]]
    assert pre["id"] not in [p["id"] for p in agent.get("/precases/mine").body["items"]]


def test_two_conversions_of_one_pre_case_make_one_case(api, as_role):
    pre = pooled()
    agent, supervisor = as_role("agent"), as_role("supervisor")
    body = {"version": pre["version"], "type": "question"}
    first = agent.post(f"/precases/{pre['id']}/case", body)
    second = supervisor.post(f"/precases/{pre['id']}/case", body)
    assert first.status == 201 and second.status == 409
    email = pre["sender"]["email"]
    found = agent.get(f"/customers?email={email}").body
    cases = agent.get(f"/cases?view=customer&customer_id={found['id']}").body["items"]
    assert [c["id"] for c in cases] == [first.body["case"]["id"]]


def test_an_unknown_sender_becomes_a_new_customer_and_files_follow(api, as_role):
    photo = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    arrival = Arrival(
        channel=Channel.EMAIL,
        subject="Kırık ekran",
        text="Ekran kırık geldi",
        sender=Sender(name="Deniz Kaya", email=f"{uuid.uuid4().hex[:8]}@example.org"),
    )
    pre = wiring.precase_pool().receive(
        arrival, files=[ArrivingFile(filename="ekran.png", content_type="image/png", content=photo)]
    )
    agent = as_role("agent")
    no_type = agent.post(f"/precases/{pre.id}/case", {"version": pre.version})
    assert no_type.status == 422  # neither the pre-case nor the agent says what kind it is
    made = agent.post(f"/precases/{pre.id}/case", {"version": pre.version, "type": "complaint"})
    assert made.status == 201, made.body
    assert [f["filename"] for f in made.body["files"]] == ["ekran.png"]
    case = agent.get(f"/cases/{made.body['case']['id']}").body
    assert [a["filename"] for a in case["attachments"]] == ["ekran.png"]
    stored = client("s3").get_object(
        Bucket=wiring.settings().attachments_bucket,
        Key=f"cases/{case['case']['id']}/{case['attachments'][0]['id']}",
    )
    assert stored["Body"].read() == photo
    who = agent.get(f"/customers/{case['case']['customer_id']}").body
    assert who["name"] == "Deniz Kaya" and who["email"] == pre.sender.email


def test_spam_and_duplicates_leave_the_pool_and_stay_finished(api, as_role):
    agent = as_role("agent")
    spam, dup = pooled(), pooled()
    assert agent.post(f"/precases/{spam['id']}/set-aside",
                      {"version": 1, "outcome": "spam"}).body["status"] == "spam"  # fmt: skip
    needs_original = agent.post(f"/precases/{dup['id']}/set-aside",
                                {"version": 1, "outcome": "duplicate"})  # fmt: skip
    assert needs_original.status == 422
    missing = agent.post(
        f"/precases/{dup['id']}/set-aside",
        {"version": 1, "outcome": "duplicate", "duplicate_of": "2026-999999"},
    )
    assert missing.status == 404
    opened = agent.post(
        "/cases",
        {
            "customer": {"phone": "+90 532 700 11 22", "name": "Ali"},
            "type": "question",
            "subject": "s",
            "description": "d",
        },
    ).body
    marked = agent.post(
        f"/precases/{dup['id']}/set-aside",
        {"version": 1, "outcome": "duplicate", "duplicate_of": opened["number"]},
    )
    assert marked.status == 200 and marked.body["duplicate_of"] == opened["number"]
    late = agent.post(f"/precases/{spam['id']}/claim", {"version": 2})
    assert late.status == 409 and late.body["error"]["code"] == "precase_finished"
    pool = [
        p["id"] for p in agent.get("/precases?channel=email&order=newest&limit=100").body["items"]
    ]
    assert spam["id"] not in pool and dup["id"] not in pool


def test_a_supervisor_hands_out_several_and_an_agent_cannot_take_them_over(api, as_role):
    one, two, stale = pooled(), pooled(), pooled()
    supervisor, agent, admin = as_role("supervisor"), as_role("agent"), as_role("admin")
    answer = supervisor.post("/precase-assignments", {"agent": "ayse", "precases": [
        {"id": one["id"], "version": 1}, {"id": two["id"], "version": 1},
        {"id": stale["id"], "version": 7}, {"id": "p-nope", "version": 1}]})  # fmt: skip
    assert answer.status == 200
    outcome = {r["id"]: r["status"] for r in answer.body["results"]}
    assert outcome == {one["id"]: "assigned", two["id"]: "assigned", stale["id"]: "refused",
                       "p-nope": "refused"}  # fmt: skip
    taken = agent.post(f"/precases/{one['id']}/claim", {"version": 2})
    assert taken.status == 403 and taken.body["error"]["code"] == "claimed_by_another"
    converted = agent.post(f"/precases/{one['id']}/case", {"version": 2, "type": "question"})
    assert converted.status == 403
    assert admin.post(f"/precases/{one['id']}/claim", {"version": 2}).body["assignee"] == "admin"
    unknown = supervisor.post("/precase-assignments", {"agent": "nobody", "precases": [
        {"id": two["id"], "version": 2}]})  # fmt: skip
    assert unknown.status == 422


def test_social_posts_are_scored_grouped_and_complaints_pooled(api, shop, as_role):
    number, customer_id = shop_customer(api, shop)
    tag = uuid.uuid4().hex[:8]
    at = datetime.now(tz=UTC).isoformat()

    def social(text: str, **extra):
        body = {
            "platform": "X",
            "author_handle": f"musteri{tag}",
            "text": text,
            "url": f"https://x.example/{tag}/{abs(hash(text))}",
            "posted_at": at,
            **extra,
        }
        return post(api, f"/integrations/{shop}/social-posts", signed(body))

    before = as_role("supervisor").get("/social/topics?days=1").body["topics"]
    angry = social("Kargom hâlâ gelmedi, hiç memnun değilim!", customer_number=number)
    assert angry[0] == 200, angry
    assert angry[1]["status"] == "pre_case" and angry[1]["mood"]["label"] == "negative"
    assert angry[1]["topic"]["id"] == "r-demo-1"
    happy = social("Kargo çok hızlı geldi, teşekkürler")
    assert happy[1]["status"] == "counted" and happy[1]["mood"]["label"] == "positive"
    asking = social("Faturamı nereden indirebilirim?")
    assert asking[1]["status"] == "pre_case" and asking[1]["mood"]["is_question"]
    repeat = social("Kargom hâlâ gelmedi, hiç memnun değilim!", customer_number=number)
    assert repeat[1]["status"] == "repeat"

    agent = as_role("agent")
    pre = agent.get(f"/precases/{angry[1]['precase_id']}").body
    assert pre["channel"] == "social" and pre["post"]["platform"] == "x"
    assert pre["post"]["author_handle"] == f"musteri{tag}" and pre["customer_id"] == customer_id
    assert pre["suggested_action"] == "call_back" and pre["case_type"] == "complaint"
    question = agent.get(f"/precases/{asking[1]['precase_id']}").body
    assert question["suggested_action"] == "answer_question" and question["customer_id"] is None

    after = {
        t["topic_id"]: t for t in as_role("supervisor").get("/social/topics?days=1").body["topics"]
    }
    was = {t["topic_id"]: t for t in before}
    cargo, old = after["r-demo-1"], was.get("r-demo-1", {"posts": 0, "negative": 0, "positive": 0})
    assert cargo["topic_name"] == "Kargo ve teslimat"
    assert (cargo["posts"] - old["posts"], cargo["negative"] - old["negative"],
            cargo["positive"] - old["positive"]) == (2, 1, 1)  # fmt: skip
    bad = post(api, f"/integrations/{shop}/social-posts",
               signed({"platform": "x", "author_handle": "a", "text": "t", "url": "ftp://x",
                       "posted_at": at}))  # fmt: skip
    assert bad[0] == 422


def test_chat_transcripts_show_on_the_360(api, shop, as_role):
    number, customer_id = shop_customer(api, shop)
    chat = {
        "transcript_id": "chat-1",
        "customer_number": number,
        "bot": "Asistan",
        "started_at": "2026-11-20T10:00:00+03:00",
        "outcome": "handed_over",
        "messages": [
            {"author": "customer", "text": "Siparişim nerede?", "at": "2026-11-20T10:00:05+03:00"},
            {"author": "bot", "text": "Kargoda görünüyor.", "at": "2026-11-20T10:00:06+03:00"},
        ],
    }
    status, kept = post(api, f"/integrations/{shop}/chats", signed(chat))
    assert status == 200 and kept["messages"] == 2
    chat["messages"].append(
        {"author": "agent", "text": "Yarın teslim.", "at": "2026-11-20T10:05:00+03:00"}
    )
    assert post(api, f"/integrations/{shop}/chats", signed(chat))[0] == 200
    view = as_role("agent").get(f"/customers/{customer_id}/overview").body
    assert len(view["chats"]) == 1 and view["chats"][0]["outcome"] == "handed_over"
    assert [m["author"] for m in view["chats"][0]["messages"]] == ["customer", "bot", "agent"]
