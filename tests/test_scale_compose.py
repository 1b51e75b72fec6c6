"""The compose deployment for more than one process of each kind (issue 15, more boxes): what can
be checked without Docker. Every queue of the settings is consumed by a worker service, each
kind by its own, web and workers run N replicas sharing the uploads volume and Redis, and the
beats are two of which the lock lets one send."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def queues_of(service: dict) -> set[str]:
    command = service["command"]
    return set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else set()


def test_every_queue_has_a_worker_service_of_its_own_kind():
    workers = {name: queues_of(svc) for name, svc in services().items() if "worker" in svc.get("command", [])}
    consumed = [q for queues in workers.values() for q in queues]
    assert sorted(consumed) == sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *settings.TASK_QUEUES_BY_KIND})
    assert len(consumed) == len(set(consumed))  # each queue by one service
    assert workers["worker-notices"] == {"notices"} and workers["worker-exchange"] == {"exchange"}


def test_web_and_workers_run_replicas_sharing_uploads_redis_and_the_beat_lock():
    all_services = services()
    for name, svc in all_services.items():
        if name == "web" or name.startswith("worker"):
            assert str(svc["deploy"]["replicas"]).startswith("${"), name  # WEB_REPLICAS / WORKER_REPLICAS
            assert "media:/data/media" in svc["volumes"], name
            assert svc["environment"]["REDIS_URL"].startswith("redis://"), name  # sessions, cache, broker
            assert svc["environment"]["MEDIA_ROOT"] == "/data/media"
    assert all_services["beat"]["deploy"]["replicas"] == 2
    assert settings.CELERY_BEAT_SCHEDULER == "portal.celery:SingleBeatScheduler"
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "dynamic a" in caddy and "lb_policy round_robin" in caddy
