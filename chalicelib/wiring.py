"""Builds the services from the adapters, once per process, on first use.

The one place that knows which adapter serves which port (Chalice's todo-app
sample wires its table the same way): handlers ask for a service, tests swap
the whole set with `reset()`.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import settings

if TYPE_CHECKING:  # every adapter and service is imported when first built (cold start)
    from .auth.link_keys import SecretLinkKeys
    from .auth.signed_calls import SignedCallVerifier
    from .auth.tokens import Pool, TokenVerifier
    from .messaging.dead_letters import SqsDeadLetters
    from .messaging.event_bus import EventBridgeBus
    from .messaging.queues import SqsCaseEvents
    from .messaging.webhook_queue import SqsWebhookQueues
    from .services.access import AccessGate
    from .services.accounts import AccountService
    from .services.analytics import AnalyticsService
    from .services.arrival_digests import ArrivalDigests
    from .services.attachments import AttachmentService
    from .services.calls import CallLog
    from .services.case_merges import CaseMerges, MergeJob
    from .services.cases import CaseService
    from .services.catalog import CatalogService
    from .services.customer_overview import OverviewService
    from .services.customers import CustomerService
    from .services.directory import DirectoryService, RoleCatalog
    from .services.mail_intake import MailIntake
    from .services.notifier import Notifier
    from .services.ports import AnalyticsEngine
    from .services.precases import PreCasePool
    from .services.ratings import RatingService
    from .services.registrations import RegistrationService
    from .services.report_exports import ReportExports
    from .services.report_projection import ReportProjection, ReportRebuild
    from .services.reports import ReportService
    from .services.routing import RoutingService
    from .services.routing_learning import RoutingLearning
    from .services.routing_rules import RuleService
    from .services.satisfaction_alerts import SatisfactionAlerts
    from .services.search import SearchRebuild, SearchService
    from .services.shop_intake import ShopIntake
    from .services.shop_sync import ShopSync
    from .services.sla_config import SlaConfigService
    from .services.sla_sweep import SlaSweep
    from .services.social import SocialInbox
    from .services.webhooks import WebhookDelivery, WebhookFanOut, WebhookService
    from .services.weekly_summary import WeeklySummary
    from .services.workload import WorkloadService
    from .store.directory import DynamoDirectoryStore
    from .store.dynamo import Table
    from .store.files import S3AttachmentFiles
    from .store.idempotency import CallLedger
    from .store.rate_limits import DynamoRateLimiter
    from .store.reports import DynamoReportStore
    from .store.search_engine import FileSearchEngine
    from .store.webhooks import DynamoWebhookStore


@lru_cache(maxsize=1)
def table() -> Table:
    from .store.dynamo import Table

    return Table(settings().table_name)


@lru_cache(maxsize=1)
def rate_limiter() -> DynamoRateLimiter:
    from .store.rate_limits import DynamoRateLimiter

    return DynamoRateLimiter(table())


@lru_cache(maxsize=1)
def directory_store() -> DynamoDirectoryStore:
    from .store.directory import DynamoDirectoryStore

    return DynamoDirectoryStore(table())


@lru_cache(maxsize=1)
def role_catalog() -> RoleCatalog:
    from .services.directory import RoleCatalog

    return RoleCatalog(directory_store(), ttl=settings().role_cache_seconds)


@lru_cache(maxsize=1)
def access_gate() -> AccessGate:
    from .services.access import AccessGate
    from .store.customers import DynamoCustomerStore

    s = settings()
    return AccessGate(role_catalog(), DynamoCustomerStore(table()), ttl=s.role_cache_seconds)


@lru_cache(maxsize=1)
def case_events() -> SqsCaseEvents:
    from .messaging.queues import SqsCaseEvents

    return SqsCaseEvents(settings().queue_url("routing"))


@lru_cache(maxsize=1)
def customer_service() -> CustomerService:
    from .auth.customer_logins import CognitoCustomerLogins
    from .services.customers import CustomerService
    from .store.customers import DynamoCustomerStore

    return CustomerService(
        DynamoCustomerStore(table()), CognitoCustomerLogins(settings().customer_pool_id)
    )


@lru_cache(maxsize=1)
def account_service() -> AccountService:
    from .auth.customer_logins import CognitoCustomerLogins
    from .services.accounts import AccountService
    from .store.customers import DynamoCustomerStore

    return AccountService(
        DynamoCustomerStore(table()), CognitoCustomerLogins(settings().customer_pool_id)
    )


@lru_cache(maxsize=1)
def notifier() -> Notifier:
    from .messaging.queues import SqsNoticeQueue
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.notifier import Notifier
    from .store.arrival_digests import DynamoArrivalDigests
    from .store.cases import DynamoCaseStore, DynamoNoticeStore
    from .store.customers import DynamoCustomerStore

    s = settings()
    return Notifier(
        DynamoCaseStore(table()),
        DynamoNoticeStore(table()),
        DynamoCustomerStore(table()),
        directory_store(),
        AwsSender(s.notify_from_email, s.support_email, s.ses_configuration_set),
        JinjaRenderer(),
        SqsNoticeQueue(s.queue_url("notify")),
        site_url=s.site_url,
        sms_alphabet=s.sms_alphabet,
        console_url=s.console_url,
        max_attempts=s.notice_max_attempts,
        links=(lambda: link_keys().signer()) if s.link_keys_secret else None,
        rating_link_days=s.rating_link_days,
        rating_scale=s.rating_scale,
        arrivals=DynamoArrivalDigests(table()),
    )


@lru_cache(maxsize=1)
def event_bus() -> EventBridgeBus:
    from .messaging.event_bus import EventBridgeBus

    return EventBridgeBus(settings().event_bus_name)


@lru_cache(maxsize=1)
def webhook_store() -> DynamoWebhookStore:
    from .store.webhooks import DynamoWebhookStore

    return DynamoWebhookStore(table())


@lru_cache(maxsize=1)
def webhook_queues() -> SqsWebhookQueues:
    from .messaging.webhook_queue import SqsWebhookQueues

    s = settings()
    return SqsWebhookQueues(s.queue_url("webhooks"), s.queue_url("webhook-deliveries"))


@lru_cache(maxsize=1)
def webhook_service() -> WebhookService:
    from .messaging.webhook_http import resolve
    from .services.webhooks import WebhookService

    return WebhookService(
        webhook_store(), webhook_queues(), resolve, local=settings().webhook_local_targets
    )


@lru_cache(maxsize=1)
def webhook_fan_out() -> WebhookFanOut:
    from .services.webhooks import WebhookFanOut

    return WebhookFanOut(webhook_store(), webhook_queues())


@lru_cache(maxsize=1)
def webhook_delivery() -> WebhookDelivery:
    from .messaging.webhook_http import post
    from .services.webhooks import WebhookDelivery

    s = settings()
    return WebhookDelivery(webhook_store(), post, s.webhook_timeout,
                           local=s.webhook_local_targets,
                           backoff_scale=s.webhook_backoff_scale)  # fmt: skip


@lru_cache(maxsize=1)
def report_store() -> DynamoReportStore:
    from .store.reports import DynamoReportStore

    return DynamoReportStore(table())


@lru_cache(maxsize=1)
def report_projection() -> ReportProjection:
    from .services.report_projection import ReportProjection

    return ReportProjection(report_store())


def _send_report_step(step: dict) -> None:
    import json

    from .store.aws import client

    client("sqs").send_message(QueueUrl=settings().queue_url("reports"),
                               MessageBody=json.dumps(step))  # fmt: skip


@lru_cache(maxsize=1)
def report_rebuild() -> ReportRebuild:
    """The rebuild: the event log, and for older days the archive through the open data
    store's engine (built only when a step reads it), each query within the analytics
    limits and at most 20 s (the reports function has 30)."""
    from .domain.analytics import QueryLimits
    from .services.report_archive import ArchiveReader
    from .services.report_projection import ARCHIVE_PAGE, ReportRebuild

    s = settings()
    limits = QueryLimits(seconds=min(s.analytics_seconds, 20.0),
                         max_bytes=s.analytics_max_bytes, max_rows=ARCHIVE_PAGE)  # fmt: skip
    return ReportRebuild(report_store(), _send_report_step,
                         archive=ArchiveReader(analytics_engine, limits))  # fmt: skip


@lru_cache(maxsize=1)
def report_service() -> ReportService:
    """The standard reports from the projections (`ReportSource`, services/ports.py): the
    API, the downloads and the weekly summary email read them here."""
    from .services.reports import ReportService

    return ReportService(report_store(), deflection_days=deflection_store().days,
                         assistant_days=assistant_store().days)  # fmt: skip


@lru_cache(maxsize=1)
def deflection_store() -> Any:
    """The help centre's new-case drafts and their day counters (store/deflection.py)."""
    from .store.deflection import DynamoDeflectionStore

    return DynamoDeflectionStore(table())


