from django.core.management.base import BaseCommand

from portal.demo import catalog


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):
        self.stdout.write("演示账号(密码均为 %s):" % catalog.USERS[0]["password"])
        for row in catalog.USERS:
            self.stdout.write(f"  {row['username']:<16} {row['real_name']:<6} {row['role']}")
