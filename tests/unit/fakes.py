"""In-memory implementations of the service ports: real behaviour, no AWS, no mocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.access import DirectoryState, SignIn
from chalicelib.domain.case_change import numbered
from chalicelib.domain.case_record import CaseWithHistory
from chalicelib.domain.cases import PRIORITY_RANK, Case, HistoryEntry
from chalicelib.domain.catalog import Product, ProductCategory, Subtree, rebase
from chalicelib.domain.categories import Category
from chalicelib.domain.customers import Customer
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.ids import case_number
from chalicelib.domain.lifecycle import DONE, Status
from chalicelib.domain.listing import CaseListQuery, Page
from chalicelib.domain.permissions import Role


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeDirectory:
    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.staff: dict[str, StaffMember] = {}
        self.categories: dict[str, Category] = {}
        self.roles: dict[str, Role] = {}
        self.rules: dict[str, object] = {}
        self.policies: dict[str, object] = {}
        self.ladders: dict[str, object] = {}
        self.calendars: dict[str, object] = {}
        self.revoked: dict[str, float] = {}
        self.directory_reads = 0

    def get_group(self, group_id):
        return self.groups.get(group_id)

    def list_groups(self):
        return list(self.groups.values())

    def put_group(self, group):
        self.groups[group.id] = group
        return group

    def put_groups(self, writes):
        for group, expected in writes:
            current = self.groups.get(group.id)
            if (current.version if current else None) != expected:
                raise Conflict("the groups changed")
        for group, _expected in writes:
            self.groups[group.id] = group

    def note_assignment(self, group_id, username):
        group = self.groups[group_id]
        self.groups[group_id] = group.model_copy(update={"last_assigned": username})

    def get_staff(self, username):
        return self.staff.get(username)

    def list_staff(self):
        return list(self.staff.values())

    def put_staff(self, member, revoked_before=None):
        self.staff[member.username] = member
        if revoked_before is not None:
            self.revoked[member.username] = revoked_before
        return member

    def remove_staff(self, username, groups, revoked_before):
        if username not in self.staff:
            raise NotFound(f"no staff member {username!r}")
        self.put_groups(groups)
        del self.staff[username]
        self.revoked[username] = revoked_before

    def read_directory(self):
        self.directory_reads += 1
        return DirectoryState(
            staff=dict(self.staff), revoked_before=dict(self.revoked),
            roles=dict(self.roles), groups=dict(self.groups),
        )  # fmt: skip

    def get_category(self, category_id):
        return self.categories.get(category_id)

    def list_categories(self):
        return list(self.categories.values())

    def put_category(self, category):
        self.categories[category.id] = category
        return category

    def replace_categories(self, writes):
        if any(self.categories[c.id].path != expected for c, expected in writes):
            raise Conflict("the category tree changed", code="version_conflict")
        for category, _ in writes:
            self.categories[category.id] = category

    def list_roles(self):
        return list(self.roles.values())

    def put_role(self, role):
        self.roles[role.name] = role
        return role

    def list_rules(self):
        return list(self.rules.values())

    def put_rule(self, rule):
        self.rules[rule.id] = rule
        return rule

    def delete_rule(self, rule_id):
        if self.rules.pop(rule_id, None) is None:
            raise NotFound(f"no routing rule {rule_id!r}")

    def list_sla_policies(self):
        return list(self.policies.values())

    def put_sla_policy(self, policy):
        self.policies[policy.id] = policy
        return policy

    def delete_sla_policy(self, policy_id):
        if self.policies.pop(policy_id, None) is None:
            raise NotFound(policy_id)

    def list_ladders(self):
        return list(self.ladders.values())

    def put_ladder(self, ladder):
        self.ladders[ladder.id] = ladder
        return ladder

    def delete_ladder(self, ladder_id):
        if self.ladders.pop(ladder_id, None) is None:
            raise NotFound(ladder_id)

    def get_calendar(self, calendar_id):
        return self.calendars.get(calendar_id)

    def list_calendars(self):
        return list(self.calendars.values())

    def put_calendar(self, calendar):
        self.calendars[calendar.id] = calendar
        return calendar


class FakeCustomers:
    def __init__(self) -> None:
        self.by_id: dict[str, Customer] = {}
        self.closed: dict[str, tuple[str, float]] = {}
        self.sign_in_reads = 0

    def sign_in(self, sub):
        self.sign_in_reads += 1
        if sub in self.closed:
            customer_id, at = self.closed[sub]
            return SignIn(sub=sub, customer_id=customer_id, closed_at=at)
        found = self.find("login", sub)
        return SignIn(sub=sub, customer_id=found.id) if found else None

    def delete(self, customer, closed_at):
        if self.get(customer.id).version != customer.version:
            raise Conflict("the customer changed", code="version_conflict")
        del self.by_id[customer.id]
        if customer.login:
            self.closed[customer.login] = (customer.id, closed_at)

    def get(self, customer_id):
        if customer_id not in self.by_id:
            raise NotFound(f"no customer {customer_id!r}")
        return self.by_id[customer_id]

    def find(self, kind, value):
        return next((c for c in self.by_id.values() if getattr(c, kind) == value), None)

    def save(self, customer, expected_version):
        if self.get(customer.id).version != expected_version:
            raise Conflict("the customer changed")
        self.by_id[customer.id] = customer
        return customer

    def save_with_contacts(self, customer, before):
        for kind in ("phone", "email"):
            value = getattr(customer, kind)
            holder = self.find(kind, value) if value else None
            if holder and holder.id != customer.id:
                raise Conflict("taken", code="customer_exists")
        return self.save(customer, before.version)

    def link_login(self, customer, expected_version):
        current = self.get(customer.id)
        taken = self.find("login", customer.login)
        if current.version != expected_version or current.login or taken:
            raise Conflict("already linked", code="already_linked")
        self.by_id[customer.id] = customer
        return customer

    def create(self, customer):
        for kind in ("customer_number", "phone", "email", "login"):
            value = getattr(customer, kind)
            if value and self.find(kind, value):
                raise Conflict(
                    "a customer with this phone, email or number already exists",
                    code="customer_exists",
                )
        self.by_id[customer.id] = customer
        return customer


class FakeCases:
    def __init__(self, customers: FakeCustomers, directory: FakeDirectory) -> None:
        self.customers = customers
        self.directory = directory
        self.cases: dict[str, Case] = {}
        self.history: dict[str, list[HistoryEntry]] = {}
        self.notices: dict[str, list] = {}
        #: case id -> the case events written with its changes, in order
        self.events: dict[str, list] = {}
        self.sequence = 0

    def create(self, change, new_customer=None, also=None):
        case = change.case
        if new_customer is not None:
            self.customers.create(new_customer)
        elif case.customer_id not in self.customers.by_id:
            raise InvalidInput(f"no customer {case.customer_id!r}")
        if case.category_id and case.category_id not in self.directory.categories:
            raise InvalidInput(f"no category {case.category_id!r}")
        if case.requested_group_id and case.requested_group_id not in self.directory.groups:
            raise InvalidInput(f"no group {case.requested_group_id!r}")
        self.sequence += 1
        opened = numbered(change, case_number(2026, self.sequence))
        self.cases[case.id] = opened.case
        self.history[case.id] = list(opened.entries)
        self.notices[case.id] = list(opened.notices)
        self.events[case.id] = list(opened.events)
        return opened

    def get(self, case_id):
        if case_id not in self.cases:
            raise NotFound("no such case")
        return CaseWithHistory(
            case=self.cases[case_id],
            history=list(self.history[case_id]),
            notices=list(self.notices[case_id]),
        )

    def get_by_number(self, number):
        found = next((c for c in self.cases.values() if c.number == number), None)
        if found is None:
            raise NotFound("no such case")
        return self.get(found.id)

    def apply(self, change, also=None):
        """`also` (store operations) cannot be applied in memory: the fake only records them."""
        self.riders = list(also or [])
        case = change.case
        current = self.cases.get(case.id)
        if current is None:
            raise NotFound("no such case")
        if current.version != change.expected_version:
            raise Conflict("version conflict", details={"current_version": current.version},
                           code="version_conflict")  # fmt: skip
        assert case.version == current.version + 1, "a change moves the version by one"
        self.cases[case.id] = case
        self.history[case.id].extend(change.entries)
        self.notices[case.id].extend(change.notices)
        self.events[case.id].extend(change.events)
        return case

    def mark_seen(self, case_id, username, version):
        case = self.cases.get(case_id)
        if case is None:
            raise NotFound("no such case")
        if version > case.version:
            raise InvalidInput(f"the case has no version {version}", code="no_such_version")
        if case.seen.get(username, 0) <= version:
            self.cases[case_id] = case.model_copy(update={"seen": {**case.seen, username: version}})

    def list(self, query: CaseListQuery) -> Page:
        cases = list(self.cases.values())
        if query.view in ("group", "pool"):
            cases = [c for c in cases if c.group_id == query.group_id and c.status == query.status]
        elif query.view in ("mine", "agent"):
            done = bool(query.status) and Status(query.status) in DONE
            cases = [c for c in cases if c.assignee == query.agent and (c.status in DONE) == done]
            if query.status:
                cases = [c for c in cases if c.status == query.status]
        elif query.view == "customer":
            cases = [c for c in cases if c.customer_id == query.customer_id]
        elif query.view == "overdue":
            cases = [
                c
                for c in cases
                if c.is_active
                and c.due_at
                and c.due_at.isoformat() < query.before.replace("Z", "+00:00")
            ]
        if query.order == "priority":
            cases.sort(
                key=lambda c: (
                    PRIORITY_RANK[c.priority],
                    c.due_at or datetime.max.replace(tzinfo=UTC),
                )
            )
        else:
            cases.sort(key=lambda c: c.created_at, reverse=True)
        return Page(items=cases[: query.limit])

    def count_active(self, username):
        return sum(
            1 for c in self.cases.values() if c.assignee == username and c.status not in DONE
        )

    def due_for_sla(self, until, limit):
        from chalicelib.domain.clock import to_iso
        from chalicelib.domain.sla_tracking import next_moment

        due = []
        for case in self.cases.values():
            moment = next_moment(case)
            if moment is not None and to_iso(moment) <= until:
                due.append(case.id)
        return due[:limit]

    def due_for_routing(self, before, limit):
        return [
            (c.id, c.number)
            for c in self.cases.values()
            if c.status == Status.NEW and c.created_at.isoformat() < before.replace("Z", "+00:00")
        ][:limit]


class RecordingEvents:
    def __init__(self, fail: bool = False) -> None:
        self.opened: list[str] = []
        self.fail = fail

    def case_opened(self, case_id, number):
        if self.fail:
            raise ConnectionError("queue unreachable")
        self.opened.append(case_id)


class FakeNotices:
    """Notices kept by FakeCases, with the claim/lease rules of the DynamoDB store."""

    def __init__(self, cases: FakeCases) -> None:
        self.cases = cases
        #: notice id -> its place in the outbox as the sweep moved it (`hand_out`)
        self.places: dict[str, datetime] = {}

    def _find(self, case_id, notice_id):
        for index, notice in enumerate(self.cases.notices.get(case_id, [])):
            if notice.id == notice_id:
                return index, notice
        return None, None

    def get(self, case_id, notice_id):
        return self._find(case_id, notice_id)[1]

    def claim(self, notice, now, lease):
        index, current = self._find(notice.case_id, notice.id)
        if current is None or not current.awaiting or current.deliver_after > now:
            return None
        claimed = current.model_copy(
            update={"status": "sending", "attempts": current.attempts + 1,
                    "deliver_after": now + lease}
        )  # fmt: skip
        # the place in the outbox stays where it was (store/cases.py `claim`)
        self.places[notice.id] = self.places.get(notice.id, current.outbox_at)
        self.cases.notices[notice.case_id][index] = claimed
        return claimed

    def finish(self, notice, number, entry=None):
        index, current = self._find(notice.case_id, notice.id)
        if current.status != "sending" or current.attempts != notice.attempts:
            raise Conflict("taken over")
        self.cases.notices[notice.case_id][index] = notice
        self.places.pop(notice.id, None)
        if entry is not None:
            self.cases.history[notice.case_id].append(entry)

    def awaiting(self, until, limit):
        from chalicelib.domain.clock import to_iso

        return [
            (n.case_id, n.id)
            for notices in self.cases.notices.values()
            for n in notices
            if n.awaiting and to_iso(self.places.get(n.id, n.outbox_at)) <= until
        ][:limit]

    def hand_out(self, case_id, notice_id, now, until):
        current = self.get(case_id, notice_id)
        if current is None or not current.awaiting:
            return False
        if current.deliver_after > now:  # leased or held: the place moves to its end
            self.places[notice_id] = current.deliver_after
            return False
        self.places[notice_id] = until
        return True


class FakeSender:
    def __init__(self) -> None:
        self.emails: list[tuple[str, str, str]] = []
        self.texts: list[tuple[str, str]] = []
        #: the HTML part of each email that had one, by its place in `emails`
        self.html: dict[int, str] = {}

    def email(self, to, subject, body, html=None, headers=None):
        self.emails.append((to, subject, body))
        #: the extra headers of each email, by its place in `emails`
        self.headers = getattr(self, "headers", {})
        self.headers[len(self.emails) - 1] = dict(headers or ())
        if html is not None:
            self.html[len(self.emails) - 1] = html
        return f"e{len(self.emails)}"

    def sms(self, to, body, promotional=False):
        self.texts.append((to, body))
        return f"s{len(self.texts)}"


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def enqueue(self, case_id, notice_id):
        self.sent.append((case_id, notice_id))


class FakeLogins:
    """The customer pool: which customer id each sign-in carries."""

    def __init__(self) -> None:
        self.customer_ids: dict[str, str] = {}
        self.closed: list[str] = []

    def set_customer_id(self, username, customer_id):
        self.customer_ids[username] = customer_id

    def close(self, username):
        self.customer_ids.pop(username, None)
        self.closed.append(username)


class FakeCatalog:
    """Categories and products with the store's rules: ids unique, only empty categories
    deleted, versions checked, a move rewriting every path under the moved category."""

    def __init__(self) -> None:
        self.categories: dict[str, ProductCategory] = {}
        self.products: dict[str, Product] = {}

    def get_category(self, category_id):
        return self.categories.get(category_id)

    def get_product(self, product_id):
        return self.products.get(product_id)

    @staticmethod
    def _under(path, root):
        return root is None or path[: len(root.path)] == root.path

    def subtree(self, category):
        return Subtree(
            categories=[c for c in self.categories.values() if self._under(c.path, category)],
            products=[p for p in self.products.values() if self._under(p.category_path, category)],
        )

    def list_products(self, category, limit, cursor):
        found = sorted(self.subtree(category).products, key=lambda p: (p.category_path, p.id))
        start = int(cursor or 0)
        more = start + limit < len(found)
        return found[start : start + limit], str(start + limit) if more else None

    def create_category(self, category):
        if category.id in self.categories:
            raise Conflict("exists", code="category_exists")
        if category.parent_id and category.parent_id not in self.categories:
            raise InvalidInput("no parent")
        self.categories[category.id] = category
        return category

    def _check(self, stored, expected_version):
        if stored is None:
            raise NotFound("gone")
        if stored.version != expected_version:
            raise Conflict("changed", code="version_conflict")

    def save_category(self, category, expected_version):
        self._check(self.categories.get(category.id), expected_version)
        self.categories[category.id] = category
        return category

    def move_category(self, current, moved, expected_version):
        self._check(self.categories.get(current.id), expected_version)
        for c in self.subtree(current).categories:
            if c.id != current.id:
                path = rebase(c.path, current.path, moved.path)
                self.categories[c.id] = c.model_copy(update={"path": path})
        for p in self.subtree(current).products:
            path = rebase(p.category_path, current.path, moved.path)
            self.products[p.id] = p.model_copy(update={"category_path": path})
        self.categories[current.id] = moved
        return moved

    def delete_category(self, category):
        if any(c.parent_id == category.id for c in self.categories.values()) or any(
            p.category_id == category.id for p in self.products.values()
        ):
            raise Conflict("not empty", code="category_not_empty")
        if self.categories.pop(category.id, None) is None:
            raise NotFound("gone")

    def create_product(self, product):
        if product.id in self.products:
            raise Conflict("exists", code="product_exists")
        self.products[product.id] = product
        return product

    def save_product(self, product, previous, expected_version):
        self._check(self.products.get(product.id), expected_version)
        self.products[product.id] = product
        return product

    def delete_product(self, product):
        if self.products.pop(product.id, None) is None:
            raise NotFound("gone")


class FakeRegistrations:
    """Registrations with the store's all-or-nothing rules for customers, products and serials."""

    def __init__(self, customers: FakeCustomers, catalog: FakeCatalog) -> None:
        self.customers = customers
        self.catalog = catalog
        self.items: dict[tuple[str, str], object] = {}
        self.serials: dict[str, tuple[str, str]] = {}

    def register(self, registration):
        if registration.customer_id not in self.customers.by_id:
            raise NotFound("no customer")
        if registration.product_id not in self.catalog.products:
            raise InvalidInput("no product")
        owner = self.serials.get(registration.serial_number)
        if owner is not None:
            if owner[0] == registration.customer_id:
                raise Conflict("yours already", code="already_registered")
            raise Conflict("another customer's", code="serial_taken")
        self.items[(registration.customer_id, registration.id)] = registration
        self.serials[registration.serial_number] = (registration.customer_id, registration.id)
        return registration

    def get(self, customer_id, registration_id):
        return self.items.get((customer_id, registration_id))

    def list(self, customer_id, limit, cursor):
        mine = sorted(
            (r for (c, _), r in self.items.items() if c == customer_id),
            key=lambda r: r.id,
            reverse=True,
        )
        return mine[:limit], None

    def find_serial(self, serial):
        pointer = self.serials.get(serial)
        return self.items.get(pointer) if pointer else None

    def remove(self, registration):
        del self.items[(registration.customer_id, registration.id)]
        del self.serials[registration.serial_number]


