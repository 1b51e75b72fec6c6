"""`manage.py demo_data_sources --out var/datasources.json`: the records the reference data-source
program serves in `make run` (`python -m refsys --records FILE`), one per demo citizen and enterprise."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from exchange.demo_records import demo_records


class Command(BaseCommand):
    help = "写出演示数据共享来源的记录(按演示群众和企业生成)"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)

    def handle(self, *args, out, **options):
        records = demo_records()
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
        people = len(records.get("huji", {}))
        self.stdout.write(f"数据共享演示记录:{people} 位群众,{len(records.get('qiye', {}))} 家企业 → {out}")
