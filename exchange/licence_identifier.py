"""The electronic-licence identifier (电子证照标识) after GB/T 36904-2018, in one place.

The standard's text was not at hand. The structure used here is the one that provincial
electronic-licence systems publish and that four of five identifiers found in public code verify
against (docs/decisions.md, "Licence types"):

    1.2.156.3005.2 . <证照类型代码> . <颁证单位代码> . <流水号> . <版本号> . <校验位>

- the root OID of electronic licences, 1.2.156.3005.2;
- the licence type code: the unified social credit code (18 characters) of the authority that
  defines the type followed by a 3-digit sequence, 21 characters;
- the issuing authority's unified social credit code, 18 characters;
- a serial unique per issuer and type (here: the region code, the year and the licence number's
  per-year sequence, e.g. 4418032026000123);
- a 3-digit version, 001 for a first issue;
- a check character, ISO/IEC 7064 MOD 37,36 over the type code, issuer code, serial and version
  concatenated (python-stdnum's `iso7064.mod_37_36`).

No claim of conformance is made: if the standard says otherwise, only this module changes (the
identifiers already stored keep what they were issued with)."""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_37_36

ROOT = "1.2.156.3005.2"
TYPE_CODE_RE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}$")
ISSUER_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")
SERIAL_RE = re.compile(r"^[0-9A-Z]{1,32}$")


def fits(type_code: str, issuer_code: str) -> bool:
    """Whether a type and an issuer have the codes an identifier is made of."""
    return bool(TYPE_CODE_RE.match(type_code or "") and ISSUER_CODE_RE.match(issuer_code or ""))


def make(*, type_code: str, issuer_code: str, serial: str, version: int = 1) -> str:
    """The identifier; ValueError when a part does not have its form (callers check `fits`)."""
    if not fits(type_code, issuer_code) or not SERIAL_RE.match(serial or "") or not 1 <= version <= 999:
        raise ValueError("identifier parts do not have their form")
    body = [type_code, issuer_code, serial, f"{version:03d}"]
    return ".".join([ROOT, *body, mod_37_36.calc_check_digit("".join(body))])


def is_valid(identifier: str) -> bool:
    """Whether `identifier` has the structure above and its check character holds."""
    if not isinstance(identifier, str) or not identifier.startswith(ROOT + "."):
        return False
    parts = identifier[len(ROOT) + 1:].split(".")
    if len(parts) != 5:
        return False
    type_code, issuer_code, serial, version, check = parts
    if not (fits(type_code, issuer_code) and SERIAL_RE.match(serial) and re.fullmatch(r"[0-9]{3}", version)):
        return False
    return mod_37_36.calc_check_digit(type_code + issuer_code + serial + version) == check


def serial_of(number: str) -> str:
    """The serial of a licence numbered `DZZZ-441803-2026-000123`: its digits, 4418032026000123."""
    return re.sub(r"[^0-9A-Z]", "", (number or "").upper().removeprefix("DZZZ"))
