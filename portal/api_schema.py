"""The OpenAPI schema's view of the one error shape.

Every operation declares, besides its success answer, the error answers it can give, all with
the body `{code, message, fields}` (portal/api_errors.py), so that a client generated from the
schema (and schemathesis's conformance run, tests/security/test_fuzz_conformance.py) knows them:

- 400 `invalid` …: any operation that takes a body, a query or a path parameter (bad input, a
  number too large for the database);
- 401: any operation behind authentication (a missing, wrong or expired token);
- 403 `forbidden`: any operation not open to everyone, and every write (a service's own check);
- 404 `not_found`: any operation with a path parameter, a cursor-paged list (a broken cursor),
  and every write (an object named in the body that does not exist or is not visible);
- 409 `state_conflict`/`conflict`: every write (the object is no longer in a state that allows it);
- 422 `idempotency_key_reused`: writes wrapped by `core.idempotency.idempotent`;
- 429 `throttled`: operations with a throttle;
- and the codes a view lists in its `error_statuses` (a tuple, or for a viewset a dict by
  action): a look-up by a query parameter that answers 404, an operation guarded by its own
  attempt counter (core.throttle, django-axes) that answers 429.

An operation's own `extend_schema(responses={…})` for one of these codes wins."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的机器可读代码,如 invalid、forbidden、not_found、state_conflict")
    message = serializers.CharField(help_text="给人看的中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="逐字段的说明;与字段无关的错误为空对象"
    )

    class Meta:
        ref_name = "Error"


DESCRIPTIONS = {
    "400": _("输入有误(code: invalid 等;fields 逐字段说明)"),
    "401": _("未登录或登录信息无效"),
    "403": _("无权进行此操作"),
    "404": _("对象不存在或不可见"),
    "409": _("对象状态已变化,该操作不可执行"),
    "422": _("同一 Idempotency-Key 已用于另一个内容不同的请求"),
    "429": _("请求过于频繁"),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(BaseAutoSchema):
    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def error_statuses(self) -> list[str]:
        view, write = self.view, self.method in WRITES
        has_path_params = "{" in self.path
        query = {p["name"] for p in self._get_parameters() if p.get("in") == "query"}
        has_query = bool(query) or bool(getattr(view, "filter_backends", None))
        open_to_all = all(isinstance(p, AllowAny) for p in view.get_permissions())
        paged = bool(query & {"cursor", "page"})
        codes = []
        if write or has_path_params or has_query:
            codes.append("400")
        if view.get_authenticators() and not open_to_all:
            codes.append("401")
        if write or not open_to_all:
            codes.append("403")
        if write or has_path_params or paged:
            codes.append("404")
        if write:
            codes.append("409")
        if write and getattr(self._handler(), "idempotent", False):
            codes.append("422")
        if view.get_throttles():
            codes.append("429")
        extra = getattr(view, "error_statuses", ())
        if isinstance(extra, dict):  # a viewset: by action
            extra = extra.get(getattr(view, "action", None), ())
        codes += [c for c in extra if c not in codes]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_statuses():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=str(DESCRIPTIONS[code])), code, direction=direction
                )
        return dict(sorted(responses.items()))
