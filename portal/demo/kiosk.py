"""The demo's 办 at the 市民之窗 kiosk (issue 13): matters a resident can apply for at a terminal
without typing (the form filled from the account, 免填 and choices; every material 免提交)."""

from matters.models import Matter

SELF_SERVICE_MATTERS = ("社会保障卡申领", "城乡居民基本养老保险参保登记")


def load_kiosk() -> int:
    """Flag the demo's self-service matters, unless an administrator has flagged some already."""
    if Matter.objects.filter(self_service=True).exists():
        return 0
    return Matter.objects.filter(name__in=SELF_SERVICE_MATTERS, target="natural").update(self_service=True)
