from django.core.management.base import BaseCommand

from accounts.models import Department, Hall, User
from portal.demo import catalog, people


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):
        halls = dict(Hall.objects.values_list("code", "name"))
        departments = dict(Department.objects.values_list("code", "short_name"))
        self.stdout.write("演示账号(密码均为 %s):" % catalog.USERS[0]["password"])
        for row in catalog.USERS:
            where = departments.get(row.get("department") or "", "")
            if row.get("leader"):
                where += " 负责人(批准延期)"
            if row.get("seats"):
                where = "、".join(f"{halls.get(h, h)} {n} 号窗口" for h, n in row["seats"])
            self.stdout.write(f"  {row['username']:<16} {row['real_name']:<4} {User.Role(row['role']).label:<8} {where}")
        for row in people.PEOPLE:  # 委托代办 and enterprise staff (portal/demo/people.py)
            self.stdout.write(f"  {row['username']:<16} {row['real_name']:<4} {User.Role.PUBLIC.label:<8}")
        self.stdout.write("工作人员和管理员登录还需6位动态口令(TOTP):在另一个终端运行 "
                          "`make totp U=<用户名>` 查看当前口令。"
                          "群众和企业账号无需动态口令。")
