import pytest

from chalicelib.domain.caller import Caller
from chalicelib.domain.categories import Category
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.permissions import Principal, default_role
from chalicelib.services.cases import CaseService
from chalicelib.services.customers import CustomerService
from chalicelib.services.routing import RoutingService

from .fakes import FakeCases, FakeClock, FakeCustomers, FakeDirectory, RecordingEvents


def staff(username: str, role: str, groups: tuple[str, ...] = ()) -> Caller:
    principal = Principal(kind="staff", subject=f"sub-{username}", username=username, roles=[role])
    return Caller(principal, (default_role(role),), frozenset(groups))


def customer(customer_id: str | None) -> Caller:
    principal = Principal(
        kind="customer", subject="sub-c", username="c", roles=["customer"], customer_id=customer_id
    )
    return Caller(principal, (default_role("customer"),))


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.directory = FakeDirectory()
        self.customers = FakeCustomers()
        self.cases = FakeCases(self.customers, self.directory)
        self.events = RecordingEvents()
        self.customer_service = CustomerService(self.customers)
        self.service = CaseService(
            self.cases, self.customer_service, self.directory, self.events, self.clock
        )
        self.routing = RoutingService(
            self.cases, self.directory, self.events, self.customers, self.clock
        )
        self.directory.put_group(Group(id="teslimat", name="Kargo", members=["ayse"]))
        self.directory.put_group(
            Group(
                id="urun", name="Ürün", members=["mehmet"], supervisors=["selin"], is_default=True
            )
        )
        for name, role in [("ayse", "agent"), ("mehmet", "agent"), ("selin", "supervisor")]:
            self.directory.put_staff(StaffMember(username=name, name=name, roles=[role]))
        self.directory.put_category(Category(id="k1", name="Teslimat", path=["k1"]))
        self.ayse = staff("ayse", "agent", ("teslimat",))
        self.mehmet = staff("mehmet", "agent", ("urun",))
        self.selin = staff("selin", "supervisor", ("urun",))


@pytest.fixture
def world() -> World:
    return World()
