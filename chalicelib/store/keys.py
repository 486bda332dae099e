"""The table's key layout. Nothing outside store/ builds a key."""

from __future__ import annotations

from ..domain.cases import PRIORITY_RANK, Case
from ..domain.clock import to_iso
from ..domain.lifecycle import ACTIVE, DONE, Status
from ..domain.sla_tracking import next_moment

CASE_META = "#CASE"
PROFILE = "#PROFILE"
UNIQUE = "#UNIQUE"
DIRECTORY = "DIRECTORY"
CATEGORIES = "CATEGORIES"
COUNTER = "COUNTER"
CATALOG = "CATALOG"
PRODUCT_CATEGORY = "#PRODUCT_CATEGORY"
PRODUCT = "#PRODUCT"
REGISTRATION_PREFIX = "CP#"

#: index name -> (partition attribute, sort attribute)
INDEXES: dict[str, tuple[str, str]] = {
    "by_number": ("number_pk", "SK"),
    "by_customer": ("customer_pk", "created_sk"),
    "queue_newest": ("queue_pk", "created_sk"),
    "queue_priority": ("queue_pk", "priority_sk"),
    "agent_newest": ("agent_pk", "created_sk"),
    "agent_priority": ("agent_pk", "priority_sk"),
    "overdue": ("due_pk", "due_sk"),
    "unrouted": ("unrouted_pk", "created_sk"),
    "sla_timer": ("timer_pk", "timer_sk"),
    "outbox": ("outbox_pk", "outbox_sk"),
    "catalog": ("catalog_pk", "catalog_sk"),
    "by_name": ("name_pk", "name_sk"),
}
#: indexes that project the keys only whose Query reads the items after it (`dynamo.Table.
#: query`: one BatchGetItem a page); `sla_timer` and `outbox` project keys only too, and their
#: callers want just the keys (infra/template.yaml; docs/performance.md says why each)
KEYS_THEN_ITEMS: frozenset[str] = frozenset({
    "by_number", "by_customer", "queue_newest", "queue_priority", "agent_newest",
    "agent_priority", "overdue",
})  # fmt: skip


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def case_id_of(pk: str) -> str:
    return pk.removeprefix("CASE#")


def notice_sk(notice_id: str) -> str:
    return f"N#{notice_id}"


def attachment_sk(attachment_id: str) -> str:
    return f"F#{attachment_id}"


def history_sk(at_iso: str, entry_id: str) -> str:
    return f"H#{at_iso}#{entry_id}"


#: a case's (or pre-case's) events sort after every other item of its partition ("~" is
#: above every id character), so reading one (`SK < "~"`) never reads them
EVENT_PREFIX = "~EV#"


def event_sk(sequence: int, index: int) -> str:
    """`~EV#<version, 8 digits>#<index, 2 digits>`: a case's (or pre-case's) events in order."""
    return f"{EVENT_PREFIX}{sequence:08d}#{index:02d}"


def event_log_keys(occurred_at: str, subject_id: str, sequence: int, index: int) -> dict[str, str]:
    """A case event's place in the day's event log, on the `queue_newest` index (shared, as
    the pre-cases share it, under its own partition values): `EVENTS#<yyyy-mm-dd>` (UTC),
    sorted by time, then case or pre-case, then the event's order in it. A time range is one
    Query per day (a shop's replay)."""
    return {
        "queue_pk": f"{EVENT_LOG_PREFIX}{occurred_at[:10]}",
        "created_sk": f"{occurred_at}#{subject_id}#{sequence:08d}#{index:02d}",
    }


EVENT_LOG_PREFIX = "EVENTS#"
#: the shops' webhook endpoints, all in one partition (the fan-out reads it whole)
WEBHOOKS_PK = "WEBHOOKS"
#: dead-lettered webhook deliveries, newest last (admins read them backwards)
WEBHOOK_FAILURES_PK = "WEBHOOK_FAILURES"


def webhook_sk(shop_id: str, endpoint_id: str) -> str:
    return f"EP#{shop_id}#{endpoint_id}"


def delivery_pk(endpoint_id: str) -> str:
    """An endpoint's deliveries: `SK = <event id>` (or `<event id>#<replay id>`)."""
    return f"WHD#{endpoint_id}"


