"""Taking access away takes effect from server-side state, not at token expiry; group access
is a role setting. No AWS: the gate, the directory service and the case service on fakes."""

from __future__ import annotations

import pytest

from chalicelib.domain.caller import Caller
from chalicelib.domain.customers import Customer
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from chalicelib.domain.permissions import (
    CaseAccess,
    Principal,
    Role,
    case_access_of,
    default_role,
)
from chalicelib.services import case_commands as cmd
from chalicelib.services.access import AccessGate
from chalicelib.services.customers import CustomerService
from chalicelib.services.directory import DirectoryService, RoleCatalog, StaffDetails

from .fakes import FakeCustomers, FakeDirectory, FakeLogins


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeStaffLogins:
    def __init__(self) -> None:
        self.groups: dict[str, set[str]] = {}
        self.enabled: dict[str, bool] = {}
        self.signed_out: list[str] = []
        self.deleted: list[str] = []

    def ensure(self, username, email, name, reissue=False):
        self.groups.setdefault(username, set())
        return None  # no temporary password: nobody to invite in these tests

    def set_roles(self, username, roles):
        taken = self.groups.get(username, set()) - set(roles)
        self.groups[username] = set(roles)
        return taken

    def set_enabled(self, username, enabled):
        self.enabled[username] = enabled

    def sign_out(self, username):
        self.signed_out.append(username)

    def delete(self, username):
        self.deleted.append(username)


def token(username: str, roles: list[str], signed_in_at: int, kind: str = "staff", **extra):
    return Principal(kind=kind, subject=f"sub-{username}", username=username, roles=roles,
                     authenticated_at=signed_in_at, **extra)  # fmt: skip


@pytest.fixture
def setup():
    directory = FakeDirectory()
    directory.put_group(Group(id="urun", name="Ürün", members=["mehmet"], supervisors=["selin"]))
    directory.put_group(Group(id="teslimat", name="Kargo", members=["ayse"]))
    for name, role in (("mehmet", "agent"), ("selin", "supervisor"), ("admin", "admin")):
        directory.put_staff(StaffMember(username=name, name=name, roles=[role]))
    ticks, wall = Ticks(), Ticks()
    wall.now = 1_800_000_000.0
    catalog = RoleCatalog(directory, ttl=60, clock=ticks)
    customers = FakeCustomers()
    gate = AccessGate(catalog, customers, ttl=60, clock=ticks)
    logins = FakeStaffLogins()
    service = DirectoryService(directory, catalog, logins, clock=wall)
    return directory, ticks, wall, gate, service, logins, customers


def test_staff_roles_and_groups_come_from_the_directory_not_the_token(setup):
    directory, _ticks, wall, gate, *_ = setup
    caller = gate.admit(token("mehmet", ["admin"], int(wall.now)))  # a stale or forged group
    assert caller.principal.roles == ["agent"] and [r.name for r in caller.roles] == ["agent"]
    assert caller.groups == frozenset({"urun"})
    bootstrap = gate.admit(token("ilk", ["admin"], int(wall.now)))  # not in the directory yet
    assert bootstrap.principal.roles == ["admin"]


def test_demoting_voids_older_sessions_and_signs_out(setup):
    _directory, _ticks, wall, gate, service, logins, _ = setup
    before = int(wall.now)
    service.put_staff("selin", StaffDetails(name="Selin", roles=["agent"]), by="admin")
    assert logins.signed_out == ["selin"]
    with pytest.raises(Unauthenticated) as refused:
        gate.admit(token("selin", ["supervisor"], before))
    assert refused.value.code == "session_revoked"
    wall.now += 5
    again = gate.admit(token("selin", ["agent"], int(wall.now)))  # signed in afresh
    assert again.principal.roles == ["agent"]


def test_a_promotion_or_an_edit_keeps_sessions(setup):
    directory, _ticks, wall, gate, service, logins, _ = setup
    service.put_staff("mehmet", StaffDetails(name="Mehmet", roles=["agent", "supervisor"]))
    service.put_staff("mehmet", StaffDetails(name="Mehmet D.", roles=["agent", "supervisor"]))
    assert logins.signed_out == [] and "mehmet" not in directory.revoked
    caller = gate.admit(token("mehmet", ["agent"], int(wall.now) - 100))
    assert sorted(caller.principal.roles) == ["agent", "supervisor"]


