"""Customer flags: only codes of the admins' list, each once, in the list's order."""

import pytest

from chalicelib.domain.customer_flags import DEFAULT_FLAGS, FlagList, checked_flags
from chalicelib.domain.errors import InvalidInput


def test_flags_come_in_the_lists_order_without_repeats():
    assert checked_flags(["press", "vip", "press"], DEFAULT_FLAGS) == ["vip", "press"]
    assert checked_flags([], DEFAULT_FLAGS) == []


def test_a_code_not_on_the_list_is_refused_and_named():
    with pytest.raises(InvalidInput) as refused:
        checked_flags(["vip", "famous", "angry"], DEFAULT_FLAGS)
    assert refused.value.code == "unknown_flag"
    assert refused.value.details[0]["codes"] == ["angry", "famous"]


def test_a_list_names_each_code_once():
    with pytest.raises(ValueError, match="twice"):
        FlagList(flags=[{"code": "vip", "name": "VIP"}, {"code": "vip", "name": "Önemli"}])
