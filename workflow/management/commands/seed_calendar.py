"""`manage.py seed_calendar [--year 2026 ...]`: fill the working-day calendar from chinese_calendar."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflow.calendar_store import package_years, seed_calendar, seed_source


def _years_text(years):
    return "、".join(str(y) for y in years) if years else _("无")


class Command(BaseCommand):
    help = _("从 chinese_calendar 写入法定节假日与调休上班日;管理员录入的年度不会被覆盖。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help=_("只写入这一年(可重复);默认写入软件包已知的全部年度。"),
        )

    def handle(self, *args, years=None, **options):
        requested = sorted(set(years)) if years else package_years()
        try:
            written = seed_calendar(years)
        except ValueError as exc:
            raise CommandError(_("软件包不认识所请求的年度:%(error)s") % {"error": exc}) from exc
        skipped = [y for y in requested if y not in written]
        self.stdout.write(_("来源:%(source)s") % {"source": seed_source()})
        self.stdout.write(self.style.SUCCESS(_("已写入日历年度:%(years)s") % {"years": _years_text(written)}))
        if skipped:
            self.stdout.write(
                self.style.WARNING(_("以下年度由管理员维护,未覆盖:%(years)s") % {"years": _years_text(skipped)})
            )
