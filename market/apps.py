from django.apps import AppConfig


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "market"
    verbose_name = "中介超市"

    def ready(self):
        from matters import hooks

        from . import selectors

        hooks.register_guide_services(selectors.guide_services)

        from workflow import hooks as workflow_hooks

        from . import reuse

        workflow_hooks.register_report_provider(reuse)
