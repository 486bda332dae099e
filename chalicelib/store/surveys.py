"""Planned surveys in the table: definitions, runs, candidates, invitations, answers, the
throttle mark and the roster a run pages through (keys: store/keys.py; patterns:
chalicelib/store/README.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.case_kinds import CaseType, Channel
from ..domain.clock import to_iso
from ..domain.customers import Customer
from ..domain.errors import Conflict, NotFound
from ..domain.registrations import Registration
from ..domain.survey_results import ALL, CounterItem, deltas
from ..domain.survey_runs import (
    CaseFact,
    Invitation,
    InvitationStatus,
    ProductFact,
    SurveyRun,
)
from ..domain.surveys import DEFAULT_THROTTLE_DAYS, Survey
from . import keys
from .dynamo import Table, TransactionCanceled

CALL_PREFIX = "CALL#"
#: the roster backfill's marker, in the surveys' partition
BACKFILL_SK = "#ROSTER_BACKFILL"


def _survey_item(survey: Survey) -> dict[str, Any]:
    item = {**survey.model_dump(mode="json"), **keys.survey_key(survey.id), "entity": "survey"}
    return item


def _invitation_item(inv: Invitation) -> dict[str, Any]:
    item = {**inv.model_dump(mode="json"), **keys.invitation_key(inv.id), "entity": "invitation"}
    if inv.status == InvitationStatus.PENDING and inv.send_at is not None:
        # waiting in the sparse outbox index until the sweep or a sender takes it
        item["claim_at"] = to_iso(inv.send_at)
        item["outbox_pk"] = keys.SURVEY_OUTBOX
        item["outbox_sk"] = f"{to_iso(inv.send_at)}#{inv.id}"
    return item


def _run_counts(survey_id: str, run_id: str, **adds: int) -> dict[str, Any]:
    """An Update of the run adding to its counts (`counts.<name> += n`)."""
    names = {"#c": "counts", **{f"#n{i}": n for i, n in enumerate(adds)}}
    values = {f":v{i}": v for i, v in enumerate(adds.values())}
    expression = "ADD " + ", ".join(f"#c.#n{i} :v{i}" for i in range(len(adds)))
    return {"Update": {"Key": keys.run_key(survey_id, run_id), "UpdateExpression": expression,
                       "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": values}}  # fmt: skip


def _stats_updates(inv: Invitation, adds: dict[str, int]) -> list[dict[str, Any]]:
    """Updates of the invitation's counter items (everyone's and one per dimension value)
    adding `adds` (a change's −1s too). None for an invitation made before counters."""
    if inv.stats_day is None or not adds:
        return []
    names = {f"#n{i}": n for i, n in enumerate(adds)}
    values: dict[str, Any] = {f":v{i}": v for i, v in enumerate(adds.values())}
    expression = "ADD " + ", ".join(f"#n{i} :v{i}" for i in range(len(adds)))
    expression += " SET #day = :day, #run = :run, #dim = :dim, #value = :value, #ent = :entity"
    names.update(
        {"#day": "day", "#run": "run_id", "#dim": "dimension", "#value": "value", "#ent": "entity"}
    )
    operations = []
    for dimension, value in [(ALL, ALL), *sorted(inv.dims.items())]:
        operations.append({"Update": {
            "Key": keys.survey_stats_key(inv.survey_id, inv.stats_day, inv.run_id, dimension,
                                         value),
            "UpdateExpression": expression, "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**values, ":day": inv.stats_day, ":run": inv.run_id,
                                          ":dim": dimension, ":value": value,
                                          ":entity": "survey_stats"},
        }})  # fmt: skip
    return operations


class DynamoSurveyStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- definitions and settings ----------------------------------------------------------

    def customer(self, customer_id: str) -> Customer:
        """The customer's profile (NotFound when deleted)."""
        item = self.table.get(keys.customer_key(customer_id))
        if item is None:
            raise NotFound(f"no customer {customer_id!r}")
        return Customer.model_validate(item)

    def get_survey(self, survey_id: str) -> Survey | None:
        item = self.table.get(keys.survey_key(survey_id))
        return Survey.model_validate(item) if item else None

    def list_surveys(self) -> list[Survey]:
        """Every survey: one partition (a shop has tens, not thousands)."""
        items = self.table.query_all(("PK", keys.SURVEYS), sort_prefix="SURVEY#")
        return [Survey.model_validate(i) for i in items]

    def save_survey(self, survey: Survey, expected_version: int | None) -> Survey:
        """Create (`expected_version` None) or replace at the version read; Conflict else."""
        if expected_version is None:
            condition, values = "attribute_not_exists(PK)", {}
        else:
            condition, values = "version = :v", {":v": expected_version}
        operation: dict[str, Any] = {"Item": _survey_item(survey), "ConditionExpression": condition}
        if values:
            operation["ExpressionAttributeValues"] = values
        try:
            self.table.transact([{"Put": operation}])
        except TransactionCanceled as exc:
            raise Conflict("the survey changed since you read it",
                           code="version_conflict") from exc  # fmt: skip
        return survey

    def throttle_days(self) -> int:
        item = self.table.get(keys.survey_settings_key())
        return int(item["throttle_days"]) if item else DEFAULT_THROTTLE_DAYS

    def set_throttle_days(self, days: int) -> None:
        self.table.put({**keys.survey_settings_key(), "throttle_days": days,
                        "entity": "survey_settings"})  # fmt: skip

    # ---- runs ------------------------------------------------------------------------------

    def start_run(self, survey: Survey, run: SurveyRun, next_at: datetime | None) -> bool:
        """The run and the survey's move to its next time, in one write, once: False when
        another tick started it already (or the survey changed meanwhile)."""
        values: dict[str, Any] = {
            ":next_runs": survey.runs + 1,
            ":runs": survey.runs,
            ":v": survey.version,
            ":nv": survey.version + 1,
        }
        expression = "SET runs = :next_runs, version = :nv"
        if next_at is None:
            expression += " REMOVE next_run_at"
        else:
            expression += ", next_run_at = :next_at"
            later = survey.model_copy(update={"next_run_at": next_at})
            values[":next_at"] = later.model_dump(mode="json")["next_run_at"]
        survey_update = {
            "Key": keys.survey_key(survey.id),
            "UpdateExpression": expression,
            "ConditionExpression": "version = :v AND runs = :runs",
            "ExpressionAttributeValues": values,
        }
        run_item = {**run.model_dump(mode="json"), **keys.run_key(survey.id, run.id),
                    "entity": "survey_run"}  # fmt: skip
        try:
            self.table.transact([
                {"Put": {"Item": run_item, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": survey_update},
            ])  # fmt: skip
        except TransactionCanceled:
            return False
        return True

    def get_run(self, survey_id: str, run_id: str) -> SurveyRun | None:
        item = self.table.get(keys.run_key(survey_id, run_id))
        return SurveyRun.model_validate(item) if item else None

    def list_runs(self, survey_id: str) -> list[SurveyRun]:
        items = self.table.query_all(("PK", f"SURVEY#{survey_id}"), sort_prefix="RUN#")
        return sorted((SurveyRun.model_validate(i) for i in items), key=lambda r: r.due_at)

    def finish_shard(self, survey_id: str, run_id: str, shard: int) -> SurveyRun | None:
        """Mark a roster shard read to its end; the run after, or None when it was marked."""
        item = self.table.update(
            keys.run_key(survey_id, run_id),
            "SET shards_done = list_append(shards_done, :one)",
            "NOT contains(shards_done, :shard)",
            {},
            {":one": [shard], ":shard": shard},
        )
        return SurveyRun.model_validate(item) if item else None

    def start_sending(self, survey_id: str, run_id: str, matched: int, size: int) -> bool:
        """The selection is over: fix the sample's size (once)."""
        found = self.table.update(
            keys.run_key(survey_id, run_id),
            "SET phase = :sending, sample_size = :size, #c.#m = :matched, #c.#s = :size",
            "phase = :selecting",
            {"#c": "counts", "#m": "matched", "#s": "sampled"},
            {":sending": "sending", ":selecting": "selecting", ":size": size,
             ":matched": matched},
        )  # fmt: skip
        return found is not None

    def finish_run(self, survey_id: str, run_id: str, now: datetime,
                   stopped: bool = False) -> None:  # fmt: skip
        """Sending is over (`stopped`: the survey ended before the sample was all asked)."""
        self.table.update(
            keys.run_key(survey_id, run_id),
            "SET phase = :done, finished_at = :now, stopped = :stopped REMOVE held",
            "phase = :sending",
            {},
            {":done": "done", ":sending": "sending", ":now": to_iso(now), ":stopped": stopped},
        )

    def hold_run(self, survey_id: str, run_id: str, place: dict[str, Any]) -> None:
        """Keep where a paused survey's run stopped sending (a repeat rewrites it)."""
        self.table.update(keys.run_key(survey_id, run_id), "SET held = :place",
                          "phase = :sending", {},
                          {":place": place, ":sending": "sending"})  # fmt: skip

    def take_held(self, survey_id: str, run_id: str) -> dict[str, Any] | None:
        """Take a held run's place to resume it: the place, or None when it is not held
        (or another caller took it first)."""
        run = self.table.get(keys.run_key(survey_id, run_id))
        place = run.get("held") if run else None
        if not place:
            return None
        taken = self.table.update(keys.run_key(survey_id, run_id), "REMOVE held",
                                  "held = :place AND phase = :sending", {},
                                  {":place": place, ":sending": "sending"})  # fmt: skip
        return dict(place) if taken is not None else None

    # ---- the roster and candidates ---------------------------------------------------------

    def roster_page(
        self, shard: int, cursor: str | None, limit: int
    ) -> tuple[list[Customer], str | None]:
        """One page of a roster shard: whole profiles (the index projects them)."""
        items, next_cursor = self.table.query(
            ("queue_pk", keys.roster_pk(shard)), index="queue_newest", limit=limit, cursor=cursor
        )
        return [Customer.model_validate(i) for i in items], next_cursor

    def keep_candidate(self, run_id: str, sample_key: str, customer_id: str,
                       dims: dict[str, str] | None = None) -> None:  # fmt: skip
        """A customer the segment matched, in the run's random order, with their values of
        the results' dimensions (a repeat rewrites it)."""
        self.table.put({**keys.candidate_key(run_id, sample_key, customer_id),
                        "customer_id": customer_id, "dims": dims or {},
                        "entity": "survey_candidate"})  # fmt: skip

    def count_candidates(self, run_id: str) -> int:
        """How many the segment matched (keys only, a page of up to 1 MB a call)."""
        items = self.table.query_all(("PK", f"SRUNCAND#{run_id}"), projection=["SK"])
        return len(items)

    def candidates_page(
        self, run_id: str, cursor: str | None, limit: int
    ) -> tuple[list[tuple[str, dict[str, str]]], str | None]:
        """(customer id, dimension values) in the run's random order (their sample key),
        one page."""
        items, next_cursor = self.table.query(
            ("PK", f"SRUNCAND#{run_id}"), limit=limit, cursor=cursor
        )
        return [(i["customer_id"], dict(i.get("dims") or {})) for i in items], next_cursor

    # ---- what a segment reads of a customer ------------------------------------------------

    def customer_details(self, customer_id: str) -> tuple[list[Registration], datetime | None]:
        """Registered products and the last call of a customer: one Query of their
        partition."""
        items = self.table.query_all(("PK", f"CUSTOMER#{customer_id}"))
        registrations, last_call = [], None
        for item in items:
            if item["SK"].startswith(keys.REGISTRATION_PREFIX):
                registrations.append(Registration.model_validate(item))
            elif item["SK"].startswith(CALL_PREFIX):
                started = datetime.fromisoformat(item["SK"].split("#")[1].replace("Z", "+00:00"))
                last_call = max(filter(None, (last_call, started)))
        return registrations, last_call

    def customer_cases(self, customer_id: str, limit: int = 200) -> list[CaseFact]:
        """The customer's newest cases (at most `limit`), as a segment sees them."""
        items, _ = self.table.query(
            ("customer_pk", keys.customer_pk(customer_id)), index="by_customer", forward=False,
            limit=limit, projection=["type", "channel", "category_id", "created_at"],
        )  # fmt: skip
        return [
            CaseFact(type=CaseType(i["type"]), channel=Channel(i["channel"]),
                     category_id=i.get("category_id"), created_at=i["created_at"])
            for i in items if "type" in i and "channel" in i
        ]  # fmt: skip

    def product_groups(self, product_ids: list[str]) -> dict[str, list[str]]:
        """Each product's catalog path (root first), by id."""
        if not product_ids:
            return {}
        found = self.table.batch_get(
            [{"PK": f"PRODUCT#{pid}", "SK": keys.PRODUCT} for pid in set(product_ids)],
            projection=["id", "category_path", "category_id"],
        )
        return {i["id"]: [*i.get("category_path", []), i.get("category_id", "")] for i in found}

    @staticmethod
    def product_facts(registrations: list[Registration], groups: dict[str, list[str]]
                      ) -> list[ProductFact]:  # fmt: skip
        return [ProductFact(product_id=r.product_id, brand=r.brand,
                            groups=groups.get(r.product_id, []), purchase_date=r.purchase_date,
                            registered_at=r.registered_at) for r in registrations]  # fmt: skip

    # ---- invitations -----------------------------------------------------------------------

    def get_invitation(self, invitation_id: str) -> Invitation | None:
        item = self.table.get(keys.invitation_key(invitation_id))
        return Invitation.model_validate(item) if item else None

    def record_skip(self, inv: Invitation) -> bool:
        """A drawn customer not invited, counted under its outcome, once (False: a retry)."""
        try:
            self.table.transact([
                {"Put": {"Item": _invitation_item(inv),
                         "ConditionExpression": "attribute_not_exists(PK)"}},
                _run_counts(inv.survey_id, inv.run_id, **{inv.outcome.value: 1}),
            ])  # fmt: skip
        except TransactionCanceled:
            return False
        return True

    def record_invitation(self, inv: Invitation, cutoff: datetime, delayed: bool) -> str:
        """The invitation, the customer's throttle mark and the run's counts, in one write:
        "invited", "exists" (a retry: written before) or "throttled" (another run surveyed
        them within the period: the mark is newer than `cutoff` and not this run's). Two runs
        racing for one customer: one transaction wins, the other reads "throttled"."""
        surveyed = {
            **keys.surveyed_key(inv.customer_id), "last_at": to_iso(inv.created_at),
            "run_id": inv.run_id, "survey_id": inv.survey_id, "entity": "surveyed",
        }  # fmt: skip
        adds = {"invited": 1, **({"quiet_delayed": 1} if delayed else {})}
        try:
            self.table.transact([
                {"Put": {"Item": _invitation_item(inv),
                         "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"Item": surveyed,
                         "ConditionExpression": "attribute_not_exists(PK) OR last_at < :cutoff"
                                                " OR run_id = :run",
                         "ExpressionAttributeValues": {":cutoff": to_iso(cutoff),
                                                       ":run": inv.run_id}}},
                _run_counts(inv.survey_id, inv.run_id, **adds),
            ])  # fmt: skip
        except TransactionCanceled as exc:
            codes = [r.code for r in exc.reasons]
            if codes and codes[0] == "ConditionalCheckFailed":
                return "exists"
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                return "throttled"
            raise
        return "invited"

    def last_surveyed(self, customer_id: str) -> str | None:
        item = self.table.get(keys.surveyed_key(customer_id))
        return item["last_at"] if item else None

    def claim(self, inv: Invitation, now: datetime, until: datetime) -> Invitation | None:
        """Take a due invitation to send it, until `until` (a sender that dies leaves it to
        the sweep after that); None when it is not due or another sender has it."""
        item = self.table.update(
            keys.invitation_key(inv.id),
            "SET #s = :sending, lease_until = :until, claim_at = :until, outbox_sk = :slot",
            "#s IN (:pending, :sending) AND claim_at <= :now",
            {"#s": "status"},
            {":sending": "sending", ":pending": "pending", ":until": to_iso(until),
             ":now": to_iso(now), ":slot": f"{to_iso(until)}#{inv.id}"},
        )  # fmt: skip
        return Invitation.model_validate(item) if item else None

    def mark_sent(self, inv: Invitation, now: datetime) -> None:
        """Sent: out of the outbox, counted once."""
        self.table.transact([
            {"Update": {"Key": keys.invitation_key(inv.id),
                        "UpdateExpression": "SET #s = :sent, sent_at = :now"
                                            " REMOVE outbox_pk, outbox_sk, claim_at",
                        "ConditionExpression": "#s = :sending",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":sent": "sent", ":sending": "sending",
                                                      ":now": to_iso(now)}}},
            _run_counts(inv.survey_id, inv.run_id, sent=1),
            *_stats_updates(inv, {"sent": 1}),
        ])  # fmt: skip

    def cancel(self, inv: Invitation, note: str) -> None:
        """Not to be sent after all (consent withdrawn, the provider refused it)."""
        try:
            self.table.transact([
                {"Update": {"Key": keys.invitation_key(inv.id),
                            "UpdateExpression": "SET #s = :cancelled, note = :note"
                                                " REMOVE outbox_pk, outbox_sk, claim_at",
                            "ConditionExpression": "#s IN (:pending, :sending)",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":cancelled": "cancelled",
                                                          ":pending": "pending",
                                                          ":sending": "sending",
                                                          ":note": note}}},
                _run_counts(inv.survey_id, inv.run_id, cancelled=1),
            ])  # fmt: skip
        except TransactionCanceled:
            return

    def postpone(self, inv: Invitation, until: datetime) -> None:
        """Move a waiting invitation's place in the outbox to `until` (its survey is
        paused); nothing when it was sent or cancelled meanwhile."""
        self.table.update(
            keys.invitation_key(inv.id), "SET claim_at = :at, outbox_sk = :slot",
            "#s IN (:pending, :sending)", {"#s": "status"},
            {":at": to_iso(until), ":slot": f"{to_iso(until)}#{inv.id}",
             ":pending": "pending", ":sending": "sending"},
        )  # fmt: skip

    def due_invitations(self, now: datetime, limit: int) -> list[str]:
        """Invitations whose time came (quiet hours over, a sender's lease run out)."""
        items, _ = self.table.query(
            ("outbox_pk", keys.SURVEY_OUTBOX), index="outbox", sort_before=f"{to_iso(now)}#~",
            limit=limit,
        )  # fmt: skip
        return [i["PK"].removeprefix("SINV#") for i in items]

    # ---- answers ---------------------------------------------------------------------------

    def save_answers(self, inv: Invitation, answers: dict, now: datetime,
                     counted: list[str] | None = None) -> None:  # fmt: skip
        """The customer's answers (the last counts), written over the answer read (its
        `answers_version`), with their counters in the same write: the first answer counts
        on the run and adds its counters; a change takes the previous answer's counters
        back and adds its own (domain/survey_results.py). Conflict when the invitation
        changed under it (another answer at the same moment): the caller reads it again."""
        counted = counted or []
        first = inv.answered_at is None
        update = {
            "Key": keys.invitation_key(inv.id),
            "UpdateExpression": "SET answers = :a, answered_at = :now, queue_pk = :qp,"
                                " created_sk = :sk, counted = :counted,"
                                " answers_version = :next",
            "ExpressionAttributeValues": {
                ":a": answers, ":now": to_iso(now), ":qp": keys.answers_pk(inv.survey_id),
                ":sk": f"{to_iso(now)}#{inv.id}", ":sent": "sent", ":counted": counted,
                ":next": inv.answers_version + 1,
            },
            "ExpressionAttributeNames": {"#s": "status"},
        }  # fmt: skip
        condition = "#s = :sent AND " + (
            "attribute_not_exists(answered_at)" if first else "attribute_exists(answered_at)"
        )
        # an invitation written before answers had versions has none: it reads as 0
        condition += " AND " + (
            "answers_version = :prev"
            if inv.answers_version
            else "(attribute_not_exists(answers_version) OR answers_version = :prev)"
        )
        update["ExpressionAttributeValues"][":prev"] = inv.answers_version
        update["ConditionExpression"] = condition
        operations: list[dict[str, Any]] = [{"Update": update}]
        if first:
            operations.append(_run_counts(inv.survey_id, inv.run_id, answered=1))
        operations += _stats_updates(inv, deltas(inv.counted, counted, first))
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            raise Conflict("the invitation changed; try again", code="version_conflict") from exc

    def counter_items(self, survey_id: str, from_day: str, to_day: str) -> list[CounterItem]:
        """The survey's counter items of the runs due from `from_day` to `to_day` (Istanbul
        days, both included): one Query (a few items per run)."""
        items = self.table.query_all(("PK", keys.survey_stats_pk(survey_id)),
                                     sort_between=(from_day, f"{to_day}#~"))  # fmt: skip
        found = []
        for item in items:
            counters = {k: int(v) for k, v in item.items() if k == "sent" or k == "answered"
                        or k[:2] in ("n:", "v:", "c:")}  # fmt: skip
            found.append(CounterItem(day=item["day"], run_id=item["run_id"],
                                     dimension=item["dimension"], value=item["value"],
                                     counters=counters))  # fmt: skip
        return found

    def latest_answers(self, survey_id: str, since: datetime, until: datetime,
                       limit: int) -> list[Invitation]:  # fmt: skip
        """The survey's latest answered invitations answered from `since` to `until`, newest
        first, at most `limit` (one bounded Query of the answers index)."""
        items, _ = self.table.query(
            ("queue_pk", keys.answers_pk(survey_id)), index="queue_newest", forward=False,
            sort_between=(to_iso(since), f"{to_iso(until)}#~"), limit=limit,
        )  # fmt: skip
        return [Invitation.model_validate(i) for i in items]

    def answers_page(
        self, survey_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Invitation], str | None]:
        """A survey's answered invitations, oldest answer first."""
        items, next_cursor = self.table.query(
            ("queue_pk", keys.answers_pk(survey_id)), index="queue_newest", limit=limit,
            cursor=cursor,
        )  # fmt: skip
        return [Invitation.model_validate(i) for i in items], next_cursor

    # ---- the roster's backfill (docs/surveys.md "The roster's backfill") -------------------

    def start_backfill(self, now: datetime, segments: int) -> dict[str, Any] | None:
        """Start a pass (the marker item), unless one is under way: the new pass, or None."""
        marker = {**keys.survey_settings_key(), "SK": BACKFILL_SK, "started_at": to_iso(now),
                  "segments": segments, "segments_done": [], "updated": 0,
                  "entity": "roster_backfill"}  # fmt: skip
        try:
            self.table.put(marker, "attribute_not_exists(PK) OR attribute_exists(finished_at)")
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return None
        return marker

    def backfill_state(self) -> dict[str, Any] | None:
        return self.table.get({**keys.survey_settings_key(), "SK": BACKFILL_SK})

    def unlisted_profiles(self, segment: int, segments: int, start: dict | None,
                          limit: int) -> tuple[list[str], dict | None]:  # fmt: skip
        """One page of one segment of a parallel Scan: the ids of customer profiles not in
        the roster (written before it existed), and where the next page starts. A Scan is
        what a one-off backfill over every profile needs; nothing else scans."""
        table = self.table
        kwargs: dict[str, Any] = {
            "TableName": table.name, "Limit": limit, "Segment": segment,
            "TotalSegments": segments,
            "FilterExpression": "SK = :profile AND attribute_not_exists(queue_pk)",
            "ExpressionAttributeValues": table.ser({":profile": keys.PROFILE}),
            "ProjectionExpression": "PK, SK",
        }  # fmt: skip
        if start:
            kwargs["ExclusiveStartKey"] = table.ser(start)
        result = table.client.scan(**kwargs)
        ids = [table.de(i)["PK"].removeprefix("CUSTOMER#") for i in result.get("Items", [])]
        last = result.get("LastEvaluatedKey")
        return ids, (table.de(last) if last else None)

    def list_in_roster(self, customer_id: str) -> bool:
        """Give an old profile its roster shard (no other change, no new version); False
        when it has one already or is gone."""
        done = self.table.update(
            keys.customer_key(customer_id), "SET queue_pk = :pk, created_sk = :sk",
            "attribute_exists(PK) AND attribute_not_exists(queue_pk)", {},
            {":pk": keys.roster_keys(customer_id)["queue_pk"], ":sk": customer_id},
        )  # fmt: skip
        return done is not None

    def backfill_page_done(self, started_at: str, updated: int) -> None:
        key = {**keys.survey_settings_key(), "SK": BACKFILL_SK}
        self.table.update(key, "ADD updated :n", "started_at = :pass", {},
                          {":n": updated, ":pass": started_at})  # fmt: skip

    def backfill_segment_done(self, started_at: str, segment: int, now: datetime) -> None:
        """Mark a segment read to its end (once); the last one finishes the pass."""
        key = {**keys.survey_settings_key(), "SK": BACKFILL_SK}
        item = self.table.update(
            key, "SET segments_done = list_append(segments_done, :one)",
            "started_at = :pass AND NOT contains(segments_done, :segment)", {},
            {":one": [segment], ":segment": segment, ":pass": started_at},
        )  # fmt: skip
        if item and len(set(item["segments_done"])) >= int(item["segments"]):
            self.table.update(key, "SET finished_at = :now", "started_at = :pass", {},
                              {":now": to_iso(now), ":pass": started_at})  # fmt: skip
