"""A scripted half-month of cases, and the reports' rebuild over the open data store's archive.

Fifteen Istanbul days, 62 to 48 days back (older than the event log: a rebuild reads them
from the archive), each with a case or two made and worked through the API with the services'
clocks set to that day (`travel`): their events go the real way (the table's stream, the
events bus, the `reports` queue and its handler; the archive rule's queue and the local
archiver's Parquet). The script (`plan`) decides each day's channel, type, category,
product, whether a case is left open overnight, reopened, or left past its 30-minute
first-response target; `expected` counts from the script alone, in plain Python, what
every report should say; the test compares it with every standard report, the CSV and the
XLSX downloads, and the same questions in SQL over the archive. No number depends on the
wall clock's day: the days are fixed when the test starts, far from today.

Then the days' event items are removed as their TTL would (older than 30 days), and the
reports are rebuilt from the archive: the same numbers; then the last six days again, a
step at a time: a step delivered twice does nothing, a rebuild stopped midway resumes, and
the same numbers.
"""

from __future__ import annotations

import csv
import io
import math
import uuid
from datetime import date, datetime, time, timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL, utcnow
from devstack.lambda_runtime import LocalContext, scheduled_event
from tests.support import unique_phone

from .conftest import aws, empty_queue
from .test_reports import flow, fresh, row  # noqa: F401 (flow: a fixture)

#: half a month: every pattern of the script (`plan`) comes round at least twice in it (a
#: whole month took four minutes of a loaded machine and checked nothing more)
DAYS = 15
CHANNELS = ("phone", "email", "web", "chat")
TYPES = ("complaint", "question", "request")
CATEGORIES = ("k-ariza", "k-teslimat")


def plan(k: int) -> dict:
    """Day k's script. Case A (normal priority): channel, type and category by k; about
    our product on days 0 and 3 mod 6 (the unit in warranty, then the one out of it); left
    open overnight on days 4 mod 5 (resolved at 09:00 the next day); reopened, answered
    again and resolved again on days 3 mod 7. Case B (urgent, a complaint by web, opened
    a minute after A), on days 0 mod 3 only: left past its 30-minute first-response target
    (the SLA sweep at 10:45). (B was made every day, answered in time on the other days: the
    first response met is A's every day, and the other days' B added events, not checks.)
    On days 1 mod 4 an agent moves A to the other category by hand once claimed
    (`destek.case.fields_changed`): its opening stays under the first, its resolutions are
    the other's."""
    unit = {0: 0, 3: 1}.get(k % 6)
    return {
        "channel": CHANNELS[k % 4], "type": "complaint" if unit is not None else TYPES[k % 3],
        "category": CATEGORIES[k % 2], "unit": unit, "overnight": k % 5 == 4,
        "reopen": k % 7 == 3 and k % 5 != 4, "breach": k % 3 == 0, "edit": k % 4 == 1,
    }  # fmt: skip


def resolved_under(k: int) -> str:
    """The category case A of day k is resolved under: the other one after a hand edit."""
    p = plan(k)
    return CATEGORIES[(k + 1) % 2] if p["edit"] else p["category"]


def expected(days: list[date]) -> dict[str, dict]:
    """Per Istanbul day, what every report should count, from the script alone."""
    out: dict[str, dict] = {}
    for k, day in enumerate(days):
        p = plan(k)
        morning = k > 0 and plan(k - 1)["overnight"]  # yesterday's case A resolved at 09:00
        a_resolutions = 0 if p["overnight"] else 1 + p["reopen"]
        b = int(p["breach"])  # case B, made on breach days only
        out[day.isoformat()] = {
            "opened": 1 + b, "complaints": (p["type"] == "complaint") + b,
            "reopened": int(p["reopen"]), "replies": 1 + p["reopen"] + b,
            # A and B each answered once; the morning's case A was too
            "resolved": morning + a_resolutions + b,
            "fcr": morning + int(not p["overnight"] and not p["reopen"]) + b,
            "sla_first_response_met": 1, "sla_first_response_breached": b,
            # every resolution within target (a reopened case is measured again)
            "sla_resolution_met": morning + a_resolutions + b, "sla_resolution_breached": 0,
            "backlog": int(p["overnight"]),
        }  # fmt: skip
    return out


