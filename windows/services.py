"""The window drives workflow services: a walk-in is registered and, when complete, accepted on
the spot (行政许可法 art. 32); an incomplete one gets the one-time notice."""

from django.db import transaction

from accounts.services import applicant_find_or_register
from workflow import services as workflow_services
from workflow.models import Application, Channel


@transaction.atomic
def walk_in_register(
    *, clerk, applicant: dict, matters, form_data: dict, theme=None, enterprise=None, files=None,
    received=(), accept_now=True, idempotency_key="",
) -> Application:
    """`applicant`: {"real_name", "id_number", "phone"}; `received`: ids of the material
    requirements whose originals the clerk has checked at the window."""
    desk = workflow_services.clerk_desk(clerk, category=matters[0].target if matters else None)
    person = applicant_find_or_register(**applicant)
    application = workflow_services.application_submit(
        applicant=person, matters=matters, theme=theme, enterprise=enterprise, form_data=form_data, files=files,
        channel=Channel.WINDOW, created_by=clerk, hall_id=desk.hall_id, received_at_window=received,
        idempotency_key=idempotency_key,
    )
    if accept_now and application.state == Application.State.SUBMITTED and not missing_materials(application):
        application = workflow_services.application_accept(application=application, clerk=clerk)
    return application


def missing_materials(application):
    """Required materials the applicant must bring and has neither uploaded nor handed over."""
    have = set(application.materials.values_list("requirement_id", flat=True))
    return [
        r for m in application.matters.all() for r in m.materials.all()
        if r.required and r.must_be_brought and r.pk not in have
    ]


