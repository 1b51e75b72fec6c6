from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("共享交换")

    def ready(self):
        from matters.hooks import register_licence_type_gaps

        from .selectors import licence_type_gaps

        register_licence_type_gaps(licence_type_gaps)
