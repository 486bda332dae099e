"""Checklists and the e-library on a moto server (docs/checklists-and-library.md).

Checklists: a supervisor defines one for a routing topic; a case that topic routed shows
it; the agent ticks and unticks steps (each in the history, each a case event); a later edit
leaves the case on its version; resolving with a step unticked counts it as skipped, through
the table's stream, the bus and the `checklists` queue, once however often the event comes.

E-library: a document described, uploaded through its presigned POST to moto's S3 and
confirmed; two sent to a customer (one email through SES with two expiring links, a line on
the case); a link followed redirects to the file, a forged or expired one does not; the
public list hides internal documents and works without sign-in; bad input is a 4xx with
nothing written.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import requests

from chalicelib import wiring
from chalicelib.domain.clock import utcnow
from chalicelib.domain.signed_links import LinkPurpose
from tests.support import unique_phone

from .conftest import aws, case_event_reader

#: the seeded keyword rule "İade ve değişim" (devstack/seed.py RULES, the fourth)
RETURNS_RULE = "r-demo-3"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LINK = re.compile(r"(https?://\S+/library/links/([A-Za-z0-9_-]+))")


# ---- helpers (the route-permission table uses them too) -------------------------------------


def new_checklist(api, **fields) -> dict:
    body = {
        "name": f"İade kontrolleri {uuid.uuid4().hex[:6]}",
        "routing_rule_id": RETURNS_RULE,
        "steps": [{"text": "Fatura var mı?"}, {"text": "Ambalaj sağlam mı?"}],
        **fields,
    }
    answer = api.post("/checklists", body)
    assert answer.status == 201, answer
    return answer.body


def returns_case(api, drain, email: str | None = None) -> dict:
    """A case the returns rule routes (to `urun`, where mehmet works)."""
    customer = {
        "name": "İade Eden",
        "phone": unique_phone(),
        "email": email or f"iade-{uuid.uuid4().hex[:8]}@example.com",
    }
    opened = api.post(
        "/cases",
        {
            "customer": customer,
            "type": "request",
            "subject": "Ürünü iade etmek istiyorum",
            "description": "Kutusu açılmadı, iade etmek istiyorum",
        },
    )
    assert opened.status == 201, opened
    drain()
    return api.get(f"/cases/{opened.body['id']}").body["case"]


def new_document(api, visibility: str = "public", content: bytes = PDF, **fields) -> dict:
    """A document described and uploaded to S3 through its presigned POST, not confirmed."""
    body = {
        "title": f"İade formu {uuid.uuid4().hex[:6]}",
        "description": "İade için doldurun",
        "category": "forms",
        "language": "tr",
        "visibility": visibility,
        "filename": "iade-formu.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        **fields,
    }
    started = api.post("/library/documents", body)
    assert started.status == 201, started
    form = started.body
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("iade-formu.pdf", content)}, timeout=10
    )
    assert sent.status_code in (200, 204), sent.text
    return form["document"]


def ready_document(api, visibility: str = "public", **fields) -> dict:
    document = new_document(api, visibility, **fields)
    confirmed = api.post(f"/library/documents/{document['id']}/uploaded")
    assert confirmed.status == 200, confirmed
    return confirmed.body


def link_token(case: dict, document_id: str, days: int = 7) -> str:
    signer = wiring.link_keys().signer()
    return signer.sign(
        LinkPurpose.library_document,
        f"{case['id']}.{document_id}",
        case["customer_id"],
        utcnow() + timedelta(days=days),
    )


@pytest.fixture
def resolutions(aws_env, client, chalice_app):
    """`resolutions()`: the stream to the bus (and so to the `checklists` queue), then the
    queue to its handler, until it is empty."""
    from chalicelib.messaging.queue_registry import CHECKLISTS
    from devstack.dispatcher import Binding, Dispatcher

    sqs = aws(aws_env, "sqs")
    url = aws_env["CHECKLISTS_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    # the registry's batch (100, gathered for a window the drain does not wait out)
    binding = Binding(
        url,
        arn["Attributes"]["QueueArn"],
        chalice_app.count_checklist_steps,
        "count_checklist_steps",
        CHECKLISTS.batch_size,
        batching_window=CHECKLISTS.batching_window,
    )
    queue = Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0)
    reader = case_event_reader(aws_env, chalice_app)

    def run() -> int:
        reader.drain()
        handled = 0
        while n := queue.drain():
            handled += n
        return handled

    run()
    return run


def version(api, case_id: str) -> int:
    return api.get(f"/cases/{case_id}").body["case"]["version"]


def tick(api, case_id: str, checklist_id: str, step: str, done: bool = True):
    return api.post(
        f"/cases/{case_id}/checklists/{checklist_id}/ticks",
        {"version": version(api, case_id), "step_id": step, "done": done},
    )


# ---- checklists -----------------------------------------------------------------------------


def test_a_matching_case_shows_the_checklist_ticks_are_history_and_skips_are_counted(
    as_role, drain_routing, resolutions, aws_env
):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    checklist = new_checklist(supervisor)
    assert [s["id"] for s in checklist["steps"]] == ["s1", "s2"]
    case = returns_case(agent, drain_routing)
    assert case["group_id"] == "urun"
    shown = agent.get(f"/cases/{case['id']}/checklists").body
    mine = [c for c in shown["checklists"] if c["checklist"]["id"] == checklist["id"]]
    assert len(mine) == 1 and mine[0]["followed"] is False and mine[0]["ticked"] == {}

    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": case["version"]})
    assert claimed.status == 200, claimed
    for step, done in [("s1", True), ("s2", True), ("s2", False)]:
        answer = tick(agent, case["id"], checklist["id"], step, done)
        assert answer.status == 200, answer
    assert set(answer.body["checklists"][checklist["id"]]["ticked"]) == {"s1"}
    lines = [
        h for h in agent.get(f"/cases/{case['id']}").body["history"] if h["kind"] == "checklist"
    ]
    assert [(h["data"]["step_id"], h["data"]["done"]) for h in lines] == [
        ("s1", True),
        ("s2", True),
        ("s2", False),
    ]
    assert lines[0]["actor"]["id"] == "mehmet" and lines[0]["data"]["version"] == 1

    # an edit makes version 2; the case keeps following version 1
    edited = supervisor.put(
        f"/checklists/{checklist['id']}",
        {
            "version": 1,
            "name": checklist["name"],
            "routing_rule_id": RETURNS_RULE,
            "steps": [{"id": "s2", "text": "Ambalaj ve etiket sağlam mı?"}, {"text": "Seri no?"}],
        },
    )
    assert edited.status == 200 and edited.body["version"] == 2, edited
    shown = agent.get(f"/cases/{case['id']}/checklists").body["checklists"]
    mine = next(c for c in shown if c["checklist"]["id"] == checklist["id"])
    assert mine["followed"] and mine["checklist"]["version"] == 1
    assert [s["id"] for s in mine["checklist"]["steps"]] == ["s1", "s2"]

    resolved = agent.post(
        f"/cases/{case['id']}/status", {"version": version(agent, case["id"]), "status": "resolved"}
    )
    assert resolved.status == 200, resolved
    assert resolutions() >= 1
    stats = supervisor.get(f"/checklists/{checklist['id']}/stats").body
    by_step = {s["step_id"]: s for s in stats["steps"]}
    assert (by_step["s1"]["resolved"], by_step["s1"]["skipped"]) == (1, 0)
    assert (by_step["s2"]["resolved"], by_step["s2"]["skipped"]) == (1, 1)
    assert by_step["s2"]["skip_rate"] == 1.0 and by_step["s1"]["in_current_version"] is False
    assert by_step["s3"]["resolved"] == 0  # the new step met no resolution yet

    # the same event again (a redelivery) adds nothing
    from boto3.dynamodb.types import TypeDeserializer

    items = aws(aws_env, "dynamodb").query(
        TableName=aws_env["TABLE_NAME"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case['id']}"}, ":ev": {"S": "~EV#"}},
    )["Items"]
    plain = [{k: TypeDeserializer().deserialize(v) for k, v in i.items()} for i in items]
    event = next(i for i in plain if i.get("type") == "destek.case.resolved")
    assert (
        wiring.checklist_service().count_resolution(
            {"id": event["id"], "case_id": case["id"], "occurred_at": event["occurred_at"]}
        )
        is False
    )
    again = supervisor.get(f"/checklists/{checklist['id']}/stats").body
    assert again == stats

    # a resolved case's checklist is final
    late = tick(agent, case["id"], checklist["id"], "s2")
    assert late.status == 409 and late.body["error"]["code"] == "case_done"


def test_a_checklist_that_is_not_the_cases_cannot_be_ticked(as_role, drain_routing):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    other = new_checklist(supervisor, routing_rule_id="r-demo-1")  # the cargo rule
    case = returns_case(agent, drain_routing)
    answer = tick(agent, case["id"], other["id"], "s1")
    assert answer.status == 422 and answer.body["error"]["code"] == "checklist_not_for_case"
    assert version(agent, case["id"]) == case["version"]  # nothing written


@pytest.mark.parametrize(
    "body, code",
    [
        ({"name": "x", "steps": [{"text": "a"}]}, "invalid_input"),  # for nothing
        ({"name": "x", "category_id": "c", "steps": []}, "invalid_input"),
        (
            {"name": "x", "category_id": "c", "steps": [{"text": "a"}], "colour": "red"},
            "invalid_input",
        ),
        ({"name": "x", "category_id": "c", "steps": [{"id": "s1", "text": "a"}]}, "unknown_step"),
    ],
)
def test_a_bad_checklist_is_refused_with_nothing_written(as_role, body, code, table_items):
    before = table_items()
    answer = as_role("supervisor").post("/checklists", body)
    assert answer.status == 422 and answer.body["error"]["code"] == code, answer
    assert table_items() == before


# ---- the e-library --------------------------------------------------------------------------


def test_documents_sent_to_a_customer_arrive_as_expiring_links_and_are_on_the_case(
    as_role, drain_routing, drain_notify, mailbox, client
):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    form = ready_document(supervisor, title="İade formu")
    manual = ready_document(supervisor, title="Kullanım kılavuzu", category="manuals")
    assert form["status"] == "ready" and form["size"] == len(PDF)
    email = f"belge-{uuid.uuid4().hex[:8]}@example.com"
    case = returns_case(agent, drain_routing, email=email)
    sent = agent.post(
        f"/cases/{case['id']}/documents",
        {"version": case["version"], "document_ids": [form["id"], manual["id"]]},
    )
    assert sent.status == 201, sent
    line = next(
        h
        for h in agent.get(f"/cases/{case['id']}").body["history"]
        if h["kind"] == "documents_sent"
    )
    assert [d["title"] for d in line["data"]["documents"]] == ["İade formu", "Kullanım kılavuzu"]
    assert line["data"]["link_days"] == 7 and "url" not in str(line["data"])

    drain_notify()
    mails = [
        m
        for m in mailbox()["emails"]
        if m["to"] == [email] and m["subject"].startswith("İstediğiniz belgeler")
    ]
    assert len(mails) == 1, mailbox()["emails"][-3:]
    links = LINK.findall(mails[0]["body"])
    assert len(links) == 2 and "7 gün" in mails[0]["body"]
    assert "Content-Disposition: attachment" not in mails[0]["body"]  # links, never files

    # a link followed: a redirect to a short S3 link that downloads the file
    path = links[0][0].split("/library/links/")[1]
    followed = client.http.get(f"/library/links/{path}")
    assert followed.status_code == 302, followed.body
    assert followed.headers["Cache-Control"] == "no-store"
    download = requests.get(followed.headers["Location"], timeout=10)
    assert download.status_code == 200 and download.content == PDF


def test_forged_foreign_and_expired_links_open_nothing(as_role, drain_routing):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    document = ready_document(supervisor)
    case = returns_case(agent, drain_routing)
    public = as_role(None)
    good = link_token(case, document["id"])
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert public.get(f"/library/links/{forged}").status == 404
    other = {**case, "customer_id": "someone-else"}
    assert public.get(f"/library/links/{link_token(other, document['id'])}").status == 404
    expired = link_token(case, document["id"], days=-1)
    assert public.get(f"/library/links/{expired}").status == 410
    survey = (
        wiring.link_keys()
        .signer()
        .sign(
            LinkPurpose.case_rating, case["id"], case["customer_id"], utcnow() + timedelta(days=1)
        )
    )
    assert public.get(f"/library/links/{survey}").status == 404  # another purpose


def test_the_public_list_hides_internal_documents_and_needs_no_sign_in(as_role):
    supervisor = as_role("supervisor")
    shown = ready_document(supervisor, title="Garanti belgesi", category="warranty")
    hidden = ready_document(supervisor, visibility="internal", title="İç süreç notu")
    pending = new_document(supervisor, title="Yüklenmedi")  # not confirmed
    listed = as_role(None).get("/library")
    assert listed.status == 200, listed
    ids = {d["id"] for d in listed.body}
    assert shown["id"] in ids and hidden["id"] not in ids and pending["id"] not in ids
    mine = next(d for d in listed.body if d["id"] == shown["id"])
    assert set(mine) == {
        "id",
        "title",
        "description",
        "category",
        "language",
        "filename",
        "content_type",
        "size",
        "url",
        "link_seconds",
    }
    assert requests.get(mine["url"], timeout=10).content == PDF
    only = as_role(None).get("/library?category=warranty&language=tr").body
    assert {d["category"] for d in only} == {"warranty"}
    # staff see both, and an edit can hide a public one
    staff = {d["id"] for d in as_role("agent").get("/library/documents").body}
    assert {shown["id"], hidden["id"]} <= staff
    made_internal = supervisor.patch(
        f"/library/documents/{shown['id']}", {"visibility": "internal"}
    )
    assert made_internal.status == 200, made_internal
    assert shown["id"] not in {d["id"] for d in as_role(None).get("/library").body}


def test_internal_or_unknown_documents_are_not_sent_and_nothing_is_written(
    as_role, drain_routing, table_items
):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    internal = ready_document(supervisor, visibility="internal")
    pending = new_document(supervisor)
    case = returns_case(agent, drain_routing)
    before = table_items()
    for ids, code in [
        ([internal["id"]], "internal_document"),
        ([pending["id"]], "no_such_document"),
        (["d-nope"], "no_such_document"),
        ([], "invalid_input"),
    ]:
        answer = agent.post(
            f"/cases/{case['id']}/documents", {"version": case["version"], "document_ids": ids}
        )
        assert answer.status == 422 and answer.body["error"]["code"] == code, answer
    assert table_items() == before


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"content_type": "text/html", "filename": "a.html"}, 422, "invalid_input"),
        ({"size": 10 * 1024 * 1024 + 1}, 413, "payload_too_large"),
        ({"visibility": "secret"}, 422, "invalid_input"),
        ({"language": "de"}, 422, "invalid_input"),
        ({"category": "Formlar ve Belgeler"}, 422, "invalid_input"),
    ],
)
def test_a_bad_upload_is_refused_with_nothing_written(as_role, change, status, code, table_items):
    body = {
        "title": "t",
        "category": "forms",
        "language": "tr",
        "visibility": "public",
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "size": 10,
        **change,
    }
    before = table_items()
    answer = as_role("supervisor").post("/library/documents", body)
    assert answer.status == status and answer.body["error"]["code"] == code, answer
    assert table_items() == before


def test_an_upload_that_is_not_what_it_said_is_refused_at_confirmation(as_role):
    supervisor = as_role("supervisor")
    document = new_document(supervisor, content=PDF)
    s3_says = supervisor.post("/library/documents/d-missing/uploaded")
    assert s3_says.status == 404
    # the stored object re-checked: S3's size is what counts (a 10 MB + 1 file stored anyway,
    # as the local stack's S3 does not enforce the form's policy)
    wiring.library_files().put(document["id"], "iade-formu.pdf", "text/html", b"<p>x</p>")
    answer = supervisor.post(f"/library/documents/{document['id']}/uploaded")
    assert answer.status == 422, answer
    assert wiring.library_files().stored(document["id"]) is None  # discarded


def test_a_resolution_counts_each_checklist_in_one_item_and_older_step_items_add_in(aws_env):
    """Counting a resolution writes its marker and one `#STEPS` item per checklist (not an
    item per step: each was billed twice in the transaction); counters stored per step
    before (issue 21) are added to it when read; the same event again adds nothing."""
    from chalicelib.domain.checklists import StepCount

    store = wiring.checklist_store()
    checklist_id = f"cl-{uuid.uuid4().hex[:8]}"
    table = wiring.table()
    table.put({"PK": f"CHECKLIST_STATS#{checklist_id}", "SK": "s1", "resolved": 4,
               "skipped": 1, "text": "Eski metin"})  # fmt: skip
    counts = [
        StepCount(checklist_id=checklist_id, step_id="s1", text="Faturayı iste", skipped=1),
        StepCount(checklist_id=checklist_id, step_id="s2", text="Seri no", skipped=0),
    ]
    case_id = f"c-{uuid.uuid4().hex[:8]}"
    assert store.count_resolution(case_id, f"{case_id}.5.0", counts, utcnow())
    assert not store.count_resolution(case_id, f"{case_id}.5.0", counts, utcnow())
    items = table.query_all(("PK", f"CHECKLIST_STATS#{checklist_id}"))
    assert sorted(i["SK"] for i in items) == ["#STEPS", "s1"]  # one new item, the old kept
    assert store.counters(checklist_id) == {
        "s1": {"resolved": 5, "skipped": 2, "text": "Faturayı iste"},
        "s2": {"resolved": 1, "skipped": 0, "text": "Seri no"},
    }
