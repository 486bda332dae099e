"""Every move of the case state machine: each allowed one works, each other one is refused."""

import itertools

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.lifecycle import Status, can_move, check_move

S = Status
ALLOWED = {
    (S.NEW, S.OPEN),
    (S.OPEN, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.WAITING_CUSTOMER),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.IN_PROGRESS, S.OPEN),
    (S.WAITING_CUSTOMER, S.IN_PROGRESS),
    (S.WAITING_CUSTOMER, S.REOPENED),
    (S.REOPENED, S.OPEN),
    (S.REOPENED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.REOPENED),
}
ALL_PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_move(current, target):
    assert can_move(current, target)
    check_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"), [p for p in ALL_PAIRS if p not in ALLOWED], ids=lambda s: s.value
)
def test_refused_move(current, target):
    assert not can_move(current, target)
    with pytest.raises(Conflict) as refused:
        check_move(current, target)
    assert refused.value.code == "illegal_transition"
    assert refused.value.details["status"] == current.value


def test_closed_is_final():
    assert not any(can_move(S.CLOSED, target) for target in Status)
