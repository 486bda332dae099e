"""Full-text search on a moto server (docs/search.md): cases opened through the API, their
events carried as in AWS (the table's stream to the bus, the bus's rule to the `search`
queue, its handler writing deltas to S3 and moving the pointer in the table), then found
through `GET /search` with the caller's permissions; a fresh process loads the latest
version from S3; a compaction and a rebuild keep every case findable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from chalicelib import wiring
from chalicelib.domain.caller import Caller
from chalicelib.domain.permissions import CaseAccess, Principal, default_role
from chalicelib.domain.search import DocKind
from chalicelib.services.search import SearchParams
from chalicelib.store.search_engine import FileSearchEngine
from chalicelib.store.search_files import SearchFiles

from .conftest import aws, case_event_reader, open_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flow(aws_env, client, chalice_app, drain_routing):
    """`flow()`: routing, then the stream to the bus (and so to the search queue), then the
    search queue to its handler, until empty."""
    from chalicelib.messaging.queue_registry import SEARCH
    from devstack.dispatcher import Binding, Dispatcher

    sqs = aws(aws_env, "sqs")
    url = aws_env["SEARCH_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    # the registry's batch (100, gathered for a window the drain does not wait out)
    binding = Binding(url, arn["Attributes"]["QueueArn"], chalice_app.index_search,
                      "index_search", SEARCH.batch_size,
                      batching_window=SEARCH.batching_window)  # fmt: skip
    search = Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0)
    reader = case_event_reader(aws_env, chalice_app)

    def run() -> None:
        drain_routing()
        reader.drain()
        while search.drain():
            pass

    return run


@pytest.fixture
def staff(as_role):
    return as_role("supervisor")


def word() -> str:
    """A word no other test wrote: letters only, so the analyzer keeps it whole."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def found(staff, q: str, kind: str = "case") -> list[dict]:
    answer = staff.get(f"/search?q={q}&kind={kind}")
    assert answer.status == 200, answer
    return answer.body["items"]


def test_cases_are_found_by_their_words_turkish_aware(staff, flow):
    marker = word()
    case = open_case(staff, subject=f"Siparişim {marker} gelmedi",
                     description="Kargoya verildi denildi ama hâlâ KARGODAN haber yok")  # fmt: skip
    flow()
    version = staff.get(f"/cases/{case['id']}").body["case"]["version"]
    note = {"body": f"müşteri iadeyi {marker} istedi", "version": version}
    assert staff.post(f"/cases/{case['id']}/notes", note).status in (200, 201)
    flow()
    hits = found(staff, f"{marker} kargom")
    assert [h["id"] for h in hits][:1] == [case["id"]]
    assert f"<mark>{marker}</mark>" in hits[0]["title"]
    assert (
        "<mark>KARGODAN</mark>" in hits[0]["snippet"]
        or "<mark>Kargoya</mark>" in hits[0]["snippet"]
    )
    # typed without Turkish letters, inflected
    assert case["id"] in [h["id"] for h in found(staff, f"{marker} siparisimi")]


def test_a_reply_changes_what_finds_the_case(staff, flow):
    marker, later = word(), word()
    case = open_case(staff, subject=f"Fatura {marker}")
    flow()
    assert found(staff, later) == []
    fresh = staff.get(f"/cases/{case['id']}").body["case"]
    reply = {"body": f"Faturanız {later} ile gönderildi", "version": fresh["version"]}
    answer = staff.post(f"/cases/{case['id']}/replies", reply)
    assert answer.status in (200, 201), answer
    flow()
    assert [h["id"] for h in found(staff, later)] == [case["id"]]


def test_an_agent_finds_only_the_cases_of_groups_they_may_read(staff, flow):
    marker = word()
    case = open_case(staff, customer={"customer_number": "10000001"}, subject=f"Ürün {marker}",
                     description="ürün arızalı geldi")  # fmt: skip
    flow()
    group = staff.get(f"/cases/{case['id']}").body["case"]["group_id"]
    assert group, "the case was routed"
    service = wiring.search_service()

    def caller(groups: set[str]) -> Caller:
        role = default_role("agent").model_copy(update={"case_access": CaseAccess(read="own")})
        principal = Principal(kind="staff", subject="s", username=f"a{uuid.uuid4().hex[:6]}",
                              roles=["agent"])  # fmt: skip
        return Caller(principal, (role,), frozenset(groups))

    params = SearchParams(q=marker, kind=DocKind.CASE)
    assert [h.id for h in service.search(caller({group}), params).items] == [case["id"]]
    assert service.search(caller({"some-other-group"}), params).items == []


def test_customers_may_not_search_cases(as_role, flow):
    answer = as_role("customer").get("/search?q=kargo")
    assert answer.status == 403


def test_bad_queries_are_4xx(staff):
    for q in ("", "x" * 201):
        assert staff.get(f"/search?q={q}").status == 422
    assert staff.get("/search?q=...").status == 422  # no word in it
    assert staff.get("/search?q=kargo&kind=nothing").status == 422
    assert staff.get("/search?q=kargo&limit=51").status == 422


