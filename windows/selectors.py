import datetime as dt

from workflow.hooks import Desk

from .models import Seat, Window


def seats_today(clerk, day: dt.date):
    return Seat.objects.on(day).filter(clerk=clerk, window__is_active=True).select_related("window", "window__hall")


def desk_for_clerk(clerk, day: dt.date) -> Desk | None:
    """The categories a clerk may accept and whether they deliver, from today's seats."""
    seats = list(seats_today(clerk, day))
    if not seats:
        return None
    categories = frozenset(c for s in seats if (c := s.window.accepts_category))
    # Small halls have no separate delivery window: any comprehensive window hands out results.
    delivers = any(s.window.category in (Window.Category.DELIVERY, Window.Category.NATURAL, Window.Category.LEGAL) for s in seats)
    return Desk(hall_id=seats[0].window.hall_id, categories=categories, delivers=delivers)
