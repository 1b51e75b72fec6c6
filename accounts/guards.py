"""Rate limits of the anonymous account pages and their API twins (sign-up, claim): counted per
client address (`REMOTE_ADDR` after the trusted-proxy middleware) and per ID number, so neither a
guesser walking through ID numbers nor one hammering one number gets far. The answers themselves
do not say whether an ID number is registered (accounts.services)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.throttle import FailureThrottle, client_address

WINDOW = 15 * 60
# Any sign-up or claim attempt from one address (a hall's shared network included): generous.
attempts = FailureThrottle("acct-attempt", limit=20, window=WINDOW)
# Attempts that ran into an existing or mismatching ID number, per ID number and per address.
id_failures = FailureThrottle("acct-id", limit=5, window=WINDOW)

ID_CODES = {"id_number_unavailable", "claim_mismatch"}


class TooManyAttempts(DomainError):
    status = 429
    default_code = "throttled"


def refuse_if_blocked(request, id_number: str) -> None:
    client, ident = client_address(request), (id_number or "").strip().upper()
    if attempts.blocked(c=client) or id_failures.blocked(c=client, i=ident):
        raise TooManyAttempts(_("尝试次数过多,请 15 分钟后再试,或携带身份证到任一政务服务大厅综合窗口办理。"))


def guarded(request, id_number: str, attempt):
    """Run `attempt()` (a sign-up or a claim) behind the limits: refused while blocked, counted
    whatever its outcome; a DomainError is counted and raised again."""
    refuse_if_blocked(request, id_number)
    try:
        result = attempt()
    except DomainError as exc:
        count(request, id_number, exc)
        raise
    count(request, id_number, None)
    return result


def count(request, id_number: str, exc: DomainError | None) -> None:
    """One attempt; a refusal about the ID number also counts against the number and address."""
    client, ident = client_address(request), (id_number or "").strip().upper()
    attempts.fail(c=client)
    if exc is not None and exc.code in ID_CODES:
        id_failures.fail(c=client, i=ident)
