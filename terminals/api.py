"""The API terminal devices call (docs/terminal-protocol.md): a card read, the card taken out, a
heartbeat. No user session: the caller is the terminal whose key signed the request."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.throttle import client_address

from . import services, signing

_HEADERS = [
    OpenApiParameter(h, str, OpenApiParameter.HEADER, required=True)
    for h in (signing.H_TERMINAL, signing.H_TIMESTAMP, signing.H_NONCE, signing.H_SIGNATURE)
]

EventSchema = inline_serializer(
    "TerminalEvent",
    {
        "event": serializers.ChoiceField(choices=["card_inserted", "card_removed", "heartbeat"]),
        "card": inline_serializer(
            "TerminalCardRead",
            {
                "name": serializers.CharField(),
                "id_number": serializers.CharField(),
                "photo_sha256": serializers.CharField(help_text="证件照片的 SHA-256(十六进制)"),
            },
            required=False,
            help_text="card_inserted:读卡器读出的证件信息",
        ),
        "paper": serializers.ChoiceField(choices=["ok", "low", "out"], required=False, help_text="heartbeat"),
        "reader_ok": serializers.BooleanField(required=False, help_text="heartbeat"),
    },
)
AnswerSchema = inline_serializer(
    "TerminalEventAnswer",
    {
        "event": serializers.CharField(),
        "session": serializers.IntegerField(allow_null=True),
        "state": serializers.CharField(allow_null=True),
        "message": serializers.CharField(),
    },
)


def _error(status, code, message, fields=None):
    return Response({"code": code, "message": message, "fields": fields or {}}, status=status)


class TerminalEventView(APIView):
    """`POST /api/terminals/events/`: what a terminal's card reader and printer report."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        parameters=_HEADERS,
        request=EventSchema,
        summary="自助终端上报读卡、取卡与心跳(设备签名)",
        responses={
            200: AnswerSchema,
            400: OpenApiResponse(description="invalid_event 或读卡结果无效"),
            401: OpenApiResponse(description="signature_missing/unknown_terminal/bad_signature/stale_timestamp"),
            409: OpenApiResponse(description="replayed_nonce"),
        },
    )
    def post(self, request):
        body = request.body
        try:
            terminal = services.verify(
                method="POST",
                path=request.get_full_path(),
                headers=request.headers,
                body=body,
                remote_addr=client_address(request),
            )
        except services.Refused as refused:
            return _error(refused.status, refused.code, refused.message)
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            return _error(400, "invalid_event", _("消息不是 JSON 对象。"))
        event = message.get("event")
        try:
            if event == "card_inserted":
                card = message.get("card") if isinstance(message.get("card"), dict) else {}
                session = services.card_inserted(
                    terminal,
                    name=str(card.get("name", "")),
                    id_number=str(card.get("id_number", "")),
                    photo_hash=str(card.get("photo_sha256", "")),
                )
                return Response(
                    {
                        "event": event,
                        "session": session.pk,
                        "state": session.state,
                        "message": session.get_end_reason_display() or session.get_state_display(),
                    }
                )
            if event == "card_removed":
                session = services.card_removed(terminal)
                return Response(
                    {
                        "event": event,
                        "session": session.pk if session else None,
                        "state": session.state if session else None,
                        "message": _("已结束"),
                    }
                )
            if event == "heartbeat":
                services.heartbeat(
                    terminal,
                    paper=str(message.get("paper", "ok")),
                    reader_ok=message.get("reader_ok", True) is not False,
                )
                return Response({"event": event, "session": None, "state": None, "message": _("已记录")})
        except DomainError as error:
            return _error(error.status, error.code, error.message, error.fields)
        return _error(400, "invalid_event", _("未知的事件类型:应为 card_inserted、card_removed 或 heartbeat。"))
