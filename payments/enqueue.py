"""Payment work queued when the caller's transaction commits (like workflow.enqueue): tasks are
named, not imported, and take ids."""

from __future__ import annotations

from celery import current_app
from django.db import transaction

TASKS = "payments.tasks"


def query_order(order_id: int) -> None:
    transaction.on_commit(lambda: current_app.send_task(f"{TASKS}.query_order", args=(order_id,)), robust=True)
