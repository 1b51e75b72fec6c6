"""Pages of the electronic-licence store: the holder's licences (我的证照) and the public
verification page that the QR code on every licence points to (number + printed code)."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.digests import normalise_code
from core.throttle import FailureThrottle, client_address
from core.web.access import role_required

from . import licence_signing, selectors

VERIFY_LIMIT = 20  # failed look-ups per client address and hour
verify_throttle = FailureThrottle("licence-verify", limit=VERIFY_LIMIT, window=3600)


@role_required(User.Role.PUBLIC)
def my_licences(request):
    """我的证照 as a wallet: a card per licence (name, holder, number, validity, state) with a QR code
    of its public verification page, drawn here as a PNG data URI — no request of its own, so the
    service worker's kept copy of this page shows the codes offline too (portal/offline.py)."""
    from core.pdf import qr_png_data_uri

    from .licence_data import labelled
    from .messaging import notice_days
    from .services import licence_verify_url

    today = timezone.localdate()
    licences = list(selectors.licences_for(request.user).select_related("licence_type")
                    .order_by("-issued_on", "-pk")[:200])
    verify = reverse("portal:licence_verify")
    for licence in licences:
        licence.url = reverse("api-licence-file", args=[licence.number])
        licence.status = licence.status_on(today)
        licence.days_left = (licence.valid_until - today).days if licence.valid_until else None
        licence.renewable = (licence.status == "valid" and licence.days_left is not None
                             and licence.days_left <= notice_days(licence))  # 一键续办
        licence.data_rows = labelled(licence.licence_type, licence.data)
        code = licence.verification_code
        licence.verify_path = f"{verify}?number={licence.number}&code={code}"
        licence.qr = qr_png_data_uri(licence_verify_url(licence.number, code))
    return render(request, "exchange/my_licences.html", {"title": _("我的电子证照"), "licences": licences})


def verify(request):
    number = request.GET.get("number", "").strip().upper()[:32]
    raw = request.GET.get("code", "")
    context = {"title": _("电子证照核验"), "number": number, "code": raw.strip()[:40]}
    if not number and not raw.strip():
        return render(request, "exchange/verify.html", context)
    code = normalise_code(raw)
    if not number or code is None:
        context["error"] = _("请输入证照编号和16位核验码(数字或字母A至F,如 1A2B-3C4D-5E6F-7A8B)。")
        return render(request, "exchange/verify.html", context, status=400)
    client = client_address(request)
    if verify_throttle.blocked(c=client):
        context["error"] = _("核验失败次数过多,请一小时后再试,或拨打 12345 热线咨询。")
        return render(request, "exchange/verify.html", context, status=429)
    licence = selectors.verify_licence(number, code)
    if licence is None:
        verify_throttle.fail(c=client)
        context["error"] = _("未查到与该证照编号和核验码相符的电子证照,请核对;如仍查不到,该证照可能不是本平台签发的,请拨打 12345 热线核实。")
        return render(request, "exchange/verify.html", context, status=404)
    signed = licence_signing.verify(licence)
    if signed is False:  # the stored content no longer matches what the issuer signed
        context["error"] = _("电子签名核验未通过:该证照的内容与发证机关的签名不一致,可能已被篡改,请勿采信,并拨打 12345 热线核实。")
        return render(request, "exchange/verify.html", context, status=409)
    context["facts"] = selectors.public_facts(licence, timezone.localdate())
    context["signature"] = {"valid": signed, "key": licence.signing_key}
    context["code"] = licence.verification_code
    return render(request, "exchange/verify.html", context)


@role_required(User.Role.PUBLIC)
def my_data_use(request):
    """数据使用记录: every query of the citizen's data at a data source, newest first; `?format=csv`
    downloads all of them. Links to the records of the enterprises the citizen acts for."""
    return _data_use(request, selectors.data_queries_about(request.user), title=_("数据使用记录"),
                     enterprises=list(selectors.data_use_enterprises(request.user)))


@role_required(User.Role.PUBLIC)
def enterprise_data_use(request, credit_code):
    """An enterprise's 数据使用记录 (企业登记 and other enterprise sources), for its staff (经办人)."""
    from core.errors import NotFound
    from core.web.access import not_found_page

    try:
        enterprise, rows = selectors.access_enterprise_data_use(request.user, credit_code)
    except NotFound as exc:
        return not_found_page(request, exc.message)
    return _data_use(request, rows, title=_("%(name)s的数据使用记录") % {"name": enterprise.name},
                     enterprise=enterprise)


