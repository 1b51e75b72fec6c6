from django.contrib import admin

from .models import (
    Bid,
    Blacklisting,
    Contract,
    Demand,
    DepartmentBar,
    Intermediary,
    MarketLog,
    Qualification,
    ServiceItem,
    StaffMember,
)


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "report_name", "is_active"]
    filter_horizontal = ["matters"]
    search_fields = ["code", "name"]


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


class StaffInline(admin.TabularInline):
    model = StaffMember
    extra = 0


class BarInline(admin.TabularInline):
    model = DepartmentBar
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Intermediary)
class IntermediaryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "contact_name", "contact_phone", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    raw_id_fields = ["enterprise", "registered_by", "reviewed_by"]
    inlines = [QualificationInline, StaffInline, BarInline]


@admin.register(Blacklisting)
class BlacklistingAdmin(admin.ModelAdmin):
    list_display = ["intermediary", "reason", "starts_on", "ends_on", "lifted_at"]
    raw_id_fields = ["intermediary", "recorded_by", "lifted_by"]


class BidInline(admin.TabularInline):
    model = Bid
    extra = 0
    raw_id_fields = ["intermediary", "submitted_by"]


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "service_item", "method", "state", "bid_deadline"]
    list_filter = ["state", "method", "service_item"]
    search_fields = ["number", "title"]
    raw_id_fields = ["matter", "application", "owner_enterprise", "posted_by", "selected_by", "winning_bid"]
    readonly_fields = ["seed", "seed_commitment", "draw_list", "draw_digest", "draw_index", "excluded"]
    inlines = [BidInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["demand", "intermediary", "fee_fen", "signed_on", "due_on", "state", "late", "rating"]
    list_filter = ["state", "late"]
    raw_id_fields = ["demand", "bid", "intermediary", "delivered_by", "rated_by"]


@admin.register(MarketLog)
class MarketLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "demand", "intermediary"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
