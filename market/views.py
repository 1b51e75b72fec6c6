"""Pages of the market (中介超市): the public directory, service items, demands and their results,
the draw's re-run; the owner's and the intermediary's pages; the centre's checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.uploads import file_response
from core.web.access import not_found_page
from core.web.forms import checked
from core.web.paging import page_of
from matters.models import Matter

from . import draw as draw_rules
from . import forms, selectors, services
from .models import Bid, Blacklisting, Contract, Demand, Intermediary, ServiceItem


def _refused(request, exc: DomainError):
    messages.error(request, exc.message)


# --- public pages -------------------------------------------------------------------------------


def index(request):
    return render(
        request,
        "market/index.html",
        {
            "title": _("中介超市"),
            "items": selectors.service_items(),
            "open_demands": selectors.public_demands(state=Demand.State.OPEN)[:10],
            "results": selectors.public_demands(state=Demand.State.SELECTED)[:10],
            "is_centre": selectors.is_centre(request.user),
        },
    )


def service_item(request, code):
    item = ServiceItem.objects.filter(code=code, is_active=True).prefetch_related("matters").first()
    if item is None:
        return not_found_page(request, _("未找到该中介服务事项。"))
    rows = list(selectors.selectable(service_item=item).select_related("enterprise").order_by("enterprise__name"))
    return render(
        request,
        "market/service_item.html",
        {
            "title": item.name,
            "item": item,
            "intermediaries": rows,
            "demands": selectors.public_demands(service_item=item)[:20],
        },
    )


def directory(request):
    code = request.GET.get("item", "").strip()[:32]
    item = ServiceItem.objects.filter(code=code).first() if code else None
    q = request.GET.get("q", "").strip()[:64]
    page = page_of(request, selectors.directory(service_item=item, q=q), 20)
    for row in page:
        row.standing = selectors.standing(row)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "market/directory.html",
        {
            "title": _("中介机构名录"),
            "page": page,
            "items": selectors.service_items(),
            "item": item,
            "q": q,
            "query": query.urlencode(),
        },
    )


def intermediary_detail(request, pk):
    intermediary = Intermediary.objects.approved().select_related("enterprise").filter(pk=pk).first()
    if intermediary is None:
        return not_found_page(request, _("未找到该中介机构,或其尚未通过审核。"))
    today = selectors.today()
    return render(
        request,
        "market/intermediary.html",
        {
            "title": intermediary.name,
            "intermediary": intermediary,
            "standing": selectors.standing(intermediary),
            "qualifications": intermediary.qualifications.select_related("service_item"),
            "staff": intermediary.staff.all(),
            "today": today,
            "blacklistings": intermediary.blacklistings.filter(lifted_at__isnull=True),
            "contracts": intermediary.contracts.select_related("demand").order_by("-signed_on")[:20],
            "is_centre": selectors.is_centre(request.user),
            "review_form": forms.ReviewForm(),
            "blacklist_form": forms.BlacklistForm(),
            "bar_form": forms.BarForm(),
        },
    )


def demands(request):
    state = request.GET.get("state", "")
    state = state if state in Demand.State.values else ""
    page = page_of(request, selectors.public_demands(state=state), 20)
    return render(
        request,
        "market/demands.html",
        {
            "title": _("项目公告与结果公示"),
            "page": page,
            "state": state,
            "states": Demand.State.choices,
            "query": f"state={state}" if state else "",
        },
    )


def _demand_context(request, demand, **extra):
    user = request.user
    bids = list(selectors.bids_of(demand))
    owner = selectors.is_owner(user, demand)
    mine = [i for i in selectors.intermediaries_of(user)] if user.is_authenticated else []
    bid_ids = {b.intermediary_id for b in bids}
    can_bid = (
        demand.state == Demand.State.OPEN
        and selectors.today() <= demand.bid_deadline
        and any(i.pk not in bid_ids for i in mine)
    )
    eligible, excluded = ([], [])
    if owner and demand.state == Demand.State.OPEN:
        eligible, excluded = services.eligible_bids(demand, day=selectors.today())
    contract = Contract.objects.filter(demand=demand).select_related("intermediary__enterprise").first()
    bidding = demand.state == Demand.State.OPEN and selectors.today() <= demand.bid_deadline
    my_ids = {i.pk for i in mine}
    my_bids = [
        (b, forms.BidEditForm(initial={"price": b.price_yuan, "days": b.days, "note": b.note}, prefix=f"b{b.pk}"))
        for b in bids
        if b.intermediary_id in my_ids
    ] if bidding else []
    context = {
        "title": demand.title,
        "demand": demand,
        "bids": bids,
        "is_owner": owner,
        "can_bid": can_bid,
        "bid_form": forms.BidForm(intermediaries=[i for i in mine if i.pk not in bid_ids]) if can_bid else None,
        "can_select": owner and demand.state == Demand.State.OPEN and selectors.today() > demand.bid_deadline,
        "eligible": eligible,
        "excluded_now": excluded,
        "contract": contract,
        "sees_contract": contract is not None and _may_see_contract(user, contract),
        "winner": demand.winning_bid,
        "my_bids": my_bids,
        "cancel_form": forms.CancelForm() if owner and demand.state == Demand.State.OPEN else None,
    }
    context.update(extra)
    return context


def demand_detail(request, number):
    demand = selectors.demand_by_number(number)
    if demand is None:
        return not_found_page(request, _("未找到该项目。"))
    return render(request, "market/demand.html", _demand_context(request, demand))


def draw_check(request):
    """Anyone re-runs a draw: the seed and the ordered list as published."""
    form = forms.DrawCheckForm(request.GET or None)
    result = codes = None
    if request.GET and form.is_valid():
        codes = form.code_list()
        result = draw_rules.draw(form.cleaned_data["seed"], codes) if codes else None
    return render(
        request,
        "market/draw_check.html",
        {
            "title": _("随机抽取结果验证"),
            "form": form,
            "result": result,
            "codes": codes,
            "position": result.index + 1 if result else None,
        },
    )


# --- the owner ----------------------------------------------------------------------------------


def _owners(user):
    owners = [(f"e{e.pk}", e.name) for e in user.enterprises.all()] if user.role == user.Role.PUBLIC else []
    if user.role == user.Role.REVIEWER and user.department_id:
        owners.append(("department", user.department.name))
    return owners


@login_required
def demand_new(request):
    owners = _owners(request.user)
    if not owners:
        raise PermissionDenied(_("只有企业经办人或部门工作人员可以发布中介服务需求。"))
    initial = {}
    if request.GET.get("item"):
        initial["service_item"] = ServiceItem.objects.filter(code=request.GET["item"][:32]).first()
    form = forms.DemandForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST":
        try:
            data = checked(form)
            owner = data["owner"]
            enterprise = request.user.enterprises.get(pk=int(owner[1:])) if owner.startswith("e") else None
            matter = None
            if data["matter_code"]:
                matter = Matter.objects.filter(code=data["matter_code"].strip()).first()
                if matter is None:
                    form.add_error("matter_code", _("没有该编码的事项。"))
                    raise DomainError(_("没有该编码的事项。"))
            demand = services.demand_post(
                user=request.user,
                owner_enterprise=enterprise,
                service_item=data["service_item"],
                title=data["title"],
                scope=data["scope"],
                budget_ceiling_fen=forms.fen(data["budget_ceiling"]),
                bid_deadline=data["bid_deadline"],
                service_days=data["service_days"],
                method=data["method"],
                matter=matter,
            )
        except DomainError as exc:
            _refused(request, exc)
            for name, errors in exc.fields.items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, errors)
        else:
            messages.success(request, _("需求 %(n)s 已发布。") % {"n": demand.number})
            return redirect("market:demand", number=demand.number)
    return render(request, "market/demand_new.html", {"title": _("发布中介服务需求"), "form": form})


@login_required
@require_POST
def demand_select(request, number):
    demand = selectors.demand_by_number(number)
    if demand is None or not selectors.is_owner(request.user, demand):
        return not_found_page(request, _("未找到该项目。"))
    eligible, _excluded = services.eligible_bids(demand, day=selectors.today())
    form = forms.SelectForm(request.POST, bids=eligible, scored=demand.method == Demand.Method.SCORED)
    try:
        data = checked(form)
        contract = services.demand_select(
            user=request.user, demand=demand, bid_id=data.get("bid"), scores=form.scores()
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        if contract is None:
            messages.warning(request, _("没有符合条件的报名单位,项目流标。"))
        else:
            messages.success(request, _("已选定:%(name)s。") % {"name": contract.intermediary.name})
    return redirect("market:demand", number=number)


@login_required
@require_POST
def demand_cancel(request, number):
    demand = selectors.demand_by_number(number)
    if demand is None:
        return not_found_page(request, _("未找到该项目。"))
    try:
        data = checked(forms.CancelForm(request.POST))
        services.demand_cancel(user=request.user, demand=demand, reason=data["reason"])
    except DomainError as exc:
        _refused(request, exc)
        return render(request, "market/demand.html", _demand_context(request, demand), status=exc.status)
    messages.success(request, _("项目 %(n)s 已撤销,已通知报名单位。") % {"n": demand.number})
    return redirect("market:demand", number=number)


# --- the intermediary -----------------------------------------------------------------------------


def _my_bid(request, number, pk):
    """The bid `pk` of the demand `number` when the user acts for its intermediary, else None."""
    return (
        Bid.objects.filter(pk=pk, demand__number=number, intermediary__in=selectors.intermediaries_of(request.user))
        .select_related("demand")
        .first()
    )


def _change_bid(request, number, pk, change, done):
    """Edit or withdraw one's own bid: refused → the demand page with the reason, else back to it."""
    bid = _my_bid(request, number, pk)
    if bid is None:
        return not_found_page(request, _("未找到您的报名。"))
    try:
        change(bid)
    except DomainError as exc:
        _refused(request, exc)
        demand = selectors.demand_by_number(number)
        return render(request, "market/demand.html", _demand_context(request, demand), status=exc.status)
    messages.success(request, done)
    return redirect("market:demand", number=number)


