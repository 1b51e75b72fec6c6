"""`manage.py import_catalog PATH`: check a catalog workbook row by row, then write all or nothing.

Exits with an error and the per-row report when any row is wrong; `--check` only checks."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matters.catalog_xlsx import import_catalog, read_catalog


class Command(BaseCommand):
    help = "从 XLSX 文件导入事项目录:先逐行检查,全部正确才写入,有任何错误则不写入"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的 .xlsx 文件路径")
        parser.add_argument("--check", action="store_true", help="只检查,不写入")

    def handle(self, *args, path, check=False, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"找不到文件:{source}")
        with source.open("rb") as stream:
            report = read_catalog(stream)[1] if check else import_catalog(file=stream)
        read = "、".join(f"{sheet} {n} 行" for sheet, n in report.rows.items())
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            more = f"(另有 {report.more_errors} 处未列出)" if report.more_errors else ""
            raise CommandError(f"发现 {len(report.errors) + report.more_errors} 处错误{more},未写入任何数据。")
        if check:
            self.stdout.write(f"检查通过:{read}。未写入(--check)。")
        else:
            self.stdout.write(f"导入完成:{read}。{report.summary()}")
