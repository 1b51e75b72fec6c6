"""Background work of payments: queries for orders whose notification did not come, and the
daily reconciliation. Tasks take ids or dates and are idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from core.intents import fulfil

from . import enqueue, services


@shared_task(name="payments.tasks.query_unsettled_orders", ignore_result=True)
def query_unsettled_orders() -> list[int]:
    ids = services.unsettled_order_ids()
    for order_id in ids:
        enqueue.query_order(order_id)
    return ids


@shared_task(name="payments.tasks.query_order", ignore_result=True)
def query_order(order_id: int, intent_id: int | None = None) -> bool:
    """One query of the provider; it commits its own outcome (the settlement is idempotent), so the
    intent closes after it, not inside a transaction held across the HTTP call."""
    return fulfil(intent_id, lambda: services.query_order(order_id=order_id), finished=lambda _paid: True,
                  label=f"payment query {order_id}")


@shared_task(name="payments.tasks.reconcile_day", ignore_result=True)
def reconcile_day(day: str) -> int:
    return len(services.reconcile(day=dt.date.fromisoformat(day)).differences)


@shared_task(name="payments.tasks.reconcile_yesterday", ignore_result=True)
def reconcile_yesterday() -> int:
    return reconcile_day((timezone.localdate() - dt.timedelta(days=1)).isoformat())