@login_required
@require_POST
def bid_edit(request, number, pk):
    def change(bid):
        data = checked(forms.BidEditForm(request.POST, prefix=f"b{pk}"))
        services.bid_update(
            user=request.user, bid=bid, price_fen=forms.fen(data["price"]), days=data["days"], note=data["note"]
        )

    return _change_bid(request, number, pk, change, _("报名已修改。"))


@login_required
@require_POST
def bid_withdraw(request, number, pk):
    return _change_bid(request, number, pk, lambda bid: services.bid_withdraw(user=request.user, bid=bid),
                       _("报名已撤回。"))


@login_required
@require_POST
def bid(request, number):
    demand = selectors.demand_by_number(number)
    if demand is None:
        return not_found_page(request, _("未找到该项目。"))
    mine = list(selectors.intermediaries_of(request.user))
    form = forms.BidForm(request.POST, intermediaries=mine)
    try:
        data = checked(form)
        intermediary = next(i for i in mine if i.pk == int(data["intermediary"]))
        services.bid_submit(
            user=request.user,
            demand=demand,
            intermediary=intermediary,
            price_fen=forms.fen(data["price"]),
            days=data["days"],
            note=data["note"],
        )
    except DomainError as exc:
        _refused(request, exc)
        return render(request, "market/demand.html", _demand_context(request, demand, bid_form=form), status=400)
    messages.success(request, _("报名成功。"))
    return redirect("market:demand", number=number)