@lru_cache(maxsize=1)
def dead_letters() -> SqsDeadLetters:
    """Every queue of the registry (messaging/queue_registry.py): none can go unlisted."""
    from .messaging.dead_letters import SqsDeadLetters
    from .messaging.queue_registry import QUEUES

    s = settings()
    return SqsDeadLetters(
        {spec.name: (s.dead_letter_url(spec.name), s.queue_url(spec.name)) for spec in QUEUES}
    )


def announce(notices: list) -> None:
    notifier().announce(notices)


@lru_cache(maxsize=1)
def attachment_files() -> S3AttachmentFiles:
    from .store.files import S3AttachmentFiles

    return S3AttachmentFiles(settings().attachments_bucket)


@lru_cache(maxsize=1)
def case_service() -> CaseService:
    from .services.cases import CaseService
    from .store.case_fields import DynamoCaseFieldStore
    from .store.cases import DynamoCaseStore
    from .store.tags import DynamoTagStore

    return CaseService(
        DynamoCaseStore(table()),
        customer_service(),
        directory_store(),
        case_events(),
        announce=announce,
        files=attachment_files(),
        products=registration_service(),
        articles=article_store(),
        orders=order_service(),
        case_fields=DynamoCaseFieldStore(table()),
        tags=DynamoTagStore(table()),
        learning=routing_learning(),
    )