def test_disabling_refuses_every_session_and_enabling_lets_new_ones_in(setup):
    directory, _ticks, wall, gate, service, logins, _ = setup
    service.put_staff("mehmet", StaffDetails(name="Mehmet", roles=["agent"], active=False))
    assert logins.enabled == {"mehmet": False} and logins.signed_out == ["mehmet"]
    for signed_in_at in (int(wall.now) - 10, int(wall.now) + 10):
        with pytest.raises(Unauthenticated):
            gate.admit(token("mehmet", ["agent"], signed_in_at))
    service.put_staff("mehmet", StaffDetails(name="Mehmet D.", roles=["agent"]))  # left as is
    assert directory.staff["mehmet"].active is False and logins.enabled == {"mehmet": False}
    service.put_staff("mehmet", StaffDetails(name="Mehmet", roles=["agent"], active=True))
    assert logins.enabled == {"mehmet": True}
    assert gate.admit(token("mehmet", ["agent"], int(wall.now) + 10)).principal.roles == ["agent"]


def test_removing_someone_ends_their_sessions_groups_and_sign_in(setup):
    directory, _ticks, wall, gate, service, logins, _ = setup
    service.remove_staff("mehmet", by="admin")
    assert logins.signed_out == ["mehmet"] and logins.deleted == ["mehmet"]
    assert directory.groups["urun"].members == [] and directory.groups["urun"].version == 2
    with pytest.raises(Unauthenticated):
        gate.admit(token("mehmet", ["agent"], int(wall.now)))
    with pytest.raises(NotFound):
        service.remove_staff("mehmet", by="admin")
    for refused in (
        lambda: service.remove_staff("admin", by="admin"),
        lambda: service.put_staff(
            "admin", StaffDetails(name="A", roles=["admin"], active=False), by="admin"
        ),
    ):
        with pytest.raises(Conflict) as error:
            refused()
        assert error.value.code == "cannot_revoke_yourself"  # fmt: skip


def test_another_process_sees_a_revocation_within_the_cache_time_and_reads_once(setup):
    directory, ticks, wall, gate, _service, _logins, _ = setup
    old = token("selin", ["supervisor"], int(wall.now))
    for _ in range(5):
        gate.admit(old)
    assert directory.directory_reads == 1  # one Query serves every request of the minute
    # another process demotes her: this one has not heard of it yet
    directory.put_staff(StaffMember(username="selin", name="s", roles=["agent"]),
                        revoked_before=int(wall.now) + 1)  # fmt: skip
    ticks.now += 59
    assert gate.admit(old).principal.roles == ["supervisor"]
    ticks.now += 2  # past the minute
    with pytest.raises(Unauthenticated):
        gate.admit(old)
    assert directory.directory_reads == 2


