"""The preferences page's form: one switch per kind and channel (`<channel>-<kind>`); a kind the
law requires, and a channel a kind never uses, has no switch at all (a posted value is ignored)."""

from __future__ import annotations

from django import forms

from .models import Channel, Kind
from .services import switchable


def field_name(kind: str, channel: str) -> str:
    return f"{channel}-{kind}"


class PreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind.values:
            for channel in Channel.values:
                if switchable(kind, channel):
                    self.fields[field_name(kind, channel)] = forms.BooleanField(required=False)

    def choices(self) -> dict[tuple[str, str], bool]:
        """(kind, channel) → on, for every switch on the form (an unticked box is off)."""
        return {
            (kind, channel): bool(self.cleaned_data.get(field_name(kind, channel)))
            for kind in Kind.values
            for channel in Channel.values
            if field_name(kind, channel) in self.fields
        }