FRESH_PROCESS = """
import json, sys
from chalicelib import wiring
from chalicelib.domain.search import SearchFilter
from chalicelib.domain.search_text import parse_query
engine = wiring.search_engine()
found = {}
for q in sys.argv[1:]:
    hits, version = engine.search(parse_query(q), SearchFilter(kind="case", notes=True), 5)
    found[q] = [h.id for h in hits]
print(json.dumps({"found": found, "version": version}))
"""


def test_a_fresh_process_loads_the_latest_version_from_s3(staff, flow, aws_env, tmp_path):
    """A compaction folds the deltas into a new base; a case after it is one delta on top;
    a new Python process (a new Lambda container: nothing cached) loads both from S3."""
    first, second = word(), word()
    case = open_case(staff, subject=f"Ekran {first} kırık")
    flow()
    files = SearchFiles(wiring.table(), aws_env["ATTACHMENTS_BUCKET"])
    assert FileSearchEngine(files, workdir=str(tmp_path)).compact()  # as the writer does
    later = open_case(staff, subject=f"Batarya {second} şişti")
    flow()
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS, first, f"{second}x"],
                         capture_output=True, text=True, cwd=ROOT, env=dict(os.environ),
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["found"] == {first: [case["id"]], f"{second}x": [later["id"]]}  # a typo too
    assert answer["version"].endswith("+1")  # the new base and the one delta after it
    assert [h["id"] for h in found(staff, first)] == [case["id"]]  # the API's container follows


def test_a_rebuild_goes_on_in_the_invocation_that_holds_its_step(
    staff, as_role, flow, aws_env, chalice_app, monkeypatch
):
    """Alone on the queue each step would wait out the queue's 10 s batching window: the
    invocation that takes a step goes on with the next ones while it has time, so here (its
    time made ample) one invocation does the whole rebuild; the messages each step still
    sent find their steps done and are dropped."""
    from chalicelib.events import search as search_events
    from chalicelib.messaging.queue_registry import SEARCH
    from devstack.dispatcher import Binding, Dispatcher
    from devstack.stack import function_timeout

    monkeypatch.setattr(search_events, "REBUILD_SECONDS", 3600)
    monkeypatch.setattr(search_events, "REBUILD_RESERVE_MS", 0)
    marker = word()
    case = open_case(staff, subject=f"Yerinde {marker}")
    flow()
    admin = as_role("admin")
    assert admin.post("/search/rebuild", {}).status == 202
    sqs = aws(aws_env, "sqs")
    url = aws_env["SEARCH_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    calls = []

    def index_search(event, context):
        calls.append(context.get_remaining_time_in_millis())
        return chalice_app.index_search(event, context)

    binding = Binding(url, arn["Attributes"]["QueueArn"], index_search, "index_search",
                      SEARCH.batch_size, batching_window=SEARCH.batching_window,
                      timeout_seconds=function_timeout("index_search"))  # fmt: skip
    one = Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0)

    assert one.poll_once(binding) >= 1  # the first step's message (and nothing else here)
    assert len(calls) == 1 and calls[0] > 60_000  # the writer's 120 s, not the default 30
    assert admin.get("/search/rebuild/status").body["done"] is True
    flow()  # the later steps' messages: dropped, nothing rebuilt twice
    assert admin.get("/search/rebuild/status").body["done"] is True
    assert [h["id"] for h in found(staff, marker)] == [case["id"]]


def test_a_rebuild_from_the_table_finds_every_case(staff, as_role, flow):
    """Cases and the knowledge base's live articles (an internal one too: staff search
    finds it): the rebuild reads them all from the table into a new base."""
    from .test_knowledge import article_body, publish

    marker = word()
    case = open_case(staff, subject=f"Yeniden {marker}")
    body = article_body(marker, visibility="internal")
    body["texts"]["en"]["solution"] = f"Ask the carrier about {marker}"
    internal = publish(as_role("agent"), staff, body)
    flow()
    admin = as_role("admin")
    answer = admin.post("/search/rebuild", {})
    assert answer.status == 202, answer
    flow()  # the rebuild's steps go through the search queue
    assert admin.get("/search/rebuild/status").body["done"] is True
    assert [h["id"] for h in found(staff, marker)] == [case["id"]]
    articles = {h["id"] for h in found(staff, marker, kind="article")}
    assert articles == {f"{internal['id']}.tr", f"{internal['id']}.en"}


def test_the_pointer_moves_once_from_a_revision_in_one_plain_write(aws_env, monkeypatch):
    """Two writers moving the pointer from the same revision: the first moves it, the second
    is told so (False) and changes nothing; the move is one conditional PutItem, not a
    transaction of one item, which DynamoDB bills twice (issue 21)."""
    table = wiring.table()
    files = SearchFiles(table, aws_env["ATTACHMENTS_BUCKET"])
    read = files.pointer()
    transactions = []
    monkeypatch.setattr(table, "transact", lambda ops: transactions.append(ops))
    assert files.move(read, read.revision)
    assert not files.move(read.model_copy(update={"deltas": ["search/delta/x"]}), read.revision)
    now = files.pointer()
    assert (now.revision, now.deltas) == (read.revision + 1, read.deltas)
    assert transactions == []