def number_pk(number: str) -> str:
    return f"N#{number}"


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def queue_pk(group_id: str | None, status: str) -> str:
    return f"Q#{group_id or '-'}#{status}"


def agent_pk(username: str, done: bool) -> str:
    return f"A#{username}#{'done' if done else 'active'}"


def counter_key(year: int) -> dict[str, str]:
    return {"PK": COUNTER, "SK": f"CASE#{year}"}


def customer_key(customer_id: str) -> dict[str, str]:
    return {"PK": f"CUSTOMER#{customer_id}", "SK": PROFILE}


def unique_key(kind: str, value: str) -> dict[str, str]:
    return {"PK": f"UNIQUE#{kind}#{value}", "SK": UNIQUE}


def group_key(group_id: str) -> dict[str, str]:
    return {"PK": DIRECTORY, "SK": f"GROUP#{group_id}"}


def staff_key(username: str) -> dict[str, str]:
    return {"PK": DIRECTORY, "SK": f"STAFF#{username}"}


def role_key(name: str) -> dict[str, str]:
    return {"PK": DIRECTORY, "SK": f"ROLE#{name}"}


def revocation_key(username: str) -> dict[str, str]:
    """A staff member's "sessions opened before T are void" stamp (kept after removal)."""
    return {"PK": DIRECTORY, "SK": f"REVOKED#{username}"}


RULES = "ROUTING_RULES"
SLA = "SLA_CONFIG"


def sla_policy_key(policy_id: str) -> dict[str, str]:
    return {"PK": SLA, "SK": f"POLICY#{policy_id}"}


def ladder_key(ladder_id: str) -> dict[str, str]:
    return {"PK": SLA, "SK": f"LADDER#{ladder_id}"}


def calendar_key(calendar_id: str) -> dict[str, str]:
    return {"PK": SLA, "SK": f"CALENDAR#{calendar_id}"}


def rule_key(rule_id: str) -> dict[str, str]:
    return {"PK": RULES, "SK": f"RULE#{rule_id}"}


def category_key(category_id: str) -> dict[str, str]:
    return {"PK": CATEGORIES, "SK": f"CAT#{category_id}"}


def rate_key(scope: str, client: str, window: int) -> dict[str, str]:
    return {"PK": f"RATE#{scope}#{client}", "SK": str(window)}


def product_category_key(category_id: str) -> dict[str, str]:
    return {"PK": f"PRODUCT_CATEGORY#{category_id}", "SK": PRODUCT_CATEGORY}


def product_key(product_id: str) -> dict[str, str]:
    return {"PK": f"PRODUCT#{product_id}", "SK": PRODUCT}


def catalog_move_key() -> dict[str, str]:
    """The one pending subtree move (there is at most one at a time)."""
    return {"PK": CATALOG, "SK": "#MOVE"}


def category_sk(path: list[str]) -> str:
    """`/<root id>/.../<id>/`: a subtree is every catalog_sk that begins with this.

    The trailing slash keeps `/a/` from matching a sibling `/ab/`; `#` (before `/` and
    every id character) sorts a category's own products right after it, before its
    subcategories.
    """
    return "/" + "".join(f"{part}/" for part in path)


def product_sk(category_path: list[str], product_id: str) -> str:
    return f"{category_sk(category_path)}#{product_id}"


def catalog_keys(sk: str) -> dict[str, str]:
    return {"catalog_pk": CATALOG, "catalog_sk": sk}


def registration_key(customer_id: str, registration_id: str) -> dict[str, str]:
    """A registered product lives in its customer's partition, beside the profile."""
    return {"PK": customer_key(customer_id)["PK"], "SK": f"{REGISTRATION_PREFIX}{registration_id}"}


ORDER_PREFIX = "ORDER#"
CALL_PREFIX = "CALL#"


def call_key(customer_id: str, started_iso: str, call_id: str) -> dict[str, str]:
    """Calls sort by start time inside the customer's partition: newest first is a reverse
    read of `CALL#`."""
    return {"PK": customer_key(customer_id)["PK"], "SK": f"{CALL_PREFIX}{started_iso}#{call_id}"}


SHIPMENT_PREFIX = "SHIP#"


def order_key(customer_id: str, order_id: str) -> dict[str, str]:
    """Orders and shipments live in their customer's partition: one Query reads them all."""
    return {"PK": customer_key(customer_id)["PK"], "SK": f"{ORDER_PREFIX}{order_id}"}


