"""The search engine at scale: OpenSearch Serverless (docs/search.md, "Moving to
OpenSearch"). It implements services/ports.py `SearchEngine` like the S3-kept SQLite index
and answers the same way: the terms come from the same analyzer (domain/search_text.py), put
in `*_terms` fields with OpenSearch's `whitespace` analyzer, so that routing, SQLite and
OpenSearch agree on what a word is; the caller's `SearchFilter` is a `filter` clause; a typo
is OpenSearch's own `fuzzy` query (one edit, words of FUZZY_MIN_LENGTH letters or more);
ranking is OpenSearch's BM25; highlights are made from the stored text by the same
`highlight` (so the snippet is escaped the same way).

The request bodies are pure functions (`mapping`, `document`, `query_body`), unit-tested
without a cluster; `OpenSearchEngine` only sends them, signed with SigV4 (service `aoss`).
No OpenSearch runs on the local stack, so the engine itself is not exercised by the tests.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.search import DocKind, SearchDoc, SearchFilter, SearchHit
from ..domain.search_text import SearchQuery, index_terms
from .search_sqlite import WEIGHTS, make_hit

INDEX = "destek-search"
_KEYWORDS = ("kind", "id", "ref", "group_id", "assignee", "opened_by", "visibility", "status",
             "language")  # fmt: skip


def mapping() -> dict[str, Any]:
    """The index's settings and mapping: filter fields as keywords, the analyzer's terms as
    whitespace-split text (BM25 is OpenSearch's default similarity), the text kept, not
    indexed, for snippets."""
    text = {"type": "text", "analyzer": "whitespace"}
    stored = {"type": "text", "index": False}
    props: dict[str, Any] = {k: {"type": "keyword"} for k in _KEYWORDS}
    props.update({"version": {"type": "long"}, "updated_at": {"type": "date"},
                  "title": stored, "body": stored, "notes": stored,
                  "title_terms": text, "body_terms": text, "notes_terms": text})  # fmt: skip
    return {"mappings": {"properties": props}}


def document(doc: SearchDoc) -> dict[str, Any]:
    """A document's body: its fields, its text and the analyzer's terms of each field.
    Sent with `version_type=external` and the source's version, so an older version never
    replaces a newer (as the SQLite index's upsert)."""
    body = doc.model_dump(mode="json")
    for field in ("title", "body", "notes"):
        body[f"{field}_terms"] = index_terms(getattr(doc, field))
    return body


def filter_clauses(filt: SearchFilter) -> list[dict[str, Any]]:
    """The caller's filter as OpenSearch `filter` clauses (the same rule as
    `SearchFilter.allows` and store/search_sqlite.py `filter_sql`)."""
    clauses: list[dict[str, Any]] = [{"term": {"kind": filt.kind.value}}]
    if filt.public_only:
        clauses.append({"term": {"visibility": "public"}})
    if filt.kind == DocKind.CASE and not filt.all_groups:
        reach: list[dict[str, Any]] = [{"term": {"assignee": filt.username}}]
        if filt.username:
            reach.append({"bool": {"must": [{"term": {"opened_by": filt.username}}],
                                   "must_not": [{"exists": {"field": "group_id"}}]}})  # fmt: skip
        if filt.groups:
            reach.append({"terms": {"group_id": sorted(filt.groups)}})
        clauses.append({"bool": {"should": reach, "minimum_should_match": 1}})
    return clauses


def query_body(query: SearchQuery, filt: SearchFilter, limit: int) -> dict[str, Any]:
    """The search request: per word a `bool.should` of its alternatives over the term
    fields (title weighted as in SQLite's bm25), prefixes as `prefix`, a typo as `fuzzy`
    (fuzziness 1, long words only); the words OR-ed; the filter applied without scoring."""
    fields = [("title_terms", WEIGHTS[0]), ("body_terms", WEIGHTS[1])]
    if filt.notes:
        fields.append(("notes_terms", WEIGHTS[2]))
    words = []
    for word in query.words:
        alts: list[dict[str, Any]] = []
        for field, boost in fields:
            alts += [{"term": {field: {"value": t, "boost": boost}}} for t in sorted(word.exact)]
            alts += [
                {"prefix": {field: {"value": p, "boost": boost}}} for p in sorted(word.prefixes)
            ]
            if word.fuzzy:
                typo = {"value": word.folded, "fuzziness": 1, "transpositions": True,
                        "boost": boost}  # fmt: skip
                alts.append({"fuzzy": {field: typo}})
        words.append({"bool": {"should": alts, "minimum_should_match": 1}})
    return {
        "size": limit,
        "query": {
            "bool": {"should": words, "minimum_should_match": 1, "filter": filter_clauses(filt)}
        },  # fmt: skip
        "_source": {"excludes": ["*_terms"]},
    }


class OpenSearchEngine:
    """OpenSearch Serverless (a collection of type SEARCH), called over HTTPS with SigV4.
    `endpoint`: the collection's endpoint; `region`: its region."""

    def __init__(self, endpoint: str, region: str, index: str = INDEX) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.index = index

    def search(
        self, query: SearchQuery, filt: SearchFilter, limit: int
    ) -> tuple[list[SearchHit], str]:
        if query.empty:
            return [], self.index
        answer = self._call("POST", f"/{self.index}/_search", query_body(query, filt, limit))
        hits = []
        for raw in answer["hits"]["hits"]:
            doc = SearchDoc.model_validate(raw["_source"])
            if filt.allows(doc):
                hits.append(make_hit(doc, query, float(raw["_score"]), filt.notes))
        return hits, self.index

    def holds(self, kind: DocKind) -> bool:
        """Whether any document of `kind` is indexed (one `_count`)."""
        body = {"query": {"term": {"kind": kind.value}}}
        return int(self._call("POST", f"/{self.index}/_count", body).get("count", 0)) > 0

    def apply(self, docs: list[SearchDoc], deleted: list[str]) -> None:
        """One `_bulk` request: index each document at its external version, delete keys."""
        lines: list[str] = []
        for doc in docs:
            meta = {"_index": self.index, "_id": doc.key, "version": doc.version,
                    "version_type": "external_gte"}  # fmt: skip
            lines += [json.dumps({"index": meta}), json.dumps(document(doc), ensure_ascii=False)]
        lines += [json.dumps({"delete": {"_index": self.index, "_id": key}}) for key in deleted]
        if lines:
            self._call("POST", "/_bulk", "\n".join(lines) + "\n", ndjson=True)

    def _call(self, method: str, path: str, body: Any, ndjson: bool = False) -> dict[str, Any]:
        import urllib.request

        import botocore.session
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
        request = AWSRequest(method=method, url=self.endpoint + path, data=data.encode(),
                             headers=headers)  # fmt: skip
        credentials = botocore.session.get_session().get_credentials()
        SigV4Auth(credentials, "aoss", self.region).add_auth(request)
        prepared = urllib.request.Request(request.url, data=request.body, method=method,
                                          headers=dict(request.headers))  # fmt: skip
        with urllib.request.urlopen(prepared, timeout=10) as answer:  # noqa: S310 (https)
            return json.loads(answer.read())