@lru_cache(maxsize=1)
def merge_job() -> MergeJob:
    import json

    from .services.case_merges import MergeJob
    from .store.aws import client
    from .store.cases import DynamoCaseStore
    from .store.shop_records import DynamoShopRecords

    def enqueue(step: dict) -> None:
        client("sqs").send_message(QueueUrl=settings().queue_url("merges"),
                                   MessageBody=json.dumps(step))  # fmt: skip

    return MergeJob(
        DynamoCaseStore(table()), attachment_files(), DynamoShopRecords(table()), enqueue
    )


@lru_cache(maxsize=1)
def case_merges() -> CaseMerges:
    from .services.case_merges import CaseMerges

    return CaseMerges(case_service(), merge_job())


@lru_cache(maxsize=1)
def attachment_service() -> AttachmentService:
    from .services.attachments import AttachmentService
    from .store.cases import DynamoCaseStore

    links = (lambda: link_keys().signer()) if settings().link_keys_secret else None
    return AttachmentService(case_service(), DynamoCaseStore(table()), attachment_files(),
                             links=links)  # fmt: skip


@lru_cache(maxsize=1)
def routing_service() -> RoutingService:
    from .services.routing import RoutingService
    from .store.arrival_digests import DynamoArrivalDigests
    from .store.cases import DynamoCaseStore
    from .store.customers import DynamoCustomerStore

    return RoutingService(
        DynamoCaseStore(table()),
        directory_store(),
        case_events(),
        DynamoCustomerStore(table()),
        grace=timedelta(seconds=settings().routing_grace_seconds),
        announce=announce,
        learning=routing_learning(),
        arrivals=DynamoArrivalDigests(table()),
    )


@lru_cache(maxsize=1)
def routing_learning() -> RoutingLearning:
    from .services.routing_learning import RoutingLearning
    from .store.routing_learning import DynamoRoutingLearning

    return RoutingLearning(DynamoRoutingLearning(table()), rules=directory_store().list_rules)


@lru_cache(maxsize=1)
def rule_service() -> RuleService:
    from .services.routing_rules import RuleService

    return RuleService(directory_store())


@lru_cache(maxsize=1)
def sla_config() -> SlaConfigService:
    from .services.sla_config import SlaConfigService

    return SlaConfigService(directory_store())


