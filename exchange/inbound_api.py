"""The API department systems call (docs/exchange-protocol.md): signed decisions about their
sub-cases. No user session: the caller is the department whose key signed the request."""

import hashlib
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttle import client_address

from . import departments, signing

_HEADERS = [OpenApiParameter(h, str, OpenApiParameter.HEADER, required=True) for h in (
    signing.H_DEPARTMENT, signing.H_KEY, signing.H_TIMESTAMP, signing.H_NONCE, signing.H_SIGNATURE)]

DecisionSchema = inline_serializer("DepartmentDecision", {
    "message_id": serializers.CharField(help_text="部门系统生成的消息编号,重复发送时不变"),
    "subcase": serializers.CharField(help_text="子件编号"),
    "kind": serializers.ChoiceField(choices=["approve", "deny", "suspend", "resume", "extension"]),
    "reason": serializers.CharField(required=False),
    "procedure": serializers.CharField(required=False, help_text="特别程序种类(suspend)"),
    "result": serializers.CharField(required=False, help_text="特别程序结果(resume)"),
    "days": serializers.IntegerField(required=False, help_text="延期工作日数(extension)"),
    "licence": serializers.DictField(required=False, help_text="{name, valid_until, data}(approve;data 为证照类型的照面信息项)"),
    "decided_by": serializers.CharField(required=False),
})


def _error(status, code, message):
    return Response({"code": code, "message": message, "fields": {}}, status=status)


class DepartmentDecisionView(APIView):
    """`POST /api/exchange/decisions/`: one decision of a department system, applied once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(parameters=_HEADERS, request=DecisionSchema, summary="部门自建系统回传审批结果(签名)",
                   responses={200: OpenApiResponse(description="已办理,或重复消息的首次应答(duplicate=true)"),
                              401: OpenApiResponse(description="signature_missing/unknown_key/bad_signature/"
                                                               "stale_timestamp"),
                              409: OpenApiResponse(description="replayed_nonce,或子件状态不允许")})
    def post(self, request):
        body = request.body
        try:
            caller = departments.verify(method="POST", path=request.get_full_path(), headers=request.headers, body=body,
                                        remote_addr=client_address(request))
        except departments.Refused as refused:
            return _error(refused.status, refused.code, refused.message)
        try:
            decision = json.loads(body)
        except ValueError:
            decision = None
        if not isinstance(decision, dict):
            return _error(400, "invalid_message", _("消息不是 JSON 对象。"))
        status, answer = departments.receive_decision(caller.system, decision)
        return Response(answer, status=status)


class DepartmentMaterialFileView(APIView):
    """`GET /api/exchange/materials/<id>/file/`: the file of a material of a sub-case pushed to the
    calling department's system, signed as a decision is. Anything else (another department's
    sub-case, a back-office sub-case, a withdrawn case, a material without a file, no such id)
    answers the same 404: the caller learns nothing of what exists. Each download is logged."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(parameters=_HEADERS, summary="部门自建系统下载子件材料文件(签名)",
                   responses={(200, "application/octet-stream"): bytes,
                              401: OpenApiResponse(description="signature_missing/unknown_key/bad_signature/"
                                                               "stale_timestamp"),
                              404: OpenApiResponse(description="无此材料,或非本部门子件、子件已撤回"),
                              409: OpenApiResponse(description="replayed_nonce")})
    def get(self, request, material_id: int):
        remote = client_address(request)
        try:
            caller = departments.verify(method="GET", path=request.get_full_path(), headers=request.headers, body=b"",
                                        remote_addr=remote)
        except departments.Refused as refused:
            return _error(refused.status, refused.code, refused.message)
        found = departments.material_file(caller.system, material_id)
        if found is None:
            return _error(404, "not_found", _("没有该材料,或该材料不属于本部门办理中的子件。"))
        with found.file.open("rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        departments.record_download(caller, found, size=len(data), sha256=digest, remote_addr=remote)
        response = HttpResponse(data, content_type=found.content_type or "application/octet-stream")
        response["X-Content-SHA256"] = digest
        response["Content-Disposition"] = f"attachment; filename=material-{found.material_id}"
        return response
