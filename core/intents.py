"""Background work recorded with the change that implies it, finished whatever the broker and the
workers did meanwhile (docs/decisions.md, "Nothing lost: one intent table, one relay").

- `record(task, args, key=…)` inside the service's transaction writes an `Intent` row, and wakes
  the task when the transaction commits (robust: a broker that is down does not undo the change).
- The task runs its effect through `fulfil(intent_id, effect)`: a done intent is skipped, and the
  intent is marked done in the transaction of the effect (both or neither).
- `relay_due()` (beat, `core.tasks.relay_intents`) sends again every intent still pending after
  its lease: the wake-up lost with the broker, the run lost with a killed worker. Each send pushes
  the next one further out (the lease doubled per send, capped), never gives up. The lease of a
  run starts again when the worker takes it (`fulfil`), so an intent waiting in a long queue is
  sent again only once its wait ran out, and a run cut by a killed worker a lease after it began.
- Backpressure, per queue of the broker (settings.CELERY_TASK_ROUTES: notices, exchange, figures
  and the default): the relay tops each queue up to INTENT_RELAY_MAX_QUEUED messages and sends
  nothing into a queue holding more, while it still sends into the others. What waits in a queue
  is not lost; a broker restarted empty shows empty queues, and the relay sends again.

The claim of a batch and the capped backoff are the pattern of the exchange's outbox relay
(`exchange.relay`), which uses `claim` and `backoff` from here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import Intent

logger = logging.getLogger(__name__)
T = TypeVar("T")


def backoff(attempts: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the `attempts`-th attempt (1, 2, …): capped exponential."""
    return min(cap, base * 2 ** max(attempts - 1, 0))


def claim(queryset: models.QuerySet, ids: Iterable[int], *, now, lease_end, field: str = "next_attempt_at"):
    """Claim the rows of `ids` still due in `queryset` in one conditional UPDATE that stamps
    `field` with `lease_end`, an instant of this claim's own; returns the rows that carry it
    afterwards (a parallel relay stamps another instant and gets the others)."""
    ids = list(ids)
    queryset.filter(pk__in=ids, **{f"{field}__lte": now}).update(**{field: lease_end})
    return queryset.filter(pk__in=ids, **{field: lease_end})


def lease_seconds() -> float:
    return float(getattr(settings, "INTENT_LEASE_SECONDS", 300.0))


def max_queued() -> int:
    return int(getattr(settings, "INTENT_RELAY_MAX_QUEUED", 200))


def queues_by_kind() -> dict[str, list[str]]:
    """The broker's queues and the tasks routed to each (settings.CELERY_TASK_ROUTES); the default
    queue's list is empty: it takes every task not routed elsewhere."""
    conf = current_app.conf
    queues: dict[str, list[str]] = {conf.task_default_queue: []}
    routes = conf.task_routes if isinstance(conf.task_routes, dict) else {}
    for task, route in routes.items():
        queue = route.get("queue") if isinstance(route, dict) else None
        if queue and queue != conf.task_default_queue:
            queues.setdefault(getattr(queue, "name", queue), []).append(task)
    return queues


def queue_lengths(queues: Iterable[str]) -> dict[str, int] | None:
    """Messages waiting in each of the broker's `queues`, or None when the broker cannot be asked
    (down: the sends would fail too, and leave their intents due)."""
    from kombu.exceptions import ChannelError

    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            channel, lengths = connection.default_channel, {}
            for name in sorted(set(queues)):
                try:
                    lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except ChannelError:  # no such queue (Redis: an empty list does not exist)
                    lengths[name] = 0
            return lengths
    except Exception as error:  # the broker is away
        logger.warning("relay_intents: cannot read the broker's queues: %s", error)
        return None


def queued_messages(queues: Iterable[str] = ()) -> int | None:
    """Messages waiting in the broker's default queue and `queues` together, or None when the
    broker cannot be asked."""
    lengths = queue_lengths({current_app.conf.task_default_queue, *queues})
    return None if lengths is None else sum(lengths.values())


