"""`manage.py export_catalog PATH`: the whole matter catalog as one XLSX workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand

from matters.catalog_xlsx import export_catalog
from matters.models import FormField, MaterialRequirement, Matter


class Command(BaseCommand):
    help = "导出事项目录(事项、申请材料、表单字段)为 XLSX 文件"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要写入的 .xlsx 文件路径")

    def handle(self, *args, path, **options):
        target = Path(path)
        with target.open("wb") as stream:
            export_catalog(stream)
        self.stdout.write(
            f"已导出 {Matter.objects.count()} 个事项、{MaterialRequirement.objects.count()} 项申请材料、"
            f"{FormField.objects.count()} 个表单字段到 {target}。"
        )
