"""RSS 2.0 and Atom feeds of the current municipality's announced consultations."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from consultations.models import Consultation
from subscriptions.selectors import FEED_SIZE, consultations_for_feeds, site_url
from tenants.models import Municipality


class ConsultationsRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    url_name = "consultation_feed_rss"
    language = "pl"

    def get_object(self, request: HttpRequest) -> Municipality:
        # Links are absolute on the municipality's stored address: Feed leaves absolute URLs
        # alone, where it would prefix relative ones with the request's Host header.
        return request.tenant  # type: ignore[attr-defined]

    def feed_url(self) -> str:
        return site_url() + reverse(self.url_name)

    def title(self, municipality: Municipality) -> str:
        return _("Public consultations – %(name)s") % {"name": municipality.name}

    def description(self, municipality: Municipality) -> str:
        return _("Consultations announced, open and closed in %(name)s.") % {
            "name": municipality.name
        }

    def link(self) -> str:
        return site_url() + reverse("consultation_list")

    def items(self) -> list[Consultation]:
        return list(consultations_for_feeds()[:FEED_SIZE])

    def item_title(self, item: Consultation) -> str:
        return item.title

    def item_description(self, item: Consultation) -> str:
        return item.summary

    def item_link(self, item: Consultation) -> str:
        return site_url() + reverse("consultation_detail", kwargs={"slug": item.slug})

    def item_pubdate(self, item: Consultation) -> datetime:
        return item.scheduled_at or item.created_at

    def item_updateddate(self, item: Consultation) -> datetime:
        return item.updated_at

    def item_categories(self, item: Consultation) -> list[str]:
        return [area.name for area in item.areas.all()] + [
            category.name for category in item.categories.all()
        ]


class ConsultationsAtomFeed(ConsultationsRssFeed):
    feed_type = Atom1Feed
    url_name = "consultation_feed_atom"

    def subtitle(self, municipality: Municipality) -> str:
        return self.description(municipality)
