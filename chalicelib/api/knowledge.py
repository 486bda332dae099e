"""Knowledge base routes (docs/knowledge-base.md): articles for staff (write, review,
publish, versions, history, files), articles beside a case (suggested, linked, from a
reply), and the help centre's public reads, search, "was this helpful?" votes, and the
new-case drafts' reports (deflection)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from chalice import Blueprint
from pydantic import ConfigDict, Field

from .. import wiring
from ..domain.deflection import MAX_REPORT_BYTES, DraftReport
from ..domain.errors import PayloadTooLarge
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services import case_commands as cmd
    from ..services import knowledge as kb
    from ..services.attachments import NewAttachment

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
ARTICLE_SUGGESTIONS = lazy("chalicelib.services.article_suggestions")
ATTACHMENTS = lazy("chalicelib.services.attachments")
CASES = lazy("chalicelib.domain.cases")
CMD = lazy("chalicelib.services.case_commands")
DEFLECTION = lazy("chalicelib.domain.deflection")
KB = lazy("chalicelib.services.knowledge")
KNOWLEDGE = lazy("chalicelib.domain.knowledge")
READ = (Resource.KNOWLEDGE, Action.READ)
ADD = (Resource.KNOWLEDGE, Action.ADD)
EDIT = (Resource.KNOWLEDGE, Action.EDIT)
PUBLISH = (Resource.KNOWLEDGE_PUBLISHING, Action.EDIT)


@endpoint(bp, "/articles", permission=READ, query=KB.ListArticles, response=KB.ArticlePage)
def list_articles(caller: Caller, query: kb.ListArticles):
    """Articles in one state (published by default), of one category or all, newest edit first."""
    return wiring.article_service().list(caller, query)


@endpoint(bp, "/articles", "POST", permission=ADD, body=KB.ArticleFields, status=201,
          response=KNOWLEDGE.Article)  # fmt: skip
def create_article(caller: Caller, body: kb.ArticleFields):
    """Write a new article: a draft (Turkish and/or English text, problem group, audience)."""
    return wiring.article_service().create(caller, body)


@endpoint(bp, "/articles/{article_id}", permission=READ, response=KNOWLEDGE.Article)
def get_article(caller: Caller, article_id: str):
    """One article: its working version, its live version, state and counters."""
    return wiring.article_service().get(caller, article_id)


@endpoint(bp, "/articles/{article_id}", "PUT", permission=EDIT, body=KB.SaveArticle,
          response=KNOWLEDGE.Article)  # fmt: skip
def save_article(caller: Caller, article_id: str, body: kb.SaveArticle):
    """Save the text: edits a draft; a published article gets a new draft version."""
    return wiring.article_service().save(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/submit", "POST", permission=EDIT, body=KB.RevisionOnly,
          response=KNOWLEDGE.Article)  # fmt: skip
def submit_article(caller: Caller, article_id: str, body: kb.RevisionOnly):
    """Send the draft for review."""
    return wiring.article_service().submit(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/approve", "POST", permission=PUBLISH,
          body=KB.RevisionOnly, response=KNOWLEDGE.Article)  # fmt: skip
def approve_article(caller: Caller, article_id: str, body: kb.RevisionOnly):
    """Approve the version in review: it goes live, replacing the live one (supervisors)."""
    return wiring.article_service().approve(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/reject", "POST", permission=PUBLISH,
          body=KB.RejectArticle, response=KNOWLEDGE.Article)  # fmt: skip
def reject_article(caller: Caller, article_id: str, body: kb.RejectArticle):
    """Send the version in review back to draft, saying what to change (supervisors)."""
    return wiring.article_service().reject(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/archive", "POST", permission=PUBLISH,
          body=KB.RevisionOnly, response=KNOWLEDGE.Article)  # fmt: skip
def archive_article(caller: Caller, article_id: str, body: kb.RevisionOnly):
    """Take the article down: nobody reads or is suggested it (supervisors)."""
    return wiring.article_service().archive(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/live", permission=READ, response=KNOWLEDGE.ArticleVersion)
def read_live_article(caller: Caller, article_id: str):
    """The live version, as an agent opens it from a case (counts a view)."""
    return wiring.article_service().live(caller, article_id)


@endpoint(bp, "/articles/{article_id}/versions", permission=READ,
          response=list[KNOWLEDGE.ArticleVersion])  # fmt: skip
def article_versions(caller: Caller, article_id: str):
    """Every version of the article, newest first."""
    return wiring.article_service().versions(caller, article_id)


@endpoint(bp, "/articles/{article_id}/versions/{number}", permission=READ,
          response=KNOWLEDGE.ArticleVersion)  # fmt: skip
def article_version(caller: Caller, article_id: str, number: str):
    """One version of the article, as it was saved."""
    return wiring.article_service().version(caller, article_id, number)


@endpoint(
    bp, "/articles/{article_id}/history", permission=READ, response=list[KNOWLEDGE.ArticleEntry]
)
def article_history(caller: Caller, article_id: str):
    """Who did what to the article, when; newest first."""
    return wiring.article_service().history(caller, article_id)


@endpoint(
    bp,
    "/articles/{article_id}/files",
    "POST",
    permission=EDIT,
    body=ATTACHMENTS.NewAttachment,
    status=201,
    response=ATTACHMENTS.UploadForm,
)
def start_article_file(caller: Caller, article_id: str, body: NewAttachment):
    """A presigned form to upload one image or file of the article (at most 10 MB)."""
    return wiring.article_service().start_file(caller, article_id, body)


@endpoint(bp, "/articles/{article_id}/files/{file_id}", "POST", permission=EDIT,
          response=KNOWLEDGE.Article)  # fmt: skip
def confirm_article_file(caller: Caller, article_id: str, file_id: str):
    """After the upload: the file joins the article's working version."""
    return wiring.article_service().confirm_file(caller, article_id, file_id)


