"""Supervision in the admin: the card rules (a draft's thresholds are editable here as well as on
the rules page; a published version is read-only) and the cards, read-only — cards are opened
and closed by the sweep and ruled on by supervisors on their pages."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import Card, CardContest, CardPolicy, CardThreshold, Complaint, FollowUp, Rating


class CardThresholdInline(admin.TabularInline):
    model = CardThreshold
    extra = 0
    fields = ["step", "matter_kind", "yellow_percent", "yellow_days"]
    readonly_fields = ["step", "matter_kind"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and obj.is_draft and super().has_change_permission(request, obj)


@admin.register(CardPolicy)
class CardPolicyAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "status", "effective_from", "published_at", "preview_link"]
    list_filter = ["status"]
    inlines = [CardThresholdInline]
    fields = ["version", "title", "note", "refusal_reason_min_chars", "status", "effective_from", "created_by",
              "published_by", "published_at"]
    readonly_fields = ["version", "status", "effective_from", "created_by", "published_by", "published_at"]

    @admin.display(description=_("预览与发布"))
    def preview_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portal:card_policy", args=[obj.pk]), _("打开"))

    def has_add_permission(self, request):
        return False  # a new version starts as a copy, on the rules page (services.policy_create_draft)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.is_draft and super().has_delete_permission(request, obj)


class CardContestInline(admin.StackedInline):
    model = CardContest
    extra = 0
    can_delete = False
    readonly_fields = ["statement", "evidence_name", "evidence_size", "evidence_sha256", "contested_by", "contested_at"]
    exclude = ["evidence", "evidence_type"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["pk", "level", "trigger", "application", "subcase", "department", "due", "opened_at", "closed_at",
                    "review"]
    list_filter = ["level", "trigger", "review", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["application__number", "subcase__number"]
    list_select_related = ["application", "subcase", "department"]
    inlines = [CardContestInline]


# --- 好差评 and 投诉举报: read-only here; they change through their pages (supervision/feedback_views.py) ---


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "application", "occasion", "level", "department", "hall", "clerk", "rated_on", "is_valid"]
    list_filter = ["occasion", "level", "is_valid"]
    search_fields = ["application__number"]
    list_select_related = ["application", "department", "hall", "clerk"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["pk", "rating", "department", "hall", "state", "opened_on", "due", "closed_on"]
    list_filter = ["state"]
    list_select_related = ["rating__application", "department", "hall"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "subject", "department", "state", "submitted_on", "due"]
    list_filter = ["kind", "state"]
    search_fields = ["subject", "application__number"]
    exclude = ["code"]  # the complainant's key
    list_select_related = ["department"]
