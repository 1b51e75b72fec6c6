from django.contrib import admin

from .models import ElectronicLicence, ExchangeMessage


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "department", "case_ref"]
    list_filter = ["kind", "channel", "department"]
    search_fields = ["case_ref"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ElectronicLicence)
class ElectronicLicenceAdmin(admin.ModelAdmin):
    """Read-only: licences are issued by the workflow and revoked through
    `exchange.services.licence_revoke`, never edited."""

    list_display = ["number", "name", "holder_name", "holder_id_masked", "department", "issued_on", "revoked_at"]
    list_filter = ["department", "issued_on"]
    search_fields = ["number", "case_ref", "application_number", "holder_name"]
    exclude = ["holder_id_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
