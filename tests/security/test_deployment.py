"""Issue 12 A: the image and the compose deployment (what can be checked without a Docker
daemon; scripts/prod-check.sh builds the image where one is present)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_the_proxy_publishes_ports_and_gunicorn_trusts_only_its_address():
    services = compose()["services"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"proxy"}
    proxy_ip = services["proxy"]["networks"]["internal"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == proxy_ip
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()  # every web replica, by Docker's DNS
    assert "name web" in caddy and "port 8000" in caddy


def test_a_one_shot_migrate_service_and_nobody_else_migrates():
    services = compose()["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in " ".join(services[name]["command"])
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "migrate" not in (ROOT / "Dockerfile").read_text().split("CMD", 1)[1]


def test_every_long_running_service_has_a_healthcheck():
    services = compose()["services"]
    for name, svc in services.items():
        if name != "migrate":
            assert svc.get("healthcheck", {}).get("test"), name


def test_secrets_come_from_files_never_from_the_compose_file():
    data = compose()
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD:" not in text and "tongban:tongban@" not in text
    web = data["services"]["web"]["environment"]
    assert web["SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert web["DATABASE_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "@" in web["DATABASE_URL"] and ":" not in web["DATABASE_URL"].split("//")[1].split("@")[0]
    assert set(data["secrets"]) == {"secret_key", "db_password", "pii_keys", "pii_index_key", "audit_anchor_key"}
    assert web["AUDIT_ANCHOR_KEY_FILE"] == "/run/secrets/audit_anchor_key"
    for name in ("web", "worker", "beat"):  # the worker seals, the web page verifies: one volume for both
        assert "anchors:/data/anchors" in data["services"][name]["volumes"], name
    assert "secrets/" in (ROOT / ".gitignore").read_text()


def test_the_image_runs_as_a_user_and_leaves_local_data_out():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER tongban\n" in dockerfile and "HEALTHCHECK" in dockerfile
    assert "chart.umd.min.js.map" in dockerfile  # collectstatic resolves the bundle's source map
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "var", "node_modules", "secrets", ".env"):
        assert path in ignored, path


def test_the_images_build_time_collectstatic_runs_with_only_what_the_dockerfile_gives_it(tmp_path):
    """The Dockerfile's `RUN … collectstatic` runs with DEBUG off and no secrets but the throw-aways
    it names: the settings refuse to start without each key they need, so a key added to the
    settings without one here broke the image build (PII_KEYS did, unseen where no Docker daemon
    runs). Run that command the same way: only its own variables, the rest of the environment gone."""
    import os
    import re
    import shlex
    import subprocess
    import sys

    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(x for x in dockerfile.splitlines() if x.startswith("RUN ") and "collectstatic" in x)
    words = shlex.split(line[len("RUN "):].split("&&")[0])
    assignments = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=.*", w))
    command = [w for w in words if "=" not in w]
    assert command[:3] == ["python", "manage.py", "collectstatic"], command
    env = {"PATH": os.environ["PATH"], "STATIC_ROOT": str(tmp_path / "static"), **assignments}
    done = subprocess.run([sys.executable, *command[1:], "-v0"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
