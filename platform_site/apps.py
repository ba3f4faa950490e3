from django.apps import AppConfig


class PlatformSiteConfig(AppConfig):
    """The project package as an app with no models, only management commands that need
    every layer below it (the demo loader): docs/ARCHITECTURE.md, Layout."""

    name = "platform_site"
    verbose_name = "Konsulta"