@login_required
def register(request):
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST":
        try:
            data = checked(form)
            services.intermediary_register(user=request.user, **data)
        except DomainError as exc:
            _refused(request, exc)
            for name, errors in exc.fields.items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, errors)
        else:
            messages.success(request, _("登记成功。请补充资质和执业人员,政务服务中心审核通过后即在名录中公开。"))
            return redirect("market:mine")
    return render(
        request,
        "market/register.html",
        {"title": _("中介机构入驻登记"), "form": form, "enterprises": request.user.enterprises.all()},
    )


@login_required
def mine(request):
    user = request.user
    intermediaries = list(selectors.intermediaries_of(user).prefetch_related("qualifications__service_item", "staff"))
    return render(
        request,
        "market/mine.html",
        {
            "title": _("我的中介超市"),
            "demands": selectors.demands_owned_by(user).order_by("-posted_at")[:50],
            "intermediaries": intermediaries,
            "bids": selectors.bids_by(user).order_by("-submitted_at")[:50],
            "contracts": selectors.contracts_for(user).order_by("-signed_on")[:50]
            if not selectors.is_centre(user) and user.role != "supervisor"
            else [],
            "qualification_form": forms.QualificationForm(),
            "staff_form": forms.StaffForm(),
            "can_post": bool(_owners(user)),
        },
    )


