"""The search engine's pure parts and the SQLite index on small corpora (docs/search.md):
the analyzer (İ/ı, text typed without Turkish letters, inflections, one typo in long words
and none in short ones), BM25 ordering, permission filtering (the domain's rule, SQLite's
WHERE and OpenSearch's filter agree), highlighting that is safe in HTML, and the
OpenSearch request bodies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.caller import Caller
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.permissions import CaseAccess, Principal, Role, default_role
from chalicelib.domain.search import DocKind, DocVisibility, SearchDoc, SearchFilter, filter_for
from chalicelib.domain.search_text import highlight, one_edit, parse_query, within_one_edit
from chalicelib.store import search_opensearch as aoss
from chalicelib.store.search_sqlite import SqliteSearchIndex

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def doc(i: int, title: str, body: str = "", group: str | None = "urun", **more) -> SearchDoc:
    fields = {"kind": DocKind.CASE, "id": f"c{i}", "title": title, "body": body,
              "group_id": group, "version": 1, "updated_at": NOW, **more}  # fmt: skip
    return SearchDoc(**fields)


CORPUS = [
    doc(1, "Kargom gelmedi", "Siparişim hâlâ KARGOYA verilmedi"),
    doc(2, "Fatura", "Faturamı göremiyorum, e-fatura gelmedi"),
    doc(3, "Telefon kırık", "Ekranın kırığı var, garanti kapsamında mı?", group="teknik"),
    doc(4, "Ödeme", "ödemeler iki kez çekildi", notes="müşteri kargo şikayetini de iletti"),
    doc(5, "İADE talebi", "Ürünü iade etmek istiyorum"),
    doc(6, "Evrak", "eksik evrak var"),
]


@pytest.fixture(scope="module")
def index():
    ix = SqliteSearchIndex(":memory:")
    ix.upsert(CORPUS)
    return ix


def ids(index, q: str, filt: SearchFilter | None = None) -> list[str]:
    return [h.id for h in index.search(parse_query(q), filt or SearchFilter(kind="case"), 10)]


@pytest.mark.parametrize(("q", "expected"), [
    ("iade", "c5"), ("IADE", "c5"), ("İade", "c5"), ("ıade", "c5"),  # İ/ı either way
    ("odeme", "c4"), ("ÖDEME", "c4"), ("kirik", "c3"), ("kırık", "c3"),  # no Turkish letters
    ("kargoya", "c1"), ("kargodan", "c1"), ("siparislerim", "c1"), ("faturami", "c2"),
    ("ekrani", "c3"), ("kırığı", "c3"),  # inflected, either way
])  # fmt: skip
def test_turkish_forms_find_the_case(index, q, expected):
    assert ids(index, q)[:1] == [expected]


@pytest.mark.parametrize(("q", "expected"), [
    ("kargp", "c1"), ("telefn", "c3"), ("garnati", "c3"), ("faturx", "c2"), ("sipraişim", "c1"),
])  # fmt: skip
def test_one_typo_in_a_long_word_is_forgiven(index, q, expected):
    assert ids(index, q)[:1] == [expected]


@pytest.mark.parametrize("q", ["iadx", "evrk", "ıdae"])
def test_short_words_get_no_typo(index, q):
    assert ids(index, q) == []


def test_two_typos_are_not_forgiven(index):
    assert ids(index, "kxrgp") == []


def test_a_short_word_matches_whole_words_only(index):
    doc_ev = doc(7, "Ev adresi", "ev")
    ix = SqliteSearchIndex(":memory:")
    ix.upsert([*CORPUS, doc_ev])
    assert ids(ix, "ev") == ["c7"]  # not "evrak"


def test_one_edit_is_damerau_levenshtein_one():
    assert {"karog", "karg", "kargoo", "kargx"} <= one_edit("kargo")
    assert "kargo" not in one_edit("kargo")
    for other in one_edit("siparis"):
        assert within_one_edit("siparis", other)
    assert not within_one_edit("kargo", "kxrgy")
    assert not within_one_edit("kargo", "kar")


def test_bm25_ranks_more_and_rarer_matches_first():
    ix = SqliteSearchIndex(":memory:")
    ix.upsert([
        doc(1, "Bilgi", "kargo"),
        doc(2, "Kargo gecikti", "kargo firması kargo paketini kaybetti"),  # title and often
        doc(3, "Bilgi", "kargo " + "uzun metin " * 50),  # once, in a long text
        doc(4, "Bilgi", "fatura"),
    ])  # fmt: skip
    assert ids(ix, "kargo") == ["c2", "c1", "c3"]
    # a rare word weighs more than a common one
    ix.upsert([doc(5, "Bilgi", "kargo fatura kayıp"), doc(6, "Bilgi", "kargo")])
    assert ids(ix, "kargo kayıp")[0] == "c5"


def test_an_older_version_never_replaces_a_newer(index):
    ix = SqliteSearchIndex(":memory:")
    ix.upsert([doc(1, "Yeni konu", version=3)])
    ix.upsert([doc(1, "Eski konu", version=2)])
    assert ix.get("case:c1").title == "Yeni konu"
    ix.upsert([doc(1, "Daha yeni", version=4)])
    assert ids(ix, "konu") == [] and ids(ix, "daha") == ["c1"]


def caller(role: Role, groups=frozenset(), kind="staff", username="ayse") -> Caller:
    principal = Principal(kind=kind, subject="s", username=username, customer_id="k1")
    return Caller(principal, (role,), frozenset(groups))


def own_groups_agent(groups) -> Caller:
    role = default_role("agent").model_copy(update={"case_access": CaseAccess(read="own")})
    return caller(role, groups)


def test_permission_filter_mirrors_case_access():
    agent = filter_for(caller(default_role("agent")), DocKind.CASE)
    assert agent.all_groups and agent.notes
    own = filter_for(own_groups_agent({"urun"}), DocKind.CASE)
    assert not own.all_groups and own.groups == {"urun"}
    no_notes = Role(name="agent", permissions={"cases": {"read"}})
    assert not filter_for(caller(no_notes), DocKind.CASE).notes
    with pytest.raises(Forbidden):
        filter_for(caller(no_notes), DocKind.PRECASE)
    customer = caller(default_role("customer"), kind="customer")
    assert filter_for(customer, DocKind.ARTICLE).public_only
    with pytest.raises(Forbidden):
        filter_for(customer, DocKind.CASE)


def test_cases_of_other_groups_are_not_found(index):
    own = filter_for(own_groups_agent({"urun"}), DocKind.CASE)
    assert "c3" not in ids(index, "kırık telefon", own)
    assert ids(index, "kırık telefon", SearchFilter(kind="case"))[:1] == ["c3"]
    mine = doc(8, "Telefon kırık", group="teknik", assignee="ayse")
    filed = doc(9, "Telefon kırık", group=None, opened_by="ayse")
    ix = SqliteSearchIndex(":memory:")
    ix.upsert([*CORPUS, mine, filed])
    assert sorted(ids(ix, "kırık", own)) == ["c8", "c9"]
    for d in [*CORPUS, mine, filed]:  # SQL and the domain's rule agree, document by document
        assert (d.id in ids(ix, d.title, own)) == own.allows(d)


def test_notes_match_only_for_readers_of_notes(index):
    assert "c4" in ids(index, "şikayet", SearchFilter(kind="case", notes=True))
    assert "c4" not in ids(index, "şikayet", SearchFilter(kind="case", notes=False))


def test_customers_find_only_public_articles():
    ix = SqliteSearchIndex(":memory:")
    public = doc(1, "İade nasıl yapılır", kind=DocKind.ARTICLE, visibility=DocVisibility.PUBLIC)
    internal = doc(2, "İade iç süreç", kind=DocKind.ARTICLE)
    ix.upsert([public, internal, doc(3, "İade")])
    customer = filter_for(caller(default_role("customer"), kind="customer"), DocKind.ARTICLE)
    assert ids(ix, "iade", customer) == ["c1"]
    assert sorted(ids(ix, "iade", SearchFilter(kind="article"))) == ["c1", "c2"]


def test_highlights_mark_matches_and_escape_html():
    text = 'Merhaba <script>alert("x")</script> KARGOM & kargoya "verildi"'
    out = highlight(text, parse_query("kargo"))
    assert "<script>" not in out and "&lt;script&gt;" in out and "&quot;x&quot;" in out
    assert "<mark>KARGOM</mark>" in out and "<mark>kargoya</mark>" in out and "&amp;" in out
    assert "<mark>" not in highlight(text, parse_query("fatura"))
    long = "başka söz " * 60 + "iade edildi " + "son söz " * 60
    snippet = highlight(long, parse_query("iade"), size=80)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>iade</mark>" in snippet
    assert len(snippet) < 120


def test_a_hit_is_highlighted_in_title_and_snippet(index):
    hit = index.search(parse_query("kargo"), SearchFilter(kind="case"), 1)[0]
    assert hit.title == "<mark>Kargom</mark> gelmedi"
    assert "<mark>KARGOYA</mark>" in hit.snippet


def test_opensearch_request_bodies():
    d = CORPUS[0]
    body = aoss.document(d)
    assert "kargo" in body["title_terms"].split() and body["title"] == "Kargom gelmedi"
    own = filter_for(own_groups_agent({"urun"}), DocKind.CASE)
    q = aoss.query_body(parse_query("kargp telefon"), own, 5)
    assert q["size"] == 5
    filters = q["query"]["bool"]["filter"]
    assert {"term": {"kind": "case"}} in filters
    reach = filters[1]["bool"]["should"]
    assert {"terms": {"group_id": ["urun"]}} in reach and {"term": {"assignee": "ayse"}} in reach
    text = str(q["query"]["bool"]["should"])
    assert "'fuzzy': {'title_terms': {'value': 'kargp', 'fuzziness': 1" in text
    assert "notes_terms" in text  # agents read notes
    assert "notes_terms" not in str(aoss.query_body(parse_query("x"), SearchFilter(kind="case"), 5))
    short = aoss.query_body(parse_query("iade"), SearchFilter(kind="case"), 5)
    assert "fuzzy" not in str(short)
    public = aoss.filter_clauses(SearchFilter(kind="article", public_only=True))
    assert {"term": {"visibility": "public"}} in public
    assert aoss.mapping()["mappings"]["properties"]["title_terms"]["analyzer"] == "whitespace"


def test_a_rebuild_goes_on_only_while_its_invocation_has_time() -> None:
    """The search writer takes a rebuild's next step itself (each through the queue waits
    out the window) for REBUILD_SECONDS, and only while REBUILD_RESERVE_MS of its function's
    time is left for the last step's fold (the budget of events/time_budget.py, shared with
    the reports' rebuild, which asks each step's own needs)."""
    from types import SimpleNamespace

    from chalicelib.events.search import REBUILD_RESERVE_MS, REBUILD_SECONDS
    from chalicelib.events.time_budget import more_time

    now = [0.0]
    left = [120_000]
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: left[0])
    more = more_time(context, REBUILD_SECONDS, REBUILD_RESERVE_MS / 1000, clock=lambda: now[0])
    assert more()
    now[0] = REBUILD_SECONDS - 0.1
    assert more()
    left[0] = REBUILD_RESERVE_MS
    assert not more()  # too little of the function's time left
    assert more(needs=REBUILD_RESERVE_MS / 1000 - 1)  # a step that needs less may start
    left[0] = 120_000
    now[0] = REBUILD_SECONDS
    assert not more()  # its seconds spent
    assert not more(needs=0)
    assert more_time(None, 20, 60, clock=lambda: 0.0)()  # no context: the seconds alone


def test_a_rebuild_step_not_awaited_is_dropped_quietly() -> None:
    """The messages of steps an invocation took itself come back later: each is dropped
    (False), not failed (a failed record would go round the queue to its dead letters)."""
    from types import SimpleNamespace

    from chalicelib.services.search import SearchRebuild

    pointer = SimpleNamespace(building={"id": "r1", "parts": ["p0", "p1"]})
    engine = SimpleNamespace(files=SimpleNamespace(pointer=lambda: pointer))
    rebuild = SearchRebuild(engine, None, None, lambda m: None)  # type: ignore[arg-type]
    assert rebuild.step({"kind": "rebuild", "id": "r1", "step": 1}) is False  # done already
    assert rebuild.step({"kind": "rebuild", "id": "r0", "step": 2}) is False  # another rebuild
