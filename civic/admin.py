from django.contrib import admin

from .models import Benefit, BenefitOffer, Comment, Consultation, Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "department", "state", "due", "in_faq", "echo_count"]
    list_filter = ["kind", "state", "in_faq", "department"]
    search_fields = ["subject", "public_subject"]
    raw_id_fields = ["matter", "asker", "answered_by", "published_by"]
    readonly_fields = ["submitted_on", "due", "answered_at", "published_at"]


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "opens_on", "closes_on", "summary_published_at"]
    raw_id_fields = ["matter"]
    inlines = [CommentInline]


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "matter", "source", "field", "op", "value", "is_active"]
    raw_id_fields = ["matter"]


@admin.register(BenefitOffer)
class BenefitOfferAdmin(admin.ModelAdmin):
    list_display = ["benefit", "person", "found_on", "granted_at"]
    list_filter = ["benefit"]
    raw_id_fields = ["person"]
    readonly_fields = ["found_on", "query_id", "granted_at", "grant_query_id"]
