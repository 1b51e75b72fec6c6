"""Admin helpers every app uses."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Intent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs and records that change only through services: the admin reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StalledFilter(admin.SimpleListFilter):
    title = _("补发情况")
    parameter_name = "stalled"

    def lookups(self, request, model_admin):
        return [("yes", _("补发 3 次以上仍未完成"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Intent.Status.PENDING, sends__gte=3)
        return queryset


@admin.register(Intent)
class IntentAdmin(ReadOnlyAdmin):
    """Background work recorded with its change (core.intents): what is pending, how often it was
    sent again, its last error. An administrator may have a pending one sent at the next tick."""

    list_display = ("key", "task", "status", "sends", "runs", "next_attempt_at", "last_error", "created_at", "done_at")
    list_filter = ("status", StalledFilter, "task")
    search_fields = ("key",)
    actions = ["send_now"]

    @admin.action(description=_("下一次巡检时立即补发"))
    def send_now(self, request, queryset):
        n = queryset.filter(status=Intent.Status.PENDING).update(next_attempt_at=timezone.now())
        self.message_user(request, _("已安排补发 %(n)s 项。") % {"n": n})

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # for the action; the fields stay read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Intent._meta.fields]
