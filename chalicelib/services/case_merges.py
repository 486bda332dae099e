"""Merge a case into another, split a customer's message into a new case
(docs/merge-and-split.md).

A merge is one transaction of both cases' changes (domain/case_change.py `merge`): the
source becomes `merged`, read-only and pointing to the survivor, its customer is told which
case carries on, both histories say so and both emit `destek.case.merged`. What the source
held (its replies, notes and files; the calls logged against it) is then copied to the
survivor by `MergeJob`: pages of at most PAGE_ITEMS items, each copy under the same sort key
as its original, so a job run twice (the request's own run, then the `merges` queue's, or a
redelivery) writes the same items again and duplicates nothing. The request runs the job
for up to INLINE_PAGES pages; the queue, fed by the source's `destek.case.merged` from the
table's stream, runs it too, to the end, so a request that dies after the merge's write
still leaves a complete survivor.

A split opens a new case for the same customer whose first message is the chosen customer
message, in one transaction with the history line and event on the case it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..domain import case_change as change
from ..domain.caller import Caller
from ..domain.case_change import SplitOrigin, change_case, merge
from ..domain.cases import Case, EntryKind, resolution_due, version_conflict
from ..domain.clock import utcnow
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.lifecycle import Status
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..observability import logger
from .case_commands import Strict, Version
from .cases import CaseService

#: items of the source's partition read and copied per page of the merge job
PAGE_ITEMS = 100
#: pages the merge request copies itself before it answers (the queue does the rest)
INLINE_PAGES = 5
#: pages one run of the job on the queue copies before it hands the rest to the next message
QUEUE_PAGES = 20
#: the history lines the survivor shows of the source: what people wrote
COPIED_KINDS = frozenset({EntryKind.REPLY.value, EntryKind.NOTE.value,
                          EntryKind.DOCUMENTS_SENT.value})  # fmt: skip

CaseRef = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class MergeCase(Strict):
    """Merge this case (the source, at `version`) into `into` (a case id or number)."""

    version: Version
    into: CaseRef = Field(description="the case that carries on: its id or number")
    into_version: int | None = Field(
        default=None, ge=1, description="the survivor's version you read (checked if given)"
    )


class SplitCase(Strict):
    """Take one customer message (a history line of kind `reply` by the customer) of this
    case into a new case."""

    version: Version
    entry_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class MergePreCase(Strict):
    """Merge this pre-case (at `version`) into `into` (a case id or number)."""

    version: Version
    into: CaseRef = Field(description="the case it joins: its id or number")


class Merged(Model):
    """Both cases after a merge: `case` the source (now `merged`), `into` the survivor;
    `copying`: the survivor's copy of the source's lines and files is still under way (the
    `merges` queue finishes it)."""

    case: Case
    into: Case
    copying: bool = False


class Split(Model):
    """The new case and the case it was split from, after the split."""

    case: Case
    source: Case


class MergeStep(Model):
    """A step of the merge job: copy from `source_id` into `into_id`, from `cursor` on."""

    kind: str = "merge_copy"
    source_id: str
    into_id: str
    cursor: str | None = None


class MergeJob:
    """Copies a merged case's replies, notes and files to the survivor, a page at a time;
    idempotent (see the module's text)."""

    def __init__(
        self,
        cases: Any,
        files: Any = None,
        calls: Any = None,
        enqueue: Callable[[dict], None] | None = None,
    ) -> None:
        self.cases = cases
        self.files = files
        self.calls = calls
        self.enqueue = enqueue

    def run(self, step: MergeStep, pages: int) -> str | None:
        """Copy up to `pages` pages; the cursor to go on from, or None when done. The
        calls logged against the source point to the survivor after the first page."""
        source = self.cases.get(step.source_id).case
        if source.status != Status.MERGED or source.merged_into != step.into_id:
            raise InvalidInput("this case was not merged into that one", code="not_merged")
        into = self.cases.get(step.into_id).case
        cursor = step.cursor
        for _ in range(pages):
            items, cursor = self.cases.merged_items(source.id, cursor, PAGE_ITEMS)
            self._copy(source, into, items)
            if cursor is None:
                if self.calls is not None:
                    self.calls.repoint_calls(source.customer_id, source.id, into.id)
                return None
        return cursor

    def run_to_end(self, step: MergeStep) -> None:
        """The queue's run: QUEUE_PAGES pages, then the rest as the next message."""
        cursor = self.run(step, QUEUE_PAGES)
        if cursor is not None and self.enqueue is not None:
            self.enqueue(step.model_copy(update={"cursor": cursor}).model_dump())

    def _copy(self, source: Case, into: Case, items: list[dict[str, Any]]) -> None:
        marks = {"merged_from": source.id, "merged_from_number": source.number}
        copies = []
        for item in items:
            entity = item.get("entity")
            if entity == "history" and item.get("kind") in COPIED_KINDS:
                copies.append({**item, "data": {**(item.get("data") or {}), **marks}})
            elif entity == "attachment":
                if self.files is not None:
                    self.files.copy_between_cases(source.id, into.id, item["id"])
                copies.append(item)
        if copies:
            self.cases.copy_to_survivor(into, copies)


class CaseMerges:
    """The merge and split use cases, on top of the case service (access, versions, the
    store, announcing notices, routing a new case)."""

    def __init__(
        self,
        service: CaseService,
        job: MergeJob,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.job = job
        self.clock = clock

    def merge(self, caller: Caller, case_id: str, command: MergeCase) -> Merged:
        """Merge the case into `command.into`. Refusals (nothing written): 404 for a case the
        caller cannot see; 409 `version_conflict` (either case), `merge_into_itself`,
        `different_customer`, `case_closed`, `case_merged`, `target_closed`."""
        caller.require(Resource.CASES, Action.EDIT)
        service = self.service
        source = service._load_for_write(case_id, command.version, caller)
        found = service.visible(caller, command.into).case
        into = service._load_for_write(found.id, command.into_version or found.version, caller)
        gone, kept = merge(source, into, caller.actor, self.clock())
        store = service.cases
        meaning = version_conflict(into)
        riders = [(op, meaning) for op in store.change_operations(kept)]
        saved = store.apply(gone, also=riders)
        service.announce(gone.notices)
        logger.info("case merged", case_id=source.id, into=into.id)
        cursor = self._copy_now(source.id, into.id)
        return Merged(case=saved, into=kept.case, copying=cursor is not None)

    def _copy_now(self, source_id: str, into_id: str) -> str | None:
        """The request's share of the copy; a failure is left to the queue's run."""
        try:
            return self.job.run(MergeStep(source_id=source_id, into_id=into_id), INLINE_PAGES)
        except Exception:  # noqa: BLE001 - the merge stands; the merges queue copies
            logger.exception("merge copy left to the queue", case_id=source_id)
            return "queued"

    def split(self, caller: Caller, case_id: str, command: SplitCase) -> Split:
        """A customer's message of the case becomes a new case of the same customer (its
        first message), routed like any new case. Refusals: 404 for an unknown message,
        422 `not_a_customer_message`, 409 `version_conflict`, `case_closed`, `case_merged`."""
        caller.require(Resource.CASES, Action.ADD)
        service = self.service
        source = service._load_for_write(case_id, command.version, caller)
        entry = next((e for e in service.cases.get(source.id).history
                      if e.id == command.entry_id), None)  # fmt: skip
        if entry is None:
            raise NotFound("no such message on this case")
        now = self.clock()
        # checked before a number is taken: the same rules SplitOff applies in the write
        change_case(source, change.SplitOff(entry=entry, to_case_id="-", to_number="-"),
                    caller.actor, now)  # fmt: skip
        case = Case(
            id=new_id("c"), customer_id=source.customer_id, type=source.type,
            channel=source.channel, priority=source.priority, category_id=source.category_id,
            product=source.product, order=source.order, subject=source.subject,
            description=entry.body or "-", created_by=caller.actor, created_at=now,
            updated_at=now, due_at=resolution_due(now, source.priority),
        )  # fmt: skip
        origin = SplitOrigin(from_case_id=source.id, from_number=source.number, entry_id=entry.id)
        opening = change_case(case, change.OpenCase(split=origin), caller.actor, now)
        split_off: list[change.CaseChange] = []

        def riders(new: Case) -> list[tuple[dict[str, Any], Exception]]:
            decided = change_case(source, change.SplitOff(entry=entry, to_case_id=new.id,
                                                          to_number=new.number),
                                  caller.actor, now)  # fmt: skip
            split_off.append(decided)
            return [(op, version_conflict(source))
                    for op in service.cases.change_operations(decided)]  # fmt: skip

        opened = service.cases.create(opening, None, riders).case
        service._hand_to_routing(opened)
        logger.info("case split", case_id=source.id, new_case_id=opened.id)
        return Split(case=opened, source=split_off[-1].case)