def customer_setup(customers: FakeCustomers, sub: str, customer_id: str) -> Customer:
    from datetime import UTC, datetime

    made = Customer(id=customer_id, customer_number=customer_id[-8:], name="A", login=sub,
                    created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    return customers.create(made)


def test_a_customer_is_who_their_sign_in_is_linked_to_whatever_the_claim_says(setup):
    *_, gate, _service, _logins, customers = setup
    customer_setup(customers, "sub-ahmet", "u-ahmet")
    customer_setup(customers, "sub-fatma", "u-fatma")
    forged = token("ahmet", ["customer"], 0, kind="customer", customer_id="u-fatma")
    assert gate.admit(forged).principal.customer_id == "u-ahmet"
    unlinked = token("new", ["customer"], 0, kind="customer", customer_id="u-fatma")
    assert gate.admit(unlinked).principal.customer_id is None


def test_a_deleted_customer_is_refused_and_sign_ins_are_cached_only_when_found(setup):
    *_, ticks, _wall, gate, _service, _logins, customers = setup
    ahmet = customer_setup(customers, "sub-ahmet", "u-ahmet")
    principal = token("ahmet", ["customer"], 0, kind="customer")
    gate.admit(principal)
    gate.admit(principal)
    assert customers.sign_in_reads == 1
    logins = FakeLogins()
    CustomerService(customers, logins).delete(ahmet.id)
    assert logins.closed == ["sub-ahmet"]
    assert gate.admit(principal).principal.customer_id == "u-ahmet"  # cached, this minute
    ticks.now += 61
    with pytest.raises(Unauthenticated) as refused:
        gate.admit(principal)
    assert refused.value.code == "account_closed"
    stranger = principal.model_copy(update={"subject": "sub-none"})
    gate.admit(stranger)
    gate.admit(stranger)
    assert customers.sign_in_reads == 4  # nobody found is asked again: a new link shows at once


def test_case_access_defaults_combination_and_refusal():
    assert default_role("agent").case_access == CaseAccess(read="all", change="own")
    assert default_role("supervisor").case_access == CaseAccess(read="all", change="all")
    stored = Role.model_validate({"name": "agent", "permissions": {}})  # stored before it existed
    assert stored.case_access == CaseAccess(read="all", change="own")
    own = Role(name="agent", case_access=CaseAccess(read="own", change="own"))
    assert case_access_of([own, default_role("supervisor")]).change == "all"
    with pytest.raises(ValueError):
        CaseAccess(read="own", change="all")


def test_an_agent_reads_other_groups_cases_and_changes_only_their_own(world):
    from .test_case_service import routed

    case = routed(world)  # group urun: mehmet's, not ayse's
    assert world.service.get(world.ayse, case.id).case.id == case.id
    writes = [
        lambda v: world.service.reply(world.ayse, case.id, cmd.Comment(version=v, body="x")),
        lambda v: world.service.add_note(world.ayse, case.id, cmd.Comment(version=v, body="x")),
        lambda v: world.service.update(world.ayse, case.id, cmd.UpdateCase(version=v,
                                                                           priority="high")),
        lambda v: world.service.claim(world.ayse, case.id, cmd.Claim(version=v)),
    ]  # fmt: skip
    for write in writes:
        with pytest.raises(Forbidden) as refused:
            write(case.version)
        assert refused.value.code == "outside_your_groups"
    assert world.cases.get(case.id).case.version == case.version
    claimed = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    noted = world.service.add_note(world.mehmet, case.id, cmd.Comment(version=claimed.version,
                                                                      body="ok"))  # fmt: skip
    assert noted.version == claimed.version + 1


def test_a_role_limited_to_its_groups_cannot_read_others_and_assignees_always_can(world):
    from .test_case_service import routed

    own = Role(name="agent", permissions=default_role("agent").permissions,
               case_access=CaseAccess(read="own", change="own"))  # fmt: skip
    ayse = Caller(world.ayse.principal, (own,), frozenset({"teslimat"}))
    case = routed(world)
    with pytest.raises(Forbidden):
        world.service.get(ayse, case.id)
    with pytest.raises(Forbidden):
        world.service.list(ayse, cmd.ListCases(view="pool", group_id="urun"))
    assigned = world.service.assign(
        world.selin, case.id, cmd.Assign(version=case.version, assignee="mehmet")
    )
    mehmet = Caller(world.mehmet.principal, (own,), frozenset())  # no longer in the group
    assert world.service.get(mehmet, case.id).case.assignee == "mehmet"
    world.service.add_note(mehmet, case.id, cmd.Comment(version=assigned.version, body="x"))
    page = world.service.list(ayse, cmd.ListCases(view="agent", agent="mehmet"))
    assert page.items == []


def test_the_agent_who_filed_a_case_works_it_until_routing_gives_it_a_group(world):
    from .test_case_service import open_for

    case = open_for(world)  # ayse took the call; no group yet (routing runs off the request path)
    assert case.group_id is None
    noted = world.service.add_note(world.ayse, case.id, cmd.Comment(version=case.version, body="x"))
    replied = world.service.reply(world.ayse, case.id, cmd.Comment(version=noted.version, body="y"))
    assert replied.version == case.version + 2
    with pytest.raises(Forbidden) as refused:  # another own-groups agent does not
        world.service.add_note(
            world.mehmet, case.id, cmd.Comment(version=replied.version, body="z")
        )
    assert refused.value.code == "outside_your_groups"
