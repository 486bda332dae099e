"""What the services need from the outside world, as Protocols.

The DynamoDB and SQS adapters implement these in production; unit tests
implement them in memory (tests/unit/fakes.py), so the use cases are tested
without AWS and without mocks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.access import DirectoryState, SignIn
from ..domain.attachments import Attachment, StoredFile
from ..domain.business_hours import BusinessCalendar
from ..domain.calls import Call
from ..domain.carriers import Carrier
from ..domain.case_change import CaseChange
from ..domain.case_record import CaseWithHistory
from ..domain.cases import Case, CaseOrder, CaseProduct, HistoryEntry
from ..domain.catalog import Product, ProductCategory, Subtree
from ..domain.categories import Category
from ..domain.custom_fields import CaseField
from ..domain.customers import Customer, EmailUndeliverable, LookupKind
from ..domain.directory import Group, StaffMember
from ..domain.listing import CaseListQuery, Page
from ..domain.model import Model
from ..domain.notifications import Notice
from ..domain.orders import Order, Shipment
from ..domain.permissions import Role
from ..domain.registrations import Registration
from ..domain.routing_rules import RoutingRule
from ..domain.sla import EscalationLadder, SlaPolicy
from ..domain.staff_notices import Arrival

if TYPE_CHECKING:  # annotations only: these models load with the services that use them
    from ..domain.analytics import QueryLimits, QueryResult
    from ..domain.chats import ChatTranscript
    from ..domain.deflection import DraftReport, Outcome
    from ..domain.knowledge import (
        Article,
        ArticleEntry,
        ArticleState,
        ArticleVersion,
        Changed,
        Visibility,
    )
    from ..domain.knowledge_suggest import CaseTopic
    from ..domain.precases import Mood, PreCase, PreCaseChange, PreCaseMessage, SocialPost
    from ..domain.report_table import Dimension, ReportName, ReportTable
    from ..domain.satisfaction_alerts import WeekTally
    from ..domain.search import DocKind, SearchDoc, SearchFilter, SearchHit
    from ..domain.search_text import SearchQuery
    from ..domain.topics import Topic

#: writes that ride in a new case's transaction (given the numbered case), each with what
#: its failed condition means; the store that builds them knows their keys, services do not
Riders = Callable[[Case], list[tuple[dict[str, Any], Exception]]]


class CaseFieldDefinitions(Protocol):
    """The admins' custom case field definitions (store/case_fields.py)."""

    def all(self) -> list[CaseField]: ...


class TagSuggestions(Protocol):
    """The tags' counters (store/tags.py): their moves ride in a case change's transaction."""

    def riders(
        self, before: list[str], after: list[str]
    ) -> list[tuple[dict[str, Any], Exception]]: ...

    def suggest(self, typed: str, limit: int) -> list[dict[str, Any]]: ...


class RenderedNotice(Model):
    subject: str
    email: str
    sms: str


