from django.apps import AppConfig


class CivicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "civic"
    verbose_name = "政民互动"

    def ready(self):
        from matters import hooks

        from . import selectors

        hooks.register_guide_faq(selectors.guide_faq)
