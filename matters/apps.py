from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "matters"
    verbose_name = _("事项目录")

    def ready(self):
        # the exchange's data sources are part of what a submission reads (exchange.exemptions)
        from django.apps import apps

        from .models import watch_catalog

        if apps.is_installed("exchange"):
            watch_catalog(apps.get_model("exchange", "MaterialSource"), apps.get_model("exchange", "FieldSource"))
