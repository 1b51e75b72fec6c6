"""`manage.py civic_benefit_run [CODE …]`: find the eligible citizens of the benefits (all active
ones by default) at the data source and tell them."""

from django.core.management.base import BaseCommand

from civic import benefits
from civic.models import Benefit


class Command(BaseCommand):
    help = "免申即享:按共享数据筛查符合条件的群众并通知"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*")

    def handle(self, *args, codes, **options):
        found = Benefit.objects.filter(is_active=True)
        if codes:
            found = found.filter(code__in=codes)
        for benefit in found:
            counts = benefits.run(benefit)
            self.stdout.write(
                f"{benefit.name}:核验 {counts['checked']} 人,符合 {counts['eligible']} 人,新通知 {counts['offered']} 人"
            )
