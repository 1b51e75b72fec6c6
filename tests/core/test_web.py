"""core.web: role checks, paging, file answers and the portal's own error pages."""

import pytest
from django.core.paginator import Page
from django.test import Client, RequestFactory

from accounts.models import User
from core.web.access import role_required
from core.web.files import pdf_response, xlsx_response
from core.web.paging import page_of
from tests.factories import ClerkFactory, UserFactory

pytestmark = pytest.mark.django_db

TECHNICAL = ("Django tried these URL patterns", "Traceback", "DEBUG = True", "technical_500", "Page not found at")


def _assert_portal_page(response, status, *texts):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    for text in texts:
        assert text in html
    for leak in TECHNICAL:
        assert leak not in html


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_shows_the_chinese_404_with_ways_back(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/guide/")
    _assert_portal_page(response, 404, "未找到您要的内容", "返回首页", "返回上一页", 'href="http://testserver/guide/"')


def test_the_404_offers_a_signed_in_user_their_workbench(client, settings):
    settings.DEBUG = True
    client.force_login(ClerkFactory())
    _assert_portal_page(client.get("/no-such-page/"), 404, "回到我的工作台", 'href="/workbench/"')


def test_the_way_back_never_leads_off_the_site(client, settings):
    settings.DEBUG = True
    html = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in html
    assert "返回上一页" not in html


def test_an_address_without_its_slash_is_still_redirected(client, settings):
    settings.DEBUG = True
    response = client.get("/guide")
    assert response.status_code == 301
    assert response["Location"] == "/guide/"


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_address_answers_the_api_error_shape(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "not_found"
    assert body["fields"] == {}


@pytest.mark.urls("tests.core.crash_urls")
@pytest.mark.parametrize("debug", [True, False])
def test_an_api_crash_answers_json_not_a_traceback(settings, debug):
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get("/api/test-crash/")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": "系统繁忙,请稍后再试。", "fields": {}}
    assert "a bug in the API" not in response.content.decode()


@pytest.mark.urls("tests.core.crash_urls")
@pytest.mark.parametrize("debug", [True, False])
def test_a_page_crash_shows_the_chinese_500(settings, debug):
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get("/test-crash/")
    _assert_portal_page(response, 500, "系统繁忙,请稍后再试", "返回首页")
    assert "a bug in a page" not in response.content.decode()


@pytest.mark.urls("tests.core.crash_urls")
def test_a_crash_still_reaches_the_test_client_and_the_log(client, caplog):
    with pytest.raises(RuntimeError, match="a bug in a page"):
        client.get("/test-crash/")
    assert any(r.exc_info and r.levelname == "ERROR" for r in caplog.records if r.name == "django.request")


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_for_another_role_shows_the_chinese_403(client, settings, debug):
    settings.DEBUG = debug
    client.force_login(UserFactory())  # a citizen
    response = client.get("/catalog/")  # administrators only
    _assert_portal_page(response, 403, "无权访问", "该页面仅限系统管理员使用。", "回到我的工作台")


def test_role_required_sends_the_anonymous_to_sign_in_and_names_the_audience(rf):
    @role_required(User.Role.CLERK)
    def view(request):
        from django.http import HttpResponse
        return HttpResponse("ok")

    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    request = rf.get("/x/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = UserFactory()
    with pytest.raises(PermissionDenied, match="该页面仅限综合窗口人员使用。"):
        view(request)
    request.user = ClerkFactory()
    assert view(request).content == b"ok"


def test_page_of_gives_the_nearest_page_for_a_bad_number():
    rf = RequestFactory()
    items = list(range(45))
    page = page_of(rf.get("/", {"page": "2"}), items, 20)
    assert isinstance(page, Page) and list(page) == list(range(20, 40))
    assert list(page_of(rf.get("/", {"page": "99"}), items, 20)) == list(range(40, 45))
    assert list(page_of(rf.get("/", {"page": "abc"}), items, 20)) == list(range(20))


def test_file_answers_keep_a_chinese_file_name():
    pdf = pdf_response(b"%PDF-1.7", "办事指南-开办企业.pdf", ascii_name="guide.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('inline; filename="guide.pdf"; filename*=UTF-8\'\'%E5%8A%9E')
    xlsx = xlsx_response(b"PK", "事项目录.xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment;")
    assert xlsx["Cache-Control"] == "no-store"


def test_each_web_helper_is_defined_once_in_the_project():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    helpers = ["role_required", "not_found_page", "not_found_pages", "show_domain_error", "page_of",
               "pdf_response", "xlsx_response", "oneform_rows", "material_rows"]
    found = {name: [] for name in helpers}
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {".venv", "node_modules", "tests"}:
            continue
        for name in re.findall(r"^def (\w+)\(", path.read_text(encoding="utf-8"), flags=re.M):
            if name in found:
                found[name].append(str(path.relative_to(root)))
    assert {name: len(paths) for name, paths in found.items()} == dict.fromkeys(helpers, 1), found


def test_a_page_counts_its_lists_in_one_query_as_each_alone_would(django_assert_num_queries):
    from core.web.paging import count_label, count_labels

    for i in range(5):
        UserFactory(real_name=f"计数{i}")
    users = User.objects.filter(real_name__startswith="计数")
    lists = {"all": users, "some": users.filter(real_name__in=["计数1", "计数2"]), "none": users.none(),
             "nobody": users.filter(pk__in=[])}
    with django_assert_num_queries(1):
        labels = count_labels(lists, up_to=3)
    assert labels == {"all": "3+", "some": "2", "none": "0", "nobody": "0"}
    assert labels == {name: count_label(qs, up_to=3) for name, qs in lists.items()}


def test_an_unknown_address_renders_its_404_page_once(client, settings):
    from django.test.signals import template_rendered

    settings.DEBUG = False
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        assert client.get("/no-such-page/").status_code == 404
    finally:
        template_rendered.disconnect(seen)
    assert rendered.count("404.html") == 1


@pytest.mark.parametrize("descending", [False, True])
def test_a_keyset_list_on_a_key_with_nulls_pages_both_ways_in_its_order(descending):
    """NULL keys last ascending, first descending, and a cursor on either side of them: every row
    once, in order, forwards and back (the rows after a cursor are read in parts)."""
    import datetime as dt

    from django.utils import timezone

    from core.web.paging import keyset_page

    start = timezone.now().replace(microsecond=0)
    made = [UserFactory(real_name=f"翻页{i}") for i in range(11)]
    for i, user in enumerate(made):  # three NULLs; pairs of equal times
        user.last_login = None if i % 4 == 1 else start + dt.timedelta(minutes=i // 2)
        user.save(update_fields=["last_login"])
    users = User.objects.filter(real_name__startswith="翻页")

    def order(u):
        if u.last_login is None:  # NULLs: after every time ascending, before every time descending
            return (1, 0, u.pk) if not descending else (0, 0, -u.pk)
        minutes = (u.last_login - start).total_seconds()
        return (0, minutes, u.pk) if not descending else (1, -minutes, -u.pk)

    expected = [u.pk for u in sorted(users, key=order)]
    rf = RequestFactory()
    page = keyset_page(rf.get("/"), users, key="last_login", descending=descending, per_page=2)
    forward = [[u.pk for u in page.object_list]]
    while page.next_url:
        page = keyset_page(rf.get("/" + page.next_url), users, key="last_login", descending=descending, per_page=2)
        forward.append([u.pk for u in page.object_list])
    assert sum(forward, []) == expected
    backward = [forward[-1]]
    while page.previous_url:
        page = keyset_page(rf.get("/" + page.previous_url), users, key="last_login", descending=descending,
                           per_page=2)
        backward.append([u.pk for u in page.object_list])
    assert backward[::-1] == forward
