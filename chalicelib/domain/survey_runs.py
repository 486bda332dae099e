"""A survey's run: who of the segment is drawn, and what becomes of each one drawn.

A run is a bounded, resumable job (docs/surveys.md "How a run scales"): it pages through
the customers' roster, keeps those the segment matches as candidates ordered by their
sample key, takes the first `Sample.size(matched)` of that order, and for each decides:
no consent on the channel, surveyed too recently (throttled), or invited (now, or after
the customer's quiet hours). Every step is written so a retry finishes it without doing it
twice.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field

from .case_kinds import CaseType, Channel
from .clock import ISTANBUL
from .customers import CustomerCategory
from .ids import stable_id
from .model import Model
from .surveys import Segment

#: the roster's shards: a run reads them side by side, one page of each at a time
ROSTER_SHARDS = 16


def roster_shard(customer_id: str) -> int:
    """The roster shard a customer is listed in (spread evenly by a hash of the id)."""
    return hashlib.sha256(customer_id.encode()).digest()[0] % ROSTER_SHARDS


def sample_key(seed: int, customer_id: str) -> str:
    """The customer's place in the run's random order: 16 hex digits of
    SHA-256(seed, customer id). Sorting the segment by it is a uniformly random permutation
    that the same seed repeats exactly; the first k of it is a simple random sample of k
    (without replacement), whatever order the segment was read in."""
    digest = hashlib.sha256(f"{seed}\x1f{customer_id}".encode()).hexdigest()
    return digest[:16]


def invitation_id(run_id: str, customer_id: str) -> str:
    """One id per run and customer: a retried step writes the same invitation."""
    return stable_id("i", run_id, customer_id)


def run_id(survey_id: str, due_at: datetime) -> str:
    """One run per survey and scheduled time, however many ticks find it due."""
    return stable_id("r", survey_id, due_at.isoformat())


class ProductFact(Model):
    product_id: str
    brand: str
    #: the catalog categories above the product, root first
    groups: list[str] = Field(default_factory=list)
    purchase_date: date
    registered_at: datetime


class CaseFact(Model):
    type: CaseType
    channel: Channel
    category_id: str | None = None
    created_at: datetime


class CustomerFacts(Model):
    """What a segment looks at of one customer (read by the run, a page at a time)."""

    customer_id: str
    category: CustomerCategory
    products: list[ProductFact] = Field(default_factory=list)
    cases: list[CaseFact] = Field(default_factory=list)
    #: the last case or call, UTC
    last_contact_at: datetime | None = None


def _within(day: date, low: date | None, high: date | None) -> bool:
    return (low is None or day >= low) and (high is None or day <= high)


def _product_matches(segment: Segment, p: ProductFact) -> bool:
    return (
        (not segment.product_ids or p.product_id in segment.product_ids)
        and (not segment.brands or p.brand.casefold() in {b.casefold() for b in segment.brands})
        and (not segment.product_groups or bool(set(p.groups) & set(segment.product_groups)))
        and _within(p.purchase_date, segment.purchased_from, segment.purchased_to)
        and _within(p.registered_at.date(), segment.registered_from, segment.registered_to)
    )


def _case_matches(segment: Segment, c: CaseFact) -> bool:
    return (
        (not segment.case_channels or c.channel in segment.case_channels)
        and (not segment.case_types or c.type in segment.case_types)
        and (not segment.case_categories or c.category_id in segment.case_categories)
        and _within(c.created_at.date(), segment.cases_from, segment.cases_to)
    )


def matches(segment: Segment, facts: CustomerFacts, now: datetime) -> bool:
    """Whether the customer is in the segment (dates are UTC days, both ends included)."""
    if segment.customer_categories and facts.category not in segment.customer_categories:
        return False
    if segment.needs_products and not any(_product_matches(segment, p) for p in facts.products):
        return False
    if segment.needs_cases and not any(_case_matches(segment, c) for c in facts.cases):
        return False
    if segment.no_contact_days is not None and facts.last_contact_at is not None:
        return facts.last_contact_at <= now - timedelta(days=segment.no_contact_days)
    return True


def dimensions_of(segment: Segment, facts: CustomerFacts, now: datetime) -> dict[str, str]:
    """What a run's results can be split by for this customer (domain/survey_results.py):
    their category; the brand, product and product group (the most specific catalog
    category) of their newest registered product the segment matched, when it asks about
    products; the channel, type and category of their newest case it matched, when it asks
    about cases. One value each, so a split's values add up to the total. Kept with the
    candidate, then on the invitation (the language is added there)."""
    dims = {"customer_category": facts.category.value}
    if segment.needs_products:
        products = [p for p in facts.products if _product_matches(segment, p)]
        if products:
            newest = max(products, key=lambda p: p.registered_at)
            dims["brand"] = newest.brand
            dims["product"] = newest.product_id
            if newest.groups:
                dims["product_group"] = newest.groups[-1]
    if segment.needs_cases:
        cases = [c for c in facts.cases if _case_matches(segment, c)]
        if cases:
            newest_case = max(cases, key=lambda c: c.created_at)
            dims["case_channel"] = newest_case.channel.value
            dims["case_type"] = newest_case.type.value
            if newest_case.category_id:
                dims["case_category"] = newest_case.category_id
    return dims


def run_day(due_at: datetime) -> str:
    """The Istanbul day a run was due (`2026-06-01`): results are asked for by these days."""
    return due_at.astimezone(ISTANBUL).date().isoformat()


class Outcome(StrEnum):
    """What became of one customer drawn for a run."""

    INVITED = "invited"  # an invitation was made (sent now, or after quiet hours)
    NO_CONSENT = "no_consent"  # no granted consent on the survey's channel
    THROTTLED = "throttled"  # surveyed within the shop's period
    NO_ADDRESS = "no_address"  # no email (or one that bounced) / no phone for the channel


class InvitationStatus(StrEnum):
    PENDING = "pending"  # to be sent at `send_at`
    SENDING = "sending"  # claimed by a sender until `lease_until`
    SENT = "sent"
    #: not sent: consent withdrawn before its time came, or the send was refused for good
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # never to be sent: `outcome` says why


class RunPhase(StrEnum):
    SELECTING = "selecting"  # reading the roster, keeping the segment's candidates
    SENDING = "sending"  # drawing the sample and inviting
    DONE = "done"


class RunCounts(Model):
    """A run's figures, each counted once per customer (with the write that decides it)."""

    matched: int = 0  # in the segment
    sampled: int = 0  # drawn
    invited: int = 0
    sent: int = 0
    no_consent: int = 0
    throttled: int = 0
    no_address: int = 0
    #: invited during their quiet hours: sent when those end
    quiet_delayed: int = 0
    #: invitations cancelled before sending (consent withdrawn, refused by the provider)
    cancelled: int = 0
    answered: int = 0


