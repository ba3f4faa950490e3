from django.apps import AppConfig
from django.utils.translation import gettext_lazy, ngettext


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Konsultacje"

    def ready(self) -> None:
        # Imported in ready(), here and below: these modules import models, which cannot load
        # while the app registry is being populated (apps.py is imported before models).
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

        from consultations.page_cache import (
            page_version_on_municipality_change,
            page_version_on_public_change,
        )
        from consultations.public_changes import listener_register
        from tenants import status_listeners

        # Cached residents' pages change key in the transaction of every change they show.
        listener_register(page_version_on_public_change)
        status_listeners.listener_register(page_version_on_municipality_change)

        from consultations.selectors import consultations_for_provider, consultations_running_count
        from tenants.provider_panel import (
            ProviderSection,
            RunningWork,
            running_work_register,
            section_register,
        )

        # The provider's page of a municipality lists its consultations, read in its schema.
        section_register(
            ProviderSection(
                key="consultations",
                title=gettext_lazy("Consultations"),
                template_name="consultations/provider/_municipality_consultations.html",
                context=lambda m: consultations_for_provider(municipality=m),
                position=10,
            )
        )
        running_work_register(
            "consultations",
            RunningWork(
                count=lambda m: consultations_running_count(municipality=m),
                describe=lambda n: (
                    ngettext(
                        "%(count)d consultation is scheduled or open: residents will not be able "
                        "to take part while the site is suspended.",
                        "%(count)d consultations are scheduled or open: residents will not be able "
                        "to take part while the site is suspended.",
                        n,
                    )
                    % {"count": n}
                ),
            ),
        )
