"""Chinese phone numbers: mobile 1[3-9]\\d{9}, landlines with area code (pure rules)."""

import pytest

from aftersales.core.phones import InvalidPhone, parse_phone


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008619912345678"])
def test_mobile_numbers_are_normalised(raw):
    phone = parse_phone(raw)
    assert phone.kind == "mobile"
    assert len(phone.number) == 11 and phone.number.startswith("1")


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "23812345678"])
def test_mobile_rule_rejects_wrong_prefix_or_length(raw):
    with pytest.raises(InvalidPhone):
        parse_phone(raw)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("010-12345678", "010-12345678"),
        ("(021) 6400 1234", "021-64001234"),
        ("0571-8765432", "0571-8765432"),
        ("021-64001234转808", "021-64001234-808"),
    ],
)
def test_landlines_need_their_area_code(raw, number):
    phone = parse_phone(raw)
    assert phone.kind == "landline"
    assert phone.number == number


@pytest.mark.parametrize("raw", ["64001234", "", "abc", "0001-1234567"])
def test_landline_without_area_code_is_refused(raw):
    with pytest.raises(InvalidPhone):
        parse_phone(raw)


def test_last_four_digits_for_search():
    assert parse_phone("13812345678").last4 == "5678"