def _mine_post(request, pk, form_class, service, message):
    intermediary = selectors.intermediaries_of(request.user).filter(pk=pk).first()
    if intermediary is None:
        return not_found_page(request, _("未找到该中介机构。"))
    form = form_class(request.POST)
    try:
        service(user=request.user, intermediary=intermediary, **checked(form))
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, message)
    return redirect("market:mine")


@login_required
@require_POST
def qualification_add(request, pk):
    return _mine_post(request, pk, forms.QualificationForm, services.qualification_add, _("资质已登记。"))


@login_required
@require_POST
def staff_add(request, pk):
    return _mine_post(request, pk, forms.StaffForm, services.staff_add, _("执业人员已登记。"))


# --- the contract -----------------------------------------------------------------------------------


def _may_see_contract(user, contract) -> bool:
    if not user.is_authenticated:
        return False
    return selectors.contracts_for(user).filter(pk=contract.pk).exists() or selectors.examines_report(user, contract)


def _contract(request, number):
    contract = (
        Contract.objects.select_related(
            "demand__service_item",
            "demand__owner_enterprise",
            "demand__owner_department",
            "intermediary__enterprise",
        )
        .filter(demand__number=number)
        .first()
    )
    if contract is None or not _may_see_contract(request.user, contract):
        return None
    return contract


@login_required
def contract_detail(request, number):
    contract = _contract(request, number)
    if contract is None:
        return not_found_page(request, _("未找到该合同。"))
    user = request.user
    return render(
        request,
        "market/contract.html",
        {
            "title": _("服务合同 %(n)s") % {"n": contract.number},
            "contract": contract,
            "demand": contract.demand,
            "is_owner": selectors.is_owner(user, contract.demand),
            "is_intermediary": selectors.acts_for(user, contract.intermediary_id),
            "deliver_form": forms.DeliverForm(),
            "rate_form": forms.RateForm(),
            "usable": list(services.usable_materials(user, contract)),
            "uses": contract.uses.select_related("material__application"),
            "today": selectors.today(),
        },
    )


@login_required
@require_POST
def contract_deliver(request, number):
    contract = _contract(request, number)
    if contract is None:
        return not_found_page(request, _("未找到该合同。"))
    form = forms.DeliverForm(request.POST, request.FILES)
    try:
        services.contract_deliver(user=request.user, contract=contract, upload=checked(form)["report"])
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("成果已交付。"))
    return redirect("market:contract", number=number)


@login_required
@require_POST
def contract_rate(request, number):
    contract = _contract(request, number)
    if contract is None:
        return not_found_page(request, _("未找到该合同。"))
    try:
        data = checked(forms.RateForm(request.POST))
        services.contract_rate(user=request.user, contract=contract, rating=data["rating"], comment=data["comment"])
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("评价已提交,谢谢。"))
    return redirect("market:contract", number=number)


