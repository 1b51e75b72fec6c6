"""The walk-in screen's POST, parsed by a Django form instead of by hand: the clerk's decision and
its note or reason, the 容缺 date, the applicant, the 代办人, the enterprise, the idempotency key
and the one form's fields (`field_<key>`, matters.oneform_pages.FIELD_PREFIX). The materials'
marks (one radio per requirement) stay with the requirement rows (windows.views._read_marks)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from matters.oneform_pages import OneFormPost

from .services import Decision

APPLICANT_FIELDS = ("real_name", "id_number", "phone")


class WalkInForm(OneFormPost):
    decision = forms.CharField(required=False)
    note = forms.CharField(required=False)
    reason = forms.CharField(required=False)
    deferred_until = forms.DateField(required=False, input_formats=["%Y-%m-%d"],
                                     error_messages={"invalid": _("请按“年-月-日”填写补交期限。")})
    idempotency_key = forms.CharField(required=False)
    applicant_real_name = forms.CharField(required=False)
    applicant_id_number = forms.CharField(required=False)
    applicant_phone = forms.CharField(required=False)
    agent_real_name = forms.CharField(required=False)
    agent_id_number = forms.CharField(required=False)
    enterprise = forms.CharField(required=False)
    check_agency = forms.CharField(required=False)

    def clean_decision(self):
        decision = self.cleaned_data["decision"]
        return decision if decision in Decision.SCREEN else Decision.ACCEPT

    def clean_idempotency_key(self):
        try:
            return uuid.UUID(self.cleaned_data["idempotency_key"]).hex
        except ValueError:
            return uuid.uuid4().hex

    def clean_enterprise(self):
        return self.cleaned_data["enterprise"].upper()

    # What the view reads after is_valid() (every field but deferred_until always cleans).

    @property
    def applicant(self) -> dict:
        return {name: self.value(f"applicant_{name}") for name in APPLICANT_FIELDS}

    @property
    def agent(self) -> dict:
        return {"real_name": self.value("agent_real_name"), "id_number": self.value("agent_id_number")}

    @property
    def posted(self) -> dict:
        return {"decision": self.data.get("decision", ""), "note": self.value("note"), "reason": self.value("reason")}
