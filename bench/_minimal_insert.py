"""The URLs of bench_submit.py: the portal's own, plus the baseline's minimal DRF insert (a
helper module, not a benchmark: the runner runs only bench_*.py).

The minimal insert takes the same multipart request as the real submission (token, form, nine
PDFs: Django parses them the same way) and writes 1 + 3 + 4 rows in one transaction (the
application, its three matter links, four material rows) with a plain DRF view: what any
implementation of the submission pays at least, without checks, files, numbers or log.

Served by gunicorn (bench_load.py) the ids come from BENCH_MINIMAL_IDS, a JSON object
{"matters": [...], "requirements": [...]}; in-process (bench_submit.py) the bench sets them."""

import json
import os
import uuid

from django.db import transaction
from django.urls import include, path
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.urls import urlpatterns as portal_urlpatterns
from workflow.models import Application, Material


class MinimalInsert(APIView):
    matter_ids: list[int] = []  # set by the bench
    requirement_ids: list[int] = []

    def post(self, request):
        now = timezone.now()
        with transaction.atomic():
            application = Application.objects.create(
                number=f"MIN-{uuid.uuid4().hex[:20]}",
                applicant=request.user,
                created_by=request.user,
                category="natural",
                title="最小写入",
                form_data={"applicant_name": request.data.get("name", "")},
                channel="online",
                submitted_at=now,
                first_submitted_at=now,
                received_on=now.date(),
                pre_review_due=now.date(),
            )
            links = Application.matters.through
            links.objects.bulk_create([links(application_id=application.pk, matter_id=m) for m in self.matter_ids])
            Material.objects.bulk_create(
                [
                    Material(
                        application=application, requirement_id=r, name="材料", source="upload", added_by=request.user
                    )
                    for r in self.requirement_ids[:4]
                ]
            )
        return Response({"number": application.number}, status=status.HTTP_201_CREATED)


if os.environ.get("BENCH_MINIMAL_IDS"):
    _ids = json.loads(os.environ["BENCH_MINIMAL_IDS"])
    MinimalInsert.matter_ids, MinimalInsert.requirement_ids = _ids["matters"], _ids["requirements"]

urlpatterns = [path("bench/minimal-insert/", MinimalInsert.as_view()), path("", include(portal_urlpatterns))]
