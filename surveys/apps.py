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

        from accounts.personal_data import register_anonymiser, register_exporter
        from surveys import personal_data

        register_exporter("survey_responses", personal_data.responses_export)
        register_anonymiser(personal_data.responses_anonymise)
        register_exporter("survey_drafts", personal_data.drafts_export)
        register_anonymiser(personal_data.drafts_anonymise)
        register_exporter("survey_invitations", personal_data.invitations_export)
        register_anonymiser(personal_data.invitations_anonymise)

        from consultations.page_cache import page_cache_private_cookie
        from surveys.services.drafts import DRAFT_COOKIE

        # A page a draft cookie reaches is that visitor's own: never cached.
        page_cache_private_cookie(DRAFT_COOKIE)

        from surveys.selectors import consultations_with_provider_survey
        from tenants.provider_panel import ProviderSection, section_register

        # The provider's page of a municipality: the surveys it ordered from the provider.
        section_register(
            ProviderSection(
                key="surveys",
                title=_("Surveys prepared by the operator"),
                template_name="surveys/provider/_municipality_surveys.html",
                context=lambda m: consultations_with_provider_survey(municipality=m),
                position=15,
            )
        )
        audit_action_labels_register(
            {
                "survey_create": _("survey created"),
                "survey_settings_update": _("survey settings changed"),
                "survey_change": _("survey content changed"),
                "survey_paper_response_enter": _("paper questionnaire entered"),
            }
        )
