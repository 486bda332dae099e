"""A shop's worth of cases in the local stack's table, in seconds per ten thousand.

The items are the store's own (`case_item`, `entry_item`, `notice_item`,
`customer_items`, serialised by the store's `Table.ser`), built from domain objects as
the services build them, and written straight into the in-process moto backend with
`devstack.fast_dynamodb.import_items` (moto's key and size checks, no HTTP): a direct
batch write, as a bulk import would be (DynamoDB's import from S3: no stream records, so
the stack's stream reader has nothing to catch up on). Nothing here is measured; the bench
measures the API on top of it.

The mix: 70 % of the cases closed over the past year, 5 % resolved within the reopen
window, 10 % open in a group's pool, 10 % in progress with an agent, 5 % waiting on the
customer. Open work was opened within the last half hour under a calendar-hours policy
with targets of hours, so no SLA moment falls due while the bench runs (the sweep's due
cases are added by the bench itself). Every case has two to four history lines and one
delivered notice; one customer (profile, phone, email and customer-number items) for
every five cases.

The report counters of the loaded cases are loaded too (`report_items`), as the projection
(chalicelib/domain/report_projection.py) would have counted their openings, resolutions
and closings in every cell, for the days before today (today's cells are the live
projection's, fed by the cases the bench works through the API): so a report over the
past month reads as many counter items as a shop of that size would have. The time
histograms and SLA outcomes are left out (the loaded cases carry no events to time).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT

from chalicelib.domain.business_hours import BusinessCalendar
from chalicelib.domain.cases import Actor, Case, EntryKind, HistoryEntry, Priority, Visibility
from chalicelib.domain.clock import ISTANBUL, utcnow
from chalicelib.domain.customers import Customer
from chalicelib.domain.ids import case_number, new_id
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import Notice
from chalicelib.domain.report_projection import count_in_cells, report_day
from chalicelib.domain.sla import SlaPolicy, start_sla
from chalicelib.domain.sla_tracking import with_sla
from chalicelib.store import keys
from chalicelib.store.cases import case_item, entry_item, notice_item
from chalicelib.store.customers import customer_items
from chalicelib.store.dynamo import Table
from chalicelib.store.reports import day_pk
from devstack.fast_dynamodb import import_items

GROUPS = {"teslimat": ["ayse", "can"], "urun": ["mehmet", "elif"], "finans": ["burak"]}
#: (status, share of the cases)
MIX = [
    (Status.CLOSED, 70),
    (Status.RESOLVED, 5),
    (Status.OPEN, 10),
    (Status.IN_PROGRESS, 10),
    (Status.WAITING_CUSTOMER, 5),
]
POLICY = SlaPolicy(id="bench-load", name="bench", first_response_minutes=480,
                   resolution_minutes=4320, hours="calendar")  # fmt: skip
SUBJECTS = ["Kargom gelmedi", "Ürün kırık geldi", "Fatura hatalı", "İade talebi", "Şifre sorunu"]
SYSTEM = Actor(kind="system", id="destek", name="destek")


def wire(value: Any) -> dict[str, Any]:
    """A JSON-mode value as DynamoDB JSON, exactly as the store's `Table.ser` sends it
    (boto3's TypeSerializer after the store's float-to-Decimal step), without boto3's
    type probing: most of the loader's time otherwise (tests/unit/test_bench_loader.py)."""
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return {"N": str(DYNAMODB_CONTEXT.create_decimal(number))}
    if isinstance(value, dict):
        return {"M": {k: wire(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"L": [wire(v) for v in value]}
    raise TypeError(f"not a JSON-mode value: {value!r}")


def wire_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as `Table.ser` sends it: top-level None attributes left out."""
    return {k: wire(v) for k, v in item.items() if v is not None}


@dataclass
class Loader:
    """Adds cases to the table; `grow_to(n)` loads what is missing up to n cases."""

    table: Table
    region: str
    seed: int = 13
    loaded: int = 0
    customers: list[str] = field(default_factory=list)
    #: the next case number of each year this loader used
    sequences: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._calendar = BusinessCalendar()
        self._now = utcnow()
        self._today = self._now.astimezone(ISTANBUL).date().isoformat()
        self._statuses = [status for status, share in MIX for _ in range(share)]
        #: report counters of the loaded cases not yet written: (day, slice, cell) -> counts
        self._counts: dict[tuple[str, str, str], dict[str, int]] = {}
        #: every counter item written so far, cumulative (a later load adds to its days)
        self._written: dict[tuple[str, str, str], dict[str, int]] = {}

    def grow_to(self, cases: int) -> int:
        """Load cases until the table holds `cases` of them; the number of items written."""
        written = 0
        with settled():
            while self.loaded < cases:
                if self.loaded % 5 == 0:
                    written += self._write(self._customer())
                written += self._write(self._case())
                self.loaded += 1
            written += self._write([self._counter(year) for year in self.sequences])
            written += self._write(self.report_items())
        return written

    def report_items(self) -> list[dict[str, Any]]:
        """The counter items the loads since the last call changed, with their whole counts
        (the projection's key layout, store/reports.py, version 1)."""
        items = []
        for key, counts in self._counts.items():
            total = self._written.setdefault(key, {})
            for name, amount in counts.items():
                total[name] = total.get(name, 0) + amount
            day, slice_, cell = key
            items.append({"PK": day_pk(1, slice_, day), "SK": f"{day}#{cell}", "day": day,
                          "cell": cell, **total})  # fmt: skip
        self._counts = {}
        return items

    def _count(self, case: Case, at: datetime, counters: dict[str, int]) -> None:
        day = report_day(at.isoformat())
        if day >= self._today:  # today's cells are the live projection's
            return
        values = {"group": case.group_id, "agent": case.assignee, "category": None,
                  "type": str(case.type), "channel": str(case.channel),
                  "priority": str(case.priority),
                  "product_group": None, "product": None, "customer_category": "normal",
                  "topic": None}  # fmt: skip
        count_in_cells(self._counts, day, values, counters)

    def _write(self, items: list[dict[str, Any]]) -> int:
        from moto.core import DEFAULT_ACCOUNT_ID

        wired = [wire_item(item) for item in items]
        # as an import from S3 loads a table: history, no stream records. With them, the
        # stack's stream reader (about 500 records a second here) would still be reading
        # the load's 600,000 records while the bench measures, and a snapshot would keep them
        return import_items(self.table.name, wired, DEFAULT_ACCOUNT_ID, self.region,
                            stream_records=False)  # fmt: skip

    def _counter(self, year: int) -> dict[str, Any]:
        """The year's case counter, past every number loaded, so the API numbers on."""
        current = self.table.get(keys.counter_key(year))
        seq = max(self.sequences[year], int((current or {}).get("seq", 0)))
        return {**keys.counter_key(year), "seq": seq}

    def _customer(self) -> list[dict[str, Any]]:
        index = len(self.customers)
        customer = Customer(
            id=new_id("k"),
            customer_number=f"{50_000_000 + index}",
            name=f"Müşteri {index}",
            email=f"musteri{index}@bench.example",
            phone=f"+90555{index:07d}",
            created_at=self._now - timedelta(days=400),
        )
        self.customers.append(customer.id)
        return customer_items(customer)

    def open_cases(self, count: int, group: str) -> list[str]:
        """Load `count` unassigned cases into a group's pool (version 1); their ids."""
        ids = []
        for _ in range(count):
            items = self._case(Status.OPEN, group)
            self._write(items)
            ids.append(items[0]["id"])
            self.loaded += 1
        self._write([self._counter(year) for year in self.sequences])
        return ids

    def due_cases(self, count: int, policy: SlaPolicy, hours_ago: float) -> list[str]:
        """Load `count` open cases opened `hours_ago` under `policy`: due for the SLA sweep."""
        ids = []
        opened = utcnow() - timedelta(hours=hours_ago)
        for _ in range(count):
            items = self._case(Status.OPEN, "urun", opened=opened, policy=policy)
            self._write(items)
            ids.append(items[0]["id"])
            self.loaded += 1
        self._write([self._counter(year) for year in self.sequences])
        return ids

    def _case(
        self,
        status: Status | None = None,
        group: str | None = None,
        opened: datetime | None = None,
        policy: SlaPolicy = POLICY,
    ) -> list[dict[str, Any]]:
        rnd = self._random
        if not self.customers:
            self._write(self._customer())
        status = status or rnd.choice(self._statuses)
        group = group or rnd.choice(list(GROUPS))
        if opened is not None:
            pass
        elif status == Status.CLOSED:
            opened = self._now - timedelta(days=rnd.uniform(8, 365))
        elif status == Status.RESOLVED:
            opened = self._now - timedelta(days=rnd.uniform(1, 3))
        else:
            opened = self._now - timedelta(minutes=rnd.uniform(1, 30))
        year = opened.astimezone(ISTANBUL).year
        self.sequences[year] = self.sequences.get(year, 0) + 1
        case = Case(
            id=new_id("c"),
            number=case_number(year, self.sequences[year]),
            type=rnd.choice(["complaint", "request", "question", "suggestion"]),
            channel=rnd.choice(["web", "phone", "email"]),
            status=Status.OPEN,
            priority=rnd.choice([Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.HIGH]),
            subject=rnd.choice(SUBJECTS),
            description="Yükleme verisi: " + rnd.choice(SUBJECTS).lower(),
            customer_id=self.customers[-1] if rnd.random() < 0.5 else rnd.choice(self.customers),
            group_id=group,
            created_by=SYSTEM,
            created_at=opened,
            updated_at=opened,
        )
        case = with_sla(case, start_sla(policy, self._calendar, opened))
        entries = [self._entry(case, EntryKind.CREATED, opened)]
        entries.append(self._entry(case, EntryKind.ROUTED, opened + timedelta(seconds=2)))
        if status != Status.OPEN:
            agent = rnd.choice(GROUPS[group])
            later = opened + timedelta(minutes=rnd.uniform(0, 1) if status in _ACTIVE else 30)
            case = case.model_copy(update={"assignee": agent, "status": status,
                                           "updated_at": later})  # fmt: skip
            entries.append(self._entry(case, EntryKind.ASSIGNED, later))
            if status in (Status.RESOLVED, Status.CLOSED):
                done = later + timedelta(hours=rnd.uniform(1, 48))
                done = min(done, self._now - timedelta(minutes=1))
                case = case.model_copy(update={
                    "resolved_at": done, "updated_at": done,
                    "closed_at": done + timedelta(days=7) if status == Status.CLOSED else None,
                })  # fmt: skip
                entries.append(self._entry(case, EntryKind.STATUS_CHANGED, done))
        self._count(
            case.model_copy(update={"assignee": None}),
            opened,
            {"opened": 1, **({"complaints": 1} if case.type == "complaint" else {})},
        )
        if case.resolved_at:
            self._count(case, case.resolved_at, {"resolved": 1})
        if case.closed_at:
            self._count(case, case.closed_at, {"closed": 1})
        notice = Notice(
            id=new_id("n"), case_id=case.id, event="case_received", audience="customer",
            created_at=opened, deliver_after=opened, status="sent", attempts=1,
        )  # fmt: skip
        return [
            case_item(case),
            *(entry_item(case, e) for e in entries),
            notice_item(case.number, notice),
        ]

    @staticmethod
    def _entry(case: Case, kind: EntryKind, at: datetime) -> HistoryEntry:
        return HistoryEntry(
            id=new_id("h"), case_id=case.id, at=at, actor=SYSTEM, kind=kind,
            visibility=Visibility.INTERNAL,
        )  # fmt: skip


_ACTIVE = (Status.IN_PROGRESS, Status.WAITING_CUSTOMER)


@contextmanager
def settled() -> Iterator[None]:
    """Load without the garbage collector, then freeze what was loaded.

    The loaded items are millions of long-lived objects: each full collection walks all
    of them (seconds at 100,000 cases), so collections during a load make it slower and
    slower, and one landing in a measured request would be timed as that request.
    Frozen objects are never walked again; the load makes no reference cycles to free.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
