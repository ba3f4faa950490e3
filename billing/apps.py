from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Imported in ready(), here and below: these modules import models, which cannot load
        # while the app registry is being populated (apps.py is imported before models).
        from billing.selectors import orders_for_municipality
        from tenants.provider_panel import ProviderSection, section_register

        # The provider's page of a municipality lists its orders (public schema, like them).
        section_register(
            ProviderSection(
                key="orders",
                title=_("Orders"),
                template_name="billing/provider/_municipality_orders.html",
                context=lambda m: {
                    "orders": list(
                        orders_for_municipality(municipality=m).order_by("-created_at")[:50]
                    )
                },
                position=20,
                needs_schema=False,
            )
        )

        # Consultations sits below billing and cannot import it: it asks through this hook
        # which add-ons a consultation's order includes (participation kinds may need one).
        from billing.selectors import order_addon_codes_for_consultation
        from consultations.participation import order_addon_codes_source_set

        order_addon_codes_source_set(order_addon_codes_for_consultation)