def _data_use(request, rows, *, title, enterprises=(), enterprise=None):
    from .datasources import SOURCES
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"data-use-{enterprise.credit_code}.csv" if enterprise is not None else "data-use.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("查询时间"), _("数据来源"), _("查询字段"), _("事项"), _("办件编号"), _("用途"), _("查询人"), _("结果")])
        for q in rows.iterator():
            writer.writerow([timezone.localtime(q.asked_at).strftime("%Y-%m-%d %H:%M:%S"), SOURCES.get(q.source, q.source),
                             "、".join(q.fields), q.matter.name, q.case_ref, q.purpose, q.asked_by.real_name,
                             q.get_outcome_display()])
        return response
    queries = list(rows[:500])
    for q in queries:
        q.source_label = SOURCES.get(q.source, q.source)
        q.field_list = "、".join(q.fields)
    return render(request, "exchange/my_data_use.html", {"title": title, "queries": queries,
                                                         "enterprises": enterprises, "enterprise": enterprise})


@role_required(User.Role.REVIEWER)
def issued_licences(request):
    """本部门证照: the licences the reviewer's department issued, newest first, each with its state
    and, while valid, a form to revoke it with a reason (注销)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from core.errors import DomainError
    from core.web.access import show_domain_error
    from core.web.forms import checked

    from . import services
    from .forms import LicenceRevokeForm

    today = timezone.localdate()
    query = request.GET.get("q", "").strip()[:64]
    status, errors, posted = 200, {}, {}
    if request.method == "POST":
        form = LicenceRevokeForm(request.POST)
        number = form.data.get("number", "").strip().upper()
        posted = {"number": number, "reason": form.data.get("reason", "")}
        try:
            data = checked(form)
            licence = selectors.access_licence(request.user, data["number"])
            services.licence_revoke(licence=licence, reason=data["reason"], by=request.user)
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, dict(exc.fields)
        else:
            messages.success(request, _("证照 %(number)s 已注销,核验页面将显示注销及原因。") % {"number": number})
            return redirect(reverse("portal:issued_licences") + (f"?q={query}" if query else ""))
    licences = selectors.licences_for(request.user).select_related("revoked_by").order_by("-issued_on", "-pk")
    if query:
        licences = licences.filter(number__icontains=query) | licences.filter(holder_name__contains=query)
    rows = list(licences[:100])
    for licence in rows:
        licence.status = licence.status_on(today)
    return render(request, "exchange/issued_licences.html", {
        "title": _("本部门证照"), "licences": rows, "q": query, "errors": errors, "posted": posted,
    }, status=status)


@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def data_use_export(request):
    """数据使用记录 for an auditor: every query at the data sources between two Beijing dates
    (`from`, `to`, default the last 30 days; optionally one `source`), as CSV: when, whose data
    (masked), who asked, for which matter and case, which source and fields, why, the outcome and
    the digest of the answer. A bad date is refused in Chinese."""
    import datetime as dt

    from accounts.identity import mask, mask_name

    from .datasources import SOURCES
    from .models import DataQuery

    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or (today - dt.timedelta(days=30)).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return HttpResponse(_("日期格式应为 YYYY-MM-DD。"), status=400, content_type="text/plain; charset=utf-8")
    source = request.GET.get("source", "")
    if end < start or (source and source not in SOURCES):
        return HttpResponse(_("截止日期不能早于起始日期,数据来源须为已登记的来源。"), status=400,
                            content_type="text/plain; charset=utf-8")
    rows = DataQuery.objects.filter(asked_at__date__gte=start, asked_at__date__lte=end).select_related(
        "subject", "subject_enterprise", "asked_by", "matter").order_by("asked_at", "pk")
    if source:
        rows = rows.filter(source=source)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="data-use-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("查询时间"), _("数据主体"), _("证件号码或信用代码"), _("查询人"), _("事项"), _("办件编号"),
                     _("数据来源"), _("查询字段"), _("用途"), _("结果"), _("数据摘要")])
    for q in rows.iterator(chunk_size=1000):
        if q.subject_enterprise_id:
            who, number = q.subject_enterprise.name, mask(q.subject_enterprise.credit_code)
        else:
            who, number = mask_name(q.subject.real_name), mask(q.subject.id_number or "")
        writer.writerow([timezone.localtime(q.asked_at).strftime("%Y-%m-%d %H:%M:%S"), who, number,
                         q.asked_by.real_name or q.asked_by.username, q.matter.name, q.case_ref,
                         SOURCES.get(q.source, q.source), "、".join(q.fields), q.purpose, q.get_outcome_display(),
                         q.answer_digest])
    return response
