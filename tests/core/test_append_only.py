"""core.models.AppendOnlyModel: a log row, once written, cannot be changed or deleted from Python,
whichever way one tries (row, queryset, related manager, bulk_update)."""

import pytest

from core.models import AppendOnlyError, AppendOnlyModel
from supervision.feedback.models import FeedbackLog
from supervision.models import CardLog
from tests.factories import accepted_application
from windows.models import ConsultationEvent
from workflow.models import CaseLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [CaseLog, ConsultationEvent, FeedbackLog, CardLog])
def test_every_log_model_is_append_only(model):
    assert issubclass(model, AppendOnlyModel)
    for name in ("save", "delete"):
        assert name not in model.__dict__, f"{model.__name__} keeps its own {name} guard"


def test_a_case_log_row_cannot_be_changed_or_deleted():
    application = accepted_application()
    row = application.log.order_by("pk").first()
    assert row is not None
    note = row.note
    row.note = "改写"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        CaseLog.objects.filter(pk=row.pk).update(note="改写")
    with pytest.raises(AppendOnlyError):
        CaseLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        application.log.all().delete()
    with pytest.raises(AppendOnlyError):
        CaseLog.objects.bulk_update([row], ["note"])
    row.refresh_from_db()
    assert row.note == note


def test_new_rows_are_still_written():
    application = accepted_application()
    before = application.log.count()
    CaseLog.objects.create(application=application, action="test.appended")
    assert application.log.count() == before + 1
    assert isinstance(AppendOnlyError("x"), ValueError)  # callers that caught ValueError still do