def shipment_key(customer_id: str, shipment_id: str) -> dict[str, str]:
    return {"PK": customer_key(customer_id)["PK"], "SK": f"{SHIPMENT_PREFIX}{shipment_id}"}


#: registered units per product and month their warranty ends (the products report's
#: denominator), added and taken back in the registration's own transaction
UNITS_PK = "REPORT_UNITS"


def unit_count_key(product_id: str, warranty_ends: str) -> dict[str, str]:
    """`warranty_ends`: an ISO date; the item counts the month (`yyyy-mm`)."""
    return {"PK": UNITS_PK, "SK": f"{product_id}#{warranty_ends[:7]}"}


def serial_key(serial: str) -> dict[str, str]:
    """The uniqueness item of a (normalized) serial number: who registered that unit."""
    return unique_key("serial", serial)


#: the `overdue` index's partition of finished cases with an open follow-up (a low rating)
FOLLOW_UP = "FOLLOWUP"


def case_index_keys(case: Case) -> dict[str, str]:
    """The index attributes a case's meta item carries in its current state.

    Sparse indexes get their attributes only while the case belongs there, so an
    item leaves the `overdue` or `unrouted` index by simply not carrying them.
    """
    created = f"{to_iso(case.created_at)}#{case.id}"
    due = to_iso(case.due_at) if case.due_at else "9999"
    keys = {
        "PK": case_pk(case.id),
        "SK": CASE_META,
        "number_pk": number_pk(case.number),
        "customer_pk": customer_pk(case.customer_id),
        "queue_pk": queue_pk(case.group_id, case.status.value),
        "created_sk": created,
        "priority_sk": f"{PRIORITY_RANK[case.priority]}#{due}#{case.id}",
    }
    if case.assignee:
        keys["agent_pk"] = agent_pk(case.assignee, case.status in DONE)
    if case.status in ACTIVE and case.due_at:
        keys["due_pk"] = "DUE"
        keys["due_sk"] = f"{due}#{case.id}"
    if case.status == Status.NEW:
        keys["unrouted_pk"] = "UNROUTED"
    if case.status in DONE and case.follow_up is not None and case.follow_up.open:
        # a finished case whose low rating waits for a follow-up: the `overdue` index holds
        # only active cases under DUE, so its own partition there costs no new index
        keys["due_pk"] = FOLLOW_UP
        keys["due_sk"] = f"{to_iso(case.follow_up.at)}#{case.id}"
    timer = next_moment(case)
    if timer is not None:
        keys["timer_pk"] = "SLA"
        keys["timer_sk"] = f"{to_iso(timer)}#{case.id}"
    return keys


PRECASE = "#PRECASE"
#: the pool: every pre-case nobody has taken yet, in `queue_newest` (by age) and
#: `queue_priority` (by channel, then age)
PRECASE_POOL = "PRECASES"
PRECASE_LINE_PREFIX = "PRE#"
CHAT_PREFIX = "CHAT#"


def precase_key(precase_id: str) -> dict[str, str]:
    return {"PK": f"PRECASE#{precase_id}", "SK": PRECASE}


def event_pk(case_id: str | None, precase_id: str | None) -> str:
    """The partition of an event's subject: the case's when the event names one (a
    conversion names both), else the pre-case's (domain/case_events.py)."""
    if case_id:
        return case_pk(case_id)
    if not precase_id:
        raise ValueError("an event names a case or a pre-case")
    return precase_key(precase_id)["PK"]


def precase_message_sk(received_iso: str, message_id: str) -> str:
    """A follow-up mail in its pre-case's partition, in the order it arrived."""
    return f"MSG#{received_iso}#{message_id}"


def claimed_precases_pk(username: str) -> str:
    """An agent's claimed pre-cases, in `agent_newest` beside (not among) their cases."""
    return f"P#{username}"


def precase_line_key(customer_id: str, precase_id: str) -> dict[str, str]:
    """A customer's open pre-cases, seen on their 360 in its first Query."""
    return {"PK": customer_key(customer_id)["PK"], "SK": f"{PRECASE_LINE_PREFIX}{precase_id}"}


def chat_key(customer_id: str, started_iso: str, transcript_id: str) -> dict[str, str]:
    return {
        "PK": customer_key(customer_id)["PK"],
        "SK": f"{CHAT_PREFIX}{started_iso}#{transcript_id}",
    }


