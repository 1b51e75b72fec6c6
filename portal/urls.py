from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "通办 · 政务服务平台管理"
admin.site.site_title = "通办管理"

urlpatterns = [
    # One sign-in page for everyone (lockout, the second factor): the admin's own form is not used.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("portal.api_urls")),
    path("accounts/", include("accounts.urls")),
    path("payments/", include("payments.urls")),
    path("market/", include("market.urls")),
    path("civic/", include("civic.urls")),
    path("kiosk/", include("terminals.urls")),  # 市民之窗 terminals' own pages, bound to the device
    path("notifications/", include("notifications.urls")),
    path("", include("portal.site_urls")),
]

# The portal's own error answers (core.web.errors; core.web.errors.ErrorPages serves them with
# DEBUG on as well).
handler403 = "core.web.errors.permission_denied"
handler404 = "core.web.errors.page_not_found"
handler500 = "core.web.errors.server_error"
