"""`manage.py demo_terminal --public-key KEY`: the demo's 市民之窗 terminal (`make run`).

Registers (or re-keys) terminal QX-T01 in the district centre's hall with the public key of the
reference agent (`python -m termsim`, which keeps the private key in its own file), prints a fresh
one-time enrolment code for the kiosk page, gives the demo citizen `citizen` the terminal PIN
258036 when they have none, and makes the catalog entry whose data-sharing policy covers a
resident's own queries at a terminal (社保, 公积金, 水, 电, 燃气, 交通违章)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Department, Hall, User
from exchange.models import DataSourcePolicy
from matters.models import Matter
from terminals import kiosk, signing
from terminals.models import Terminal, TerminalPin

DEMO_PIN = "258036"
SELF_QUERIES = [
    ("shebao", ["insured", "months"]),
    ("gongjijin", ["account_open", "balance"]),
    ("shui", ["account", "bill_month", "bill_amount", "arrears"]),
    ("dian", ["account", "bill_month", "bill_amount", "arrears"]),
    ("ranqi", ["account", "bill_month", "bill_amount", "arrears"]),
    ("jiaotong", ["unpaid_violations", "vehicles"]),
]


class Command(BaseCommand):
    help = "登记演示用的市民之窗自助终端,并打印一次性登记码"

    def add_arguments(self, parser):
        parser.add_argument("--public-key", required=True, help="the agent's Ed25519 public key (Base64)")
        parser.add_argument("--code", default="QX-T01")
        parser.add_argument("--hall", default="QX-ZWZX")

    @transaction.atomic
    def handle(self, *args, public_key, code, hall, **options):
        if not signing.valid_public_key(public_key):
            raise CommandError("not an Ed25519 public key (32 bytes, Base64)")
        place = Hall.objects.filter(code=hall).first()
        administrator = User.objects.filter(username="admin").first()
        if place is None or administrator is None:
            raise CommandError("load the demo first (manage.py load_demo)")
        terminal, _created = Terminal.objects.update_or_create(
            code=code,
            defaults={"hall": place, "location": "一楼大厅东侧自助服务区", "public_key": public_key, "active": True},
        )
        self._query_matter()
        citizen = User.objects.filter(username="citizen").first()
        if citizen is not None and not TerminalPin.objects.filter(user=citizen).exists():
            TerminalPin.objects.create(user=citizen, pin_hash=make_password(DEMO_PIN))
        enrolment = kiosk.enrolment_code_issue(terminal=terminal, by=administrator)
        card = f"(读卡:{citizen.real_name} {citizen.id_number})" if citizen is not None else ""
        self.stdout.write(
            f"市民之窗终端 {terminal.code}({place.name}):登记码 {enrolment}"
            f"(30 分钟内在 /kiosk/ 输入);演示群众 citizen{card} 的终端密码 {DEMO_PIN};"
            "不读卡时点“没带身份证”输入其身份证号码,短信验证码在短信网关参考程序的页面(:8705)查看"
        )

    def _query_matter(self):
        department = Department.objects.filter(code="QX-RSJ").first() or Department.objects.order_by("pk").first()
        matter, _created = Matter.objects.get_or_create(
            code=settings.TERMINAL_QUERY_MATTER,
            defaults={
                "name": "个人数据自助查询(市民之窗)",
                "kind": Matter.Kind.PUBLIC_SERVICE,
                "type_code": "FW",
                "department": department,
                "target": "natural",
                "legal_days": 1,
                "promised_days": 1,
                # holds the data-sharing policy of the terminals' own queries; nobody applies for it
                "is_active": False,
            },
        )
        for source, fields in SELF_QUERIES:
            DataSourcePolicy.objects.update_or_create(
                matter=matter, source=source, defaults={"fields": fields, "purpose": "本人在市民之窗自助查询"}
            )
