"""Writes of the exchange platform. Every message is logged once per case and kind, so a task
that runs twice does not send or record twice."""

from .models import ExchangeMessage


def record_dispatch(*, department, case_ref: str, payload: dict) -> ExchangeMessage:
    """Dispatch a sub-case to its department. Departments without a system of their own decide
    in this portal's back office, so the dispatch is the logged hand-over itself; departments
    with their own system will receive it over the API (a later issue)."""
    message, _created = ExchangeMessage.objects.get_or_create(
        kind=ExchangeMessage.Kind.DISPATCH, case_ref=case_ref,
        defaults={"department": department, "payload": payload, "channel": ExchangeMessage.Channel.BACK_OFFICE},
    )
    return message
