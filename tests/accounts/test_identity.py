import datetime as dt

import pytest

from accounts.identity import (
    IdentityError,
    credit_check_char,
    id_check_char,
    mask,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# The sample in GB 11643-1999 itself, and a well-known published credit code.
STANDARD_ID = "11010519491231002X"


def test_gb11643_sample_is_valid():
    assert validate_id_number(STANDARD_ID.lower()) == STANDARD_ID


@pytest.mark.parametrize(
    "number,message",
    [
        ("11010519491231002", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194902300028", "出生日期不存在"),
        ("990105194912310023", "地区代码"),
        ("110105299912310023", "出生日期不合理"),
    ],
)
def test_bad_id_numbers_say_what_is_wrong(number, message):
    if message in ("地区代码", "出生日期不合理"):
        number = number[:17] + id_check_char(number[:17])
    with pytest.raises(IdentityError, match=message):
        validate_id_number(number, today=dt.date(2026, 11, 26))


def test_credit_code_check_character():
    code = "91441803MA4UJKX3"  # 16 characters; pad to 17 and add its check character
    first17 = code + "0"
    full = first17 + credit_check_char(first17)
    assert validate_credit_code(full.lower()) == full
    wrong = full[:17] + ("0" if full[17] != "0" else "1")
    with pytest.raises(IdentityError, match="校验位"):
        validate_credit_code(wrong)
    with pytest.raises(IdentityError, match="18位"):
        validate_credit_code("91441803MA4UJKX3I0")


def test_known_credit_code_validates():
    # Tencent's unified social credit code, as printed on its business licence.
    assert validate_credit_code("9144030071526726XG") == "9144030071526726XG"


def test_masking_and_phone():
    assert mask("441803199001011234") == "4418**********1234"
    assert validate_phone("138 0013 8000") == "13800138000"
    with pytest.raises(IdentityError):
        validate_phone("12345678901")


@pytest.mark.parametrize("code", ["91110000600037341L", "91440300708461136T"])
def test_published_credit_codes_are_accepted(code):
    # Codes as published (GB 32100 examples); the check character is python-stdnum's.
    assert validate_credit_code(code) == code
    assert credit_check_char(code[:17]) == code[17]


def test_the_check_characters_are_the_standards_for_every_remainder():
    # GB 11643: the 11 possible remainders give 1 0 X 9 8 7 6 5 4 3 2; walk the order code so that
    # each appears, and compare with the table printed in the standard.
    table = "10X98765432"
    seen = set()
    for order in range(100, 400):
        first17 = f"11010519491231{order:03d}"
        total = sum(int(c) * w for c, w in zip(first17, [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]))
        assert id_check_char(first17) == table[total % 11]
        seen.add(table[total % 11])
    assert seen == set(table)