@lru_cache(maxsize=1)
def sla_sweep() -> SlaSweep:
    from .services.sla_sweep import SlaSweep
    from .store.cases import DynamoCaseStore
    from .store.customers import DynamoCustomerStore

    return SlaSweep(
        DynamoCaseStore(table()),
        directory_store(),
        announce=announce,
        customers=DynamoCustomerStore(table()),
    )


@lru_cache(maxsize=1)
def directory_service() -> DirectoryService:
    from .auth.staff_logins import CognitoStaffLogins
    from .messaging.invitations import MailedInvitations
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.directory import DirectoryService

    s = settings()
    return DirectoryService(
        directory_store(),
        role_catalog(),
        CognitoStaffLogins(s.staff_pool_id),
        MailedInvitations(AwsSender(s.notify_from_email), JinjaRenderer()),
    )


@lru_cache(maxsize=1)
def catalog_service() -> CatalogService:
    from .services.catalog import CatalogService
    from .store.catalog import DynamoCatalogStore

    return CatalogService(DynamoCatalogStore(table()))


@lru_cache(maxsize=1)
def registration_service() -> RegistrationService:
    from .services.registrations import RegistrationService
    from .store.catalog import DynamoCatalogStore
    from .store.customers import DynamoCustomerStore
    from .store.registrations import DynamoRegistrationStore

    return RegistrationService(
        DynamoRegistrationStore(table()), DynamoCatalogStore(table()), DynamoCustomerStore(table())
    )


@lru_cache(maxsize=1)
def signed_call_verifier() -> SignedCallVerifier:
    from .auth.signed_calls import SignedCallVerifier, SsmShopSecrets

    return SignedCallVerifier(SsmShopSecrets(settings().integration_secrets_prefix))


@lru_cache(maxsize=1)
def link_keys() -> SecretLinkKeys:
    """The signer of customers' links (ratings, surveys, opt-outs): `link_keys().signer()`."""
    from .auth.link_keys import SecretLinkKeys

    return SecretLinkKeys(settings().link_keys_secret)


@lru_cache(maxsize=1)
def rating_service() -> RatingService:
    """Customers' ratings through their signed links, agents' recorded scores, follow-ups."""
    from .services.ratings import RatingService
    from .store.cases import DynamoCaseStore

    return RatingService(
        DynamoCaseStore(table()),
        lambda: link_keys().signer(),
        announce=announce,
        change_days=settings().rating_change_days,
        scale=settings().rating_scale,
    )


@lru_cache(maxsize=1)
def call_ledger() -> CallLedger:
    from .store.idempotency import CallLedger

    s = settings()
    # whole reports too large to keep with the record go under reports/ in the files bucket
    return CallLedger(s.table_name, reports_bucket=s.attachments_bucket)


@lru_cache(maxsize=1)
def shop_sync() -> ShopSync:
    from .services.shop_sync import ShopSync
    from .store.customers import DynamoCustomerStore
    from .store.shop_records import DynamoShopRecords

    return ShopSync(
        DynamoCustomerStore(table()),
        DynamoShopRecords(table()),
        registrations=registration_service(),
    )


@lru_cache(maxsize=1)
def call_log() -> CallLog:
    from .services.calls import CallLog
    from .store.customers import DynamoCustomerStore
    from .store.shop_records import DynamoShopRecords

    return CallLog(DynamoShopRecords(table()), DynamoCustomerStore(table()), case_service())


@lru_cache(maxsize=1)
def overview_service() -> OverviewService:
    from .services.customer_overview import OverviewService
    from .store.cases import DynamoCaseStore
    from .store.shop_records import DynamoShopRecords

    return OverviewService(DynamoShopRecords(table()), DynamoCaseStore(table()), carrier_service())


@lru_cache(maxsize=1)
def precase_pool() -> PreCasePool:
    from .services.precases import PreCasePool
    from .store.cases import DynamoCaseStore
    from .store.customers import DynamoCustomerStore
    from .store.precases import DynamoPreCases

    return PreCasePool(
        DynamoPreCases(table()),
        DynamoCustomerStore(table()),
        directory_store(),
        case_service(),
        DynamoCaseStore(table()),
        attachment_files(),
    )


@lru_cache(maxsize=1)
def social_inbox() -> SocialInbox:
    from .services.social import SocialInbox
    from .store.customers import DynamoCustomerStore
    from .store.social import DynamoSocialLedger

    return SocialInbox(
        precase_pool(), DynamoSocialLedger(table()), directory_store(), DynamoCustomerStore(table())
    )


