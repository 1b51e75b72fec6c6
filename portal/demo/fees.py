"""The demo's one fee (缴): the first charging matter of the catalog gets a fee item paid after
acceptance, so a demo citizen's accepted application shows it under 我的缴费 and is paid in the
sandbox provider (`python -m paysim`, started by scripts/serve.sh)."""

from matters.models import FeeItem, Matter


def load_fees() -> int:
    matter = Matter.objects.filter(fee_fen__gt=0).order_by("code").first()
    if matter is None:
        return 0
    _item, created = FeeItem.objects.get_or_create(
        matter=matter, name="证照工本费",
        defaults={"amount_fen": matter.fee_fen, "legal_basis": matter.fee_basis or "粤发改价格〔2017〕178号",
                  "charge_at": FeeItem.ChargeAt.ACCEPTANCE},
    )
    return int(created)
