"""A read replica for the pages that only read (issue 15, more boxes; docs/scale.md).

`DATABASE_REPLICA_URL` adds the `replica` alias (settings.py; its connection is read-only,
`default_transaction_read_only=on`, so a write that reached it would fail rather than diverge).
The GET requests of the views named in `REPLICA_READ_VIEWS` (the dashboard, its drill-down, the
disclosure page and API, the figures API) read through it: `ReplicaReadsMiddleware` marks the
request after the session and the user were read from the primary, and `ReplicaRouter` sends
that request's reads to the replica. Everything else reads the primary, and nothing ever writes
through the replica: `db_for_write` is always the primary, and a read inside a transaction of
the primary stays on the primary (it must see the transaction's own rows; `select_for_update`
would fail on a read-only connection). Without the alias the router and the middleware do
nothing."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    """Reads inside this block go to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS  # an object read from the replica is saved to the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary's schema by replication


class ReplicaReadsMiddleware:
    """After the session, authentication and the session guard: the view of a GET named in
    REPLICA_READ_VIEWS, and the rendering of its answer, read through the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = frozenset(getattr(settings, "REPLICA_READ_VIEWS", ()))

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading.reset(token)
                request._replica_token = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (request.method in ("GET", "HEAD") and match is not None and match.view_name in self.views
                and replica_configured()):
            request._replica_token = _reading.set(True)
        return None


def version_token(model) -> str:
    """The `token` of a one-row version table (its row 1; "" without it) in one plain statement
    on the database the router reads `model` from: what the submission path asks on every
    request (the calendar's and the catalog's versions), without the ORM's query building."""
    from django.db import router

    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('token')} FROM {quote(model._meta.db_table)} WHERE {quote('id')} = %s", [1])
        row = cursor.fetchone()
    return (row[0] if row else "") or ""