@lru_cache(maxsize=1)
def shop_intake() -> ShopIntake:
    from .services.shop_intake import ShopIntake
    from .store.shop_records import DynamoShopRecords

    return ShopIntake(shop_sync(), precase_pool(), DynamoShopRecords(table()), directory_store())


@lru_cache(maxsize=1)
def workload_service() -> WorkloadService:
    from .services.workload import WorkloadService
    from .store.cases import DynamoCaseStore

    return WorkloadService(DynamoCaseStore(table()), directory_store())


@lru_cache(maxsize=1)
def mail_intake() -> MailIntake:
    from .services.mail_intake import MailIntake
    from .store.cases import DynamoCaseStore, DynamoNoticeStore
    from .store.customers import DynamoCustomerStore
    from .store.mail import DynamoMailJournal, DynamoMailRefs, S3Mailbox

    s = settings()
    own = frozenset(a.strip().lower() for a in (s.support_email, s.notify_from_email) if a.strip())
    return MailIntake(
        S3Mailbox(s.inbound_mail_bucket),
        DynamoMailJournal(table()),
        DynamoMailRefs(table()),
        precase_pool(),
        case_service(),
        DynamoCaseStore(table()),
        DynamoCustomerStore(table()),
        directory_store(),
        attachment_files(),
        lambda: role_catalog().roles_for(["customer"]),
        own,
        s.max_mail_bytes,
        notices=DynamoNoticeStore(table()),
    )


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    from .auth.tokens import Pool, TokenVerifier

    s = settings()

    def pool(kind: str, pool_id: str, client_ids: str) -> Pool:
        ids = tuple(c.strip() for c in client_ids.split(",") if c.strip())
        return Pool(kind, pool_id, ids, s.region, s.cognito_jwks_endpoint)

    return TokenVerifier(
        [
            pool("staff", s.staff_pool_id, s.staff_client_ids),
            pool("customer", s.customer_pool_id, s.customer_client_ids),
        ]
    )


@lru_cache(maxsize=1)
def analytics_service() -> AnalyticsService:
    """The open data store's SQL: Athena in AWS; locally DuckDB, from devstack (imported by
    name so that neither duckdb nor devstack is ever part of the Lambda zip)."""
    from .domain.analytics import QueryLimits
    from .services.analytics import AnalyticsService

    s = settings()
    limits = QueryLimits(seconds=s.analytics_seconds, max_bytes=s.analytics_max_bytes,
                         max_rows=s.analytics_max_rows)  # fmt: skip
    return AnalyticsService(analytics_engine(), limits)


@lru_cache(maxsize=1)
def analytics_engine() -> AnalyticsEngine:
    """The engine over the archive the settings name: supervisors' SQL and the reports'
    rebuild share it."""
    s = settings()
    if s.analytics_engine == "duckdb":
        import importlib

        return importlib.import_module("devstack.event_archive").DuckDbEngine.from_settings(s)
    from .analytics.athena import AthenaEngine
    from .store.aws import client

    return AthenaEngine(client("athena"), s.athena_workgroup, s.athena_database)


@lru_cache(maxsize=1)
def report_exports() -> ReportExports:
    """Reports as CSV and XLSX files. The source is looked up on each export
    (`report_service()`), so tests swap the reports with `monkeypatch.setattr(wiring,
    "report_service", ...)` whenever they like."""
    from .messaging.words import console_strings
    from .services.report_exports import ReportExports, ReportNames
    from .store.catalog import DynamoCatalogStore

    return ReportExports(
        source=lambda: report_service(),
        names=lambda language: ReportNames(
            directory_store(), DynamoCatalogStore(table()), language
        ),
        words=console_strings,
    )


@lru_cache(maxsize=1)
def weekly_summary() -> WeeklySummary:
    """The supervisors' Monday email. Sent without a reply-to (a reply is not a case) and
    without the notices' configuration set (no case to file a bounce on)."""
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .messaging.words import console_strings
    from .services.report_exports import ReportNames
    from .services.weekly_summary import WeeklySummary
    from .store.weekly_marks import DynamoWeeklyMarks

    s = settings()
    return WeeklySummary(
        source=lambda: report_service(),
        directory=directory_store(),
        marks=DynamoWeeklyMarks(table()),
        sender=AwsSender(s.notify_from_email),
        renderer=JinjaRenderer(),
        names=lambda language: ReportNames(directory_store(), None, language),
        words=console_strings,
        console=s.console_url,
    )


