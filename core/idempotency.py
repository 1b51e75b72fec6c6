"""A retried API POST with the same `Idempotency-Key` header returns the first answer.

The same key with a different request (another method, path or body) is refused with 422
`idempotency_key_reused`, as the IETF draft (httpapi-idempotency-key-header) and Stripe do: a
replay is only right for the very request that produced it. The body is compared by a
fingerprint of its content (JSON canonicalised; multipart fields and file digests, not the
random boundary), so an honest retry matches.

Applied per view method with `@idempotent`, after DRF has authenticated the caller (token or
session), so keys are scoped to the user. Answers with status >= 500 are not kept: the client
may retry those. The services behind stay idempotent themselves (a unique key per application),
so two identical requests racing each other still create one thing.
"""

import functools
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .errors import DomainError, Invalid
from .models import IdempotentResponse

HEADER = "Idempotency-Key"


def idempotency_key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if len(key) > 128:
        raise Invalid(_("Idempotency-Key 不能超过128个字符。"), code="invalid_idempotency_key")
    return key


class KeyReused(DomainError):
    status = 422
    default_code = "idempotency_key_reused"


def request_fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "getlist"):  # form or multipart: fields, then files by content
        fields = sorted((k, v) for k in data for v in data.getlist(k) if not hasattr(v, "read"))
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                files.append((name, upload.name, digest.hexdigest()))
        canonical = json.dumps({"fields": fields, "files": files}, ensure_ascii=False)
    else:
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = idempotency_key(request)
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        stored = IdempotentResponse.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            if (stored.method != request.method or stored.path != request.path
                    or (stored.request_digest and stored.request_digest != fingerprint)):
                raise KeyReused(_("该 Idempotency-Key 已用于另一个内容不同的请求,请为新请求使用新的 Idempotency-Key。"))
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
                        request_digest=fingerprint,
                    )
            except IntegrityError:
                pass  # a concurrent twin stored its answer first; ours is the same by construction
        return response

    wrapper.idempotent = True  # the schema declares its 422 (portal/api_schema.py)
    return wrapper
