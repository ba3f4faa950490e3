from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Konsultacje"

    def ready(self) -> None:
        from accounts.invitation_scopes import InvitationDepartments, departments_register
        from consultations.selectors import department_choices
        from consultations.services.catalogue import departments_join

        # A coordinator's invitation names their departments (accounts cannot import ours).
        departments_register(
            InvitationDepartments(
                choices=department_choices,
                join=departments_join,
                create_url_name="panel_catalogue_create",
            )
        )
