"""Payment work asked for as intents (core.intents, like workflow.enqueue): recorded in the
caller's transaction, woken on commit by task name, sent again by the intent relay when lost."""

from __future__ import annotations

from core import intents

TASKS = "payments.tasks"


def query_order(order_id: int) -> None:
    intents.record(f"{TASKS}.query_order", [order_id], key=f"payments.query:{order_id}")
