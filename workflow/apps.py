from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("办件")

    def ready(self):
        from accounts.hooks import register_application_check

        from .selectors import application_of_applicant

        register_application_check(application_of_applicant)

        from exchange.departments import register_decision_handler, register_material_resolver

        from .department_systems import apply_decision, material_for_department

        register_decision_handler(apply_decision)
        register_material_resolver(material_for_department)

        from .messaging import connect

        connect()