@lru_cache(maxsize=1)
def arrival_digests() -> ArrivalDigests:
    """The groups' arrivals digests (services/arrival_digests.py): sent like the weekly
    summary (no reply-to: a reply is not a case)."""
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.arrival_digests import ArrivalDigests
    from .store.arrival_digests import DynamoArrivalDigests

    s = settings()
    return ArrivalDigests(
        directory=directory_store(),
        arrivals=DynamoArrivalDigests(table()),
        sender=AwsSender(s.notify_from_email),
        renderer=JinjaRenderer(),
        console=s.console_url,
    )


@lru_cache(maxsize=1)
def satisfaction_alerts() -> SatisfactionAlerts:
    """The supervisors' Monday satisfaction deviation alerts, read from the report
    counters; sent like the weekly summary (no reply-to, no configuration set)."""
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.report_exports import ReportNames
    from .services.satisfaction_alerts import SatisfactionAlerts
    from .services.satisfaction_history import ReportSatisfactionHistory
    from .store.weekly_marks import satisfaction_alert_marks

    s = settings()
    return SatisfactionAlerts(
        history=ReportSatisfactionHistory(report_store()),
        directory=directory_store(),
        marks=satisfaction_alert_marks(table()),
        sender=AwsSender(s.notify_from_email),
        renderer=JinjaRenderer(),
        names=lambda language: ReportNames(directory_store(), None, language),
        console=s.console_url,
    )


def reset() -> None:
    """Forget every built object (tests point the app at fresh resources): every
    `lru_cache` function of this module, and the settings, so none is left out by hand."""
    for built in list(globals().values()):
        if callable(built) and hasattr(built, "cache_clear"):
            built.cache_clear()


# ---- planned surveys and consent (docs/surveys.md) -----------------------------------------


@lru_cache(maxsize=1)
def survey_store() -> Any:
    from .store.surveys import DynamoSurveyStore

    return DynamoSurveyStore(table())


@lru_cache(maxsize=1)
def consent_store() -> Any:
    from .store.consents import DynamoConsentStore

    return DynamoConsentStore(table())


@lru_cache(maxsize=1)
def consent_service() -> Any:
    from .services.consents import ConsentService
    from .store.customers import DynamoCustomerStore

    return ConsentService(consent_store(), DynamoCustomerStore(table()))


@lru_cache(maxsize=1)
def survey_service() -> Any:
    from .services.surveys import SurveyService

    return SurveyService(survey_store(), resume=lambda sid: survey_runner().resume_held(sid))


@lru_cache(maxsize=1)
def survey_results() -> Any:
    from .services.survey_results import SurveyResultsService

    return SurveyResultsService(survey_store(), directory_store())


@lru_cache(maxsize=1)
def survey_answers() -> Any:
    from .services.survey_answers import SurveyAnswers

    return SurveyAnswers(survey_store(), consent_store(), lambda: link_keys().signer())


@lru_cache(maxsize=1)
def survey_runner() -> Any:
    """Runs planned surveys (the schedule's tick and the `surveys` queue's steps). The
    one-click opt-out address is the API's: CONSOLE_URL less `/console` (the functions that
    send have it; infra/, devstack/package.py)."""
    from .messaging.queues import SqsSurveyJobs
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.survey_runs import SurveyRunner

    s = settings()
    return SurveyRunner(
        survey_store(), consent_store(), SqsSurveyJobs(s.queue_url("surveys")),
        AwsSender(s.notify_from_email, s.support_email, s.ses_configuration_set),
        JinjaRenderer(), lambda: link_keys().signer(), site_url=s.site_url,
        api_url=s.console_url.removesuffix("/console"), sms_alphabet=s.sms_alphabet,
    )  # fmt: skip


# ---- full-text search (issue 17, docs/search.md) -------------------------------------------


