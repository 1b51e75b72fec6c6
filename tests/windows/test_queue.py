"""取号叫号: numbering, the wait estimate, two clerks at two halls working one day's mixed queue,
recall, no-show, and who may not call."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import ClerkFactory, DepartmentFactory, HallFactory, UserFactory, WindowFactory, ticket
from windows import queue_selectors as selectors
from windows import queue_services as services
from windows.models import Ticket, Window

pytestmark = pytest.mark.django_db
C = Window.Category
T = Ticket.State


def hall_with(*categories):
    hall = HallFactory()
    for i, category in enumerate(categories):
        kwargs = {"department": DepartmentFactory()} if category == C.DEPARTMENT else {}
        WindowFactory(hall=hall, number=f"{'ABCDE'[list(C.values).index(category)]}{i:02d}", category=category, **kwargs)
    return hall


def test_numbers_restart_per_hall_day_and_prefix(at):
    at("2026-11-25 08:40")
    one, two = hall_with(C.NATURAL, C.LEGAL), hall_with(C.NATURAL)
    numbers = [ticket(hall=one).number, ticket(hall=one).number, ticket(hall=one, category=C.LEGAL).number,
               ticket(hall=two).number, ticket(hall=one).number]
    assert numbers == ["A001", "A002", "B001", "A001", "A003"]
    at("2026-11-26 08:31")
    assert ticket(hall=one).number == "A001"  # a new day starts again
    assert Ticket.objects.filter(hall=one, day=dt.date(2026, 11, 26)).get().issued_at.hour == 0  # UTC 08:31+08 → 00:31


def test_department_tickets_share_the_e_prefix_and_name_their_department(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.DEPARTMENT, C.DEPARTMENT)
    first, second = Window.objects.filter(hall=hall).order_by("number")
    a = ticket(hall=hall, category=C.DEPARTMENT, department=first.department)
    b = ticket(hall=hall, category=C.DEPARTMENT, department=second.department)
    assert (a.number, b.number) == ("E001", "E002")
    assert a.category_label == first.department.short_name
    with pytest.raises(Invalid) as refused:
        ticket(hall=hall, category=C.DEPARTMENT)
    assert refused.value.code == "department_required"


def test_a_queue_the_hall_does_not_have_is_refused(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL)
    with pytest.raises(Invalid) as refused:
        ticket(hall=hall, category=C.LEGAL)
    assert "没有办理该类业务的窗口" in refused.value.message
    assert not Ticket.objects.exists()


def test_a_signed_in_visitor_has_one_open_ticket_per_queue(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL, C.LEGAL)
    citizen = UserFactory()
    first = ticket(hall=hall, user=citizen, source=Ticket.Source.PHONE, phone="13912345678")
    assert first.user == citizen and first.phone_masked == "139****5678"
    with pytest.raises(Conflict) as refused:
        ticket(hall=hall, user=citizen)
    assert "A001" in refused.value.message
    assert ticket(hall=hall, user=citizen, category=C.LEGAL).number == "B001"  # another queue is fine
    services.ticket_cancel(user=citizen, ticket=first)
    assert ticket(hall=hall, user=citizen).number == "A002"


def test_estimated_wait_uses_people_ahead_recent_service_time_and_staffed_windows(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL)
    window = Window.objects.get(hall=hall)
    clerk = ClerkFactory(window=window)
    tickets = [ticket(hall=hall) for _ in range(4)]
    estimate = selectors.estimate_wait(tickets[3])
    # nothing served yet: the default service time, one staffed window
    assert (estimate.ahead, estimate.windows, estimate.service_minutes) == (3, 1, selectors.DEFAULT_SERVICE_MINUTES)
    assert estimate.minutes == 3 * selectors.DEFAULT_SERVICE_MINUTES

    # the first visitor took 10 minutes at the window
    services.ticket_call_next(clerk=clerk)
    at("2026-11-25 09:10")
    services.ticket_finish(clerk=clerk, ticket=tickets[0], outcome=T.SERVED)
    # a second window opens for the same queue
    ClerkFactory(window=WindowFactory(hall=hall, number="A99", category=C.NATURAL))
    estimate = selectors.estimate_wait(tickets[3])
    assert (estimate.ahead, estimate.windows, estimate.service_minutes) == (2, 2, 10.0)
    assert estimate.minutes == 10  # 2 ahead × 10 min ÷ 2 windows
    assert selectors.estimate_wait(tickets[1]).minutes == 0


def test_two_clerks_at_two_halls_work_the_same_days_mixed_queue(at):
    at("2026-11-25 08:35")
    taihe, zwzx = hall_with(C.NATURAL, C.LEGAL), hall_with(C.NATURAL, C.LEGAL)
    natural_clerk = ClerkFactory(window=Window.objects.get(hall=taihe, category=C.NATURAL))
    legal_clerk = ClerkFactory(window=Window.objects.get(hall=zwzx, category=C.LEGAL))
    # a mixed queue in both halls, one arrival with an appointment in each
    taken = []
    for hall, category in [(taihe, C.NATURAL), (zwzx, C.LEGAL), (taihe, C.LEGAL), (zwzx, C.NATURAL),
                           (taihe, C.NATURAL), (zwzx, C.LEGAL), (taihe, C.NATURAL), (zwzx, C.LEGAL)]:
        taken.append(ticket(hall=hall, category=category))
    priority_taihe = ticket(hall=taihe, category=C.NATURAL, source=Ticket.Source.APPOINTMENT,
                            priority=Ticket.Priority.APPOINTMENT)
    priority_zwzx = ticket(hall=zwzx, category=C.LEGAL, source=Ticket.Source.APPOINTMENT,
                            priority=Ticket.Priority.APPOINTMENT)

    def work(clerk):
        called = []
        while True:
            try:
                t = services.ticket_call_next(clerk=clerk)
            except Conflict as exc:
                assert exc.code == "queue_empty"
                return called
            called.append((t.hall_id, t.number))
            services.ticket_finish(clerk=clerk, ticket=t, outcome=T.SERVED)

    assert work(natural_clerk) == [(taihe.pk, priority_taihe.number), (taihe.pk, "A001"), (taihe.pk, "A002"),
                                   (taihe.pk, "A003")]
    assert work(legal_clerk) == [(zwzx.pk, priority_zwzx.number), (zwzx.pk, "B001"), (zwzx.pk, "B002"),
                                 (zwzx.pk, "B003")]
    # what nobody at the right window called is still waiting
    assert sorted(Ticket.objects.filter(state=T.WAITING).values_list("hall_id", "number")) == sorted(
        [(taihe.pk, "B001"), (zwzx.pk, "A001")])
    served = Ticket.objects.filter(state=T.SERVED)
    assert all(t.called_by_id and t.window_id and t.called_at and t.finished_at for t in served)
    assert set(served.filter(hall=taihe).values_list("window__category", "called_by")) == {(C.NATURAL, natural_clerk.pk)}


def test_a_clerk_finishes_the_current_ticket_before_calling_the_next(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL)
    clerk = ClerkFactory(window=Window.objects.get(hall=hall))
    first, second = ticket(hall=hall), ticket(hall=hall)
    assert services.ticket_call_next(clerk=clerk) == first
    with pytest.raises(Conflict) as refused:
        services.ticket_call_next(clerk=clerk)
    assert "请先将当前号码 A001 标记为“办结”或“过号”" in refused.value.message
    assert Ticket.objects.get(pk=second.pk).state == T.WAITING


def test_a_no_show_is_skipped_by_later_calls_and_recorded(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL)
    window = Window.objects.get(hall=hall)
    clerk, colleague = ClerkFactory(window=window), ClerkFactory(window=WindowFactory(hall=hall, number="A77"))
    absent, present = ticket(hall=hall), ticket(hall=hall)
    services.ticket_call_next(clerk=clerk)
    at("2026-11-25 09:03")
    services.ticket_finish(clerk=clerk, ticket=absent, outcome=T.NO_SHOW)
    assert services.ticket_call_next(clerk=colleague) == present
    absent = Ticket.objects.get(pk=absent.pk)
    assert (absent.state, absent.called_by, absent.window, absent.finished_at.minute) == (T.NO_SHOW, clerk, window, 3)
    with pytest.raises(Conflict):
        services.ticket_call_next(clerk=clerk)  # nobody else waits; the no-show is not called again
    with pytest.raises(Conflict):
        services.ticket_recall(clerk=clerk, ticket=absent)


def test_recall_counts_and_puts_the_number_back_on_top_of_the_screen(at):
    at("2026-11-25 09:00")
    hall = hall_with(C.NATURAL)
    window = Window.objects.get(hall=hall)
    clerk, colleague = ClerkFactory(window=window), ClerkFactory(window=WindowFactory(hall=hall, number="A77"))
    first, _second = ticket(hall=hall), ticket(hall=hall)
    services.ticket_call_next(clerk=clerk)
    at("2026-11-25 09:01")
    services.ticket_call_next(clerk=colleague)
    assert selectors.screen(hall)["latest"]["number"] == "A002"
    version = selectors.screen(hall)["version"]
    at("2026-11-25 09:02")
    services.ticket_recall(clerk=clerk, ticket=first)
    screen = selectors.screen(hall)
    assert screen["latest"]["number"] == "A001" and screen["latest"]["recall_count"] == 1
    assert screen["latest"]["window"] == window.number
    assert screen["version"] != version
    assert [r["number"] for r in screen["called"]] == ["A001", "A002"]
    with pytest.raises(Forbidden):
        services.ticket_recall(clerk=colleague, ticket=first)  # not theirs


def test_who_may_not_call(at):
    at("2026-11-25 09:00")
    hall, other_hall = hall_with(C.NATURAL), hall_with(C.NATURAL)
    waiting = ticket(hall=hall)
    unseated = ClerkFactory(window=Window.objects.get(hall=other_hall))
    unseated.seats.update(starts_on=dt.date(2026, 12, 1))  # seated only from next month
    with pytest.raises(Forbidden) as refused:
        services.ticket_call_next(clerk=unseated)
    assert refused.value.code == "no_seat_today"
    for user in (UserFactory(), ):
        with pytest.raises(Forbidden) as refused:
            services.ticket_call_next(clerk=user)
        assert refused.value.code == "not_a_clerk"
    # a clerk of another hall never gets this hall's ticket, nor may act on it
    elsewhere = ClerkFactory(window=WindowFactory(hall=other_hall, number="A55"))
    with pytest.raises(Conflict):
        services.ticket_call_next(clerk=elsewhere)
    here = ClerkFactory(window=Window.objects.get(hall=hall))
    services.ticket_call_next(clerk=here)
    with pytest.raises(NotFound):
        services.ticket_finish(clerk=elsewhere, ticket=waiting, outcome=T.SERVED)
    # a clerk at a legal-person window does not call natural-person tickets
    legal = ClerkFactory(window=WindowFactory(hall=hall, number="B01", category=C.LEGAL))
    ticket(hall=hall)
    with pytest.raises(Conflict):
        services.ticket_call_next(clerk=legal)
    assert Ticket.objects.filter(state=T.WAITING).count() == 1
