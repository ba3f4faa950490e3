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