class CaseStore(Protocol):
    def create(
        self,
        change: CaseChange,
        new_customer: Customer | None = None,
        also: Riders | None = None,
    ) -> CaseChange:
        """Store an opening (the case, its first history lines, notices and events) in one
        write, taking the next number; returns the change with the case numbered."""

    def get(self, case_id: str) -> CaseWithHistory: ...

    def get_by_number(self, number: str) -> CaseWithHistory: ...

    def apply(
        self, change: CaseChange, also: list[tuple[dict[str, Any], Exception]] | None = None
    ) -> Case:
        """Write a change (domain/case_change.py): the case, its history lines, notices and
        events, and `also` (writes that stand or fall with them, raising their meaning when
        their condition fails), if the stored version is still the one the change started
        from, else Conflict `version_conflict`. The only way a case's status, version or
        history changes."""

    def change_operations(self, change: CaseChange) -> list[dict[str, Any]]:
        """A change's writes (the case put conditional on its version first), for another
        change's transaction to carry: a merge writes both cases' changes in one."""

    def merged_items(
        self, source_id: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of a merged case's items (never its events), for the merge job."""

    def copy_to_survivor(self, survivor: Case, items: list[dict[str, Any]]) -> None:
        """Copies of a merged case's lines and files under the survivor, under the same
        sort keys (writing them twice writes the same items)."""

    def entry_operation(self, case: Case, entry: HistoryEntry) -> dict[str, Any]:
        """A delivery line's write (a bounce filed), for a transaction of another store to
        carry: it records what happened to a notice, changes nothing of the case (no
        version, no status, no event), so it never conflicts with an agent's change."""

    def attachment_operation(self, case: Case, attachment: Attachment) -> dict[str, Any]:
        """An attachment record's write (once only), for a transaction to carry."""

    def notice_operation(self, case: Case, notice: Notice) -> dict[str, Any]:
        """A new notice's write (once only), for a transaction to carry."""

    def list(self, query: CaseListQuery) -> Page: ...

    def mark_seen(self, case_id: str, username: str, version: int) -> None:
        """Remember that a staff member looked at this version (kept only if not older), without
        changing the case's version. NotFound for no case; InvalidInput for a future version."""

    def add_attachment(self, case: Case, attachment: Attachment) -> bool:
        """Record a confirmed upload under the case; False if it is recorded already."""

    def count_active(self, username: str) -> int:
        """How many active cases the agent owns."""

    def due_for_sla(self, until: str, limit: int) -> list[str]:
        """Ids of cases whose next SLA moment (reminder, breach, escalation) is at or before."""

    def due_for_routing(self, before: str, limit: int) -> list[tuple[str, str]]:
        """(id, number) of cases still `new` that were opened before `before`."""


class CustomerStore(Protocol):
    def get(self, customer_id: str) -> Customer: ...

    def find(self, kind: LookupKind, value: str) -> Customer | None: ...

    def create(self, customer: Customer) -> Customer: ...

    def by_name(self, text: str, limit: int) -> list[Customer]: ...

    def link_login(self, customer: Customer, expected_version: int) -> Customer: ...

    def save_with_contacts(self, customer: Customer, before: Customer) -> Customer:
        """Replace the profile, moving its phone and email uniqueness with it; else Conflict."""

    def save(self, customer: Customer, expected_version: int) -> Customer:
        """Replace the profile if its version is still expected_version, else Conflict."""

    def sign_in(self, sub: str) -> SignIn | None:
        """The sign-in record of a site login: whose it is, or closed."""

    def delete(self, customer: Customer, closed_at: float) -> None:
        """Profile and lookups gone, sign-in closed, in one write; Conflict if it changed."""

    def mark_undeliverable(self, customer: Customer, mark: EmailUndeliverable) -> bool:
        """Mark the email as bouncing (once, while it is still the customer's address)."""


class DirectoryStore(Protocol):
    def get_group(self, group_id: str) -> Group | None: ...

    def list_groups(self) -> list[Group]: ...

    def put_group(self, group: Group) -> Group: ...

    def put_groups(self, writes: list[tuple[Group, int | None]]) -> None:
        """Write groups at once, each only if its stored version is still the one given
        (None: only if it does not exist yet); all or none, else Conflict."""

    def note_assignment(self, group_id: str, username: str) -> None:
        """Remember the last member a case was given to (round robin's place)."""

    def get_staff(self, username: str) -> StaffMember | None: ...

    def list_staff(self) -> list[StaffMember]: ...

    def put_staff(self, member: StaffMember, revoked_before: int | None = None) -> StaffMember:
        """With `revoked_before`, the stamp voiding the member's older sessions in one write."""

    def remove_staff(
        self, username: str, groups: list[tuple[Group, int]], revoked_before: int
    ) -> None:
        """Entry gone, sessions void, out of these groups (at these versions), in one write."""

    def read_directory(self) -> DirectoryState:
        """Staff, revocation stamps, roles and groups in one read."""

    def get_category(self, category_id: str) -> Category | None: ...

    def list_categories(self) -> list[Category]: ...

    def put_category(self, category: Category) -> Category: ...

    def replace_categories(self, writes: list[tuple[Category, list[str]]]) -> None:
        """Write each category if it still has the path given beside it (the one read):
        all or none, else Conflict."""

    def list_roles(self) -> list[Role]: ...

    def list_rules(self) -> list[RoutingRule]: ...

    def put_rule(self, rule: RoutingRule) -> RoutingRule: ...

    def delete_rule(self, rule_id: str) -> None:
        """Raises NotFound when there is no such rule."""

    def list_sla_policies(self) -> list[SlaPolicy]: ...

    def put_sla_policy(self, policy: SlaPolicy) -> SlaPolicy: ...

    def delete_sla_policy(self, policy_id: str) -> None: ...

    def list_ladders(self) -> list[EscalationLadder]: ...

    def put_ladder(self, ladder: EscalationLadder) -> EscalationLadder: ...

    def delete_ladder(self, ladder_id: str) -> None: ...

    def get_calendar(self, calendar_id: str) -> BusinessCalendar | None: ...

    def list_calendars(self) -> list[BusinessCalendar]: ...

    def put_calendar(self, calendar: BusinessCalendar) -> BusinessCalendar: ...

    def put_role(self, role: Role) -> Role: ...


class CatalogStore(Protocol):
    def get_category(self, category_id: str) -> ProductCategory | None: ...

    def get_product(self, product_id: str) -> Product | None: ...

    def subtree(self, category: ProductCategory | None) -> Subtree:
        """The category (None: the whole catalog) with every category and product under it."""

    def list_products(
        self, category: ProductCategory | None, limit: int, cursor: str | None
    ) -> tuple[list[Product], str | None]:
        """One page of the products in a subtree."""

    def create_category(self, category: ProductCategory) -> ProductCategory:
        """Conflict if the id is taken; InvalidInput if the parent is gone."""

    def save_category(self, category: ProductCategory, expected_version: int) -> ProductCategory:
        """Rename, if the stored version is still expected_version, else Conflict."""

    def move_category(
        self, current: ProductCategory, moved: ProductCategory, expected_version: int
    ) -> ProductCategory:
        """Put the category where `moved` says, with everything under it; resumable."""

    def delete_category(self, category: ProductCategory) -> None:
        """Conflict while it has subcategories or products."""

    def create_product(self, product: Product) -> Product: ...

    def save_product(self, product: Product, previous: Product, expected_version: int) -> Product:
        """Replace if the stored version is still expected_version, else Conflict."""

    def delete_product(self, product: Product) -> None: ...


class RegistrationStore(Protocol):
    def register(self, registration: Registration) -> Registration:
        """Store it and claim its serial, all or nothing: NotFound (no customer),
        InvalidInput (no product), Conflict `serial_taken` / `already_registered`."""

    def get(self, customer_id: str, registration_id: str) -> Registration | None: ...

    def list(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Registration], str | None]:
        """One page of the customer's registrations, newest first."""

    def find_serial(self, serial: str) -> Registration | None: ...

    def remove(self, registration: Registration) -> None:
        """Delete it and free its serial, together."""


