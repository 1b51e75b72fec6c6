import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Department, Hall, User
from civic.models import Benefit, Consultation, Question
from exchange.models import ElectronicLicence
from market.models import Demand, Intermediary
from matters.models import Matter
from portal.demo import catalog, districts
from supervision.models import Card, Complaint
from windows.models import AppointmentSlot, HomeVisit, Seat, Ticket
from workflow.models import Application

pytestmark = pytest.mark.django_db


def test_demo_district_loads_twice_without_duplicates_and_shows_every_role():
    call_command("load_demo")
    counts = (User.objects.count(), Application.objects.count(), Ticket.objects.count(), AppointmentSlot.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Application.objects.count(), Ticket.objects.count(),
            AppointmentSlot.objects.count()) == counts
    # today's queue: the screen has numbers called, the clerk's panel a current number
    assert Ticket.objects.filter(hall__code="QX-ZWZX", called_at__isnull=False).count() >= 3
    assert Ticket.objects.filter(called_by__username="clerk", state="called").exists()
    # The demo's back-dated history is re-sealed: every log chain verifies (issue 12).
    call_command("verify_audit", stdout=io.StringIO())

    # 行政许可法第四十二条: each department's leader can approve an extension of its cases.
    leaders = User.objects.filter(username__startswith="leader_")
    assert leaders.count() == 11 and all(u.is_department_leader and u.department_id for u in leaders)

    states = set(Application.objects.values_list("state", flat=True))
    assert {"submitted", "supplement_requested", "in_review", "result_ready"} <= states
    assert Card.objects.filter(level="red", closed_at__isnull=True).exists()
    # Result delivery: waiting at two different halls, one posted with its tracking number, one
    # delivered as an electronic licence.
    ready = Application.objects.filter(state="result_ready", delivery_method="hall")
    assert ready.values("pickup_hall").distinct().count() >= 2
    assert Application.objects.filter(state="delivered", delivery_method="post").exclude(post_tracking_number="").exists()
    electronic = Application.objects.get(state="delivered", delivery_method="electronic", applicant__username="citizen")
    assert ElectronicLicence.objects.filter(application_number=electronic.number).exists()

    # 上门办理 and 帮办 (issue 13): one visit booked and scheduled, one application the citizen confirmed
    visit = HomeVisit.objects.get()
    assert visit.state == "scheduled" and visit.booked_by.username == "citizen2" and visit.clerk.username == "clerk"
    assert Application.objects.filter(source="help_desk", applicant__username="citizen").count() == 1
    # 中介超市 (issue 16): a complaint about an intermediary waits at the centre on the complaint clock, once
    complaint = Complaint.objects.get(intermediary__isnull=False)
    assert complaint.state == "routing" and complaint.complainant.username == "enterprise"
    assert "华诚资产评估" in complaint.intermediary.name and complaint.due
    # 中介超市 and 政民互动 to look at: intermediaries, demands, questions (one published), a consultation, a benefit
    assert Intermediary.objects.filter(status="approved").count() >= 5 and Demand.objects.count() >= 4
    assert Question.objects.filter(state="published").exists() and Question.objects.count() >= 3
    assert Consultation.objects.exists() and Benefit.objects.filter(code="changjiao-duode", is_active=True).exists()
    # 办 at the 市民之窗 kiosk: matters a resident applies for without typing
    assert set(Matter.objects.filter(self_service=True).values_list("name", flat=True)) == {
        "社会保障卡申领", "城乡居民基本养老保险参保登记"}

    # Issue 15: the city's second district, 清城区, with its own hall, window, clerk, department,
    # matters and reviewer; the 清新区 demo cases are all 清新区's
    hall = Hall.objects.get(code="QC-ZWZX")
    assert hall.region.name == "清城区" and hall.region.parent.name == "清远市" and hall.region.district_code == "441802"
    assert Seat.objects.filter(window__hall=hall, clerk__username="clerk_qingcheng").exists()
    department = Department.objects.get(code="QC-SCJG")
    assert sorted(department.matters.values_list("name", flat=True)) == ["广告发布登记", "食品摊贩登记"]
    assert all("-441802-" in code for code in department.matters.values_list("code", flat=True))
    assert User.objects.get(username="reviewer_qc_scjg").department == department
    assert User.objects.get(username="supervisor_qingcheng").district.code == "441802000000"  # 督查范围
    # 同城通办: the one 清城区 case was accepted at the 清新区 centre and is numbered, and its licence
    # issued, in 清城区; every other demo case is 清新区's
    other = Application.objects.get(number__startswith="441802-")
    assert other.applicant.username == "citizen_qingcheng" and other.accepted_hall.code == "QX-ZWZX"
    assert other.state == "delivered"
    assert ElectronicLicence.objects.get(application_number=other.number).number.startswith("DZZZ-441802-")
    assert Application.objects.exclude(number__startswith="441803-").count() == 1

    client = APIClient()
    for row in [*catalog.USERS, *districts.USERS]:
        response = client.post("/api/auth/token/", {"username": row["username"], "password": row["password"]}, format="json")
        assert response.status_code == 200, row["username"]
        assert response.json()["user"]["role"] == row["role"]
