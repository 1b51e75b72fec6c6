"""A retried API POST with the same `Idempotency-Key` header returns the first answer.

Applied per view method with `@idempotent`, after DRF has authenticated the caller (token or
session), so keys are scoped to the user. Answers with status >= 500 are not kept: the client
may retry those. The services behind stay idempotent themselves (a unique key per application),
so two identical requests racing each other still create one thing.
"""

import functools
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .errors import Invalid
from .models import IdempotentResponse

HEADER = "Idempotency-Key"


def idempotency_key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if len(key) > 128:
        raise Invalid(_("Idempotency-Key 不能超过128个字符。"), code="invalid_idempotency_key")
    return key


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = idempotency_key(request)
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        stored = IdempotentResponse.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            if stored.method != request.method or stored.path != request.path:
                raise Invalid(_("该 Idempotency-Key 已用于另一个请求。"), code="idempotency_key_reused")
            response = Response(json.loads(bytes(stored.body)), status=stored.status)
            response["Idempotent-Replayed"] = "true"
            return response
        response = view_method(self, request, *args, **kwargs)
        if response.status_code < 500:
            body = json.dumps(response.data, cls=DjangoJSONEncoder).encode()
            try:
                with transaction.atomic():
                    IdempotentResponse.objects.create(
                        user=request.user, key=key, method=request.method, path=request.path,
                        status=response.status_code, body=body, content_type="application/json",
                    )
            except IntegrityError:
                pass  # a concurrent twin stored its answer first; ours is the same by construction
        return response

    return wrapper
