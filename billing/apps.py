from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Consultations sits below billing and cannot import it: it asks through this hook
        # which add-ons a consultation's order includes (participation kinds may need one).
        from billing.selectors import order_addon_codes_for_consultation
        from consultations.participation import order_addon_codes_source_set

        order_addon_codes_source_set(order_addon_codes_for_consultation)
