"""The dashboard's rollups (supervision/figures/services.py defines every figure)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

HISTOGRAM_DAYS = 40  # buckets h00..h40 count sub-cases concluded in exactly that many working days


class FigureRollup(models.Model):
    """Sums of the dashboard's figures for one day (grain "d") or one calendar month (grain "m",
    `day` = its first day), one dimension value and one channel.

    `dim` names the dimension ("all", "department", "matter", "hall", "window", "clerk") and
    `key` its id (0: none, e.g. an online application has no receiving hall). Each event is
    counted once per dimension, so the rows of one `dim` add up to the district's figures.
    `channel` is "online", "window", or "*" for both (their sum, stored so that the unfiltered
    dashboard reads half the rows). Grain "c" (month to date: the sums from the 1st of the month
    up to and including `day`) is kept for the current and the previous month, so that a period
    ending today reads one row per key for its last, partial month; grain "y" (`day` = a month's
    first day) sums January to that month, so whole months from January read one row per key.
    The working-day histogram (`h00`…`h40`, `hover` beyond 40) makes the average and the exact
    90th percentile of any union of rows computable from summed columns; a percentile itself is
    not additive. Written only by `figures.refresh_rollups` (delete + insert of whole days).
    """

    class Grain(models.TextChoices):
        DAY = "d", _("日")
        MONTH = "m", _("月")
        MONTH_TO_DATE = "c", _("月初至当日累计")
        YEAR_TO_MONTH = "y", _("年初至月末累计")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    dim = models.CharField(max_length=12)
    key = models.IntegerField()
    channel = models.CharField(max_length=8)
    received = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    deemed = models.IntegerField(default=0)
    delivered = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)
    started = models.IntegerField(default=0)
    started_online = models.IntegerField(default=0)
    concluded = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    days_sum = models.BigIntegerField(default=0)
    hover = models.IntegerField(default=0)
    # queue tickets called (served or no-show) on `day`, of them no-shows, and their summed wait
    called = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)
    # valid ratings (好差评) made on `day`, per level of the national five-level scale
    r1 = models.IntegerField(default=0)
    r2 = models.IntegerField(default=0)
    r3 = models.IntegerField(default=0)
    r4 = models.IntegerField(default=0)
    r5 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("效能汇总")
        verbose_name_plural = _("效能汇总")
        indexes = [
            models.Index(fields=["dim", "channel", "grain", "day"], name="figure_rollup_read_idx"),
            models.Index(fields=["grain", "day"], name="figure_rollup_day_idx"),
        ]


for _bucket in range(HISTOGRAM_DAYS + 1):
    FigureRollup.add_to_class(f"h{_bucket:02d}", models.IntegerField(default=0))
del _bucket


class FigureRefresh(models.Model):
    """One row: when the rollups were last refreshed, which days they cover, and the calendar
    (working-day index signature) they were computed with; a calendar edit forces a full refresh."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=64, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    cumulative_from = models.DateField(null=True, blank=True, help_text="first month with month-to-date rows")
