"""One table of (role, method, url, expected status) over every HTML page and page action,
refusals first: the page side of tests/test_permissions.py.

A fresh district per row, built only as far as the row needs it: the citizen's application
waiting at the window, one waiting for a supplement, one in review and one whose result is ready
at the window; a clerk seated today at a natural-person window, reviewers of the matter's
department and of another, a supervisor. "login" means a redirect to the sign-in page; 404 means
"you may not even know it exists". Every refusal, and every POST by the supervisor, leaves the
cases as they were; allowed actions redirect and do what they say.
"""

from functools import cached_property
from unittest import mock

import pytest
from django.core.cache import cache

from accounts.models import User
from tests.factories import (
    PASSWORD,
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    form_for,
    pdf_upload,
    submitted_application,
    theme_with,
    valid_id_number,
)
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Channel, SubCase

ROLES = ["anonymous", "owner", "other_citizen", "clerk", "reviewer", "other_reviewer", "supervisor"]
LOGIN = "login"  # a redirect to /accounts/login/ (with ?next=… back to the page)
S = Application.State


class World:
    """A fresh district; each part is made the first time a row asks for it."""

    def __init__(self):
        seed_calendar(years=[2026])

    @cached_property
    def matter(self):
        return MatterFactory()

    @cached_property
    def theme(self):
        return theme_with([self.matter], code="test-theme", name="测试一件事", target="natural")

    @cached_property
    def users(self):
        return _LazyUsers(self)

    @cached_property
    def waiting(self):
        return submitted_application(applicant=self.users["owner"], matters=[self.matter])

    @cached_property
    def supplement(self):
        application = submitted_application(applicant=self.users["owner"], matters=[self.matter])
        services.application_request_supplement(application=application, clerk=self.users["clerk"],
                                                items=[{"material": "申请表", "reason": "未签字"}])
        return Application.objects.get(pk=application.pk)

    @cached_property
    def in_review(self):
        application = accepted_application(applicant=self.users["owner"], matters=[self.matter],
                                           clerk=self.users["clerk"])
        services.dispatch_subcases(application_id=application.pk)
        return Application.objects.get(pk=application.pk)

    @cached_property
    def subcase(self):
        return self.in_review.subcases.get()

    @cached_property
    def ready(self):
        """Result at the window: accepted, dispatched, approved, result prepared (no PDF made)."""
        application = accepted_application(applicant=self.users["owner"], matters=[self.matter],
                                           clerk=self.users["clerk"])
        services.dispatch_subcases(application_id=application.pk)
        services.subcase_decide(subcase=application.subcases.get(), reviewer=self.users["reviewer"],
                                approve=True, reason="")
        with mock.patch("workflow.documents.generate_notice"):
            services.prepare_result(application_id=application.pk)
        return Application.objects.get(pk=application.pk)

    def snapshot(self):
        """What no refusal may change: every case's state, the case log, the accounts."""
        return (
            sorted(Application.objects.values_list("number", "state")),
            sorted(SubCase.objects.values_list("number", "state")),
            Application.objects.filter(log__isnull=False).count(),
            User.objects.count(),
        )


class _LazyUsers:
    def __init__(self, world):
        self.world, self.made = world, {}

    def __getitem__(self, role):
        if role not in self.made:
            self.made[role] = {
                "anonymous": lambda: None,
                "owner": UserFactory,
                "other_citizen": UserFactory,
                "clerk": ClerkFactory,
                "reviewer": lambda: ReviewerFactory(department=self.world.matter.department),
                "other_reviewer": lambda: ReviewerFactory(department=DepartmentFactory()),
                "supervisor": SupervisorFactory,
            }[role]()
        return self.made[role]