@login_required
@require_POST
def report_use(request, number):
    contract = _contract(request, number)
    if contract is None:
        return not_found_page(request, _("未找到该合同。"))
    try:
        data = checked(forms.UseForm(request.POST))
        material = services.usable_materials(request.user, contract).filter(pk=data["material"]).first()
        if material is None:
            raise DomainError(_("该成果不能用于此材料:只能补交本单位办件中需要该项服务的容缺材料。"))
        services.report_use(user=request.user, contract=contract, material=material)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("成果已作为办件 %(n)s 的“%(m)s”提交。") % {"n": material.application.number, "m": material.name}
        )
    return redirect("market:contract", number=number)


@login_required
def contract_report(request, number):
    contract = _contract(request, number)
    if contract is None or not contract.report:
        return not_found_page(request, _("未找到该成果文件。"))
    return file_response(contract.report, filename=contract.report_name or "report.pdf")


# --- the centre -------------------------------------------------------------------------------------


@login_required
def centre(request):
    if not selectors.is_centre(request.user):
        raise PermissionDenied(_("该页面仅限政务服务中心管理员或大厅负责人使用。"))
    return render(
        request,
        "market/centre.html",
        {
            "title": _("中介机构审核与监管"),
            "pending": Intermediary.objects.filter(status=Intermediary.Status.PENDING)
            .select_related("enterprise")
            .prefetch_related("qualifications__service_item", "staff"),
            "blacklist": Blacklisting.objects.in_force(selectors.today()).select_related("intermediary__enterprise"),
            "review_form": forms.ReviewForm(),
            "lift_form": forms.LiftForm(),
        },
    )


def _centre_post(request, pk, handle):
    if not selectors.is_centre(request.user):
        raise PermissionDenied(_("该页面仅限政务服务中心管理员或大厅负责人使用。"))
    intermediary = Intermediary.objects.select_related("enterprise").filter(pk=pk).first()
    if intermediary is None:
        return not_found_page(request, _("未找到该中介机构。"))
    try:
        message = handle(intermediary)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, message)
    return redirect(
        request.POST.get("next") if request.POST.get("next") == f"/market/intermediaries/{pk}/" else "market:centre"
    )


@login_required
@require_POST
def review(request, pk):
    def handle(intermediary):
        data = checked(forms.ReviewForm(request.POST))
        services.intermediary_review(
            user=request.user, intermediary=intermediary, approve=data["decision"] == "approve", note=data["note"]
        )
        return _("已审核:%(name)s。") % {"name": intermediary.name}

    return _centre_post(request, pk, handle)


@login_required
@require_POST
def blacklist(request, pk):
    def handle(intermediary):
        data = checked(forms.BlacklistForm(request.POST))
        services.blacklist(user=request.user, intermediary=intermediary, **data)
        return _("已列入黑名单:%(name)s。") % {"name": intermediary.name}

    return _centre_post(request, pk, handle)


@login_required
@require_POST
def blacklist_lift(request, pk):
    if not selectors.is_centre(request.user):
        raise PermissionDenied(_("该页面仅限政务服务中心管理员或大厅负责人使用。"))
    entry = Blacklisting.objects.select_related("intermediary__enterprise").filter(pk=pk).first()
    if entry is None:
        return not_found_page(request, _("未找到该黑名单记录。"))
    try:
        data = checked(forms.LiftForm(request.POST))
        services.blacklist_lift(user=request.user, entry=entry, reason=data["reason"])
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已提前解除黑名单:%(name)s。") % {"name": entry.intermediary.name})
    return redirect("market:centre")


@login_required
@require_POST
def bar(request, pk):
    def handle(intermediary):
        data = checked(forms.BarForm(request.POST))
        services.bar_department(user=request.user, intermediary=intermediary, **data)
        return _("已登记回避部门。")

    return _centre_post(request, pk, handle)
