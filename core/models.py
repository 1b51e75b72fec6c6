"""Cross-cutting records: replayable answers to API POSTs sent with an Idempotency-Key, and the
append-only base of every log model."""

from django.conf import settings
from django.db import models


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


class AppendOnlyModel(models.Model):
    """A record written once and never changed: saving an existing row, deleting one, and
    `update()`/`delete()`/`bulk_update()` on a queryset are refused in Python.
    The database does not refuse them yet (issue 12 B adds triggers); deleting a row the log
    points at still cascades where the foreign key says so."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: no change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: no delete")
