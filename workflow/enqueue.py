"""The background work workflow services ask for, queued when the service's transaction commits
(never inside it: a worker must not read rows that are not there yet, nor act on a rollback).

Services import this module, never `workflow.tasks`; tasks import services. The tasks are named,
not imported, so the two modules do not import each other. `tests/workflow/test_enqueue.py`
checks that every name here is a registered task.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

TASKS = "workflow.tasks"


def _after_commit(task: str, *args) -> None:
    # robust: a broker that is down must not undo the service's committed work; what was not
    # queued is found again by `workflow.tasks.recover_stalled`.
    transaction.on_commit(lambda: current_app.send_task(f"{TASKS}.{task}", args=args), robust=True)


def dispatch_subcases(application_id: int) -> None:
    _after_commit("dispatch_subcases", application_id)


def generate_notice(application_id: int, kind: str, subcase_id: int | None = None, key_suffix: str = "") -> None:
    _after_commit("generate_notice", application_id, kind, subcase_id, key_suffix)


def issue_licence(subcase_id: int) -> None:
    _after_commit("issue_licence", subcase_id)


def prepare_result(application_id: int) -> None:
    _after_commit("prepare_result", application_id)
