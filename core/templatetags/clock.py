"""`{% provisional flag day %}`: the "暂定" mark beside a deadline that depends on a year whose
holiday notice is not entered yet, with the reason (a tooltip on pages, words in notices).

    {% load clock %}
    {{ subcase.deadline|date:"Y-m-d" }}{% provisional subcase.deadline_provisional subcase.deadline %}
    {% provisional s.deadline_provisional s.deadline text=True %}   {# PDF notices: the reason in words #}
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def provisional_reason(day=None) -> str:
    year = getattr(day, "year", None)
    if year:
        return _("%(year)s 年节假日安排尚未发布录入,该期限按《全国年节及纪念日放假办法》规定的法定节日暂算,未计调休;"
                 "录入后自动调整。") % {"year": year}
    return _("期限所涉年度的节假日安排尚未发布录入,按法定节日暂算,未计调休;录入后自动调整。")


@register.simple_tag
def provisional(flag, day=None, text=False):
    if not flag:
        return ""
    reason = provisional_reason(day)
    if text:
        return format_html("({}:{})", _("暂定"), reason)
    return format_html('<span class="badge badge-yellow provisional" title="{}">{}<span class="sr-only">:{}</span></span>',
                       reason, _("暂定"), reason)