@lru_cache(maxsize=1)
def search_engine() -> FileSearchEngine:
    """The S3-kept SQLite index; one per container, so its /tmp copy is reused by version."""
    from .store.search_engine import FileSearchEngine
    from .store.search_files import SearchFiles

    return FileSearchEngine(SearchFiles(table(), settings().attachments_bucket))


@lru_cache(maxsize=1)
def search_service() -> SearchService:
    from .services.search import SearchService
    from .store.cases import DynamoCaseStore
    from .store.precases import DynamoPreCases

    return SearchService(search_engine(), DynamoCaseStore(table()), DynamoPreCases(table()),
                         article_store())  # fmt: skip


def _send_search_step(step: dict) -> None:
    import json

    from .store.aws import client

    client("sqs").send_message(QueueUrl=settings().queue_url("search"),
                               MessageBody=json.dumps(step))  # fmt: skip


@lru_cache(maxsize=1)
def search_rebuild() -> SearchRebuild:
    from .services.search import SearchRebuild

    return SearchRebuild(search_engine(), search_service(), directory_store(), _send_search_step)


# ---- the knowledge base (docs/knowledge-base.md) -------------------------------------------


@lru_cache(maxsize=1)
def article_store() -> Any:
    from .store.articles import DynamoArticleStore

    return DynamoArticleStore(table())


def _customer_language(customer_id: str) -> str:
    """The language a case's customer reads (tr when unknown)."""
    from .domain.errors import NotFound

    try:
        return customer_service().get(customer_id).language.value
    except NotFound:
        return "tr"


def _category_names() -> dict[str, str]:
    return {c.id: c.name for c in directory_store().list_categories()}


@lru_cache(maxsize=1)
def article_service() -> Any:
    from .services.knowledge import ArticleService
    from .store.article_files import S3ArticleFiles

    files = S3ArticleFiles(settings().attachments_bucket)
    return ArticleService(article_store(), files, case_service(), _customer_language,
                          _category_names, live_changed=_index_article)  # fmt: skip


def _index_article(article_id: str) -> None:
    """An article's live version may have changed: the search queue's one writer indexes it."""
    _send_search_step({"kind": "article", "id": article_id})


@lru_cache(maxsize=1)
def article_suggestions() -> Any:
    """The suggestions port's adapter: the search engine (BM25 over the article documents),
    with keyword overlap as its fallback while the index holds no article or fails."""
    from .services.article_suggestions import KeywordSuggestions, SearchSuggestions

    return SearchSuggestions(search_engine(), article_store(), KeywordSuggestions(article_store()))


@lru_cache(maxsize=1)
def case_article_service() -> Any:
    from .services.article_suggestions import CaseArticleService

    return CaseArticleService(case_service(), article_store(), article_suggestions(),
                              _customer_language)  # fmt: skip


SURVEY_PARTS = (survey_store, consent_store, consent_service, survey_service, survey_answers,
                survey_runner)  # fmt: skip


@lru_cache(maxsize=1)
def help_centre_search() -> Any:
    """The help centre's public article search, on the same index as staff search."""
    from .services.help_search import HelpCentreSearch

    return HelpCentreSearch(search_engine())


@lru_cache(maxsize=1)
def deflection_service() -> Any:
    from .services.deflection import DeflectionService

    return DeflectionService(deflection_store())


# ---- checklists and the e-library (docs/checklists-and-library.md) ----------------------------


@lru_cache(maxsize=1)
def checklist_store() -> Any:
    from .store.checklists import DynamoChecklistStore

    return DynamoChecklistStore(table())


@lru_cache(maxsize=1)
def checklist_service() -> Any:
    from .services.checklists import ChecklistService
    from .store.cases import DynamoCaseStore

    return ChecklistService(checklist_store(), case_service(), DynamoCaseStore(table()))


@lru_cache(maxsize=1)
def library_files() -> Any:
    from .store.library import S3LibraryFiles

    return S3LibraryFiles(settings().attachments_bucket)


@lru_cache(maxsize=1)
def library_service() -> Any:
    """Documents in the attachments bucket under `library/`; sent links are signed with the
    customers' link keys (none without LINK_KEYS_SECRET: sending then refuses)."""
    from .services.library import LibraryService
    from .store.cases import DynamoCaseStore
    from .store.library import DynamoLibraryStore

    s = settings()
    links = (lambda: link_keys().signer()) if s.link_keys_secret else None
    return LibraryService(DynamoLibraryStore(table()), library_files(), DynamoCaseStore(table()),
                          links, announce=announce)  # fmt: skip