def _wake(pk: int, task: str, args: list, options: dict, countdown: float) -> None:
    extra = {"countdown": countdown} if countdown else {}
    current_app.send_task(task, args=tuple(args), kwargs={"intent_id": pk}, **options, **extra)


def record(task: str, args: Iterable = (), *, key: str, countdown: float = 0.0, options: dict | None = None) -> int:
    """Write the intent to run `task(*args)` in the caller's transaction and wake the task when it
    commits. Asking again for work that is pending is the same intent; for work that was done,
    the intent opens again. Returns the intent's id."""
    args, options = list(args), dict(options or {})
    now = timezone.now()
    first = now + dt.timedelta(seconds=countdown + lease_seconds())
    try:
        with transaction.atomic():
            pk = Intent.objects.create(key=key[:160], task=task, args=args, options=options,
                                       next_attempt_at=first).pk
    except IntegrityError:  # asked before (perhaps by a transaction that just committed)
        mine = Intent.objects.filter(key=key[:160])
        mine.exclude(status=Intent.Status.PENDING).update(
            status=Intent.Status.PENDING, sends=0, next_attempt_at=first, done_at=None, last_error="",
            args=args, options=options)
        mine.update(version=F("version") + 1)
        pk = mine.values_list("pk", flat=True).get()
    transaction.on_commit(lambda: _wake(pk, task, args, options, countdown), robust=True)
    return pk


def fulfil(intent_id: int | None, effect: Callable[[], T], *, label: str = "",
           finished: Callable[[T], bool] | None = None) -> T | None:
    """Run `effect` for the intent `intent_id`, once: skipped when the intent is done, marked done
    in the same transaction as the effect. `intent_id` None (a direct call) runs the effect alone.
    An exception leaves the intent pending (the relay sends it again) and is raised.

    `finished`: for an effect that commits as it goes (an export whose progress a page polls, its
    own record under a lease): the effect runs outside a transaction of ours and the intent is
    closed after it only when `finished(result)` says its record reached its end; a record held
    by another run's lease is not finished, so the intent stays pending for the relay."""
    if intent_id is None:
        return effect()
    seen = Intent.objects.filter(pk=intent_id).values("status", "version", "key").first()
    if seen is None or seen["status"] == Intent.Status.DONE:
        logger.info("intent %s %s: skipped (%s)", intent_id, label, "done" if seen else "missing")
        return None
    # committed at once, outside the effect's transaction: the admin and the tests see it running,
    # and the relay leaves it alone for a lease from now (a run cut by a killed worker is sent
    # again a lease after it began, not a lease after a send that waited in the queue)
    now = timezone.now()
    Intent.objects.filter(pk=intent_id, status=Intent.Status.PENDING).update(
        taken_at=now, runs=F("runs") + 1,
        next_attempt_at=Greatest(F("next_attempt_at"), Value(now + dt.timedelta(seconds=lease_seconds()))))
    close = Intent.objects.filter(pk=intent_id, version=seen["version"])
    try:
        if finished is not None:
            result = effect()
            if finished(result):
                close.update(status=Intent.Status.DONE, done_at=timezone.now(), last_error="")
            return result
        with transaction.atomic():
            result = effect()
            close.update(status=Intent.Status.DONE, done_at=timezone.now(), last_error="")
    except Exception as error:
        Intent.objects.filter(pk=intent_id).update(last_error=f"{type(error).__name__}: {error}"[:255])
        raise
    return result


def renew(intent_id: int | None) -> bool:
    """Push a running intent's lease a full lease from now (a heartbeat), so that the relay does not
    send again work that is still going; committed at once. Returns whether a pending intent was
    renewed (False for a direct call, a done intent or one that is gone)."""
    if intent_id is None:
        return False
    until = timezone.now() + dt.timedelta(seconds=lease_seconds())
    return bool(Intent.objects.filter(pk=intent_id, status=Intent.Status.PENDING).update(
        next_attempt_at=Greatest(F("next_attempt_at"), Value(until))))


