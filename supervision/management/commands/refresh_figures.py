"""Refresh the dashboard's rollups: every day with events (default), or a range of days."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from supervision.figures import services as figures


class Command(BaseCommand):
    help = "刷新效能监督汇总数据(默认全部日期)"

    def add_arguments(self, parser):
        parser.add_argument("--first", help="YYYY-MM-DD")
        parser.add_argument("--last", help="YYYY-MM-DD")
        parser.add_argument("--recent", action="store_true", help="只刷新最近21天")

    def handle(self, *args, first=None, last=None, recent=False, **options):
        start = time.perf_counter()
        if recent:
            rows = figures.refresh_recent()
        elif first or last:
            try:
                first_day = dt.date.fromisoformat(first or last)
                last_day = dt.date.fromisoformat(last or first)
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
            rows = figures.refresh_rollups(first=min(first_day, last_day), last=max(first_day, last_day))
        else:
            rows = figures.refresh_all()
        self.stdout.write(f"{rows} rollup rows in {time.perf_counter() - start:.2f} s")
