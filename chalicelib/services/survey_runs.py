"""Running planned surveys: the schedule's tick, a run's pages, and sending invitations.

A run is a chain of small steps on the `surveys` queue, each bounded (one page) and safe to
repeat (docs/surveys.md "How a run scales"):

1. `tick` (every 15 minutes): for each active survey whose next time has come, start its
   run (one conditional write: a second tick finds it started) and queue one `select` step
   per roster shard. It also hands out invitations whose time came (quiet hours ended, or a
   sender died holding one).
2. `select` (a page of one roster shard): keep each customer the segment matches as a
   candidate under their sample key; queue the shard's next page, or mark the shard done.
   The step that marks the last shard fixes the sample's size and queues the first `send`.
3. `send` (a page of candidates in sample-key order, up to the sample's size): decide each
   one (no consent, no address, throttled, invited) with one conditional write, and send
   the invitations that are due; queue the next page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..domain.clock import utcnow
from ..domain.consent import may_send
from ..domain.customers import Customer
from ..domain.errors import NotFound
from ..domain.notifications import quiet_until
from ..domain.signed_links import LinkPurpose, LinkSigner
from ..domain.survey_links import opt_out_url, survey_url
from ..domain.survey_runs import (
    ROSTER_SHARDS,
    CustomerFacts,
    Invitation,
    InvitationStatus,
    Outcome,
    RunPhase,
    SurveyRun,
    dimensions_of,
    invitation_id,
    matches,
    run_day,
    run_id,
    sample_key,
    throttle_cutoff,
)
from ..domain.surveys import Survey, SurveyStatus, run_time
from ..observability import MetricUnit, emit, logger
from .notifier import refusal_of
from .ports import ConsentStore, Renderer, Sender, SurveyStore

PAGE = 100
SEND_PAGE = 25
#: the roster backfill: parallel Scan segments, and items a step reads (before filtering)
BACKFILL_SEGMENTS = 4
BACKFILL_PAGE = 500
#: an invitation due while its survey is paused is looked at again this much later
PAUSED_RETRY = timedelta(hours=1)


class SurveyJobs(Protocol):
    def enqueue(self, step: dict[str, Any]) -> None: ...


class SurveyRunner:
    def __init__(
        self,
        surveys: SurveyStore,
        consents: ConsentStore,
        jobs: SurveyJobs,
        sender: Sender,
        renderer: Renderer,
        signer: Callable[[], LinkSigner],
        clock: Callable[[], datetime] = utcnow,
        site_url: str = "",
        api_url: str = "",
        lease: timedelta = timedelta(minutes=5),
        sms_alphabet: str = "ucs2",
    ) -> None:
        self.sms_alphabet = sms_alphabet
        self.surveys = surveys
        self.consents = consents
        self.jobs = jobs
        self.sender = sender
        self.renderer = renderer
        self.signer = signer
        self.clock = clock
        self.site_url = site_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.lease = lease

    # ---- 1. the tick -----------------------------------------------------------------------

    def tick(self) -> dict[str, int]:
        """Start the runs that are due and hand out invitations whose time came."""
        now = self.clock()
        started = 0
        for survey in self.surveys.list_surveys():
            if survey.status != SurveyStatus.ACTIVE or survey.next_run_at is None:
                continue
            if survey.next_run_at > now:
                continue
            if self.start(survey, now):
                started += 1
        handed = 0
        for inv_id in self.surveys.due_invitations(now, 500):
            self.jobs.enqueue({"kind": "deliver", "invitation_id": inv_id})
            handed += 1
        return {"started": started, "handed_out": handed}

    def start(self, survey: Survey, now: datetime) -> bool:
        due = survey.next_run_at or now
        seed = survey.seed if survey.seed is not None else secrets.randbits(63)
        run = SurveyRun(id=run_id(survey.id, due), survey_id=survey.id, due_at=due,
                        started_at=now, seed=seed)  # fmt: skip
        following = run_time(survey.schedule, survey.runs + 1)
        if not self.surveys.start_run(survey, run, following):
            return False
        for shard in range(ROSTER_SHARDS):
            self.jobs.enqueue({"kind": "select", "survey_id": survey.id, "run_id": run.id,
                               "shard": shard, "cursor": None})  # fmt: skip
        logger.info("survey run started", survey_id=survey.id, run_id=run.id)
        return True

    # ---- 2. selecting ----------------------------------------------------------------------

    def select(self, step: dict[str, Any]) -> None:
        survey, run = self._read(step)
        if survey is None or run is None or run.phase != RunPhase.SELECTING:
            return
        now = self.clock()
        customers, cursor = self.surveys.roster_page(step["shard"], step.get("cursor"), PAGE)
        for facts in self._facts(survey, customers):
            if matches(survey.segment, facts, now):
                key = sample_key(run.seed, facts.customer_id)
                dims = dimensions_of(survey.segment, facts, now)
                self.surveys.keep_candidate(run.id, key, facts.customer_id, dims)
        if cursor:
            self.jobs.enqueue({**step, "cursor": cursor})
            return
        marked = self.surveys.finish_shard(survey.id, run.id, step["shard"])
        latest = marked or self.surveys.get_run(survey.id, run.id)
        if latest is None or len(set(latest.shards_done)) < ROSTER_SHARDS:
            return
        # the last shard (or a retry of it): fix the sample and begin sending, once
        matched = self.surveys.count_candidates(run.id)
        size = survey.sample.size(matched)
        self.surveys.start_sending(survey.id, run.id, matched, size)
        self.jobs.enqueue({"kind": "send", "survey_id": survey.id, "run_id": run.id,
                           "cursor": None, "taken": 0})  # fmt: skip

    def _facts(self, survey: Survey, customers: list[Customer]) -> list[CustomerFacts]:
        """What the segment needs of each customer; the product and case reads only when
        the segment asks about them."""
        segment = survey.segment
        wanted_calls = segment.no_contact_days is not None
        found = []
        for customer in customers:
            registrations, last_call = [], None
            if segment.needs_products or wanted_calls:
                registrations, last_call = self.surveys.customer_details(customer.id)
            cases = []
            if segment.needs_cases or wanted_calls:
                cases = self.surveys.customer_cases(customer.id)
            groups = (self.surveys.product_groups([r.product_id for r in registrations])
                      if segment.product_groups else {})  # fmt: skip
            last_case = max((c.created_at for c in cases), default=None)
            last_contact = max(filter(None, (last_call, last_case)), default=None)
            found.append(CustomerFacts(
                customer_id=customer.id, category=customer.category,
                products=self.surveys.product_facts(registrations, groups), cases=cases,
                last_contact_at=last_contact,
            ))  # fmt: skip
        return found

    # ---- 3. sending ------------------------------------------------------------------------

    def send(self, step: dict[str, Any]) -> None:
        """One page of the sample. A paused survey holds the run here (its place kept on
        the run, resumed when the survey is started again); an ended one stops it."""
        survey, run = self._read(step)
        if survey is None or run is None or run.phase != RunPhase.SENDING:
            return
        if survey.status == SurveyStatus.ENDED:
            self.surveys.finish_run(survey.id, run.id, self.clock(), stopped=True)
            return
        if survey.status == SurveyStatus.PAUSED:
            self.surveys.hold_run(
                survey.id,
                run.id,
                {"cursor": step.get("cursor"), "taken": int(step.get("taken", 0))},
            )
            # restarted between the read and the hold: the restart may have looked for
            # held runs before this one was held, so it resumes itself (once: see resume)
            latest = self.surveys.get_survey(survey.id)
            if latest is not None and latest.status == SurveyStatus.ACTIVE:
                self.resume(survey.id, run.id)
            return
        size, taken = run.sample_size or 0, int(step.get("taken", 0))
        want = min(SEND_PAGE, size - taken)
        if want <= 0:
            self.surveys.finish_run(survey.id, run.id, self.clock())
            return
        candidates, cursor = self.surveys.candidates_page(run.id, step.get("cursor"), want)
        throttle_days = self.surveys.throttle_days()
        for customer_id, dims in candidates:
            self.invite(survey, run, customer_id, throttle_days, dims)
        taken += len(candidates)
        if cursor and taken < size:
            self.jobs.enqueue({**step, "cursor": cursor, "taken": taken})
        else:
            self.surveys.finish_run(survey.id, run.id, self.clock())

    def resume(self, survey_id: str, run_id: str) -> bool:
        """Send the rest of a run held by a pause, from where it stopped; once, however
        many callers try (the hold is taken with a conditional write)."""
        place = self.surveys.take_held(survey_id, run_id)
        if place is None:
            return False
        self.jobs.enqueue(
            {
                "kind": "send",
                "survey_id": survey_id,
                "run_id": run_id,
                "cursor": place.get("cursor"),
                "taken": int(place.get("taken", 0)),
            }
        )
        logger.info("survey run resumed", survey_id=survey_id, run_id=run_id)
        return True

    def resume_held(self, survey_id: str) -> int:
        """After a restart: resume every run of the survey its pause held."""
        return sum(self.resume(survey_id, run.id)
                   for run in self.surveys.list_runs(survey_id) if run.held)  # fmt: skip

    def invite(self, survey: Survey, run: SurveyRun, customer_id: str, throttle_days: int,
               dims: dict[str, str] | None = None) -> None:  # fmt: skip
        """Decide one drawn customer (once: the invitation id is the run's and theirs), and
        send their invitation if it is due now."""
        now = self.clock()
        inv_id = invitation_id(run.id, customer_id)
        existing = self.surveys.get_invitation(inv_id)
        if existing is None:
            existing = self._decide(survey, run, customer_id, inv_id, now, throttle_days,
                                    dims or {})  # fmt: skip
        if existing is not None and existing.status == InvitationStatus.PENDING:
            self.deliver(existing.id)

    def _decide(self, survey: Survey, run: SurveyRun, customer_id: str, inv_id: str,
                now: datetime, throttle_days: int,
                dims: dict[str, str]) -> Invitation | None:  # fmt: skip
        try:
            customer = self.surveys.customer(customer_id)
        except NotFound:
            return None  # deleted since it was selected: nobody to ask
        base = {"id": inv_id, "run_id": run.id, "survey_id": survey.id,
                "customer_id": customer_id, "channel": survey.channel,
                "language": customer.language.value, "created_at": now,
                "stats_day": run_day(run.due_at),
                "dims": {**dims, "language": customer.language.value}}  # fmt: skip
        if not may_send(self.consents.get(customer_id, survey.channel)):
            outcome = Outcome.NO_CONSENT
        elif not _address(customer, survey.channel):
            outcome = Outcome.NO_ADDRESS
        else:
            held = quiet_until(customer.contact, now)
            inv = Invitation(**base, outcome=Outcome.INVITED, status=InvitationStatus.PENDING,
                             send_at=held or now,
                             expires_at=now + timedelta(days=survey.link_days))  # fmt: skip
            cutoff = throttle_cutoff(now, throttle_days)
            result = self.surveys.record_invitation(inv, cutoff, delayed=held is not None)
            if result == "invited":
                return inv
            if result == "exists":
                return self.surveys.get_invitation(inv_id)
            outcome = Outcome.THROTTLED
        skipped = Invitation(**base, outcome=outcome, status=InvitationStatus.SKIPPED)
        self.surveys.record_skip(skipped)
        return skipped

    def deliver(self, inv_id: str) -> str:
        """Send one invitation whose time came: claimed first, so two senders never both
        send; consent is read again (an opt-out since the run decided wins)."""
        now = self.clock()
        inv = self.surveys.get_invitation(inv_id)
        if inv is None or inv.status not in (InvitationStatus.PENDING, InvitationStatus.SENDING):
            return "done already"
        try:
            customer = self.surveys.customer(inv.customer_id)
        except NotFound:
            self.surveys.cancel(inv, "no_customer")
            return "cancelled"
        if not may_send(self.consents.get(inv.customer_id, inv.channel)):
            self.surveys.cancel(inv, "consent_withdrawn")
            return "cancelled"
        survey = self.surveys.get_survey(inv.survey_id)
        if survey is not None and survey.status == SurveyStatus.ENDED:
            self.surveys.cancel(inv, "survey_ended")
            return "cancelled"
        if survey is not None and survey.status == SurveyStatus.PAUSED:
            # held with the survey: out of the tick's way for a while, sent after a restart
            self.surveys.postpone(inv, now + PAUSED_RETRY)
            return "paused"
        held = quiet_until(customer.contact, now)
        if held is not None:
            return "held"  # its send_at is the end of the quiet hours; the tick finds it
        claimed = self.surveys.claim(inv, now, now + self.lease)
        if claimed is None:
            return "not due or taken"
        address = _address(customer, inv.channel)
        if survey is None or not address:
            self.surveys.cancel(claimed, "no_address" if survey else "no_survey")
            return "cancelled"
        try:
            self._send(survey, claimed, customer, address)
        except Exception as exc:
            if refusal_of(exc) is None:
                raise  # tried again when the lease runs out (the tick hands it out)
            self.surveys.cancel(claimed, "rejected")
            return "cancelled"
        self.surveys.mark_sent(claimed, self.clock())
        emit("SurveyInvitationsSent", MetricUnit.Count, 1)
        return "sent"

    def _send(self, survey: Survey, inv: Invitation, customer: Customer, address: str) -> None:
        signer = self.signer()
        expires = inv.expires_at or (self.clock() + timedelta(days=survey.link_days))
        token = signer.sign(LinkPurpose.survey, inv.id, inv.customer_id, expires)
        # the opt-out link works for a year: a kept message can still stop the next one
        opt_token = signer.sign(LinkPurpose.opt_out, inv.customer_id, inv.channel,
                                self.clock() + timedelta(days=365))  # fmt: skip
        language = inv.language
        context = {
            "customer_name": customer.name,
            "survey_name": survey.name,
            "survey_url": survey_url(self.site_url, language, token),
            "opt_out_url": opt_out_url(self.site_url, language, opt_token),
            "expires_at": expires.isoformat(),
        }
        text = self.renderer.render("survey_invitation", language, context)
        if inv.channel == "email":
            one_click = f"{self.api_url}/opt-out/{opt_token}" if self.api_url else ""
            headers = [("List-Unsubscribe", f"<{one_click or context['opt_out_url']}>")]
            if one_click:
                headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            self.sender.email(address, text.subject, text.email, headers=headers)
        else:
            from ..domain.sms import for_sending

            self.sender.sms(address, for_sending(text.sms, self.sms_alphabet), promotional=True)

    # ---- the roster's backfill --------------------------------------------------------------

    def start_backfill(self) -> dict[str, Any]:
        """Put every customer profile written before the roster existed into it: a pass of
        BACKFILL_SEGMENTS parallel Scan segments, a page per step on the `surveys` queue.
        Idempotent: a pass under way is answered as it is, not started twice; a profile
        that has its shard is left alone. The pass's state (docs/surveys.md)."""
        started = self.surveys.start_backfill(self.clock(), BACKFILL_SEGMENTS)
        if started is not None:
            for segment in range(BACKFILL_SEGMENTS):
                self.jobs.enqueue({"kind": "backfill", "pass": started["started_at"],
                                   "segment": segment, "cursor": None})  # fmt: skip
            logger.info("roster backfill started", started_at=started["started_at"])
        return self.backfill_state()

    def backfill_state(self) -> dict[str, Any]:
        state = self.surveys.backfill_state() or {}
        return {k: state.get(k) for k in ("started_at", "finished_at", "updated", "segments",
                                          "segments_done")}  # fmt: skip

    def backfill(self, step: dict[str, Any]) -> None:
        """One page of one Scan segment: list each unlisted profile in its roster shard."""
        ids, cursor = self.surveys.unlisted_profiles(step["segment"], BACKFILL_SEGMENTS,
                                                     step.get("cursor"), BACKFILL_PAGE)  # fmt: skip
        updated = sum(self.surveys.list_in_roster(customer_id) for customer_id in ids)
        if updated:
            self.surveys.backfill_page_done(step["pass"], updated)
        if cursor:
            self.jobs.enqueue({**step, "cursor": cursor})
        else:
            self.surveys.backfill_segment_done(step["pass"], step["segment"], self.clock())

    def _read(self, step: dict[str, Any]) -> tuple[Survey | None, SurveyRun | None]:
        survey = self.surveys.get_survey(step["survey_id"])
        run = self.surveys.get_run(step["survey_id"], step["run_id"])
        return survey, run


def _address(customer: Customer, channel: str) -> str | None:
    if channel == "email":
        return customer.email if customer.email_deliverable else None
    return customer.phone
