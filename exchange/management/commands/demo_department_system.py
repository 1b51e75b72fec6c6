from django.core.management.base import BaseCommand, CommandError

from accounts.models import Department
from exchange import departments
from exchange.models import DepartmentSystem


class Command(BaseCommand):
    help = "演示:设定一个部门在其自建审批系统审批(参考实现 refsys),并打印启动 refsys 所需的参数"

    def add_arguments(self, parser):
        parser.add_argument("--department", default="QX-WJJ")
        parser.add_argument("--url", default="http://127.0.0.1:8701")
        parser.add_argument("--print-args", action="store_true",
                            help="只打印一行:部门编码 密钥编号:密钥 系统名称(供 scripts/serve.sh 使用)")
        parser.add_argument("--catalog-seed", help="把现行事项目录写成省级目录源第1版的 JSON 文件")

    def handle(self, *args, department, url, print_args, catalog_seed, **options):
        if catalog_seed:
            self._seed(catalog_seed)
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(f"没有部门 {department}(请先运行 load_demo)。")
        system, _created = DepartmentSystem.objects.update_or_create(
            department=dept, defaults={"name": f"{dept.short_name or dept.name}审批系统", "base_url": url, "active": True})
        departments.ensure_account(system)
        key = departments.signing_key(system)
        if print_args:
            self.stdout.write(f"{dept.code} {key.key_id}:{key.secret} {system.name}")
        else:
            self.stdout.write(f"{dept.name} 在自建系统审批:{url}(签名密钥 {key.key_id})")

    def _seed(self, path):
        import json

        from matters.models import Matter

        rows = [{
            "code": m.code, "name": m.name, "department": m.department.code, "kind": m.kind, "target": m.target,
            "legal_days": m.legal_days, "promised_days": m.promised_days, "fee_fen": m.fee_fen,
            "legal_basis": m.legal_basis, "conditions": m.conditions, "issues_licence": m.issues_licence,
            "result_name": m.result_name, "materials": [{"name": r.name, "required": r.required} for r in m.materials.all()],
        } for m in Matter.objects.filter(is_active=True).select_related("department").prefetch_related("materials")]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(rows, f, ensure_ascii=False)
