"""Services queue background work through workflow.enqueue, after commit, by task name: every
name is a registered task, nothing is queued when the transaction rolls back, and services and
tasks no longer import each other."""

import ast
from pathlib import Path

import pytest
from celery import current_app
from django.db import transaction

from tests.factories import ClerkFactory, MatterFactory, submitted_application
from workflow import enqueue, services
from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sent(monkeypatch):
    """The tasks handed to the broker, by name and arguments (the broker itself is in memory)."""
    calls = []
    original = current_app.send_task

    def record(name, args=None, **kwargs):
        calls.append((name, tuple(args or ())))
        return original(name, args=args, **kwargs)

    monkeypatch.setattr(current_app, "send_task", record)
    return calls


def test_every_enqueued_name_is_a_registered_task():
    current_app.loader.import_default_modules()
    names = [n for n in dir(enqueue) if not n.startswith("_") and callable(getattr(enqueue, n))
             and getattr(enqueue, n).__module__ == enqueue.__name__]
    assert names, "enqueue defines its functions"
    for name in names:
        assert f"{enqueue.TASKS}.{name}" in current_app.tasks, name


def test_acceptance_queues_dispatch_and_notice_after_commit(sent, django_capture_on_commit_callbacks):
    seed_calendar(years=[2026])
    application = submitted_application(matters=[MatterFactory()])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=application, clerk=ClerkFactory())
        assert sent == []  # nothing before the commit
    assert ("workflow.tasks.dispatch_subcases", (application.pk,)) in sent
    assert ("workflow.tasks.generate_notice", (application.pk, "acceptance", None, "")) in sent


def test_nothing_is_queued_when_the_service_rolls_back(sent, django_capture_on_commit_callbacks):
    seed_calendar(years=[2026])
    application = submitted_application(matters=[MatterFactory()])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.application_accept(application=application, clerk=ClerkFactory())
            raise RuntimeError("rolled back")
    assert callbacks == [] and sent == []


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found |= {f"{node.module or ''}:{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_services_never_import_tasks_and_tasks_import_services():
    service_imports = _imports(ROOT / "workflow" / "services.py")
    assert not {i for i in service_imports if i.endswith(":tasks") or i.startswith("tasks") or "workflow.tasks" in i}
    assert ":services" in _imports(ROOT / "workflow" / "tasks.py")

