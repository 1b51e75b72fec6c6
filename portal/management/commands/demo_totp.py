from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from portal.demo import totp


class Command(BaseCommand):
    help = "显示演示工作人员账号当前的6位动态口令(TOTP),仅用于演示数据"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        if user.is_public and not (user.is_staff or user.is_superuser):
            raise CommandError(f"{username} 是群众账号,登录无需动态口令")
        code, seconds = totp.current_code(user)
        self.stdout.write(f"{username} 当前动态口令: {code}(还有 {seconds} 秒有效)")
        self.stdout.write(f"也可将演示密钥加入身份验证器: {totp.otpauth_uri(username)}")
