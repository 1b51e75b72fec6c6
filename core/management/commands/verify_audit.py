"""Walk the hash chain of every log table and name the first broken row of each.

    python manage.py verify_audit            # every day of every table
    python manage.py verify_audit --since 2026-12-01

Exits 1 when any chain is broken (the first broken row: table, id, day, position, reason)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core import audit


class Command(BaseCommand):
    help = "核验所有日志表的哈希链,列出每张表第一条断裂的记录;有断裂时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只核验该日(YYYY-MM-DD,北京时间)及以后的链")

    def handle(self, *args, since=None, **options):
        day = None
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since 须为 YYYY-MM-DD:{since}") from exc
        reports = audit.verify(since=day)
        broken = 0
        for report in reports:
            if report.ok:
                self.stdout.write(f"OK     {report.table} ({report.name}): {report.rows} rows, {report.chains} chains")
            else:
                broken += 1
                b = report.first_break
                self.stdout.write(f"BROKEN {report.table} ({report.name}): first broken row "
                                  f"id={b.row_id if b.row_id is not None else '-'} day={b.day or '-'} "
                                  f"seq={b.seq or '-'}: {b.reason}")
        if broken:
            raise CommandError(f"{broken} of {len(reports)} log tables have a broken chain", returncode=1)
        self.stdout.write(f"all {len(reports)} log tables verified")