class NoticeStore(Protocol):
    def get(self, case_id: str, notice_id: str) -> Notice | None: ...

    def claim(self, notice: Notice, now: datetime, lease: timedelta) -> Notice | None:
        """Take the notice for delivery; None when it is not deliverable now or is taken."""

    def finish(self, notice: Notice, number: str, entry: HistoryEntry | None = None) -> None:
        """Record the outcome (sent, held, skipped, failed) if this delivery still holds the
        claim; `entry`, a line for the case's history, in the same write."""

    def awaiting(self, until: str, limit: int) -> list[tuple[str, str]]:
        """(case id, notice id) of notices whose place in the outbox is at or before `until`."""

    def hand_out(self, case_id: str, notice_id: str, now: datetime, until: datetime) -> bool:
        """Move an awaiting notice's outbox place to `until` as the sweep queues it; False
        when it is no longer awaiting or a live lease holds it."""

    def fail_operation(
        self, case_id: str, notice_id: str, reason: str
    ) -> tuple[dict[str, Any], Exception]:
        """A sent notice marked failed, once, for the case's transaction to carry."""


class NoticeQueue(Protocol):
    def enqueue(self, case_id: str, notice_id: str) -> None:
        """Ask for delivery now (best effort: the outbox sweep catches what is lost)."""


