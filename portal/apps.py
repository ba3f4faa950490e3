from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portale"

    def ready(self) -> None:
        # consultations and tenants sit below portal and never import it: they tell their
        # listeners, inside the writing transaction, and the index follows in that same
        # transaction (portal.index). Imported here: these modules import models.
        from consultations.public_changes import listener_register as public_listener_register
        from portal.index import index_on_municipality_change, index_on_public_change
        from portal.selectors import portal_host_is_public
        from tenants.hosts import public_host_register
        from tenants.status_listeners import listener_register as status_listener_register

        public_listener_register(index_on_public_change)
        status_listener_register(index_on_municipality_change)
        # A portal's host is served with the public URLconf, never as a municipality.
        public_host_register(portal_host_is_public)