def totals(per_day: dict[str, dict], start: str, end: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for day, counts in per_day.items():
        if start <= day <= end:
            for key, value in counts.items():
                if key != "backlog":
                    out[key] = out.get(key, 0) + value
    return out


@pytest.fixture
def travel(monkeypatch):
    """`travel(moment)`: the case, routing and SLA sweep services' clocks read `moment`
    (an aware datetime) until the next call; back to the wall clock after the test."""
    services = (wiring.case_service(), wiring.routing_service(), wiring.sla_sweep())
    for service in services:
        monkeypatch.setattr(service, "clock", service.clock)

    def to(moment: datetime) -> None:
        for service in services:
            service.clock = lambda: moment

    return to


@pytest.fixture(scope="module")
def month_days() -> list[date]:
    """The script's Istanbul days, from 62 days back, fixed once."""
    first = utcnow().astimezone(ISTANBUL).date() - timedelta(days=62)
    return [first + timedelta(days=k) for k in range(DAYS)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ISTANBUL)


@pytest.fixture
def month(as_role, flow, drain_routing, travel, aws_env, chalice_app, month_days):  # noqa: F811
    """Runs the script through the API; what it made: the group, the product, the cases
    (A, and B on breach days), the archiver (for later events)."""
    from devstack.event_archive import ArchiveWriter, QueueArchiver

    admin, work = as_role("admin"), as_role("supervisor")  # selin works every case
    group = f"ay{uuid.uuid4().hex[:8]}"
    assert admin.put(f"/groups/{group}", {"name": "Aylık", "members": ["mehmet"],
                                          "supervisors": ["selin"]}).status == 200  # fmt: skip
    product = admin.post("/products", {"brand": "Ay", "model": f"A{uuid.uuid4().hex[:6]}",
                                       "name": "Ay Telefonu", "category_id": "telefon",
                                       "warranty_months": 24})  # fmt: skip
    assert product.status == 201, product
    units = []  # (customer id, registration id): in warranty on every scripted day, then not
    for purchased in ((month_days[0] - timedelta(days=40)).isoformat(), "2020-01-15"):
        customer = work.post("/customers", {"name": "Ay Müşterisi", "phone": unique_phone()})
        assert customer.status == 201, customer
        registered = work.post(f"/customers/{customer.body['id']}/products", {
            "product_id": product.body["id"], "serial_number": f"SN-AY-{uuid.uuid4().hex[:10]}",
            "purchase_date": purchased})  # fmt: skip
        assert registered.status == 201, registered
        units.append((customer.body["id"], registered.body["id"]))
    writer = ArchiveWriter(aws(aws_env, "s3"), aws_env["ARCHIVE_BUCKET"])
    archiver = QueueArchiver(aws(aws_env, "sqs"), aws_env["ARCHIVE_QUEUE_URL"], writer)
    archiver.drain()  # what earlier tests left on the archive queue
    sqs = aws(aws_env, "sqs")

    def open_case(p: dict, urgent: bool) -> str:
        if urgent:
            body = {"customer": {"name": "Ay Müşterisi", "phone": unique_phone()},
                    "type": "complaint", "channel": "web", "priority": "urgent"}  # fmt: skip
        else:
            customer = ({"customer_id": units[p["unit"]][0]} if p["unit"] is not None
                        else {"name": "Ay Müşterisi", "phone": unique_phone()})  # fmt: skip
            body = {"customer": customer, "type": p["type"], "channel": p["channel"],
                    "priority": "normal", "category_id": p["category"]}  # fmt: skip
            if p["unit"] is not None:
                body["registration_id"] = units[p["unit"]][1]
        answer = work.post("/cases", {**body, "group_id": group, "subject": "Aylık senaryo",
                                      "description": "Aylık rapor senaryosu"})  # fmt: skip
        assert answer.status == 201, answer
        return answer.body["id"]

    # each case's version from the answer to the last change the test made, so that a change
    # needs no GET first; forgotten after the routing and the SLA sweep (they change cases
    # the test does not see): a version wrong here would be a 409, not a wrong number
    known: dict[str, int] = {}

    def act(case_id: str, path: str, **body) -> None:
        version = known.get(case_id)
        if version is None:
            version = fresh(work, case_id)["case"]["version"]
        answer = work.post(f"/cases/{case_id}/{path}", {"version": version, **body})
        assert answer.status in (200, 201), (path, answer)
        known[case_id] = answer.body["version"]

    def status(case_id: str, to: str) -> None:
        act(case_id, "status", status=to)

    cases: list[tuple[str, str]] = []
    left_open: str | None = None
    for k, day in enumerate(month_days):
        p = plan(k)
        if left_open:  # yesterday's case A, resolved first thing
            travel(at(day, 9))
            status(left_open, "resolved")
            left_open = None
        travel(at(day, 10))
        a = open_case(p, urgent=False)
        b = None
        if p["breach"]:
            travel(at(day, 10, 1))
            b = open_case(p, urgent=True)
        drain_routing()
        known.clear()
        travel(at(day, 10, 5))
        act(a, "claim")
        if p["edit"]:
            moved = {"version": known[a], "category_id": CATEGORIES[(k + 1) % 2]}
            edited = work.patch(f"/cases/{a}", moved)
            assert edited.status == 200, edited
            known[a] = edited.body["version"]
        travel(at(day, 10, 10))
        act(a, "replies", body="Bakıyoruz.")
        if p["overnight"]:
            left_open = a
        else:
            travel(at(day, 10, 20))
            status(a, "resolved")
        if p["reopen"]:
            travel(at(day, 10, 30))
            status(a, "reopened")
            status(a, "in_progress")
            act(a, "replies", body="Yeniden bakıyoruz.")
            travel(at(day, 10, 40))
            status(a, "resolved")
        cases.append((day.isoformat(), a))
        if b:  # B's first response was due at 10:31
            travel(at(day, 10, 45))
            chalice_app.sweep_sla(scheduled_event("sweep", "eu-central-1"), LocalContext("s"))
            known.clear()
            travel(at(day, 10, 50))
            act(b, "claim")
            act(b, "replies", body="Hemen bakıyoruz.")
            travel(at(day, 11, 5))
            status(b, "resolved")
            cases.append((day.isoformat(), b))
        if k % 5 == 4:  # moto's receive reads its whole queue: queues kept short are cheap
            flow()
            archiver.drain()
            empty_queue(sqs, aws_env["WEBHOOKS_QUEUE_URL"])  # the webhooks rule's copies: unused
    if left_open:  # the last day's overnight case: resolved after the month
        travel(at(month_days[-1] + timedelta(days=1), 9))
        status(left_open, "resolved")
    flow()
    archiver.drain()
    return {"group": group, "product": product.body["id"], "cases": cases,
            "archiver": archiver}  # fmt: skip


def ask(api, name: str, start: str, end: str, by: str) -> dict:
    answer = api.get(f"/reports/{name}?from={start}&to={end}&by={by}")
    assert answer.status == 200, answer
    return answer.body


def compare_reports(api, month: dict, month_days: list[date], first: int = 0) -> None:
    """Every standard report over the month's days from day `first` on against the
    script's counts."""
    group, per_day = month["group"], expected(month_days)
    days, ks = month_days[first:], range(first, len(month_days))
    start, end = days[0].isoformat(), days[-1].isoformat()
    everything = totals(per_day, start, end)
    volume = ask(api, "volume", start, end, "group,day")
    for day, counts in per_day.items():
        if start <= day <= end:
            mine = row(volume, group=group, day=day)
            for key in ("opened", "complaints", "resolved", "reopened", "replies", "fcr"):
                assert mine[key] == counts[key], (day, key)
    # first responses, calendar minutes from the script: A at 10:10 (opened 10:00), B at
    # 10:50 (opened 10:01). The report reads its median and 90th
    # percentile from a histogram (buckets [5, 15) and [30, 60) minutes hold these), so each
    # must fall inside the bucket that holds the true value
    responses = sorted([10.0 for _ in ks] + [49.0 for k in ks if plan(k)["breach"]])
    true_median = responses[(len(responses) - 1) // 2]
    true_p90 = responses[math.ceil(0.9 * len(responses)) - 1]
    whole = row(ask(api, "volume", start, end, "group"), group=group)
    for value, truth in ((whole["first_response_median"], true_median),
                         (whole["first_response_p90"], true_p90)):  # fmt: skip
        low, high = (5, 15) if truth < 15 else (30, 60)
        assert low <= value < high, (value, truth)
    # by category: openings under the category a case was opened in, resolutions under
    # the one it had then (a hand edit moved it between them)
    by_category = ask(api, "volume", start, end, "group,category")
    for category in CATEGORIES:
        resolved = sum((0 if plan(k)["overnight"] else 1 + plan(k)["reopen"])
                       for k in ks if resolved_under(k) == category)  # fmt: skip
        resolved += sum(1 for k in ks if k > 0 and plan(k - 1)["overnight"]
                        and resolved_under(k - 1) == category)  # fmt: skip
        opened = sum(1 for k in ks if plan(k)["category"] == category)
        mine = row(by_category, group=group, category=category)
        assert (mine["opened"], mine["resolved"]) == (opened, resolved), category
    by_channel = ask(api, "volume", start, end, "group,channel")
    for channel in CHANNELS:
        count = sum(1 for k in ks if plan(k)["channel"] == channel)
        count += sum(1 for k in ks if plan(k)["breach"]) if channel == "web" else 0  # B
        assert row(by_channel, group=group, channel=channel)["opened"] == count, channel
    sla = row(ask(api, "sla", start, end, "group"), group=group)
    for key in ("sla_first_response_met", "sla_first_response_breached", "sla_resolution_met",
                "sla_resolution_breached"):  # fmt: skip
        assert sla[key] == everything[key], key
    met, breached = everything["sla_first_response_met"], everything["sla_first_response_breached"]
    assert sla["sla_first_response_share"] == pytest.approx(met / (met + breached))
    agents = row(ask(api, "agents", start, end, "group,agent"), group=group, agent="selin")
    assert (agents["resolved"], agents["replies"], agents["reopened"]) == (
        everything["resolved"], everything["replies"], everything["reopened"])  # fmt: skip
    assert agents["reopen_rate"] == pytest.approx(everything["reopened"] / everything["resolved"])
    backlog = ask(api, "backlog", start, end, "group,day")
    for day in days:
        assert row(backlog, group=group, day=day.isoformat())["backlog"] == per_day[
            day.isoformat()]["backlog"], day  # fmt: skip
    topics = ask(api, "topics", start, end, "category")
    for category in CATEGORIES:  # the month's days are the test's own: no other case is there

        def complaints(within: range, category: str = category) -> int:
            return sum(1 for k in within if plan(k)["category"] == category
                       and plan(k)["type"] == "complaint")  # fmt: skip

        mine = row(topics, category=category)
        previous = complaints(range(max(0, first - len(days)), first))  # the same length before
        assert (mine["complaints"], mine["previous_complaints"]) == (
            complaints(ks), previous), category  # fmt: skip
    products = row(ask(api, "products", start, end, "product"), product=month["product"])
    in_warranty = sum(1 for k in ks if plan(k)["unit"] == 0)
    out_warranty = sum(1 for k in ks if plan(k)["unit"] == 1)
    assert (products["complaints"], products["units"]) == (in_warranty + out_warranty, 2)
    assert (products["complaints_in_warranty"], products["complaints_out_warranty"]) == (
        in_warranty, out_warranty)  # fmt: skip
    assert products["complaints_per_1000_units"] == pytest.approx(
        1000 * (in_warranty + out_warranty) / 2)  # fmt: skip


def _expire_event_items(aws_env, case_ids: list[str]) -> int:
    """Remove the cases' event items older than 30 days, as the table's TTL does (moto
    keeps them): the month's events are then only in the archive."""
    from chalicelib.store.cases import DynamoCaseStore

    dynamodb = aws(aws_env, "dynamodb")
    now = utcnow().timestamp()
    removed = 0
    for case_id in case_ids:
        for item in DynamoCaseStore(wiring.table()).events(case_id):
            if int(item["expires_at"]) < now:
                dynamodb.delete_item(
                    TableName=aws_env["TABLE_NAME"],
                    Key={"PK": {"S": item["PK"]}, "SK": {"S": item["SK"]}},
                )
                removed += 1
    return removed


def test_a_scripted_month_in_every_report_its_downloads_sql_and_a_rebuild_over_the_archive(
    as_role,
    month,
    month_days,
    client,
    tokens,
    flow,  # noqa: F811 (test_reports' fixture)
    aws_env,
    monkeypatch,
):
    """The month asked every way, then rebuilt from the archive alone (the month, then its
    last days a step at a time): the same numbers each time."""
    asked_every_way(as_role, month, month_days, client, tokens)
    rebuilt_from_the_archive(as_role, month, month_days, flow, aws_env, monkeypatch)


def asked_every_way(as_role, month, month_days, client, tokens) -> None:
    from tests.xlsx_reader import read_xlsx

    work = as_role("supervisor")
    per_day = expected(month_days)
    compare_reports(work, month, month_days)

    # the downloads: the volume by group and day, each of the month's days a row
    start, end = month_days[0].isoformat(), month_days[-1].isoformat()
    table = ask(work, "volume", start, end, "group,day")
    path = f"/reports/volume/export?from={start}&to={end}&by=group,day&lang=en"
    headers = {"authorization": f"Bearer {tokens['supervisor']}"}
    answer = client.http.get(path + "&format=csv", headers=headers)
    assert answer.status_code == 200, answer.body
    lines = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = client.http.get(path + "&format=xlsx", headers={**headers, "accept": xlsx})
    assert answer.status_code == 200, answer.body
    book = read_xlsx(answer.body)
    words = {"opened": "Opened", "complaints": "Complaints", "resolved": "Resolved",
             "replies": "Agent replies"}  # fmt: skip
    for day in month_days:
        at_row = 1 + table["rows"].index(row(table, group=month["group"], day=day.isoformat()))
        for key, word in words.items():
            want = per_day[day.isoformat()][key]
            assert int(lines[at_row][lines[0].index(word)]) == want, (day, key)
            assert book.rows[at_row][book.rows[0].index(word)] == want, (day, key)

    # the same questions in SQL over the archive: per day, by the events of the month's cases
    ids = ", ".join(f"'{case_id}'" for _, case_id in month["cases"])
    sql = ("SELECT day, count(*) FILTER (WHERE type = 'destek.case.opened'),"
           " count(*) FILTER (WHERE type = 'destek.case.resolved'),"
           " count(*) FILTER (WHERE type = 'destek.case.reopened'),"
           " count(*) FILTER (WHERE type = 'destek.case.agent_replied'),"
           " count(*) FILTER (WHERE type = 'destek.case.sla_breached'"
           "   AND target = 'first_response')"
           f" FROM events WHERE case_id IN ({ids}) AND day >= '{start}' AND day <= '{end}'"
           " GROUP BY day ORDER BY day")  # fmt: skip
    asked = work.post("/analytics/sql", {"sql": sql})
    assert asked.status == 200, asked
    want = [[day, c["opened"], c["resolved"], c["reopened"], c["replies"],
             c["sla_first_response_breached"]] for day, c in sorted(per_day.items())]  # fmt: skip
    assert asked.body["rows"] == want  # 09:00 to 11:05 Istanbul is the same UTC day


def rebuilt_from_the_archive(as_role, month, month_days, run_flow, aws_env, monkeypatch) -> None:
    work, admin = as_role("supervisor"), as_role("admin")
    assert _expire_event_items(aws_env, [c for _, c in month["cases"]]) > 0
    # the archive's first day is the month's first (UTC): a rebuild starts the day after
    days = month_days[1:]
    start = days[0].isoformat()
    too_early = admin.post("/reports/rebuild", {"from": month_days[0].isoformat()})
    if too_early.status == 422:  # unless an older archive is there (another test's)
        assert too_early.body["error"]["code"] == "rebuild_out_of_range"
        assert too_early.body["error"]["details"]["oldest"] <= start

    started = admin.post("/reports/rebuild", {"from": start})
    assert started.status == 202, started
    assert started.body["archive_day"] is not None
    run_flow()
    done = admin.get("/reports/rebuild/status").body
    assert done["done"] and done["live"] == started.body["version"], done
    compare_reports(work, month, month_days, first=1)

    # the last six days again (older than the log: the archive, then the log; both topics
    # have complaints in them), a step at a time: a step delivered twice does nothing;
    # stopped, it resumes. (From the month's second day, this was a second full pass over
    # the archive for the same checks; the backlog reads the live version alone, so the
    # days before it are not asked again)
    last = len(month_days) - 6
    rebuild = wiring.report_rebuild()
    sent: list[dict] = []
    monkeypatch.setattr(rebuild, "send_step", sent.append)
    status_ = rebuild.start(month_days[last])
    assert status_.archive_day is not None
    assert sent == [{"kind": "rebuild", "version": status_.version, "page": 0}]
    assert rebuild.step(sent[0]) is True
    assert rebuild.step(sent[0]) is False  # the same step again: nothing
    assert rebuild.status().pages == 1
    assert rebuild.step(sent[-1]) is True
    rebuild.start(None)  # "stopped": asked again, it sends its next step, whatever `from`
    assert sent[-1] == sent[-2] and sent[-1]["page"] == 2
    while rebuild.step(sent[-1]):
        pass
    assert rebuild.status().done and rebuild.status().live == status_.version
    assert status_.version == started.body["version"] + 1
    compare_reports(work, month, month_days, first=last)


def test_a_case_worked_on_a_day_before_the_live_versions_first_day_is_counted_on_it(
    as_role,
    flow,  # noqa: F811 (test_reports' fixture)
    drain_routing,
    travel,
):
    """After a rebuild from today, a day weeks back reads an older version: a case worked
    that day (the services' clocks set back) counts there, as the scripted month's do."""
    from .test_reports import today

    work, admin = as_role("supervisor"), as_role("admin")
    started = admin.post("/reports/rebuild", {"from": today()})
    assert started.status == 202, started
    flow()
    assert admin.get("/reports/rebuild/status").body["done"]
    group = f"ay{uuid.uuid4().hex[:8]}"
    assert admin.put(f"/groups/{group}", {"name": "Geçmiş", "members": ["mehmet"],
                                          "supervisors": ["selin"]}).status == 200  # fmt: skip
    day = utcnow().astimezone(ISTANBUL).date() - timedelta(days=40)
    travel(at(day, 10))
    body = {"customer": {"name": "Geçmiş", "phone": unique_phone()}, "type": "complaint",
            "channel": "phone", "group_id": group, "subject": "Geçmiş gün",
            "description": "Geçmiş gün"}  # fmt: skip
    opened = work.post("/cases", body)
    assert opened.status == 201, opened
    drain_routing()
    flow()
    volume = ask(work, "volume", day.isoformat(), day.isoformat(), "group")
    assert row(volume, group=group)["opened"] == 1
