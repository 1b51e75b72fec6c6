"""Hooks that higher apps register on, so that `accounts` never imports them.

Claiming a window-registered account asks for the number of one of the person's applications;
applications live in `workflow`, which registers `application_belongs_to` in its ready()."""

from __future__ import annotations

from collections.abc import Callable

_application_check: Callable[[object, str], bool] | None = None


def register_application_check(check: Callable[[object, str], bool]) -> None:
    global _application_check
    _application_check = check


def application_belongs_to(user, number: str) -> bool:
    """True when `number` names an application whose applicant is `user`."""
    return _application_check is not None and _application_check(user, number)
