from django.contrib import admin

from .models import FeeLine, PaymentNotification, PaymentOrder, Reconciliation


class OrderInline(admin.TabularInline):
    model = PaymentOrder
    extra = 0
    can_delete = False
    fields = ["out_trade_no", "amount_fen", "status", "paid_at", "settled_by", "receipt_number", "refunded_fen"]
    readonly_fields = fields


@admin.register(FeeLine)
class FeeLineAdmin(admin.ModelAdmin):
    list_display = ["application", "name", "amount_fen", "charge_at", "status", "paid_at"]
    list_filter = ["status", "charge_at"]
    search_fields = ["application__number", "name"]
    readonly_fields = ["application", "fee_item", "name", "amount_fen", "legal_basis", "charge_at", "status",
                       "paid_at"]
    inlines = [OrderInline]

    def has_add_permission(self, request):
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(admin.ModelAdmin):
    list_display = ["out_trade_no", "fee_line", "amount_fen", "status", "paid_at", "settled_by", "receipt_number"]
    list_filter = ["status", "settled_by"]
    search_fields = ["out_trade_no", "provider_order_id", "receipt_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(admin.ModelAdmin):
    list_display = ["received_at", "out_trade_no", "outcome", "detail"]
    list_filter = ["outcome"]
    search_fields = ["out_trade_no"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ["day", "ran_at", "provider_pay_fen", "our_pay_fen", "provider_refund_fen", "our_refund_fen"]

    def has_add_permission(self, request):
        return False