def social_post_key(platform: str, url_digest: str) -> dict[str, str]:
    """One item per post: the same post delivered twice counts once."""
    return {"PK": f"POST#{platform}#{url_digest}", "SK": "#POST"}


def topic_key(month: str, day: str, topic: str) -> dict[str, str]:
    """Counters of posts per topic and day; a month is one partition, a window one range."""
    return {"PK": f"TOPICS#{month}", "SK": f"{day}#{topic}"}


def mail_ref_key(message_id: str) -> dict[str, str]:
    """An email destek sent, by its Message-ID: a reply to it finds its case."""
    return {"PK": f"MAILREF#{message_id}", "SK": "#MAILREF"}


def inbound_message_key(message_key: str) -> dict[str, str]:
    """An inbound email already taken, by its Message-ID (or the hash of its bytes): what it
    became, so the same mail again changes nothing and a reply to it finds its thread."""
    return {"PK": f"MAILIN#{message_key}", "SK": "#MAILIN"}


def inbound_mail_key(day: str, at_iso: str, object_key: str) -> dict[str, str]:
    """What became of each inbound email that opened nothing (automatic, refused)."""
    return {"PK": f"INBOUND#{day}", "SK": f"{at_iso}#{object_key}"}


def name_keys(folded_name: str, customer_id: str) -> dict[str, str]:
    """A customer under the first letter of their folded name, sorted by the whole of it."""
    words = " ".join(folded_name.split())
    return {"name_pk": f"NAME#{words[:1]}", "name_sk": f"{words}#{customer_id}"} if words else {}


def name_search(folded_prefix: str) -> tuple[str, str]:
    words = " ".join(folded_prefix.split())
    return f"NAME#{words[:1]}", words


def weekly_mark_key(week: str, username: str) -> dict[str, str]:
    """A supervisor's weekly summary of ISO week `week` (`2026-W48`), sent or being sent."""
    return {"PK": f"WEEKLY#{week}", "SK": f"STAFF#{username}"}


def satisfaction_alert_key(week: str, subject: str) -> dict[str, str]:
    """A satisfaction deviation alert of ISO week `week` to one supervisor, sent or being
    sent: `subject` is `<dimension>#<value>#<username>` (services/satisfaction_alerts.py)."""
    return {"PK": f"SATALERT#{week}", "SK": subject}


# ---- planned surveys and consent (docs/surveys.md) ------------------------------------------

SURVEYS = "SURVEYS"
CONSENT_PREFIX = "CONSENT#"
CONSENT_LOG_PREFIX = "CONSENTLOG#"
SURVEY_OUTBOX = "SURVEY_OUTBOX"


def roster_keys(customer_id: str) -> dict[str, str]:
    """A customer's place in the roster a survey run pages through: the `queue_newest` index,
    one of ROSTER_SHARDS partitions (carried by the profile item; no extra item)."""
    from ..domain.survey_runs import roster_shard

    return {"queue_pk": roster_pk(roster_shard(customer_id)), "created_sk": customer_id}


def roster_pk(shard: int) -> str:
    return f"ROSTER#{shard:02d}"


def consent_key(customer_id: str, channel: str) -> dict[str, str]:
    return {"PK": f"CUSTOMER#{customer_id}", "SK": f"{CONSENT_PREFIX}{channel}"}


def consent_log_key(customer_id: str, at: str, line_id: str) -> dict[str, str]:
    return {"PK": f"CUSTOMER#{customer_id}", "SK": f"{CONSENT_LOG_PREFIX}{at}#{line_id}"}


def surveyed_key(customer_id: str) -> dict[str, str]:
    """When the customer was last invited to a planned survey (the throttle)."""
    return {"PK": f"CUSTOMER#{customer_id}", "SK": "SURVEYED"}


def survey_key(survey_id: str) -> dict[str, str]:
    return {"PK": SURVEYS, "SK": f"SURVEY#{survey_id}"}


def survey_settings_key() -> dict[str, str]:
    return {"PK": SURVEYS, "SK": "#SETTINGS"}


def run_key(survey_id: str, run_id: str) -> dict[str, str]:
    return {"PK": f"SURVEY#{survey_id}", "SK": f"RUN#{run_id}"}


