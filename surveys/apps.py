from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Ankiety i sondaże"

    def ready(self) -> None:
        from consultations import participation
        from consultations.audit_actions import audit_action_labels_register
        from surveys.kinds import POLL, SURVEY

        participation.register(SURVEY)
        participation.register(POLL)
        audit_action_labels_register(
            {
                "survey_create": _("survey created"),
                "survey_settings_update": _("survey settings changed"),
                "survey_change": _("survey content changed"),
                "survey_paper_response_enter": _("paper questionnaire entered"),
            }
        )
