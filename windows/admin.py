from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.admin import ReadOnlyAdmin

from . import services
from .models import (
    Appointment,
    AppointmentSlot,
    ClerkAuthorisation,
    Consultation,
    ConsultationEvent,
    RosterLog,
    Seat,
    Ticket,
    Window,
)


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "category", "department", "is_active"]
    list_filter = ["hall", "category", "is_active"]


def _administrator(request) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or getattr(user, "role", None) == User.Role.ADMINISTRATOR))


class SeatAdminForm(forms.ModelForm):
    class Meta:
        model = Seat
        fields = ["clerk", "window", "starts_on", "ends_on"]

    def clean(self):
        data = super().clean()
        clerk, starts_on, ends_on = data.get("clerk"), data.get("starts_on"), data.get("ends_on")
        if clerk and not clerk.is_clerk:
            self.add_error("clerk", _("只能调配综合窗口人员。"))
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("截止日期不能早于起始日期。"))
        elif clerk and starts_on:
            clash = services.seat_overlap(clerk_id=clerk.pk, starts_on=starts_on, ends_on=ends_on,
                                          exclude_pk=self.instance.pk)
            if clash is not None:
                raise forms.ValidationError(_("与该人员的另一排班(%(window)s,%(day)s 起)重叠,请先调整该排班。")
                                            % {"window": clash.window, "day": clash.starts_on})
        return data


class LoggedByServicesAdmin(admin.ModelAdmin):
    """Seats and authorisations are 统一调配: only an administrator edits them here, and every add,
    change and delete goes through the windows services that write the roster log."""

    def has_add_permission(self, request):
        return _administrator(request)

    def has_change_permission(self, request, obj=None):
        return _administrator(request)

    def has_delete_permission(self, request, obj=None):
        return _administrator(request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Seat)
class SeatAdmin(LoggedByServicesAdmin):
    form = SeatAdminForm
    list_display = ["clerk", "window", "starts_on", "ends_on"]
    list_filter = ["window__hall"]
    autocomplete_fields = ["clerk"]

    def save_model(self, request, obj, form, change):
        services.seat_admin_save(seat=obj, by=request.user)

    def delete_model(self, request, obj):
        services.seat_admin_delete(seat=obj, by=request.user)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "hall", "day", "category", "state", "priority", "window", "called_by", "issued_at",
                    "called_at", "finished_at"]
    list_filter = ["hall", "day", "category", "state", "source"]
    readonly_fields = [f.name for f in Ticket._meta.fields]  # the record of the queue is not edited by hand

    def has_add_permission(self, request):
        return False


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ["hall", "date", "starts_at", "ends_at", "category", "department", "capacity", "booked"]
    list_filter = ["hall", "category", "date"]
    readonly_fields = ["booked"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "slot", "user", "state", "created_at", "checked_in_at"]
    list_filter = ["state", "slot__hall"]
    search_fields = ["code"]
    readonly_fields = ["code", "slot", "user", "state", "created_at", "cancelled_at", "checked_in_at", "ticket"]


class ClerkAuthorisationAdminForm(forms.ModelForm):
    class Meta:
        model = ClerkAuthorisation
        fields = ["clerk", "category", "all_matters", "matters", "starts_on", "ends_on"]

    def clean(self):
        data = super().clean()
        if data.get("clerk") and not data["clerk"].is_clerk:
            self.add_error("clerk", _("只能调配综合窗口人员。"))
        if not data.get("all_matters") and not data.get("matters"):
            self.add_error("matters", _("请选择授权事项,或授权全部事项。"))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("截止日期不能早于起始日期。"))
        return data


@admin.register(ClerkAuthorisation)
class ClerkAuthorisationAdmin(LoggedByServicesAdmin):
    form = ClerkAuthorisationAdminForm
    list_display = ["clerk", "all_matters", "category", "starts_on", "ends_on", "granted_by"]
    autocomplete_fields = ["clerk"]
    filter_horizontal = ["matters"]

    def save_model(self, request, obj, form, change):
        pass  # written with its matters in save_related, by the service, in the admin's transaction

    def save_related(self, request, form, formsets, change):
        services.clerk_authorisation_admin_save(authorisation=form.instance, matters=form.cleaned_data["matters"],
                                                by=request.user)

    def delete_model(self, request, obj):
        services.clerk_authorisation_admin_delete(authorisation=obj, by=request.user)


@admin.register(RosterLog)
class RosterLogAdmin(ReadOnlyAdmin):
    """The append-only record of 统一调配: read only."""

    list_display = ["created_at", "actor", "clerk", "action"]
    list_filter = ["action"]


class ConsultationEventInline(admin.TabularInline):
    model = ConsultationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "from_owner", "to_owner", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """Read-only here: consultations change only through their services (and history)."""

    list_display = ["number", "topic", "channel", "asker_name", "owner", "state", "due_on"]
    list_filter = ["state", "channel", "hall"]
    search_fields = ["number", "topic", "asker_name"]
    inlines = [ConsultationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
