"""Logging phone calls on a customer, optionally on a case, and opening a case from a call.

Opening the case and logging the call are two writes: the case first, so a call
that names a case always names one that exists. If the second write fails the
case stands and the agent logs the call again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field, model_validator

from ..domain.caller import Caller
from ..domain.calls import Call, Direction, Outcome
from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.cases import Case
from ..domain.clock import utcnow
from ..domain.errors import InvalidInput
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.phone import to_e164
from .case_commands import CallerDetails, Id, LongText, OpenCase, PageParams, Phone, Strict, Text
from .cases import CaseService
from .ports import CustomerStore, ShopRecords


class CaseFromCall(Strict):
    type: CaseType
    subject: Text
    description: LongText
    category_id: Id | None = None
    priority: Priority = Priority.NORMAL


class LogCall(Strict):
    direction: Direction
    number: Phone | None = Field(default=None, description="the customer's phone if omitted")
    started_at: datetime
    duration_seconds: Annotated[int, Field(ge=0, le=24 * 3600)]
    outcome: Outcome
    notes: LongText | None = None
    case_id: Id | None = Field(default=None, description="a case of this customer")
    open_case: CaseFromCall | None = Field(default=None, description="open a case from the call")

    @model_validator(mode="after")
    def _one_case(self) -> LogCall:
        if self.case_id and self.open_case:
            raise ValueError("give case_id or open_case, not both")
        return self


class LoggedCall(Model):
    call: Call
    case: Case | None = None


class CallPage(Model):
    items: list[Call]
    next_cursor: str | None = None


class CallLog:
    def __init__(
        self,
        records: ShopRecords,
        customers: CustomerStore,
        cases: CaseService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.records = records
        self.customers = customers
        self.cases = cases
        self.clock = clock

    def log(self, caller: Caller, customer_id: str, command: LogCall) -> LoggedCall:
        customer = self.customers.get(customer_id)
        number = to_e164(command.number) if command.number else customer.phone
        if not number:
            raise InvalidInput(
                "the customer has no phone on file: give the number",
                details={"field": "number"},
                code="call_needs_number",
            )
        now = self.clock()
        if command.started_at > now + timedelta(minutes=5):
            raise InvalidInput("a call cannot start in the future")
        case: Case | None = None
        case_id = command.case_id
        if case_id:
            found = self.cases.visible(caller, case_id).case
            if found.customer_id != customer_id:
                raise InvalidInput("that case belongs to another customer")
            case_id = found.id
        elif command.open_case:
            case = self.cases.open_case(
                caller,
                OpenCase(
                    customer=CallerDetails(customer_id=customer_id),
                    channel=Channel.PHONE,
                    **command.open_case.model_dump(),
                ),
            )
            case_id = case.id
        call = Call(
            id=new_id("k"),
            customer_id=customer_id,
            case_id=case_id,
            direction=command.direction,
            number=number,
            started_at=command.started_at,
            duration_seconds=command.duration_seconds,
            outcome=command.outcome,
            notes=command.notes,
            agent=caller.actor,
            recorded_at=now,
        )
        self.records.put_call(call)
        return LoggedCall(call=call, case=case)

    def list(self, customer_id: str, page: PageParams) -> CallPage:
        self.customers.get(customer_id)
        items, next_cursor = self.records.calls(customer_id, page.limit, page.cursor)
        return CallPage(items=items, next_cursor=next_cursor)