@lru_cache(maxsize=1)
def macro_service() -> Any:
    """Macros (docs/macros.md): their store and usage counters in the table; applying one
    goes through the case service's store and the library's links."""
    from .services.macros import MacroService
    from .store.macros import DynamoMacroStore

    return MacroService(DynamoMacroStore(table()), case_service(), customer_service(),
                        library_service(), carrier_service())  # fmt: skip


# ---- the customer's orders on the site, carriers (docs/orders.md) ---------------------------


@lru_cache(maxsize=1)
def carrier_service() -> Any:
    from .services.carriers import CarrierService
    from .store.carriers import DynamoCarriers

    return CarrierService(DynamoCarriers(table()))


@lru_cache(maxsize=1)
def order_service() -> Any:
    from .services.orders import OrderService
    from .store.shop_records import DynamoShopRecords

    return OrderService(DynamoShopRecords(table()), carrier_service())


@lru_cache(maxsize=1)
def late_deliveries() -> Any:
    """The late-delivery sweep: its email is sent with the support address as reply-to (a
    reply becomes a pre-case), SMS in the configured alphabet."""
    from .messaging.sender import AwsSender
    from .messaging.templates import JinjaRenderer
    from .services.late_deliveries import LateDeliveries
    from .store.customers import DynamoCustomerStore
    from .store.late_deliveries import DynamoLateDeliveries

    s = settings()
    return LateDeliveries(
        DynamoLateDeliveries(table()),
        DynamoCustomerStore(table()),
        carrier_service(),
        case_service(),
        AwsSender(s.notify_from_email, s.support_email),
        JinjaRenderer(),
        site_url=s.site_url,
        sms_alphabet=s.sms_alphabet,
    )


# ---- the assistant (docs/assistant.md) -------------------------------------------------------


@lru_cache(maxsize=1)
def assistant_store() -> Any:
    from .store.assistant import DynamoAssistantStore

    return DynamoAssistantStore(table())


@lru_cache(maxsize=1)
def assistant_service() -> Any:
    """The conversations: order facts from the shop's records, carriers and late marks;
    hand-off through the case service (or the pre-case pool), routed by the keyword rules."""
    from .messaging.assistant_words import AssistantWords
    from .services.assistant import AssistantService
    from .services.assistant_facts import OrderFactsReader
    from .services.assistant_handoff import HandOffs
    from .store.customers import DynamoCustomerStore
    from .store.late_deliveries import DynamoLateDeliveries
    from .store.shop_records import DynamoShopRecords

    records = DynamoShopRecords(table())
    words = AssistantWords()
    facts = OrderFactsReader(records, DynamoCustomerStore(table()), carrier_service(),
                             DynamoLateDeliveries(table()))  # fmt: skip
    handoffs = HandOffs(case_service(), precase_pool, directory_store().list_rules, records,
                        order_service(), words)  # fmt: skip
    return AssistantService(assistant_store(), facts, handoffs, words)


@lru_cache(maxsize=1)
def customer_flags() -> Any:
    from .services.customer_flags import CustomerFlagService
    from .store.customer_flags import DynamoCustomerFlagStore
    from .store.customers import DynamoCustomerStore

    return CustomerFlagService(DynamoCustomerFlagStore(table()), DynamoCustomerStore(table()))


# ---- custom case fields (docs/tags-and-fields.md) ------------------------------------------


@lru_cache(maxsize=1)
def case_field_service() -> Any:
    from .services.case_fields import CaseFieldService
    from .store.case_fields import DynamoCaseFieldStore

    return CaseFieldService(DynamoCaseFieldStore(table()))


# ---- saved views and presence (docs/views-and-presence.md) ---------------------------------


@lru_cache(maxsize=1)
def view_service() -> Any:
    from .services.views import ViewService
    from .store.views import DynamoViewStore

    return ViewService(DynamoViewStore(table()), case_service())


@lru_cache(maxsize=1)
def presence_service() -> Any:
    from .services.presence import PresenceService
    from .store.presence import DynamoPresenceStore

    return PresenceService(DynamoPresenceStore(table()), case_service().cases)
