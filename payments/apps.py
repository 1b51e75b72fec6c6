from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "缴费"

    def ready(self):
        from workflow import hooks

        from . import fees

        hooks.register_fee_listener(fees.FeeListener())