class Sender(Protocol):
    def email(
        self, to: str, subject: str, body: str, html: str | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> str:  # fmt: skip
        """Send `body` as plain text (and `html` as its HTML alternative, if given), with
        extra `headers` (a survey's List-Unsubscribe); return the provider's message id."""

    def sms(self, to: str, body: str, promotional: bool = False) -> str:
        """`promotional`: a commercial message (a planned survey), not a notice."""


class Renderer(Protocol):
    def render(self, event: str, language: str, context: dict) -> RenderedNotice: ...

    def html(self, name: str, language: str, context: dict) -> str:
        """The HTML body of a message that has one (`<language>/<name>_html.j2`)."""


class CaseEvents(Protocol):
    def case_opened(self, case_id: str, number: str) -> None:
        """Hand the case to routing (off the request path)."""


class AttachmentFiles(Protocol):
    """Where attached files' bytes live (S3); the case store records them."""

    def upload_form(
        self, case_id: str, attachment_id: str, filename: str, content_type: str
    ) -> dict[str, Any]: ...

    def stored(self, case_id: str, attachment_id: str) -> StoredFile | None: ...

    def discard(self, case_id: str, attachment_id: str) -> None: ...

    def download_url(self, case_id: str, attachment_id: str, filename: str) -> str: ...

    def preview_url(
        self, case_id: str, attachment_id: str, filename: str, content_type: str
    ) -> str: ...

    def keep(
        self, case_id: str, attachment_id: str, filename: str, content_type: str, content: bytes
    ) -> None: ...

    def keep_for_precase(
        self, precase_id: str, file_id: str, filename: str, content_type: str, content: bytes
    ) -> None: ...

    def move_to_case(self, precase_id: str, file_id: str, case_id: str) -> None: ...


class PreCaseStore(Protocol):
    def add(self, change: PreCaseChange, also: list[dict[str, Any]] | None = None) -> None:
        """A new pre-case with its events (else Conflict already_received)."""

    def save(self, change: PreCaseChange) -> PreCase:
        """The move with its events if the stored version is still the expected one, else
        Conflict."""

    def save_operations(self, change: PreCaseChange) -> list[dict[str, Any]]: ...

    def add_message(
        self,
        change: PreCaseChange,
        message: PreCaseMessage,
        also: list[tuple[dict[str, Any], Exception]] | None = None,
    ) -> None:
        """A later mail onto the pre-case while it is open and unmoved, with its event (else
        Conflict precase_finished, version_conflict or already_received)."""

    def conflict(self, current: dict[str, Any] | None) -> Exception: ...

    def get(self, precase_id: str) -> PreCase: ...

    def pool(
        self, channel: str | None, oldest_first: bool, limit: int, cursor: str | None
    ) -> tuple[list[PreCase], str | None]: ...

    def claimed_by(
        self, username: str, limit: int, cursor: str | None
    ) -> tuple[list[PreCase], str | None]: ...


class SocialLedger(Protocol):
    def operations(
        self,
        post: SocialPost,
        text: str,
        mood: Mood,
        topic: Topic,
        on: date,
        precase_id: str | None,
    ) -> list[dict[str, Any]]: ...

    def record(self, post: SocialPost, text: str, mood: Mood, topic: Topic, on: date) -> None:
        """Count a post; Conflict (already_received) if this post was counted before."""

    def counters(self, months: list[str]) -> list[dict[str, Any]]: ...


class RegisteredProducts(Protocol):
    def case_product(self, customer_id: str, registration_id: str) -> CaseProduct:
        """The customer's registered product, as a case records it; InvalidInput if the
        customer has no such registration (another customer's is no different)."""


class CustomerOrders(Protocol):
    def case_order(self, customer_id: str, order_id: str, shipment_id: str | None) -> CaseOrder:
        """The customer's order (and its shipment), as a case records it; InvalidInput if the
        customer has no such order or the order no such shipment (another customer's order
        is no different)."""


class ShopRecords(Protocol):
    def put_order(self, order: Order) -> None: ...

    def put_shipment(self, shipment: Shipment) -> None: ...

    def put_call(self, call: Call) -> None: ...

    def put_chat(self, chat: ChatTranscript) -> None: ...

    def calls(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Call], str | None]: ...

    def customer_partition(self, customer_id: str) -> dict[str, Any]:
        """profile, registrations, orders and shipments of the customer, read at once."""

    def orders(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Order], str | None]:
        """A page of the customer's orders, the highest order id first."""

    def order(self, customer_id: str, order_id: str) -> Order | None: ...

    def shipments(self, customer_id: str) -> list[Shipment]:
        """Every shipment of the customer (tens; one Query)."""


