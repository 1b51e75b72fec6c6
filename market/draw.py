"""The random draw (随机抽取), reproducible by anyone from what the result page publishes.

    message = seed + "\n" + code_1 + "\n" + … + "\n" + code_n     (UTF-8)
    digest  = SHA-256(message), as 64 hexadecimal digits
    index   = int(digest, 16) mod n                               (0 = the first code)
    winner  = code_(index + 1)

The codes are the qualified bidders' unified social credit codes in ascending order, so the list
does not depend on who bid first. The seed is drawn when the demand is posted; its SHA-256 (the
commitment) is published at once and the seed itself at the draw, so the owner cannot pick a
seed after seeing the bidders. Pure functions, no Django: `python -m market.draw SEED CODE…`
runs it too.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class DrawResult:
    digest: str
    index: int
    winner: str


def new_seed() -> str:
    return secrets.token_hex(16)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def ordered(codes) -> list[str]:
    """The published order: ascending credit codes, each once."""
    return sorted(set(codes))


def draw(seed: str, codes: list[str]) -> DrawResult:
    """The winner among `codes` (in the order given) for `seed`."""
    if not codes:
        raise ValueError("no bidder to draw from")
    message = "\n".join([seed, *codes]).encode("utf-8")
    digest = hashlib.sha256(message).hexdigest()
    index = int(digest, 16) % len(codes)
    return DrawResult(digest=digest, index=index, winner=codes[index])


if __name__ == "__main__":  # pragma: no cover - a convenience for people re-running a draw
    result = draw(sys.argv[1], sys.argv[2:])
    print(f"SHA-256 {result.digest}\n序号 {result.index + 1}:{result.winner}")
