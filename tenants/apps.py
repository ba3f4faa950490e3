from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Gminy"

    def ready(self) -> None:
        # accounts lies below tenants and may not import it: it learns the current site's
        # name and address through this resolver. Imported in ready(): these modules import
        # models, which cannot load while the app registry is being populated.
        from accounts.sites import site_resolver_register
        from tenants.selectors import site_current

        site_resolver_register(site_current)

        from celery.signals import task_postrun
        from django.core.signals import request_finished
        from django.db.backends.signals import connection_created

        from tenants.connections import connection_watch, connections_retire_worn

        connection_created.connect(connection_watch, dispatch_uid="konsulta-connection-watch")
        request_finished.connect(connections_retire_worn, dispatch_uid="konsulta-retire-web")
        task_postrun.connect(connections_retire_worn, dispatch_uid="konsulta-retire-task")
