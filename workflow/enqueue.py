"""The background work workflow services ask for: recorded as an intent in the service's
transaction (`core.intents.record`) and woken when it commits (never inside it: a worker must not
read rows that are not there yet, nor act on a rollback). A wake-up lost with the broker, or a
run lost with a killed worker, is sent again by the intent relay (`core.tasks.relay_intents`).

Services import this module, never `workflow.tasks`; tasks import services. The tasks are named,
not imported, so the two modules do not import each other. `tests/workflow/test_enqueue.py`
checks that every name here is a registered task. Each intent's key names the work, so asking
twice (a service and the `recover_stalled` reconciler) is one intent.
"""

from __future__ import annotations

from core import intents

TASKS = "workflow.tasks"


def _record(task: str, key: str, *args) -> int:
    return intents.record(f"{TASKS}.{task}", args, key=f"workflow.{key}")


def dispatch_subcases(application_id: int) -> None:
    _record("dispatch_subcases", f"dispatch:{application_id}", application_id)


def generate_notice(application_id: int, kind: str, subcase_id: int | None = None, key_suffix: str = "") -> None:
    _record("generate_notice", f"notice:{application_id}:{kind}:{subcase_id or ''}:{key_suffix}",
            application_id, kind, subcase_id, key_suffix)


def issue_licence(subcase_id: int) -> None:
    _record("issue_licence", f"licence:{subcase_id}", subcase_id)


def prepare_result(application_id: int) -> None:
    _record("prepare_result", f"result:{application_id}", application_id)