class CarrierStore(Protocol):
    def list(self) -> list[Carrier]:
        """The carriers an admin stored (the defaults are not stored)."""

    def put(self, carrier: Carrier) -> None: ...


class CustomerLogins(Protocol):
    """The customers' sign-in directory (Cognito's customer pool)."""

    def set_customer_id(self, username: str, customer_id: str) -> None:
        """Record the customer a sign-in belongs to, so its next tokens carry it."""

    def close(self, username: str) -> None:
        """Revoke the sign-in's refresh tokens and delete it."""


class AnalyticsEngine(Protocol):
    """Runs read-only SQL over the case-event archive (the table `events`): Athena in AWS
    (analytics/athena.py), DuckDB over the local stack's Parquet (devstack/event_archive.py).
    Never reads the DynamoDB table."""

    def run(self, sql: str, limits: QueryLimits) -> QueryResult:
        """Run one statement `check_sql` let through, within `limits`; SqlInvalid when
        the engine refuses it, QueryTimedOut past `limits.seconds`, QueryTooLarge past
        `limits.max_bytes`."""


class ReportSource(Protocol):
    """The standard reports (issue 15): what the downloads and the weekly summary email
    read. Served by the report projections' service (`wiring.report_service()`)."""

    def report(self, name: ReportName, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """Report `name` for the whole Istanbul days `start` to `end` (both included), by
        zero, one or two dimensions; InvalidInput for a period or breakdown it cannot
        answer (longer than `report_table.MAX_DAYS`, a dimension the report has not)."""


class ArrivalStore(Protocol):
    """A group's unassigned arrivals per digest window, and who got each window's digest
    (store/arrival_digests.py)."""

    #: the members' marks, keyed by `<group id>#<window start>` (claim / sent / release)
    marks: WeeklyMarks

    def add(self, group_id: str, start: datetime, arrival: Arrival) -> None:
        """File an arrival under the group's window starting at `start` (idempotent)."""

    def window(self, group_id: str, start: datetime) -> tuple[list[Arrival], set[str]]:
        """The window's arrivals, and the usernames whose digest of it is sent or taken."""

    def cases_now(self, case_ids: list[str]) -> dict[str, dict]:
        """Case id → its current `group_id`, `assignee`, `status` (absent: no such case)."""


class WeeklyMarks(Protocol):
    """Which weekly summaries were sent: one mark per ISO week and supervisor."""

    def claim(self, week: str, username: str, at: datetime) -> bool:
        """Take the mark (a conditional put): True if nobody had it, or a run that took it
        died while sending (its lease ran out); False if it is taken."""

    def sent(self, week: str, username: str, message_id: str, at: datetime) -> None:
        """The summary went out: the mark is kept for good."""

    def release(self, week: str, username: str) -> None:
        """Give a mark back (its email could not be sent): the next run tries again."""


class SatisfactionHistory(Protocol):
    """Customers' satisfaction ratings per week and dimension value, for the deviation alert
    (services/satisfaction_alerts.py); served by the report counters
    (services/satisfaction_history.py)."""

    def weekly(self, dimension: str, weeks: list[tuple[date, date]]) -> dict[str, list[WeekTally]]:
        """Per value of `dimension` (`group`, `category`, `agent`) that had ratings in any of
        `weeks` (each Monday, Sunday; Istanbul days), one tally per week in that order."""


class SurveyStore(Protocol):
    """Planned surveys: definitions, runs, candidates, invitations (store/surveys.py)."""

    def customer(self, customer_id: str) -> Customer: ...
    def get_survey(self, survey_id: str) -> Any: ...
    def list_surveys(self) -> list[Any]: ...
    def save_survey(self, survey: Any, expected_version: int | None) -> Any: ...
    def throttle_days(self) -> int: ...
    def set_throttle_days(self, days: int) -> None: ...
    def start_run(self, survey: Any, run: Any, next_at: datetime | None) -> bool: ...
    def get_run(self, survey_id: str, run_id: str) -> Any: ...
    def list_runs(self, survey_id: str) -> list[Any]: ...
    def finish_shard(self, survey_id: str, run_id: str, shard: int) -> Any: ...
    def start_sending(self, survey_id: str, run_id: str, matched: int, size: int) -> bool: ...
    def finish_run(self, survey_id: str, run_id: str, now: datetime,
                   stopped: bool = False) -> None: ...  # fmt: skip
    def hold_run(self, survey_id: str, run_id: str, place: dict) -> None: ...
    def take_held(self, survey_id: str, run_id: str) -> dict | None: ...
    def roster_page(self, shard: int, cursor: str | None, limit: int) -> tuple[list, Any]: ...
    def keep_candidate(self, run_id: str, sample_key: str, customer_id: str,
                       dims: dict[str, str] | None = None) -> None: ...  # fmt: skip
    def count_candidates(self, run_id: str) -> int: ...
    def candidates_page(self, run_id: str, cursor: str | None, limit: int) -> tuple: ...
    def customer_details(self, customer_id: str) -> tuple[list, datetime | None]: ...
    def customer_cases(self, customer_id: str, limit: int = 200) -> list: ...
    def product_groups(self, product_ids: list[str]) -> dict[str, list[str]]: ...
    def product_facts(self, registrations: list, groups: dict) -> list: ...
    def get_invitation(self, invitation_id: str) -> Any: ...
    def record_skip(self, inv: Any) -> bool: ...
    def record_invitation(self, inv: Any, cutoff: datetime, delayed: bool) -> str: ...
    def claim(self, inv: Any, now: datetime, until: datetime) -> Any: ...
    def mark_sent(self, inv: Any, now: datetime) -> None: ...
    def cancel(self, inv: Any, note: str) -> None: ...
    def due_invitations(self, now: datetime, limit: int) -> list[str]: ...
    def postpone(self, inv: Any, until: datetime) -> None: ...
    def save_answers(self, inv: Any, answers: dict, now: datetime,
                     counted: list[str] | None = None) -> None: ...  # fmt: skip
    def answers_page(self, survey_id: str, cursor: str | None, limit: int) -> tuple: ...
    def counter_items(self, survey_id: str, from_day: str, to_day: str) -> list[Any]: ...
    def start_backfill(self, now: datetime, segments: int) -> dict | None: ...
    def backfill_state(self) -> dict | None: ...
    def unlisted_profiles(self, segment: int, segments: int, start: dict | None,
                          limit: int) -> tuple[list[str], dict | None]: ...  # fmt: skip
    def list_in_roster(self, customer_id: str) -> bool: ...
    def backfill_page_done(self, started_at: str, updated: int) -> None: ...
    def backfill_segment_done(self, started_at: str, segment: int, now: datetime) -> None: ...
    def latest_answers(self, survey_id: str, since: datetime, until: datetime,
                       limit: int) -> list[Any]: ...  # fmt: skip


class ConsentStore(Protocol):
    """Customers' consents per channel and their history (store/consents.py)."""

    def get(self, customer_id: str, channel: str) -> Any: ...
    def standing(self, customer_id: str) -> list[Any]: ...
    def history(self, customer_id: str, limit: int = 100) -> list[Any]: ...
    def record(self, customer_id: str, consent: Any) -> Any: ...


class SearchEngine(Protocol):
    """Full-text search over cases, pre-cases and articles (issue 17; docs/search.md): the
    SQLite FTS5 index kept in S3 (store/search_engine.py) or OpenSearch Serverless
    (store/search_opensearch.py). Both analyze text with domain/search_text.py and apply
    the caller's `SearchFilter` inside their query."""

    def search(
        self, query: SearchQuery, filt: SearchFilter, limit: int
    ) -> tuple[list[SearchHit], str]:
        """The best `limit` documents `filt` allows, best first (BM25), highlighted, and the
        index version that answered."""

    def apply(self, docs: list[SearchDoc], deleted: list[str]) -> None:
        """Add or replace `docs` (an older version never replaces a newer) and remove the
        documents keyed `deleted`; visible to the next search. Idempotent."""

    def holds(self, kind: DocKind) -> bool:
        """Whether any document of `kind` is indexed."""


class ArticleStore(Protocol):
    """Knowledge base articles, their versions, history and counters (store/articles.py)."""

    def get(self, article_id: str) -> Article: ...
    def by_slug(self, slug: str) -> Article: ...
    def list(
        self, state: ArticleState, category_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Article], str | None]: ...
    def live(
        self, visibility: Visibility, category_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Article], str | None]: ...
    def all_live(self) -> list[Article]: ...
    def versions(self, article_id: str) -> list[ArticleVersion]: ...
    def version(self, article_id: str, number: int) -> ArticleVersion: ...
    def history(self, article_id: str) -> list[ArticleEntry]: ...
    def save(self, changed: Changed) -> Article: ...
    def count(self, article_id: str, counter: str, by: int = 1) -> None: ...
    def count_suggested(self, article_id: str, case_id: str, at: datetime) -> bool: ...
    def vote(self, article_id: str, visitor: str, helpful: bool, at: datetime) -> None: ...
    def counter_riders(
        self, article_ids: list[str], counter: str
    ) -> list[tuple[dict[str, Any], Exception]]: ...


