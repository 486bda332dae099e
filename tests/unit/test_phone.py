import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.phone import to_e164


@pytest.mark.parametrize(
    "raw",
    [
        "0532 123 45 67",
        "05321234567",
        "+90 532 1234567",
        "+90 (532) 123-45-67",
        "905321234567",
        "532 123 45 67",
        "0 532 123 45 67",
    ],
)
def test_turkish_formats_become_one_e164_number(raw):
    assert to_e164(raw) == "+905321234567"


def test_foreign_number_kept_in_its_own_country():
    assert to_e164("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "abc", "123", "0532 123", "+90 000 000 00 00"])
def test_impossible_numbers_refused(raw):
    with pytest.raises(InvalidInput):
        to_e164(raw)
