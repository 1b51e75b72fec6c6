"""One error shape for the whole API: {"code": ..., "message": "中文说明", "fields": {...}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", _("请先登录。")),
    exceptions.AuthenticationFailed: ("authentication_failed", _("登录信息无效或已过期,请重新登录。")),
    exceptions.PermissionDenied: ("forbidden", _("您无权进行此操作。")),
    exceptions.NotFound: ("not_found", _("未找到该对象。")),
    exceptions.MethodNotAllowed: ("method_not_allowed", _("不支持该请求方法。")),
    exceptions.Throttled: ("throttled", _("请求过于频繁,请稍后再试。")),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", _("不支持的请求格式。")),
    exceptions.ParseError: ("parse_error", _("请求内容格式有误。")),
}


def _body(code, message, fields=None):
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        return Response(
            _body("state_conflict", _("办件状态已变化,该操作不可执行,请刷新后重试。")), status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, OverflowError):  # a number too large for the database (SQLite raises this)
        return Response(_body("invalid", _("数值超出允许范围。")), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        first = next(iter(fields.values()), [_("输入有误。")])
        response.data = _body("invalid", first[0] if first else _("输入有误。"), fields)
        return response
    code, message = next(
        ((c, m) for cls, (c, m) in MESSAGES.items() if isinstance(exc, cls)), ("error", _("请求无法完成。"))
    )
    response.data = _body(code, message)
    return response