class Heartbeat:
    """Called as often as convenient by a long run (each person, each row): renews the intent's
    lease once a third of a lease has passed since the last renewal (one UPDATE, not one per call),
    so a run longer than INTENT_LEASE_SECONDS is never sent again while it is alive; a run that
    dies stops beating and is sent again a lease later."""

    def __init__(self, intent_id: int | None):
        self.intent_id = intent_id
        self.last = timezone.now()
        self.renewals = 0

    def __call__(self) -> None:
        if self.intent_id is None:
            return
        now = timezone.now()
        if (now - self.last).total_seconds() >= lease_seconds() / 3:
            renew(self.intent_id)
            self.last = now
            self.renewals += 1


def _due() -> models.QuerySet:
    return Intent.objects.filter(status=Intent.Status.PENDING, next_attempt_at__lte=timezone.now())


def due_ids(limit: int = 500) -> list[int]:
    return list(_due().order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def _due_ids_by_queue(limit: int) -> list[int]:
    """The due intents to send this tick: per queue of the broker, the oldest first, at most what
    fits under INTENT_RELAY_MAX_QUEUED in that queue (and at most `limit`). A queue fuller than the
    bound gets nothing this tick; the other queues are not held back by it."""
    queues = queues_by_kind()
    lengths = queue_lengths(queues)
    routed = [task for tasks in queues.values() for task in tasks]
    ids: list[int] = []
    for queue, tasks in queues.items():
        room = limit if lengths is None else min(limit, max_queued() - lengths[queue])
        if room <= 0:
            logger.info("relay_intents: %d messages wait in queue %s, none of its intents sent this tick",
                        lengths[queue], queue)
            continue
        due = _due().filter(task__in=tasks) if tasks else _due().exclude(task__in=routed)
        ids += due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:room]
    return ids


def relay_due(limit: int = 500) -> int:
    """Send every pending intent whose lease ran out, once; returns how many were sent. The next
    send of each is a lease later, doubled per send up to INTENT_MAX_BACKOFF_SECONDS. A broker
    that fails mid-batch leaves the rest due for the next tick.

    Backpressure, per queue (settings.CELERY_TASK_ROUTES: notices, exchange, figures, the default):
    at most INTENT_RELAY_MAX_QUEUED messages wait in each; a tick sends into a queue only what fits
    under that bound (the oldest due first) and nothing while it is fuller, so a worker behind its
    queue is not flooded with sends of intents already waiting, and a long queue of notices does
    not hold back the sends of dispatches."""
    ids = _due_ids_by_queue(limit)
    if not ids:
        return 0
    now = timezone.now()
    lease, cap = lease_seconds(), float(getattr(settings, "INTENT_MAX_BACKOFF_SECONDS", 1800.0))
    ours = claim(Intent.objects.filter(status=Intent.Status.PENDING), ids, now=now,
                 lease_end=now + dt.timedelta(seconds=lease))
    sent, batch = 0, list(ours.order_by("pk"))
    for n, intent in enumerate(batch):
        sends = intent.sends + 1
        try:
            _wake(intent.pk, intent.task, intent.args, intent.options, 0)
        except Exception as error:  # the broker went away: this one and the rest stay due
            Intent.objects.filter(pk__in=[i.pk for i in batch[n:]]).update(next_attempt_at=now)
            logger.warning("relay_intents: broker unavailable after %d sends: %s", sent, error)
            break
        Intent.objects.filter(pk=intent.pk).update(
            sends=sends, next_attempt_at=now + dt.timedelta(seconds=backoff(sends + 1, base=lease, cap=max(cap, lease))))
        sent += 1
    if sent:
        logger.info("relay_intents: sent %d intents again", sent)
    return sent


def forget_done(*, older_than_days: int | None = None) -> int:
    """Done intents are kept INTENT_KEEP_DAYS (30) for the admin, then deleted."""
    days = older_than_days if older_than_days is not None else int(getattr(settings, "INTENT_KEEP_DAYS", 30))
    cutoff = timezone.now() - dt.timedelta(days=days)
    return Intent.objects.filter(status=Intent.Status.DONE, done_at__lt=cutoff).delete()[0]


def backlog() -> dict[str, int]:
    pending = Intent.objects.filter(status=Intent.Status.PENDING)
    return {"pending": pending.count(), "due": pending.filter(next_attempt_at__lte=timezone.now()).count()}
