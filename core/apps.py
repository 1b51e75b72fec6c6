from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础设施")

    def ready(self):
        from . import lookups  # noqa: F401 (registers `__in_array`)
        from .web import converters

        converters.register()  # `<id:…>` for every app's URLs, before any URLconf is read
