"""Cross-cutting records: replayable answers to API POSTs sent with an Idempotency-Key, and the
append-only base of every log model."""

import pgtrigger
from django.conf import settings
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from core import audit


class IdempotentResponse(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=128)
    # SHA-256 of the request's content (core.idempotency.request_fingerprint): the same key with
    # another body is refused (422) instead of replaying an answer to a different request.
    request_digest = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")]


class AppendOnlyError(ValueError):
    """A log row was about to be changed or deleted. (A ValueError, as the guards it replaces.)"""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: no update")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: no delete")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before Django opens its transaction, so the caller's stays usable.
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: no update")

    def bulk_create(self, objs, *args, **kwargs):
        """Sealed in order, under the chain's lock, as one by one `save()` would."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):  # a failure fails the caller's transaction
            audit.seal(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditChainHead(models.Model):
    """The end of one hash chain (one log table, one Beijing day): the last position and hash.
    Its row is locked (SELECT … FOR UPDATE) while a log row is sealed, so every chain stays a
    line under concurrency; the verifier also checks that the chain still ends here (a deleted
    last row)."""

    table = models.CharField(max_length=64)
    day = models.DateField()
    seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "day"], name="unique_audit_chain_per_table_day")]

    def __str__(self):
        return f"{self.table} {self.day} #{self.seq}"


class AppendOnlyModel(models.Model):
    """A record written once and never changed: saving an existing row, deleting one, and
    `update()`/`delete()`/`bulk_update()` on a queryset are refused in Python; on PostgreSQL a
    trigger (django-pgtrigger `Protect`) refuses UPDATE and DELETE in the database too.

    Every row is sealed at insert (`core.audit.seal`): its place in the day's chain of its table
    (`chain_day`, `chain_seq`), the hash of the previous row (`prev_hash`) and its own hash over a
    canonical serialisation of its fields (`row_hash`). `manage.py verify_audit` walks the chains.
    Subclasses declare `class Meta(AppendOnlyModel.Meta)` to keep the trigger and the constraint."""

    chain_day = models.DateField(null=True, blank=True, editable=False)
    chain_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()
    hash_chained = True  # core.chained.chained_models

    class Meta:
        abstract = True
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain_day", "chain_seq"], name="%(app_label)s_%(class)s_chain_pos"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: no change")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):  # a failure fails the caller's transaction
            audit.seal([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: no delete")


class Intent(models.Model):
    """A piece of background work a committed change implies (a notice, a dispatch, a licence, a
    figures refresh, an export, a payment query), written in the transaction of the change
    (`core.intents.record`). The task that does the work marks it done in the transaction of its
    effect; until then the relay (`core.intents.relay_due`, beat) sends it again after a lease, so
    neither a broker that was down at commit time nor a worker killed mid-task loses it.

    `key` names the work (`notice:12:acceptance`): asking for it again while it is pending is one
    intent; asking again after it was done opens it again (a refresh of the same day). `version`
    counts the asks, so a run that started before the latest ask does not close it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待完成")
        DONE = "done", _("已完成")

    key = models.CharField(_("工作键"), max_length=160, unique=True)
    task = models.CharField(_("任务"), max_length=120)
    args = models.JSONField(_("参数"), default=list)
    options = models.JSONField(_("发送选项"), default=dict, blank=True)  # e.g. {"task_id": …} of an export
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(_("版本"), default=1)
    sends = models.PositiveIntegerField(_("补发次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次补发"))
    taken_at = models.DateTimeField(_("最近开始执行"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("执行次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台工作登记")
        verbose_name_plural = _("后台工作登记")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="intent_due")]

    def __str__(self):
        return self.key
