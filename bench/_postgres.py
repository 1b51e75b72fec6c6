"""The benchmarks' own PostgreSQL database, beside the one DATABASE_URL names (a helper module of
the bench scripts, not a benchmark: `make bench` runs only bench_*.py)."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def bench_database(name: str, *, script: str, fresh: bool = True) -> str:
    """Point DATABASE_URL at the database `name` on the server DATABASE_URL names, dropped and
    created again unless `fresh` is false (a previous run's data, reused); return the server's
    own URL (to drop the database afterwards, or hand to another script). Exits with a message
    when DATABASE_URL is not PostgreSQL."""
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} needs DATABASE_URL pointing at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/tongban")
    import psycopg
    from _contract import create_database_sql

    parts = urlsplit(server_url)
    if fresh:
        with psycopg.connect(admin_url(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(create_database_sql(name))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return server_url


def admin_url(server_url: str) -> str:
    """The server's maintenance database, from which others are created and dropped."""
    return urlunsplit(urlsplit(server_url)._replace(path="/postgres"))


def insert_select(model, source_sql, columns: dict):
    """INSERT INTO the model's table SELECT <columns> FROM <source_sql>; every other NOT NULL
    column gets its field's default (auto_now fields: now()). The caller's SQL has no
    parameters (only literals it controls), so a literal % is written %%."""
    from django.db import connection

    names, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in columns:
            names.append(column)
            exprs.append(columns[column])
        elif field.primary_key or field.null:
            continue
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            names.append(column)
            exprs.append("now()")
        elif field.has_default() or field.empty_strings_allowed:  # a CharField without default: ""
            names.append(column)
            exprs.append("%s")
            params.append(field.get_db_prep_value(field.get_default(), connection))
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
