from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WindowsConfig(AppConfig):
    name = "windows"
    verbose_name = _("大厅与窗口")

    def ready(self):
        from workflow.hooks import register_desk_provider

        from .selectors import desk_for_clerk

        register_desk_provider(desk_for_clerk)
