"""Issue 12 A: the settings fail closed, the headers are set, and no template carries inline
script or style (the Content-Security-Policy would block it)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.proxy import TrustedProxyMiddleware, client_from

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-prod-check-" + "y" * 40,
    "ALLOWED_HOSTS": "tongban.qingxin.gov.cn",
    "TRUSTED_PROXIES": "172.16.0.0/12",
}


def run_django(code: str, **env):
    """Python in a fresh process with portal.settings and exactly the given variables."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE", "HTTPS")}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_without_secret_key_and_debug_off_the_project_refuses_to_start():
    result = run_django("print('started')")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "refusing to start" in result.stderr
    assert "started" not in result.stdout


def test_debug_is_off_unless_asked_and_the_key_can_come_from_a_file(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("k" * 60 + "\n")
    result = run_django("from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY == 'k' * 60)",
                        SECRET_KEY_FILE=str(key))
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_debug_without_a_key_uses_a_random_one_never_a_committed_one():
    code = "from django.conf import settings as s; print(s.SECRET_KEY)"
    first, second = run_django(code, DEBUG="true"), run_django(code, DEBUG="true")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() != second.stdout.strip()
    assert "tongban-insecure" not in (ROOT / "portal" / "settings.py").read_text()


def test_check_deploy_is_clean_under_the_production_settings():
    result = run_django(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')", **PROD_ENV)
    assert result.returncode == 0, result.stderr
    result = run_django(
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY)", **PROD_ENV)
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True"], result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_without_inline_and_the_other_headers(client):
    response = client.get(reverse("portal:home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    login = client.get(reverse("accounts:login"))
    assert login.cookies["csrftoken"]["httponly"] is True  # no script reads it


@pytest.mark.django_db
def test_unknown_address_with_debug_off_is_the_portals_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body and "Using the URLconf" not in body
    assert "页面" in body


@pytest.mark.django_db
def test_health_answers_over_plain_http_even_with_the_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").json() == {"status": "ok"}
    assert client.get(reverse("portal:home")).status_code == 301  # everything else goes to HTTPS


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def browser_templates():
    """Every HTML template a browser receives: PDFs (WeasyPrint, never served as HTML) excepted."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.name.endswith("_pdf.html") or "notices" in path.parts:
            continue
        yield path


def test_no_template_has_inline_script_or_style():
    found = [f"{path.relative_to(ROOT)}: {what}" for path in browser_templates()
             for pattern, what in INLINE if pattern.search(path.read_text())]
    assert not found, found


# --- the reverse proxy ------------------------------------------------------------------------

def _through(settings, remote, **headers):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.5"]
    seen = {}

    def view(request):
        seen.update(addr=request.META["REMOTE_ADDR"], secure=request.is_secure(),
                    xff=request.META.get("HTTP_X_FORWARDED_FOR"))
        return None

    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    TrustedProxyMiddleware(view)(request)
    return seen


def test_forwarded_headers_from_anyone_else_are_dropped(settings):
    seen = _through(settings, "203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"addr": "203.0.113.9", "secure": False, "xff": None}


def test_forwarded_headers_from_our_proxy_are_believed(settings):
    seen = _through(settings, "10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"addr": "198.51.100.7", "secure": True, "xff": None}


def test_a_client_cannot_pick_its_address_by_prefixing_x_forwarded_for(settings):
    # the client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended the address it saw
    seen = _through(settings, "192.168.1.5", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7, 10.9.9.9")
    assert seen["addr"] == "198.51.100.7"


def test_client_from_ignores_garbage_and_all_proxy_chains(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_from("10.0.0.1", "not-an-ip, 10.0.0.2") == "10.0.0.2"
    assert client_from("10.0.0.1", "") == "10.0.0.1"
    assert client_from("8.8.8.8", "1.1.1.1") == "8.8.8.8"


def test_the_database_password_can_come_from_a_file(tmp_path):
    secret = tmp_path / "db_password"
    secret.write_text("s3cret-from-file\n")
    result = run_django("from django.conf import settings as s; print(s.DATABASES['default']['PASSWORD'])",
                        DEBUG="true", DATABASE_URL="postgres://tongban@db:5432/tongban",
                        DATABASE_PASSWORD_FILE=str(secret))
    assert result.stdout.strip() == "s3cret-from-file", result.stderr
