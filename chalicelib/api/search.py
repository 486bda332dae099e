"""Full-text search for staff (services/search.py; docs/search.md), and the index's
rebuild (admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from chalice import Blueprint
from pydantic import ConfigDict, Field

from .. import wiring
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)


class SearchQueryParams(Model):
    """`q` what to find; `kind` case (default), precase or article; `limit` 1–50 (20)."""

    q: Annotated[str, Field(min_length=1, max_length=200)]
    #: domain/search.py DocKind's values (not imported here: a cold start does not need it)
    kind: Literal["case", "precase", "article"] = "case"
    limit: Annotated[int, Field(ge=1, le=50)] = 20

    model_config = ConfigDict(extra="forbid", defer_build=True)


@endpoint(
    bp, "/search", permission=(Resource.CASES, Action.READ), query=SearchQueryParams,
    response="chalicelib.domain.search:SearchResults",
)  # fmt: skip
def search(caller: Caller, query: SearchQueryParams):
    """Cases (or pre-cases) whose subject, text, replies or notes match `q`, best first
    (BM25), Turkish-aware and typo-tolerant, only those the caller may read, with the
    matched words marked in HTML-escaped snippets."""
    from ..services.search import SearchParams

    return wiring.search_service().search(caller, SearchParams(**query.model_dump()))


@endpoint(
    bp, "/search/rebuild", "POST", permission=(Resource.OPERATIONS, Action.EDIT), status=202,
    response="chalicelib.services.search:RebuildStatus",
)  # fmt: skip
def rebuild_search(caller: Caller):
    """Rebuild the search index from the table (or resume the rebuild under way), a page
    at a time in the background; searches use the live index until it is done."""
    return wiring.search_rebuild().start()


@endpoint(
    bp, "/search/rebuild/status", permission=(Resource.OPERATIONS, Action.EDIT),
    response="chalicelib.services.search:RebuildStatus",
)  # fmt: skip
def rebuild_search_status(caller: Caller):
    """The rebuild under way (`done` false), or `done` when none is."""
    return wiring.search_rebuild().status()
