"""Reads of a municipality's site data."""

from __future__ import annotations

from django.core.cache import cache

from consultations.models import SiteSettings

SITE_SETTINGS_CACHE_KEY = "site-settings"


def site_settings_get() -> SiteSettings:
    """The current municipality's settings, cached. The cache key function puts the schema
    name in front of every key, so two municipalities never share this entry."""
    cached = cache.get(SITE_SETTINGS_CACHE_KEY)
    if isinstance(cached, SiteSettings):
        return cached
    settings_row = SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1)
    cache.set(SITE_SETTINGS_CACHE_KEY, settings_row, 600)
    return settings_row
