from django.core.management.base import BaseCommand, CommandError

from exchange import catalog_sync
from exchange.models import CatalogFeedVersion


class Command(BaseCommand):
    help = "从省级事项目录源同步事项目录(新增、变更、撤销),并打印变更报告"

    def handle(self, *args, **options):
        try:
            result = catalog_sync.sync_catalog()
        except catalog_sync.FeedError as error:
            raise CommandError(f"目录源不可用:{error}")
        if result is None:
            raise CommandError("未配置目录源(CATALOG_FEED_URL)。")
        if not result["applied"]:
            self.stdout.write(f"目录已是最新(第 {result['last']} 版)。")
        for number in result["applied"]:
            report = CatalogFeedVersion.objects.get(version=number).report
            self.stdout.write(f"第 {number} 版:{catalog_sync.summary(report)}")
            for row in report["added"]:
                self.stdout.write(f"  新增 {row['code']} {row['name']}")
            for row in report["changed"]:
                fields = "、".join(row["fields"]) or "材料"
                self.stdout.write(f"  变更 {row['code']} {row['name']}({fields})")
            for row in report["withdrawn"]:
                self.stdout.write(f"  撤销 {row['code']} {row['name']}")
            for row in report["refused"]:
                self.stdout.write(f"  拒收 {row['code']}:{row['reason']}")
