from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Consultation reports")

    def ready(self) -> None:
        """Name this app's actions in the consultation's audit history."""
        from consultations.services.audit import audit_action_labels_register

        audit_action_labels_register(
            {
                "report_generate": _("generated the report"),
                "report_conclusions_save": _("saved the conclusions of the report"),
                "report_publish": _("published the report"),
                "report_erratum_publish": _("published an erratum to the report"),
                "report_effects_save": _("described the effects of the consultation"),
            }
        )
