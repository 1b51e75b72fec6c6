from django.core.management.base import BaseCommand

from exchange import reconcile


class Command(BaseCommand):
    help = "对账:与各部门自建审批系统核对未确认的消息和未办理的审批结果"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=float, default=10.0,
                            help="未确认超过此时间的消息列入报告")

    def handle(self, *args, older_than_minutes, **options):
        import datetime as dt

        runs = reconcile.reconcile_all(older_than=dt.timedelta(minutes=older_than_minutes))
        if not runs:
            self.stdout.write("没有启用的部门自建审批系统。")
        for run in runs:
            self.stdout.write(f"{run.department.name}({run.department.code}):" + (
                f"部门系统不可达 {run.error}" if not run.ok else
                f"未获确认 {len(run.unacknowledged)} 条,部门缺失已重发 {len(run.resent)} 条,"
                f"补办审批结果 {len(run.applied)} 条,无法补办 {len(run.rejected)} 条"))
            for label, rows in (("未获确认", run.unacknowledged), ("已重发", run.resent), ("补办", run.applied),
                                ("无法补办", run.rejected)):
                for row in rows:
                    self.stdout.write(f"  {label} {row.get('case_ref', '')} {row.get('message_id', '')} "
                                      f"{row.get('status', row.get('kind', ''))} {row.get('code', '')}".rstrip())
