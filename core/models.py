"""Cross-cutting records: replayable answers to API POSTs sent with an Idempotency-Key."""

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
