"""Byte limits (domain/limits.py): what fits is cut between characters, and is the most
that fits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.limits import fit_utf8, item_size, utf8_size
from chalicelib.services.case_commands import Comment

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)


@given(text=TEXT, limit=st.integers(min_value=0, max_value=1200))
def test_fit_utf8_keeps_the_longest_prefix_within_the_limit(text, limit):
    kept, cut = fit_utf8(text, limit)
    assert text.startswith(kept)
    assert utf8_size(kept) <= limit
    assert cut == (kept != text)
    if cut:  # one more character would not fit
        assert utf8_size(text[: len(kept) + 1]) > limit


@pytest.mark.parametrize(("ch", "width"), [("a", 1), ("ş", 2), ("€", 3), ("😡", 4)])
def test_api_text_is_bounded_in_bytes_not_characters(ch, width):
    largest = ch * min(20_000, 64 * 1024 // width)
    assert Comment(version=1, body=largest).body == largest
    with pytest.raises(ValidationError) as refused:
        Comment(version=1, body=largest + ch)
    assert "bytes in UTF-8" in str(refused.value) or "20000" in str(refused.value)


def test_c1_controls_never_reach_a_stored_text():
    assert Comment(version=1, body="a\x85b\x9fc").body == "abc"


def test_item_size_counts_names_and_utf8_values():
    assert item_size({"ab": "şş", "n": 12345, "l": ["x"], "m": {"k": True}}) == (
        2 + 4 + 1 + 4 + 1 + 3 + 2 + 1 + 3 + 1 + 1 + 1
    )


def test_a_text_over_its_bytes_is_told_as_such_not_as_an_invalid_value():
    """The error's type names the fault, so a page says "too long" in its reader's words
    (problem_bytes_too_long) rather than a generic "invalid value"."""
    from chalicelib.services.ratings import RatingAnswer

    with pytest.raises(ValidationError) as refused:
        RatingAnswer(score=3, comment="ş" * 600)  # 600 characters, 1,200 bytes
    (error,) = refused.value.errors()
    assert error["loc"] == ("comment",) and error["type"] == "bytes_too_long"
    assert error["ctx"] == {"limit": 1000, "size": 1200}
