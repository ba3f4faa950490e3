from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions, notifications and feeds"

    def ready(self) -> None:
        # Inside ready(): the models these modules import cannot load while apps still do.
        from accounts.personal_data import register_anonymiser, register_exporter
        from reports.services import audience_source_register
        from subscriptions import personal
        from subscriptions.selectors import report_audience

        audience_source_register(report_audience)
        register_exporter("subscriptions", personal.subscriptions_export)
        register_anonymiser(personal.subscriptions_delete)
