"""A new staff member is mailed an invitation with the console's address; a request that died
before the mail went out is finished by sending it again, and nobody is mailed twice."""

from __future__ import annotations

import pytest

from chalicelib.api.links import console_address
from chalicelib.auth.staff_logins import temporary_password
from chalicelib.messaging.invitations import MailedInvitations
from chalicelib.messaging.templates import JinjaRenderer
from chalicelib.services.directory import DirectoryService, RoleCatalog, StaffDetails

from .fakes import FakeSender

CONSOLE = "https://abc.execute-api.eu-central-1.amazonaws.com/api/console"


class FakeLogins:
    """The staff pool: who exists, who has signed in, the passwords given."""

    def __init__(self) -> None:
        self.users: dict[str, str] = {}  # username -> status
        self.given: list[str] = []

    def ensure(self, username, email, name, reissue=False):
        if username in self.users and not (
            reissue and self.users[username] == "FORCE_CHANGE_PASSWORD"
        ):
            return None
        self.users[username] = "FORCE_CHANGE_PASSWORD"
        self.given.append(temporary_password())
        return self.given[-1]

    def set_roles(self, username, roles):
        return set()  # the groups taken away: none in these tests


class FailingOnce(FakeSender):
    def __init__(self) -> None:
        super().__init__()
        self.fail = True

    def email(self, to, subject, body):
        if self.fail:
            self.fail = False
            raise ConnectionError("SES is away")
        return super().email(to, subject, body)


@pytest.fixture
def desk(world):
    logins, sender = FakeLogins(), FailingOnce()
    sender.fail = False
    service = DirectoryService(world.directory, RoleCatalog(world.directory), logins,
                               MailedInvitations(sender, JinjaRenderer()))  # fmt: skip
    return service, logins, sender


NEW = StaffDetails(name="Zeynep Ak", email="zeynep@shop.example", roles=["agent"])


def test_someone_new_is_mailed_the_console_their_name_and_password(desk):
    service, logins, sender = desk
    service.put_staff("zeynep", NEW, CONSOLE)
    [(to, subject, body)] = sender.emails
    assert to == "zeynep@shop.example" and subject == "destek konsolu: hesabınız açıldı"
    assert f"Konsol: {CONSOLE}\n" in body and f"{CONSOLE}?lang=en" in body
    assert "Kullanıcı adı: zeynep" in body and f"Geçici parola: {logins.given[0]}" in body
    service.put_staff("zeynep", NEW.model_copy(update={"roles": ["supervisor"]}), CONSOLE)
    assert len(sender.emails) == 1  # a later change mails nobody


def test_a_mail_that_failed_is_sent_when_the_request_is_sent_again(desk, world):
    service, logins, sender = desk
    sender.fail = True
    with pytest.raises(ConnectionError):
        service.put_staff("zeynep", NEW, CONSOLE)
    assert world.directory.get_staff("zeynep") is None  # the entry is written last
    service.put_staff("zeynep", NEW, CONSOLE)
    assert len(sender.emails) == 1 and len(logins.given) == 2
    assert logins.given[1] in sender.emails[0][2]  # the fresh password, not the lost one


def test_someone_without_an_email_is_invited_once_an_email_is_given(desk):
    service, logins, sender = desk
    service.put_staff("deniz", StaffDetails(name="Deniz", roles=["agent"]), CONSOLE)
    assert sender.emails == []
    service.put_staff("deniz", StaffDetails(name="Deniz", email="d@shop.example"), CONSOLE)
    assert [e[0] for e in sender.emails] == ["d@shop.example"]


def test_temporary_passwords_meet_the_staff_pools_policy():
    for _ in range(200):
        word = temporary_password()
        assert len(word) >= 10 and word.isalnum()
        assert any(c.islower() for c in word) and any(c.isupper() for c in word)
        assert any(c.isdigit() for c in word)


class FakeRequest:
    def __init__(self, context, path):
        self.context = context
        self._event = {"path": path}

    def to_original_event(self):
        return self._event


def test_the_api_names_the_console_at_the_address_it_was_reached(monkeypatch):
    from chalicelib import config

    monkeypatch.setattr(config, "settings", lambda: type("S", (), {"console_url": ""})())
    monkeypatch.setattr("chalicelib.api.links.settings", config.settings)
    domain = "abc.execute-api.eu-central-1.amazonaws.com"
    gateway = FakeRequest({"domainName": domain, "stage": "api", "path": "/api/staff/zeynep"},
                          "/staff/zeynep")  # fmt: skip
    assert console_address(gateway) == CONSOLE
    custom = FakeRequest({"domainName": "destek.shop.example", "stage": "api",
                          "path": "/destek/staff/zeynep"}, "/staff/zeynep")  # fmt: skip
    assert console_address(custom) == "https://destek.shop.example/destek/console"
    assert console_address(FakeRequest({}, "/staff/zeynep")) == ""  # nowhere to point