class FakeShopRecords:
    def __init__(self) -> None:
        self.orders: dict[str, object] = {}
        self.shipments: dict[str, object] = {}

    def put_order(self, order):
        self.orders[order.order_id] = order

    def put_shipment(self, shipment):
        self.shipments[shipment.shipment_id] = shipment

    def put_call(self, call):
        self.calls_made = [*getattr(self, "calls_made", []), call]

    def put_chat(self, chat):
        self.chats = {**getattr(self, "chats", {}), chat.id: chat}

    def calls(self, customer_id, limit, cursor):
        mine = [c for c in getattr(self, "calls_made", []) if c.customer_id == customer_id]
        return sorted(mine, key=lambda c: c.started_at, reverse=True)[:limit], None

    def customer_partition(self, customer_id):
        return {
            "calls": [c for c in getattr(self, "calls_made", []) if c.customer_id == customer_id],
            "profile": None,
            "registrations": [],
            "orders": [o for o in self.orders.values() if o.customer_id == customer_id],
            "shipments": [s for s in self.shipments.values() if s.customer_id == customer_id],
            "chats": [
                c for c in getattr(self, "chats", {}).values() if c.customer_id == customer_id
            ],
            "precases": [],
        }


class FakeMarks:
    """WeeklyMarks in memory, with the store's lease rule (store/weekly_marks.py)."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], dict] = {}

    def claim(self, week, username, at):
        mark = self.marks.get((week, username))
        if mark and not (mark["state"] == "sending" and mark["lease_until"] < at):
            return False
        self.marks[(week, username)] = {
            "state": "sending",
            "lease_until": at + timedelta(minutes=5),
        }
        return True

    def sent(self, week, username, message_id, at):
        self.marks[(week, username)] = {"state": "sent", "message_id": message_id}

    def release(self, week, username):
        if self.marks.get((week, username), {}).get("state") == "sending":
            del self.marks[(week, username)]


class FakeArrivals:
    """The arrivals digest store in memory (store/arrival_digests.py), reading the cases'
    current state from `cases` (FakeCases)."""

    def __init__(self, cases) -> None:
        self.cases = cases
        self.filed: dict[tuple[str, datetime], dict] = {}
        self.marks = FakeMarks()

    def add(self, group_id, start, arrival):
        self.filed.setdefault((group_id, start), {})[arrival.case_id] = arrival

    def window(self, group_id, start):
        from chalicelib.domain.clock import to_iso

        key = f"{group_id}#{to_iso(start)}"
        marked = {user for (week, user) in self.marks.marks if week == key}
        return list(self.filed.get((group_id, start), {}).values()), marked

    def cases_now(self, case_ids):
        return {
            c: self.cases.cases[c].model_dump(
                mode="json", include={"group_id", "assignee", "status"}
            )
            for c in case_ids
            if c in self.cases.cases
        }
