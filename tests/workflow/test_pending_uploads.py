"""Issue 17, files already chosen (workflow.pending): the window's 收取补正材料 form keeps the files
that passed the check when it comes back with an error, as the apply form does; and a beat task
sweeps everyone's kept files after a day, not only those of people who come back."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import ClerkFactory, MatterFactory, UserFactory, pdf_upload, submitted_application
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import PendingUpload

pytestmark = pytest.mark.django_db
A = "applicant"


@pytest.fixture(autouse=True)
def calendar(db):
    seed_calendar(years=[2026])


def test_the_window_supplement_keeps_a_checked_file_after_an_error(client):
    matter = MatterFactory(materials=[{"name": "出生医学证明", "source": A}, {"name": "父母户口簿", "source": A}])
    application = submitted_application(matters=[matter])
    certificate, household = (matter.materials.get(name=n) for n in ("出生医学证明", "父母户口簿"))
    clerk = ClerkFactory()
    services.application_request_supplement(application=application, clerk=clerk, items=[
        {"material": "出生医学证明", "reason": "复印件不清晰"}, {"material": "父母户口簿", "reason": "缺少本人页"}])
    client.force_login(clerk)
    url = f"/applications/{application.number}/supplement-at-window/"
    response = client.post(url, {
        f"material_{certificate.pk}": pdf_upload("出生医学证明-清晰.pdf"),
        f"material_{household.pk}": SimpleUploadedFile("户口簿.pdf", b"not a pdf at all", content_type="application/pdf"),
        "received": [str(household.pk)],
    })
    html = response.content.decode()
    assert response.status_code == 400 and "已选择:<strong>出生医学证明-清晰.pdf</strong>" in html
    assert "户口簿.pdf" not in html  # a file that failed the check is not kept: its row shows the error
    assert re.search(rf'name="received" value="{household.pk}" checked', html)  # the ticks stay too
    token = re.search(rf'name="pending_material_{certificate.pk}" value="([^"]+)"', html).group(1)
    assert PendingUpload.objects.get(token=token).owner == clerk

    client.force_login(clerk)
    response = client.post(url, {f"pending_material_{certificate.pk}": token,
                                 f"material_{household.pk}": pdf_upload("户口簿-本人页.pdf")})
    assert response.status_code == 302
    current = application.materials.get(name="出生医学证明", replaced_by__isnull=True)
    assert current.original_name == "出生医学证明-清晰.pdf"
    assert application.materials.get(name="父母户口簿", replaced_by__isnull=True).original_name == "户口簿-本人页.pdf"
    assert not PendingUpload.objects.exists()  # used: removed


def _kept(owner, *, age):
    pending = PendingUpload(owner=owner, token=f"t{PendingUpload.objects.count()}x" * 4, field="material_1",
                            original_name="申请表.pdf", size=4)
    pending.file.save("kept.pdf", ContentFile(b"%PDF"), save=False)
    pending.save()
    PendingUpload.objects.filter(pk=pending.pk).update(created_at=timezone.now() - age)
    return pending


def test_a_beat_task_sweeps_everyones_expired_kept_files():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "workflow.tasks.purge_pending_uploads")
    assert entry["schedule"] <= 3600
    someone, another = UserFactory(), UserFactory()
    old = [_kept(someone, age=dt.timedelta(hours=25)), _kept(another, age=dt.timedelta(days=3))]
    fresh = _kept(another, age=dt.timedelta(hours=2))
    storage = old[0].file.storage
    assert all(storage.exists(p.file.name) for p in old)
    assert tasks.purge_pending_uploads() == 2
    assert list(PendingUpload.objects.all()) == [fresh]
    assert not any(storage.exists(p.file.name) for p in old) and storage.exists(fresh.file.name)
    assert tasks.purge_pending_uploads() == 0  # safe to run again