class SurveyRun(Model):
    id: str
    survey_id: str
    due_at: datetime
    started_at: datetime
    #: the sample's seed: the same seed and segment draw the same customers
    seed: int
    phase: RunPhase = RunPhase.SELECTING
    #: roster shards read to their end (the selection is over when all are)
    shards_done: list[int] = Field(default_factory=list)
    #: fixed when the selection ends: Sample.size(matched)
    sample_size: int | None = None
    counts: RunCounts = Field(default_factory=RunCounts)
    finished_at: datetime | None = None
    #: sending held while the survey is paused: where it resumes (`cursor`, `taken`)
    held: dict | None = None
    #: the survey ended while this run was sending: the rest of the sample was not asked
    stopped: bool = False


def response_rate(counts: RunCounts) -> float | None:
    """Answered per invitation sent (None before any was sent)."""
    return counts.answered / counts.sent if counts.sent else None


class Invitation(Model):
    """One drawn customer of one run: their outcome, and for an invitation its sending and
    the customer's answers (the last answer counts)."""

    id: str
    run_id: str
    survey_id: str
    customer_id: str
    outcome: Outcome
    status: InvitationStatus
    channel: str
    language: str = "tr"
    created_at: datetime
    #: when to send (the end of quiet hours, if they held it)
    send_at: datetime | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    answers: dict = Field(default_factory=dict)
    answered_at: datetime | None = None
    note: str | None = None
    #: the Istanbul day its run was due: its counters' day (None: made before counters
    #: existed, and then never counted)
    stats_day: str | None = None
    #: the customer's value of each dimension results are split by (domain/survey_results.py)
    dims: dict[str, str] = Field(default_factory=dict)
    #: the counters its last answers added (taken back when they change)
    counted: list[str] = Field(default_factory=list)
    #: how many times it was answered: a change is written only over the answer it read
    answers_version: int = 0


def throttle_cutoff(now: datetime, days: int) -> datetime:
    """A customer last surveyed before this may be surveyed again."""
    return now - timedelta(days=days)
