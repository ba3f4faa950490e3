"""The sitemap of a municipality's site: absolute URLs on its stored address (scheme, primary
domain, port of the deployment), whatever Host header the request carried."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.db.models import QuerySet
from django.urls import reverse

if TYPE_CHECKING:
    # Annotations only: django.contrib.sites is not installed, so its models cannot load.
    from django.contrib.sites.models import Site

from consultations.models import Consultation, News
from subscriptions.selectors import consultations_for_sitemap, news_for_sitemap, site_url


class StoredSiteSitemap(Sitemap):
    """Locations on the municipality's stored address."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(site_url()).scheme

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        return urlsplit(site_url()).netloc


class StaticPagesSitemap(StoredSiteSitemap):
    def items(self) -> list[str]:
        return ["home", "consultation_list", "news_list", "subscription_request"]

    def location(self, item: str) -> str:
        return reverse(item)


class ConsultationSitemap(StoredSiteSitemap):
    def items(self) -> QuerySet[Consultation]:
        return consultations_for_sitemap()

    def location(self, item: Consultation) -> str:
        return reverse("consultation_detail", kwargs={"slug": item.slug})

    def lastmod(self, item: Consultation) -> datetime:
        return item.updated_at


class NewsSitemap(StoredSiteSitemap):
    def items(self) -> QuerySet[News]:
        return news_for_sitemap()

    def location(self, item: News) -> str:
        return reverse("news_detail", kwargs={"news_id": item.pk})

    def lastmod(self, item: News) -> datetime:
        return item.updated_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "consultations": ConsultationSitemap,
    "news": NewsSitemap,
}
