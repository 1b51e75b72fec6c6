"""Real-name identity numbers: pure validation, no ORM.

- Resident ID card number, GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit order
  code, and an ISO 7064 MOD 11-2 check character (0-9 or X).
- Unified social credit code, GB 32100-2015: 18 characters over a 31-character alphabet (no I, O,
  S, V, Z), the last a MOD 31 check character.

The check characters are computed by python-stdnum (`stdnum.cn.ric`, `stdnum.cn.uscc`); the rest
(region, birth date, alphabet) is checked here, so that each refusal says in Chinese what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

# First two digits of a resident ID: province-level divisions (GB/T 2260).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
}

CREDIT_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")


class IdentityError(ValueError):
    """The message is the Chinese sentence shown to the person who typed the number."""


def id_check_char(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits."""
    return ric.calc_check_digit(first17 + "0")  # stdnum reads the number with a check digit


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number or raise IdentityError."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentityError(_("身份证号码应为18位,前17位为数字,最后一位为数字或X。"))
    if number[:2] not in PROVINCE_CODES or number[2:6] == "0000":
        raise IdentityError(_("身份证号码的地区代码不正确。"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(_("身份证号码中的出生日期不存在。")) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise IdentityError(_("身份证号码中的出生日期不合理。"))
    if id_check_char(number[:17]) != number[17]:
        raise IdentityError(_("身份证号码校验位不正确,请核对后重新输入。"))
    return number


def birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def credit_check_char(first17: str) -> str:
    """GB 32100 (MOD 31) check character of the first 17 characters."""
    return uscc.calc_check_digit(first17)


def validate_credit_code(value: str) -> str:
    """Return the normalised unified social credit code or raise IdentityError."""
    code = (value or "").strip().upper()
    if not CREDIT_RE.fullmatch(code):
        raise IdentityError(_("统一社会信用代码应为18位数字或大写字母(不含I、O、S、V、Z)。"))
    if credit_check_char(code[:17]) != code[17]:
        raise IdentityError(_("统一社会信用代码校验位不正确,请核对后重新输入。"))
    return code


def mask(value: str, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """`441803199001011234` -> `4418**********1234`; short values are masked whole."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_name(name: str) -> str:
    """张三丰 -> 张**: enough for the applicant to recognise, nothing for anyone else."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def mask_enterprise(name: str) -> str:
    return name if len(name) <= 4 else name[:2] + "****" + name[-2:]


def mask_phone(value: str) -> str:
    return mask(value, keep_start=3, keep_end=4)


# The one masking rule (issue 12 B): an ID number or a mobile number is shown whole only where the
# law needs it — to the person it belongs to (their own pages and licence), to the clerk at the
# moment of the identity check (the number is typed and compared, never listed) and in the notice
# to the applicant; everywhere else, form data in pages and API answers included, it is masked.
MASKS = {"id_number": mask, "phone": mask_phone}


def mask_value(kind: str, value) -> str:
    """`value` masked by the rule for its kind (a form field's type: id_number, phone); values of
    other kinds are returned as they are."""
    if value in (None, ""):
        return value
    rule = MASKS.get(kind)
    return rule(str(value)) if rule else value


def validate_phone(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"1[3-9]\d{9}", number):
        raise IdentityError(_("请输入11位中国大陆手机号码。"))
    return number
