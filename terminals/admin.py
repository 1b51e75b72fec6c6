from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import signing
from .models import CardSession, Terminal, TerminalRefusal


class TerminalForm(forms.ModelForm):
    class Meta:
        model = Terminal
        fields = ["code", "hall", "location", "public_key", "active"]

    def clean_public_key(self):
        value = self.cleaned_data["public_key"].strip()
        if not signing.valid_public_key(value):
            raise forms.ValidationError(_("不是有效的 Ed25519 公钥(32 字节,Base64)。"))
        return value


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    form = TerminalForm
    list_display = ["code", "hall", "location", "active", "last_heartbeat_at", "paper", "reader_ok"]
    list_filter = ["hall", "active", "paper"]
    search_fields = ["code", "location"]


@admin.register(CardSession)
class CardSessionAdmin(admin.ModelAdmin):
    list_display = ["terminal", "card_id_masked", "state", "started_at", "ended_at", "end_reason"]
    list_filter = ["state", "end_reason", "terminal__hall"]
    readonly_fields = [f.name for f in CardSession._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TerminalRefusal)
class TerminalRefusalAdmin(admin.ModelAdmin):
    list_display = ["at", "code", "terminal_code", "path", "remote_addr"]
    list_filter = ["code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