# ---- beside a case -------------------------------------------------------------------------


@endpoint(bp, "/cases/{case_id}/articles", permission=(Resource.CASES, Action.READ),
          response=ARTICLE_SUGGESTIONS.CaseArticles)  # fmt: skip
def case_articles(caller: Caller, case_id: str):
    """Articles suggested for the case (best first, in its language) and those linked to it."""
    return wiring.case_article_service().for_case(caller, case_id)


@endpoint(bp, "/cases/{case_id}/articles", "POST", permission=(Resource.CASES, Action.EDIT),
          body=CMD.LinkArticle, status=201, response=CASES.Case)  # fmt: skip
def link_article(caller: Caller, case_id: str, body: cmd.LinkArticle):
    """Link a published article to the case: counted on the article when the case resolves."""
    return wiring.case_service().link_article(caller, case_id, body)


@endpoint(bp, "/cases/{case_id}/replies/{reply_id}/article", "POST", permission=ADD,
          status=201, response=KNOWLEDGE.Article)  # fmt: skip
def article_from_reply(caller: Caller, case_id: str, reply_id: str):
    """Turn a good reply on a resolved case into a draft article, in one step."""
    return wiring.article_service().from_reply(caller, case_id, reply_id)


# ---- the help centre (public) --------------------------------------------------------------


@endpoint(bp, "/kb/articles", audience="public", rate_limit=120, query=KB.PublicListQuery,
          response=KB.PublicPage)  # fmt: skip
def public_articles(caller: None, query: kb.PublicListQuery):
    """Public articles (of one category), newest first, in Turkish or English."""
    return wiring.article_service().public_list(query)


@endpoint(bp, "/kb/articles/{slug}", audience="public", rate_limit=120,
          query=KB.PublicReadQuery, response=KB.PublicArticle)  # fmt: skip
def public_article(caller: None, slug: str, query: kb.PublicReadQuery):
    """One public article by its address, in Turkish or English (counts a view)."""
    return wiring.article_service().public_get(slug, query)


@endpoint(bp, "/kb/categories", audience="public", rate_limit=60,
          response=list[KB.PublicCategory])  # fmt: skip
def public_categories(caller: None):
    """The categories that have public articles, with how many each."""
    return wiring.article_service().public_categories()


@endpoint(bp, "/kb/articles/{slug}/votes", "POST", audience="public", rate_limit=10,
          body=KB.HelpfulVote, status=201, response=KB.VoteAnswer)  # fmt: skip
def vote_article(caller: None, slug: str, body: kb.HelpfulVote):
    """ "Was this helpful?": yes or no, once per visitor, article and day."""
    return wiring.article_service().vote(slug, body)


# ---- the help centre's search and its answers before a case (docs/knowledge-base.md) --------


class PublicSearchQuery(Model):
    """`q` what to find (1–200 characters), `lang` the reader's language, `limit` 1–20 (5)."""

    q: Annotated[str, Field(min_length=1, max_length=200)]
    lang: Literal["tr", "en"] = "tr"
    limit: Annotated[int, Field(ge=1, le=20)] = 5

    model_config = ConfigDict(extra="forbid", defer_build=True)


@endpoint(bp, "/kb/search", audience="public", rate_limit=60, query=PublicSearchQuery,
          response="chalicelib.services.help_search:PublicSearchResults")  # fmt: skip
def search_public_articles(caller: None, query: PublicSearchQuery):
    """Public articles matching `q`, best first, Turkish-aware and typo-tolerant, with the
    matched words marked in HTML-escaped titles and snippets."""
    from ..services.help_search import PublicSearchParams

    return wiring.help_centre_search().search(PublicSearchParams(**query.model_dump()))


@endpoint(
    bp,
    "/kb/deflection",
    "POST",
    audience="public",
    rate_limit=30,
    body=DEFLECTION.DraftReport,
    response=DEFLECTION.Recorded,
    content_types=("application/json", "text/plain"),
)
def report_draft(caller: None, body: DraftReport):
    """How a new-case draft on the site ended (filed or left) and which suggested articles
    it showed and opened; the first report of a draft counts, repeats change nothing."""
    raw = bp.current_request.raw_body or b""
    if len(raw) > MAX_REPORT_BYTES:
        raise PayloadTooLarge(f"a draft's report is at most {MAX_REPORT_BYTES} bytes",
                              details={"limit": MAX_REPORT_BYTES})  # fmt: skip
    return wiring.deflection_service().record(body)
