"""Re-run a random draw: `manage.py market_draw ZJ2026000001` recomputes the published draw of a
demand and says whether it agrees; `manage.py market_draw --seed S CODE …` runs the algorithm on
any seed and list (market/draw.py)."""

from django.core.management.base import BaseCommand, CommandError

from market import draw
from market.models import Demand


class Command(BaseCommand):
    help = "重新计算中介超市随机抽取的结果(SHA-256(种子 + 有序名单) 取余)"

    def add_arguments(self, parser):
        parser.add_argument("number", nargs="?", help="项目编号,例如 ZJ2026000001")
        parser.add_argument("--seed", help="公布的种子")
        parser.add_argument("codes", nargs="*", help="按公布顺序排列的统一社会信用代码")

    def handle(self, *args, number=None, seed=None, codes=(), **options):
        if seed is not None:
            codes = ([number] if number else []) + list(codes)
            if not codes:
                raise CommandError("请给出参与抽取的统一社会信用代码。")
            result = draw.draw(seed, codes)
            self.stdout.write(f"SHA-256:{result.digest}\n中选:第 {result.index + 1} 家 {result.winner}")
            return
        demand = Demand.objects.filter(number=number).first()
        if demand is None or not demand.draw_digest:
            raise CommandError(f"项目 {number} 不存在或尚未随机抽取。")
        result = draw.draw(demand.seed, demand.draw_list)
        published = demand.draw_list[demand.draw_index]
        agree = result.digest == demand.draw_digest and result.winner == published
        self.stdout.write(
            f"项目 {demand.number}:种子 {demand.seed}\n名单:{', '.join(demand.draw_list)}\n"
            f"SHA-256:{result.digest}\n重新计算中选:第 {result.index + 1} 家 {result.winner}\n"
            + ("与公布结果一致。" if agree else f"与公布结果不一致(公布:{published})!")
        )
        if not agree:
            raise CommandError("重新计算的结果与公布结果不一致。")
