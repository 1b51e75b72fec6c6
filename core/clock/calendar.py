"""Chinese working days (工作日): pure date arithmetic over a calendar, no ORM, no Django.

A working day is Monday to Friday, minus the public holidays that fall on a weekday, plus the
make-up working weekends (调休) of the State Council's yearly notice. The years the calendar
*knows* carry the notice's exceptions. A *provisional* year (one whose notice is not known yet)
carries only the holidays that 《全国年节及纪念日放假办法》 fixes by date (`core.clock.holidays`),
without make-up days; any other year is taken as an ordinary Mon-Fri week. `assumed_years` names
every year that is not known, so that an answer (and a stored deadline) can say it is provisional.

All arguments are `datetime.date` values that are already Beijing dates (DESIGN §8); a
`datetime` is refused rather than silently cut to its (possibly UTC) date.

Counting follows the 行政许可法: the day a clock starts is not counted, so the n-th working day
*after* `start` is the deadline. Everything here is O(log k) in the number k of exceptions, with a
few dozen integer operations per call, so a sweep over thousands of cases is cheap:

- `_plain(x)` is the number of Mon-Fri days from 0001-01-01 (a Monday) up to and including x;
- the exceptions are kept as sorted ordinals with a running sum of their effect (+1 for a weekend
  working day, -1 for a weekday off), so any interval's correction is two bisections.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime

__all__ = ["WorkCalendar"]

_MAX_ORDINAL = date.max.toordinal()


def _check_date(value, name):
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (a Beijing date), not {type(value).__name__}")


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError("n must not be negative")


def _plain(ordinal: int) -> int:
    """Mon-Fri days in [0001-01-01, the day with this ordinal]; ordinal 1 is a Monday."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _plain_nth(count: int) -> int:
    """Ordinal of the Mon-Fri day with `_plain(ordinal) == count` (count >= 1)."""
    weeks, rest = divmod(count, 5)
    if rest == 0:
        return 7 * (weeks - 1) + 5  # the Friday of the last whole week
    return 7 * weeks + rest