class ArticleFiles(Protocol):
    """Articles' images and files in S3 (store/article_files.py)."""

    def upload_form(
        self, article_id: str, file_id: str, filename: str, content_type: str
    ) -> dict[str, Any]: ...
    def stored(self, article_id: str, file_id: str) -> StoredFile | None: ...
    def discard(self, article_id: str, file_id: str) -> None: ...
    def download_url(self, article_id: str, file_id: str, filename: str) -> str: ...


class ArticleSuggestions(Protocol):
    """Ranks live articles for a case: the best `limit`, best first, each with its score
    (higher is better, comparable within one answer). The adapter is the search engine's
    (services/article_suggestions.py `SearchSuggestions`); keyword overlap
    (`KeywordSuggestions`, domain/knowledge_suggest.py) is its fallback while the index
    holds no article or fails."""

    def suggest(self, topic: CaseTopic, limit: int) -> list[tuple[Article, float]]: ...


class DeflectionStore(Protocol):
    """The help centre's new-case drafts and their day counters (store/deflection.py)."""

    def record(self, report: DraftReport, at: datetime) -> tuple[bool, Outcome]:
        """Keep the draft's first report and count it: (True, outcome); a draft reported
        before: (False, the outcome first reported), nothing written."""

    def days(self, start: date, end: date) -> list[dict[str, Any]]:
        """Each day's counters in [start, end]: {day, drafts, suggested, opened, ...}."""