class _Url(dict):
    """`url.format_map(_Url(world))`: only the objects the url names are made."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, key):
        w = self.world
        return {
            "matter": lambda: w.matter.code,
            "theme": lambda: w.theme.code,
            "waiting": lambda: w.waiting.number,
            "supplement": lambda: w.supplement.number,
            "in_review": lambda: w.in_review.number,
            "ready": lambda: w.ready.number,
            "subcase": lambda: w.subcase.number,
            "last4": lambda: w.users["owner"].id_number[-4:],
            "wrong4": lambda: _wrong(w.users["owner"].id_number[-4:]),
        }[key]()


def _wrong(last4):
    return ("1" if last4[0] != "1" else "2") + last4[1:]


# --- request bodies (made from the row's world) ------------------------------------------------


def _oneform(world, user):
    return {f"field_{key}": value for key, value in form_for([world.matter], user or UserFactory.build()).items()}


def _uploads(world):
    return {f"material_{r.pk}": pdf_upload(f"{r.name}.pdf") for r in world.matter.materials.all() if r.must_be_brought}


def apply_body(world, role):
    return {**_oneform(world, world.users[role]), **_uploads(world)}


def resubmit_body(world, role):
    return {**_oneform(world, world.users["owner"]), **_uploads(world)}


def supplement_body(world, role):
    requirement = world.matter.materials.order_by("pk").first()
    return {"material": [requirement.pk], f"reason_{requirement.pk}": "未签字", "note": "请补齐后重新提交"}


def walk_in_body(world, role):
    person = UserFactory.build()
    return {"applicant_real_name": "王秀英", "applicant_id_number": person.id_number, "applicant_phone": "13712345678",
            **_oneform(world, person), "received": [r.pk for r in world.matter.materials.all()], "accept_now": "1"}


def signup_body(world, role):
    return {"real_name": "赵晓燕", "id_number": valid_id_number(), "phone": "13612345678", "username": "zhaoxiaoyan",
            "password1": PASSWORD, "password2": PASSWORD}


def login_body(world, role):
    return {"username": world.users["owner"].username, "password": PASSWORD}


# --- what an allowed action did (checked on every row answered 302) ------------------------------


def state_of(application):
    return Application.objects.get(pk=application.pk).state


def became(attr, state):
    return lambda world, role, response: state_of(getattr(world, attr)) == state


def repeat_permitted(world, role, response):
    return world.waiting.repeat_permits.filter(granted_by=world.users[role]).exists()


def applied(world, role, response):
    new = Application.objects.filter(applicant=world.users[role]).get()
    return new.state == S.SUBMITTED and response["Location"] == f"/applications/{new.number}/"


def walked_in(world, role, response):
    new = Application.objects.filter(channel=Channel.WINDOW).get()
    return new.state == S.ACCEPTED and new.created_by == world.users["clerk"]


def subcase_became(state):
    return lambda world, role, response: SubCase.objects.get(pk=world.subcase.pk).state == state


def signed_up(world, role, response):
    return User.objects.filter(username="zhaoxiaoyan").exists() == (role == "anonymous")


def signed_in_as_owner(world, role, response):
    return role != "anonymous" or response.wsgi_request.session.get("_auth_user_id") == str(world.users["owner"].pk)


def signed_out(world, role, response):
    return "_auth_user_id" not in response.wsgi_request.session and response["Location"] == "/"


def to_workbench(world, role, response):
    return response["Location"] == {
        "owner": "/applications/", "other_citizen": "/applications/", "clerk": "/hall/",
        "reviewer": "/review/", "other_reviewer": "/review/", "supervisor": "/supervision/",
    }[role]


def to_workbench_page(world, role, response):
    return response["Location"] == "/workbench/"


PUBLIC = [200] * 7
# (method, url, body, expected per role in ROLES order, what a 302 did)
CASES = [
    # public pages
    ("get", "/", None, PUBLIC, None),
    ("get", "/guide/", None, PUBLIC, None),
    ("get", "/guide/matters/{matter}/", None, PUBLIC, None),
    ("get", "/guide/matters/441803-XK-9999/", None, [404] * 7, None),
    ("get", "/guide/matters/{matter}/v1/", None, [302] * 7, None),  # the current version: its page
    ("get", "/guide/matters/{matter}/v9/", None, [404] * 7, None),
    ("get", "/guide/matters/{matter}/materials/999999/form/", None, [404] * 7, None),
    # (the guide as PDF, public, binary: tests/matters/test_guide_pdf.py)
    # the business manual (业务手册): staff only
    ("get", "/manual/matters/{matter}/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/themes/", None, PUBLIC, None),
    ("get", "/themes/{theme}/", None, PUBLIC, None),
    ("get", "/themes/no-such-theme/", None, [404] * 7, None),
    ("get", "/progress/", None, PUBLIC, None),
    ("get", "/verify/", None, PUBLIC, None),
    ("get", "/progress/?number={waiting}&id_last4={last4}", None, PUBLIC, None),
    ("get", "/progress/?number={waiting}&id_last4={wrong4}", None, [404] * 7, None),
    # sign-in pages
    ("get", "/accounts/login/", None, [200, 302, 302, 302, 302, 302, 302], to_workbench_page),
    ("post", "/accounts/login/", login_body, [302] * 7, signed_in_as_owner),
    ("get", "/accounts/signup/", None, [200, 302, 302, 302, 302, 302, 302], to_workbench_page),
    ("post", "/accounts/signup/", signup_body, [302] * 7, signed_up),
    ("get", "/accounts/logout/", None, [405] * 7, None),
    ("post", "/accounts/logout/", {}, [302] * 7, signed_out),
    ("get", "/workbench/", None, [LOGIN, 302, 302, 302, 302, 302, 302], to_workbench),
    # apply online
    ("get", "/apply/matter/{matter}/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/apply/matter/{matter}/", apply_body, [LOGIN, 302, 302, 403, 403, 403, 403], applied),
    ("get", "/apply/theme/{theme}/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/apply/theme/{theme}/", apply_body, [LOGIN, 302, 302, 403, 403, 403, 403], applied),
    # applications and their actions
    ("get", "/applications/", None, [LOGIN, 200, 200, 302, 302, 302, 302], to_workbench_page),
    ("get", "/applications/{waiting}/", None, [LOGIN, 200, 404, 200, 404, 404, 200], None),
    ("get", "/applications/{supplement}/", None, [LOGIN, 200, 404, 200, 404, 404, 200], None),
    ("get", "/applications/{in_review}/", None, [LOGIN, 200, 404, 200, 200, 404, 200], None),
    ("get", "/applications/{ready}/", None, [LOGIN, 200, 404, 200, 200, 404, 200], None),
    ("get", "/applications/{waiting}/accept/", None, [LOGIN, 405, 405, 405, 405, 405, 405], None),
    ("post", "/applications/{waiting}/withdraw/", {"reason": "不办了"},
     [LOGIN, 302, 404, 403, 404, 404, 403], became("waiting", S.WITHDRAWN)),
    ("post", "/applications/{in_review}/withdraw/", {"reason": "不办了"},
     [LOGIN, 302, 404, 403, 403, 404, 403], became("in_review", S.WITHDRAWN)),
    ("post", "/applications/{supplement}/resubmit/", resubmit_body,
     [LOGIN, 302, 404, 403, 404, 404, 403], became("supplement", S.SUBMITTED)),
    ("post", "/applications/{supplement}/supplement-at-window/", {},
     [LOGIN, 403, 404, 302, 404, 404, 403], became("supplement", S.SUBMITTED)),
    ("post", "/applications/{in_review}/materials/999999/provide/", {}, [LOGIN, 404, 404, 404, 404, 404, 404], None),
    ("post", "/applications/{waiting}/accept/", {}, [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.ACCEPTED)),
    ("post", "/applications/{waiting}/supplement/", supplement_body,
     [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.SUPPLEMENT_REQUESTED)),
    # The one write a supervisor makes: leave for a repeated supplement (a permit and a log row).
    ("post", "/applications/{waiting}/allow-repeat/", {"reason": "原件与扫描件不一致"},
     [LOGIN, 403, 404, 403, 404, 404, 302], repeat_permitted),
    ("post", "/applications/{waiting}/refuse/", {"reason": "不属于本区管辖"},
     [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.NOT_ACCEPTED)),
    ("post", "/applications/{ready}/deliver/", lambda world, role: {"id_number": world.users["owner"].id_number},
     [LOGIN, 403, 404, 302, 403, 404, 403], became("ready", S.DELIVERED)),
    # the window
    ("get", "/hall/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/?tab=supplement", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/?matter={matter}", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("post", "/hall/walk-in/?matter={matter}", walk_in_body, [LOGIN, 403, 403, 302, 403, 403, 403], walked_in),
    ("get", "/hall/delivery/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    # the department
    ("get", "/review/", None, [LOGIN, 403, 403, 403, 200, 200, 403], None),
    ("get", "/review/{subcase}/", None, [LOGIN, 403, 403, 403, 200, 404, 200], None),
    ("post", "/review/{subcase}/start/", {}, [LOGIN, 403, 403, 403, 302, 404, 403],
     subcase_became(SubCase.State.EXAMINING)),
    ("post", "/review/{subcase}/decide/", {"decision": "approve"}, [LOGIN, 403, 403, 403, 302, 404, 403],
     subcase_became(SubCase.State.APPROVED)),
    ("post", "/review/{subcase}/clock/", {"action": "suspend", "kind": "hearing", "reason": "申请听证"},
     [LOGIN, 403, 403, 403, 302, 404, 403], subcase_became(SubCase.State.SUSPENDED)),
    # supervision
    ("get", "/supervision/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/?partial=1", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/?period=year&group_by=clerk&channel=online&wall=1", None,
     [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/figures/cases/?period=month&count=concluded&dim=department&key=1", None,
     [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/figures/cases/?count=nonsense", None, [LOGIN, 403, 403, 403, 403, 403, 400], None),
    ("get", "/supervision/audit/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/cards/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/cards/?state=all&level=red&review=none", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/policies/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("post", "/supervision/policies/", {}, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    # the catalog as XLSX: administrators only. The administrator's rows and the XLSX downloads
    # (binary, not a page): tests/matters/test_catalog_pages.py
    ("get", "/catalog/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("get", "/catalog/export/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("post", "/catalog/import/", {}, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("get", "/catalog/import/", None, [405] * 7, None),
    # the situation questions' preview: administrators only (their rows: tests/matters/test_questions.py)
    ("get", "/catalog/themes/{theme}/situations/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("post", "/catalog/themes/{theme}/situations/", {}, [405] * 7, None),
    ("get", "/guide/?q=yyzz&target=legal&level=district&theme={theme}", None, PUBLIC, None),
]


def _refused(expected):
    return expected == LOGIN or expected >= 400


def _rows():
    for method, url, body, statuses, effect in CASES:
        assert len(statuses) == len(ROLES), url
        for role, expected in zip(ROLES, statuses):
            yield pytest.param(role, method, url, body, expected, effect, id=f"{role}-{method}-{url}")


def _cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _message(html):
    """The sentence a refusal shows: the error page's paragraph or the page's error alert."""
    for start, end in (('class="error-page', "</section>"), ('class="alert alert-error"', "</div>")):
        if start in html:
            return html.split(start, 1)[1].split(end, 1)[0]
    return ""


@pytest.fixture
def world(db):
    cache.clear()  # the progress look-up counts failures per number and address in the cache
    return World()


@pytest.mark.parametrize("role,method,url,body,expected,effect",
                         sorted(_rows(), key=lambda p: not _refused(p.values[4])))
def test_page_matrix(client, world, role, method, url, body, expected, effect):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = url.format_map(_Url(world))
    data = body(world, role) if callable(body) else body
    unchanged = _refused(expected) or (role == "supervisor" and method == "post" and "allow-repeat" not in url)
    before = world.snapshot() if unchanged else None

    response = client.post(url, data=data) if method == "post" else client.get(url)

    html = response.content.decode()
    if expected == LOGIN:
        assert response.status_code == 302, html[:300]
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    else:
        assert response.status_code == expected, f"{response.status_code}: {_message(html) or html[:300]}"
    if expected in (403, 404, 405):
        assert _cjk(_message(html)), html[:500]  # a Chinese sentence saying why
    if expected == 404:  # nothing of a case the reader may not see
        for made in ("waiting", "supplement", "in_review", "ready"):
            assert made not in vars(world) or vars(world)[made].title not in html
    if expected == 302 and effect is not None:
        assert effect(world, role, response), response.get("Location")
    if unchanged:  # a refusal, or any POST by the supervisor, changes no case
        assert world.snapshot() == before


def test_public_pages_are_open_to_everyone():
    """The guide, themes and progress pages are rows of the matrix with 200 for every role."""
    public = [url for method, url, _b, statuses, _e in CASES if statuses == PUBLIC]
    assert {"/", "/guide/", "/guide/matters/{matter}/", "/themes/", "/themes/{theme}/", "/progress/"} <= set(public)


def test_progress_lookup_shows_the_state_only_to_the_right_last4(client, world):
    application = world.waiting
    last4 = world.users["owner"].id_number[-4:]

    right = client.get("/progress/", {"number": application.number, "id_last4": last4.lower()})
    assert right.status_code == 200
    html = right.content.decode()
    assert application.title in html and "待受理" in html
    assert world.users["owner"].real_name not in html  # the name is masked: 李**

    wrong = client.get("/progress/", {"number": application.number, "id_last4": _wrong(last4)})
    assert wrong.status_code == 404
    html = wrong.content.decode()
    assert application.title not in html and "待受理" not in html
    assert "未查到" in html

    unknown = client.get("/progress/", {"number": "441803-2026-XK-999999", "id_last4": last4})
    assert unknown.status_code == 404 and unknown.content.decode().count("未查到") == 1
