"""The dashboard's rollups (supervision/figures/services.py defines every figure)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

HISTOGRAM_DAYS = 40  # buckets h00..h40 count sub-cases concluded in exactly that many working days


class RollupSums(models.Model):
    """The sums of a rollup row (see FigureRollup); the histogram columns are added to each
    concrete model below (fields added to an abstract model after its subclasses exist are not
    inherited)."""

    grain = models.CharField(max_length=1)
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
        abstract = True


class Grain(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")
    MONTH_TO_DATE = "c", _("月初至当日累计")
    YEAR_TO_MONTH = "y", _("年初至月末累计")


class FigureRollup(RollupSums):
    """Sums of the dashboard's figures for one day (grain "d"), one dimension value and one
    channel; the coarse grains built from them are in FigureRollupCoarse.

    `dim` names the dimension ("all", "department", "matter", "hall", "window", "clerk") and
    `key` its id (0: none, e.g. an online application has no receiving hall). Each event is
    counted once per dimension, so the rows of one `dim` add up to the district's figures.
    `channel` is "online", "window", or "*" for both (their sum, stored so that the unfiltered
    dashboard reads half the rows). The working-day histogram (`h00`…`h40`, `hover` beyond 40)
    makes the average and the exact 90th percentile of any union of rows computable from summed
    columns; a percentile itself is not additive. Written only by `figures.refresh_rollups`
    (delete + insert of whole days).
    """

    Grain = Grain
    grain = models.CharField(max_length=1, choices=Grain.choices)

    class Meta:
        verbose_name = _("效能汇总")
        verbose_name_plural = _("效能汇总")
        indexes = [
            models.Index(fields=["dim", "channel", "grain", "day"], name="figure_rollup_read_idx"),
            models.Index(fields=["grain", "day"], name="figure_rollup_day_idx"),
        ]


class FigureRollupCoarse(RollupSums):
    """The same sums for the coarse grains, summed from the daily rows of FigureRollup by the
    same refresh (`figures.refresh_rollups`, same transaction): one calendar month (grain "m",
    `day` = its first day); month to date (grain "c": from the 1st of the month up to and
    including `day`), kept for the current and the previous month, so that a period ending
    today reads one row per key for its last, partial month; year to month (grain "y", `day` =
    a month's first day: January to that month), so whole months from January read one row per
    key. 本年/本季/本月 read one or two rows per key from here.

    A table of its own (issue 14, budgets at full size): among the daily rows each coarse row
    sat on a heap page of its own (the refresh's delete + insert reuses the free space the daily
    rows leave), so 本年 by matter touched ~1,200 pages for 2,082 rows. Here the refresh writes
    them ordered as they are read (grain, day, channel, dim, key) into pages freed by the same
    set's previous version.
    """

    grain = models.CharField(max_length=1, choices=[c for c in Grain.choices if c[0] != Grain.DAY])

    class Meta:
        verbose_name = _("效能汇总(月/年/月初至今)")
        verbose_name_plural = _("效能汇总(月/年/月初至今)")
        indexes = [
            models.Index(fields=["grain", "day", "channel", "dim", "key"], name="figure_coarse_read_idx"),
        ]


for _model in (FigureRollup, FigureRollupCoarse):
    for _bucket in range(HISTOGRAM_DAYS + 1):
        _model.add_to_class(f"h{_bucket:02d}", models.IntegerField(default=0))
del _bucket, _model


class FigureRefresh(models.Model):
    """One row: when the rollups were last refreshed, which days they cover, and the calendar
    (working-day index signature) they were computed with; a calendar edit forces a full refresh."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=64, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    cumulative_from = models.DateField(null=True, blank=True, help_text="first month with month-to-date rows")
