"""Domain errors shared by every app.

A service raises one of these; the HTML views show `message` to the user and the API turns it
into the one error shape `{"code", "message", "fields"}` with the class's HTTP status
(portal/api_errors.py). `message` is Chinese, for people; `code` is stable, for programs.

This lives in `core/`, a plain package below every app, because every app raises these errors
and imports point down the chain accounts ← matters ← … ← portal.
"""


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, message, *, code=None, fields=None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}


class Invalid(DomainError):
    """Bad input: nothing was changed."""


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The object is not in a state that allows this (often: someone else acted first)."""

    status = 409
    default_code = "conflict"
