"""Knowledge base use cases: write, review, publish and read articles; their files, versions,
history and counters; an article from a good reply; the help centre's public reads and
votes (docs/knowledge-base.md). The workflow is domain/knowledge.py's; the table is the
`ArticleStore` port's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..domain.attachments import check_upload, safe_filename
from ..domain.caller import Caller
from ..domain.cases import EntryKind
from ..domain.clock import utcnow
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ..domain.ids import new_id
from ..domain.knowledge import (
    MAX_FILES,
    PROBLEM_BYTES,
    PUBLISHER_MOVES,
    SOLUTION_BYTES,
    Article,
    ArticleContent,
    ArticleEntry,
    ArticleFile,
    ArticleState,
    ArticleText,
    ArticleVersion,
    Move,
    RefId,
    Visibility,
    move,
    new_article,
)
from ..domain.lifecycle import DONE
from ..domain.limits import fit_utf8
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..observability import logger
from .attachments import NewAttachment, UploadForm
from .case_commands import Strict, Text
from .ports import ArticleFiles, ArticleStore

#: the moves after which the live version (what readers, suggestions and the index see) may
#: differ: approve replaces it (text, languages, visibility), archive takes it down
LIVE_MOVES = frozenset({Move.APPROVE, Move.ARCHIVE})

Language = Annotated[str, StringConstraints(pattern=r"^(tr|en)$")]
Cursor = Annotated[str, StringConstraints(max_length=2048)]
Revision = Annotated[int, Field(ge=1, description="the article's revision you last read")]


class ArticleFields(Strict):
    """An article's content as written in the editor: `texts` in tr and/or en (either may be
    missing), its problem group (`category_id`, `topic`: a routing rule's id) and audience."""

    texts: dict[Language, ArticleText] = Field(min_length=1)
    category_id: RefId | None = None
    topic: RefId | None = None
    visibility: Visibility = Visibility.INTERNAL

    def content(self, files: list[ArticleFile]) -> ArticleContent:
        fields = self.model_dump(include={"texts", "category_id", "topic", "visibility"})
        try:
            return ArticleContent(**fields, files=files)
        except ValueError as exc:
            raise InvalidInput(str(exc).splitlines()[-1].strip()) from exc


class SaveArticle(ArticleFields):
    revision: Revision


class RevisionOnly(Strict):
    revision: Revision


class RejectArticle(Strict):
    revision: Revision
    note: Text = Field(description="what to change before it can go live")


class ListArticles(Strict):
    state: ArticleState = ArticleState.PUBLISHED
    category_id: RefId | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Cursor | None = None


class PublicListQuery(Strict):
    category_id: RefId | None = None
    lang: Language = "tr"
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Cursor | None = None


class PublicReadQuery(Strict):
    lang: Language = "tr"


class HelpfulVote(Strict):
    """A reader's answer to "was this helpful?". `visitor`: an opaque id the page keeps for
    the reader (one vote per visitor, article and day)."""

    visitor: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    helpful: bool


class ArticlePage(Model):
    items: list[Article]
    next_cursor: str | None = None


class PublicArticle(Model):
    """A live public article as the help centre shows it, in one language (`language`; the
    other when the asked one is missing; `languages`: those it has)."""

    slug: str
    language: str
    languages: list[str]
    title: str
    problem: str
    solution: str
    category_id: str | None = None
    published_at: datetime | None = None
    files: list[ArticleFile] = []
    helpful_yes: int = 0
    helpful_no: int = 0


class PublicSummary(Model):
    slug: str
    language: str
    title: str
    problem: str
    category_id: str | None = None


class PublicPage(Model):
    items: list[PublicSummary]
    next_cursor: str | None = None


class PublicCategory(Model):
    """A category that has public articles on this page of the help centre."""

    category_id: str
    name: str
    articles: int


class VoteAnswer(Model):
    helpful_yes: int
    helpful_no: int


class ArticleService:
    def __init__(
        self,
        store: ArticleStore,
        files: ArticleFiles,
        cases: object,
        language_of: Callable[[str], str],
        category_names: Callable[[], dict[str, str]],
        clock: Callable[[], datetime] = utcnow,
        live_changed: Callable[[str], None] | None = None,
    ) -> None:
        """`cases`: the CaseService (for `visible`, an article from a reply reads its case
        as the caller may see it); `language_of(customer id)`; `category_names()`;
        `live_changed(article id)`: told after a move that changes what is live (approve,
        archive), so the search index follows (docs/search.md, "Articles")."""
        self.store = store
        self.files = files
        self.cases = cases
        self.language_of = language_of
        self.category_names = category_names
        self.clock = clock
        self.live_changed = live_changed

    # ---- writing ---------------------------------------------------------------------------

    def create(self, caller: Caller, fields: ArticleFields) -> Article:
        changed = new_article(new_id("a"), new_id("h"), fields.content([]), caller.actor,
                              self.clock())  # fmt: skip
        return self._linked(self.store.save(changed))

    def from_reply(self, caller: Caller, case_ref: str, reply_id: str) -> Article:
        """A staff reply on a resolved (or closed) case as a draft article in one step: the
        case's subject is the title and problem, the reply the solution (cut to the
        solution's limit), the case's category and routing topic carried, in the customer's
        language; internal until a reviewer says otherwise."""
        found = self.cases.visible(caller, case_ref)  # type: ignore[attr-defined]
        case = found.case
        if case.status not in DONE:
            raise Conflict("only a resolved or closed case's reply becomes an article",
                           code="case_not_resolved")  # fmt: skip
        reply = next((e for e in found.history if e.id == reply_id), None)
        if reply is None or reply.kind != EntryKind.REPLY or reply.actor.kind != "staff":
            raise NotFound("no staff reply with this id on the case", code="no_reply")
        routed = [e for e in found.history if e.kind == EntryKind.ROUTED and e.data.get("rule_id")]
        language = self.language_of(case.customer_id)
        solution, _cut = fit_utf8(reply.body or "", SOLUTION_BYTES)
        problem, _ = fit_utf8(case.subject, PROBLEM_BYTES)
        text = ArticleText(title=case.subject[:200], problem=problem, solution=solution)
        content = ArticleContent(texts={language: text}, category_id=case.category_id,
                                 topic=routed[-1].data["rule_id"] if routed else None)  # fmt: skip
        changed = new_article(new_id("a"), new_id("h"), content, caller.actor, self.clock(),
                              source_case_id=case.id)  # fmt: skip
        return self._linked(self.store.save(changed))

    def save(self, caller: Caller, article_id: str, body: SaveArticle) -> Article:
        article = self._at(article_id, body.revision)
        content = body.content(article.working.content.files)
        return self._move(caller, article, Move.SAVE, content=content)

    def submit(self, caller: Caller, article_id: str, body: RevisionOnly) -> Article:
        return self._move(caller, self._at(article_id, body.revision), Move.SUBMIT)

    def approve(self, caller: Caller, article_id: str, body: RevisionOnly) -> Article:
        return self._move(caller, self._at(article_id, body.revision), Move.APPROVE)

    def reject(self, caller: Caller, article_id: str, body: RejectArticle) -> Article:
        article = self._at(article_id, body.revision)
        return self._move(caller, article, Move.REJECT, note=body.note)

    def archive(self, caller: Caller, article_id: str, body: RevisionOnly) -> Article:
        return self._move(caller, self._at(article_id, body.revision), Move.ARCHIVE)

    def _at(self, article_id: str, revision: int) -> Article:
        article = self.store.get(article_id)
        if article.revision != revision:
            raise Conflict("the article changed since you read it; read it again",
                           code="version_conflict",
                           details={"current_revision": article.revision})  # fmt: skip
        return article

    def _move(self, caller: Caller, article: Article, what: Move, **kwargs) -> Article:
        if what in PUBLISHER_MOVES:
            caller.require(Resource.KNOWLEDGE_PUBLISHING, Action.EDIT)
        changed = move(article, what, caller.actor, self.clock(), new_id("h"), **kwargs)
        saved = self.store.save(changed)
        if what in LIVE_MOVES and self.live_changed is not None:
            try:
                self.live_changed(saved.id)
            except Exception:  # noqa: BLE001 - the move is written; a rebuild catches up
                logger.exception("article not sent to the search index", article_id=saved.id)
        return self._linked(saved)

    # ---- files -----------------------------------------------------------------------------

    def start_file(self, caller: Caller, article_id: str, request: NewAttachment) -> UploadForm:
        """A presigned form for one image or file of the article (the case attachments'
        types and size limit)."""
        article = self.store.get(article_id)
        if len(article.working.content.files) >= MAX_FILES:
            raise Conflict(f"an article holds at most {MAX_FILES} files", code="too_many_files")
        filename = safe_filename(request.filename)
        check_upload(filename, request.content_type, request.size)
        file_id = new_id("f")
        form = self.files.upload_form(article.id, file_id, filename, request.content_type)
        return UploadForm(attachment_id=file_id, url=form["url"], fields=form["fields"])

    def confirm_file(self, caller: Caller, article_id: str, file_id: str) -> Article:
        """After the upload: the file joins the working version (a published article gets a
        new draft version carrying it). Confirming twice adds it once."""
        article = self.store.get(article_id)
        if any(f.id == file_id for f in article.working.content.files):
            return self._linked(article)
        stored = self.files.stored(article.id, file_id)
        if stored is None:
            raise NotFound("no upload with this id: upload the file first", code="no_upload")
        filename = safe_filename(stored.filename)
        try:
            check_upload(filename, stored.content_type, stored.size)
        except (PayloadTooLarge, InvalidInput):
            self.files.discard(article.id, file_id)
            raise
        added = ArticleFile(id=file_id, filename=filename, content_type=stored.content_type,
                            size=stored.size)  # fmt: skip
        content = article.working.content
        content = content.model_copy(update={"files": [*content.files, added]})
        return self._move(caller, article, Move.ADD_FILE, content=content)

    # ---- reading (staff) ------------------------------------------------------------------

    def get(self, caller: Caller, article_id: str) -> Article:
        return self._linked(self.store.get(article_id))

    def live(self, caller: Caller, article_id: str) -> ArticleVersion:
        """The live version, as an agent opens it from a case (counts a view)."""
        article = self.store.get(article_id)
        if article.live is None:
            raise NotFound("this article has no live version", code="not_live")
        self.store.count(article.id, "views")
        return self._version_linked(article.live)

    def list(self, caller: Caller, query: ListArticles) -> ArticlePage:
        items, cursor = self.store.list(query.state, query.category_id, query.limit, query.cursor)
        return ArticlePage(items=items, next_cursor=cursor)

    def versions(self, caller: Caller, article_id: str) -> list[ArticleVersion]:
        self.store.get(article_id)
        return self.store.versions(article_id)

    def version(self, caller: Caller, article_id: str, number: str) -> ArticleVersion:
        if not number.isdigit() or not 0 < int(number) < 10**8:
            raise NotFound("no such version", code="no_version")
        return self._version_linked(self.store.version(article_id, int(number)))

    def history(self, caller: Caller, article_id: str) -> list[ArticleEntry]:
        self.store.get(article_id)
        return self.store.history(article_id)

    # ---- the help centre (public) ---------------------------------------------------------

    def public_list(self, query: PublicListQuery) -> PublicPage:
        items, cursor = self.store.live(Visibility.PUBLIC, query.category_id, query.limit,
                                        query.cursor)  # fmt: skip
        summaries = []
        for article in items:
            assert article.live is not None  # the index holds live ones only
            content = article.live.content
            text = content.text_in(query.lang)
            language = _language(content, query.lang)
            summaries.append(PublicSummary(slug=article.slug, language=language, title=text.title,
                                           problem=text.problem,
                                           category_id=content.category_id))  # fmt: skip
        return PublicPage(items=summaries, next_cursor=cursor)

    def public_get(self, slug: str, query: PublicReadQuery) -> PublicArticle:
        """A live public article (counts a view); internal, draft-only and archived ones are
        not found."""
        article = self._public(slug)
        assert article.live is not None
        self.store.count(article.id, "views")
        live = self._version_linked(article.live)
        content = live.content
        text = content.text_in(query.lang)
        return PublicArticle(
            slug=article.slug, language=_language(content, query.lang),
            languages=sorted(content.texts), title=text.title, problem=text.problem,
            solution=text.solution, category_id=content.category_id,
            published_at=live.published_at, files=content.files,
            helpful_yes=article.counts.helpful_yes, helpful_no=article.counts.helpful_no,
        )  # fmt: skip

    def public_categories(self) -> list[PublicCategory]:
        """The categories that have public articles, with how many (reads every public
        article's index entry: the help centre has hundreds, not millions)."""
        counts: dict[str, int] = {}
        cursor = None
        while True:
            items, cursor = self.store.live(Visibility.PUBLIC, None, 100, cursor)
            for article in items:
                category = article.live.content.category_id if article.live else None
                if category:
                    counts[category] = counts.get(category, 0) + 1
            if not cursor:
                break
        names = self.category_names()
        ordered = sorted(counts.items(), key=lambda kv: names.get(kv[0], kv[0]))
        return [PublicCategory(category_id=c, name=names.get(c, c), articles=n)
                for c, n in ordered]  # fmt: skip

    def vote(self, slug: str, body: HelpfulVote) -> VoteAnswer:
        article = self._public(slug)
        self.store.vote(article.id, body.visitor, body.helpful, self.clock())
        counts = self.store.get(article.id).counts
        return VoteAnswer(helpful_yes=counts.helpful_yes, helpful_no=counts.helpful_no)

    def _public(self, slug: str) -> Article:
        article = self.store.by_slug(slug)
        if not article.public:
            raise NotFound("no such article", code="no_article")
        return article

    # ---- links -----------------------------------------------------------------------------

    def _linked(self, article: Article) -> Article:
        """The article with download links on its versions' files."""
        update = {"working": self._version_linked(article.working)}
        if article.live is not None:
            update["live"] = self._version_linked(article.live)
        return article.model_copy(update=update)

    def _version_linked(self, version: ArticleVersion) -> ArticleVersion:
        content = version.content
        files = [f.model_copy(update={"url": self.files.download_url(version.article_id, f.id,
                                                                      f.filename)})
                 for f in content.files]  # fmt: skip
        return version.model_copy(update={"content": content.model_copy(update={"files": files})})


def _language(content: ArticleContent, wanted: str) -> str:
    return wanted if wanted in content.texts else next(iter(content.texts))


def require_staff_reader(caller: Caller) -> None:
    """Suggestions and links need both the cases and the articles (route checks one)."""
    if not caller.can(Resource.KNOWLEDGE, Action.READ):
        raise Forbidden("your role may not read knowledge",
                        details={"resource": "knowledge", "action": "read"})  # fmt: skip
