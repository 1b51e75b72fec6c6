"""The queue's clock. Tests move it with `monkeypatch.setattr("windows.clock.now", ...)`; every
queue and appointment module reads the time through here, never `timezone.now()` directly."""

from django.utils import timezone


def now():
    return timezone.now()


def today():
    """The Beijing date of `now()`."""
    return timezone.localdate(now())
