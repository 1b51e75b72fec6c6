from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WindowsConfig(AppConfig):
    name = "windows"
    verbose_name = _("大厅与窗口")

    def ready(self):
        from workflow.hooks import register_desk_provider, register_referral_provider

        from .selectors import desk_for_clerk, halls_authorised_for

        register_desk_provider(desk_for_clerk)
        register_referral_provider(halls_authorised_for)