def candidate_key(run_id: str, sample_key: str, customer_id: str) -> dict[str, str]:
    return {"PK": f"SRUNCAND#{run_id}", "SK": f"{sample_key}#{customer_id}"}


def invitation_key(invitation_id: str) -> dict[str, str]:
    return {"PK": f"SINV#{invitation_id}", "SK": "#INV"}


def survey_stats_pk(survey_id: str) -> str:
    """A survey's answer counters (domain/survey_results.py), one item per run and
    dimension value, sorted by the Istanbul day the run was due."""
    return f"SSTATS#{survey_id}"


def survey_stats_key(survey_id: str, day: str, run_id: str, dimension: str,
                     value: str) -> dict[str, str]:  # fmt: skip
    return {"PK": survey_stats_pk(survey_id), "SK": f"{day}#{run_id}#{dimension}#{value}"}


def answers_pk(survey_id: str) -> str:
    """A survey's answered invitations, by answer time, in the `queue_newest` index."""
    return f"SANSWERS#{survey_id}"


#: the carriers an admin stored (docs/orders.md#carriers): one partition, one Query for all
CARRIERS_PK = "CARRIERS"


def carrier_key(code: str) -> dict[str, str]:
    return {"PK": CARRIERS_PK, "SK": f"CARRIER#{code}"}


#: shipments waiting to be found late (sparse, in the `outbox` index: docs/orders.md)
LATE_SHIPMENTS = "LATE_SHIPMENTS"
LATE_SETTINGS = {"PK": "LATE_DELIVERIES", "SK": "#SETTINGS"}


def late_shipment_mark_key(shipment_ref: str, estimated_day: str) -> dict[str, str]:
    """`shipment_ref`: `<customer id>#<shipment id>`; one mark per estimated day, so a new
    promise the shop breaks again is acted on again."""
    return {"PK": f"SHIPLATE#{shipment_ref}", "SK": estimated_day}


def late_count_key(day: str, carrier: str) -> dict[str, str]:
    """Late shipments found on an Istanbul day, per carrier: a period is one Query a month."""
    return {"PK": f"LATECOUNT#{day[:7]}", "SK": f"{day}#{carrier}"}


# ---- the assistant (docs/assistant.md) -------------------------------------------------------

#: conversations nobody has written to for a while wait here to be settled (sparse, in the
#: `outbox` index: `outbox_sk = <idle at>#<conversation id>`)
ASSISTANT_IDLE = "ASSISTANT_IDLE"
ASSISTANT_SETTINGS = {"PK": "ASSISTANT", "SK": "#SETTINGS"}


def conversation_key(conversation_id: str) -> dict[str, str]:
    return {"PK": f"ASSIST#{conversation_id}", "SK": "#CONV"}


def verify_failure_key(scope: str, value: str, hour: int) -> dict[str, str]:
    """Failed order proofs in one hour (`hour`: hours since the epoch), per order number or
    per client address (`scope`: `order` | `address`)."""
    return {"PK": f"ASSISTFAIL#{scope}#{value}", "SK": str(hour)}


def assistant_day_key(day: str) -> dict[str, str]:
    """Conversations settled, counted on the Istanbul day they started: a month a partition."""
    return {"PK": f"ASSISTDAY#{day[:7]}", "SK": day}


#: the flags admins define for customers (domain/customer_flags.py)
CUSTOMER_FLAG_LIST_KEY = {"PK": "SETTINGS", "SK": "CUSTOMER_FLAGS"}


def customer_marks_key(customer_id: str) -> dict[str, str]:
    """A customer's staff flags and note: beside the profile, never in it."""
    return {"PK": f"CUSTOMER#{customer_id}", "SK": "STAFF_MARKS"}


def arrivals_pk(group_id: str, window: str) -> str:
    """A group's arrivals window (`window`: its start, ISO UTC): the cases that arrived
    unassigned in it (`SK = CASE#<id>`) and the members whose digest of it went out
    (`SK = SENT#<username>`), one Query (store/arrival_digests.py)."""
    return f"ARRIVALS#{group_id}#{window}"


def arrival_mark_key(window_key: str, username: str) -> dict[str, str]:
    """A member's arrivals digest of a window, sent or being sent: `window_key` is
    `<group id>#<window start>`."""
    return {"PK": f"ARRIVALS#{window_key}", "SK": f"SENT#{username}"}
