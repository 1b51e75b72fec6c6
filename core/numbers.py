"""Numbers typed by people or programs into filters and paths (`?department=12`, `/api/x/12/`).

`str.isdigit()` says yes to "²" and to a hundred digits, which `int()` or the database then
refuse with a server error; `small_int` accepts ASCII digits that fit a 64-bit column, or gives
the default.
"""

import re

_SMALL = re.compile(r"[0-9]{1,18}")


def is_small_int(value) -> bool:
    return isinstance(value, (str, int)) and bool(_SMALL.fullmatch(str(value)))


def small_int(value, default=None):
    return int(value) if is_small_int(value) else default