class WorkCalendar:
    """Working-day arithmetic over a set of known years and their exceptions.

    `days_off`: weekdays that are not working days (法定节假日, e.g. 国庆节);
    `extra_workdays`: weekend days that are working days (调休);
    `known_years`: the years whose exceptions are known (the yearly notice is entered);
    `provisional_years`: years whose statutory holidays are in `days_off` but whose notice is not
    known (no make-up days yet). Exceptions in any other year are ignored: those years are
    ordinary weeks. A day off that falls on a weekend, or an extra working day
    that falls on a weekday, changes nothing and is accepted.
    """

    __slots__ = ("known_years", "provisional_years", "_off", "_extra", "_ordinals", "_effect_sums")

    def __init__(self, *, days_off=(), extra_workdays=(), known_years=(), provisional_years=()):
        self.known_years = frozenset(int(y) for y in known_years)
        self.provisional_years = frozenset(int(y) for y in provisional_years) - self.known_years
        held = self.known_years | self.provisional_years
        off = set()
        extra = set()
        for name, source, target in (("days_off", days_off, off), ("extra_workdays", extra_workdays, extra)):
            for d in source:
                _check_date(d, name)
                if d.year in held:
                    target.add(d)
        both = off & extra
        if both:
            raise ValueError(f"dates both off and working: {sorted(both)}")
        self._off = frozenset(off)
        self._extra = frozenset(extra)

        effects = {d.toordinal(): -1 for d in off if d.weekday() < 5}
        effects.update({d.toordinal(): +1 for d in extra if d.weekday() >= 5})
        self._ordinals = sorted(effects)
        sums = [0]
        for o in self._ordinals:
            sums.append(sums[-1] + effects[o])
        # _effect_sums[i] is the total effect of the first i exceptions.
        self._effect_sums = sums

    def __repr__(self):
        years = sorted(self.known_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<WorkCalendar known years {span}, {len(self._ordinals)} exceptions>"

    # -- the calendar ------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        _check_date(d, "d")
        if d in self._extra:
            return True
        if d in self._off:
            return False
        return d.weekday() < 5

    def assumed_years(self, a: date, b: date) -> list[int]:
        """Years from min(a, b) to max(a, b), inclusive, whose yearly notice is not known: their
        working days are provisional (statutory holidays only, or ordinary weeks)."""
        _check_date(a, "a")
        _check_date(b, "b")
        low, high = sorted((a.year, b.year))
        return [y for y in range(low, high + 1) if y not in self.known_years]

    def is_provisional(self, a: date, b: date) -> bool:
        """Whether an answer over [a, b] depends on a year whose notice is not known."""
        return bool(self.assumed_years(a, b))

    # -- counting ------------------------------------------------------------------------------

    def _count(self, a: int, b: int) -> int:
        """Working days d with a < d <= b, for ordinals a <= b."""
        sums, ordinals = self._effect_sums, self._ordinals
        correction = sums[bisect_right(ordinals, b)] - sums[bisect_right(ordinals, a)]
        return _plain(b) - _plain(a) + correction

    def _is_workday_ordinal(self, o: int) -> bool:
        return self.is_workday(date.fromordinal(o))

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days d with a < d <= b; 0 when b <= a."""
        _check_date(a, "a")
        _check_date(b, "b")
        if b <= a:
            return 0
        return self._count(a.toordinal(), b.toordinal())

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the day of `start` is not counted).

        n == 0 returns `start` itself (a same-day matter), whether or not it is a working day.
        Raises OverflowError past 9999-12-31.
        """
        _check_date(start, "start")
        _check_n(n)
        if n == 0:
            return start
        s = start.toordinal()
        # Fast path: no exception in the way, the ordinary answer is right.
        last = _MAX_ORDINAL
        guess = _plain_nth(_plain(s) + n)
        if guess <= last and self._count(s, guess) == n and self._is_workday_ordinal(guess):
            return date.fromordinal(guess)
        # Otherwise: the answer is the least ordinal x > s with _count(s, x) >= n. Every weekday
        # off after `start` can push it one ordinary working day further, never more.
        offs_after = len(self._ordinals) - bisect_right(self._ordinals, s)
        hi = _plain_nth(_plain(s) + n + offs_after)
        if hi > last:
            hi = last
            if self._count(s, hi) < n:
                raise OverflowError("date value out of range")
        lo = s  # _count(s, lo) < n
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._count(s, mid) >= n:
                hi = mid
            else:
                lo = mid
        return date.fromordinal(hi)

    def workdays_from(self, start: date, n: int) -> list[date]:
        """The first n working days from `start`, `start` included when it is one (booking slots)."""
        _check_date(start, "start")
        _check_n(n)
        if n == 0:
            return []
        first = start if self.is_workday(start) else self.add_workdays(start, 1)
        days = [first]
        while len(days) < n:
            days.append(self.add_workdays(days[-1], 1))
        return days

    def subtract_workdays(self, end: date, n: int) -> date:
        """The working day w with workdays_between(w, end) == n: the n-th working day before
        `end` when `end` is a working day (n == 0 gives `end` itself).

        Equivalently, the earliest day d with workdays_between(d, end) <= n, so that for a
        deadline D, "at most n working days remain on day d" holds exactly for d >= the answer.
        When `end` is not a working day the answer is still a working day: for n == 0 it is the
        last working day before `end`. Raises OverflowError before 0001-01-01.
        """
        _check_date(end, "end")
        _check_n(n)
        e = end.toordinal()
        if n == 0 and self.is_workday(end):
            return end
        # The answer is the least ordinal x <= e with _count(x, e) <= n. Find lo with
        # _count(lo, e) > n: go back far enough for n + 1 ordinary working days plus one for
        # every weekday off before `end`.
        offs_before = bisect_right(self._ordinals, e)
        need = n + 1 + offs_before
        lo = e - 7 * (need // 5 + 2)
        if lo < 1:
            lo = 1
            if self._count(lo, e) <= n:
                # Even 0001-01-01 (not itself counted) leaves at most n: it is the answer only
                # if it is a working day with exactly n after it.
                if self._count(lo, e) == n and self._is_workday_ordinal(lo):
                    return date.fromordinal(lo)
                raise OverflowError("date value out of range")
        hi = e  # _count(e, e) == 0 <= n
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._count(mid, e) <= n:
                hi = mid
            else:
                lo = mid
        return date.fromordinal(hi)
