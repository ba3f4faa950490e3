"""Resident pages of a portal (and of the national portal on the apex): thin views over
portal.selectors and portal.services."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import TooManyFieldsSent, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.ics import ics_calendar, ics_datetime, ics_escape
from portal import selectors, services
from portal.forms import DigestForm, PortalNewsForm
from portal.models import Portal, PortalNews, PublicConsultation

# Query keys a search page keeps in its shareable address (page links add "strona").
SEARCH_KEYS = ("q", "gmina", "status", "typ", "kategoria", "podstawa", "forma", "rok", "od", "do")


def portal_of(request: HttpRequest) -> Portal | None:
    """The portal this host serves (None: the national portal on the apex). Cached on the
    request; any other public host is a 404 (the middleware sends only these here)."""
    if not hasattr(request, "_portal"):
        host = request.get_host().split(":")[0].lower()
        portal = selectors.portal_for_host(host)
        if portal is None and host != settings.PLATFORM_DOMAIN:
            raise Http404
        request._portal = portal  # type: ignore[attr-defined]
    return request._portal  # type: ignore[attr-defined]


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], **kw: Any
) -> HttpResponse:
    portal = portal_of(request)
    context = {
        "portal": portal,
        "portal_name": portal.name if portal else settings.PLATFORM_NAME,
        **context,
    }
    return render(request, template, context, **kw)


def home(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    return _render(
        request,
        "portal/home.html",
        {
            "sections": selectors.portal_home(portal),
            "members": selectors.portal_member_names(portal),
        },
    )


# More fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS) are cut to this many: a
# search page, not a 400, and criteria_parse bounds the rest.
MAX_QUERY_FIELDS = 500


def _search_params(request: HttpRequest) -> tuple[QueryDict, bool]:
    """The query string, read in full when Django would, else cut (and flagged)."""
    try:
        return request.GET, False
    except TooManyFieldsSent:
        raw = request.META.get("QUERY_STRING", "").split("&")[:MAX_QUERY_FIELDS]
        return QueryDict("&".join(raw)), True


def consultation_list(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    members = selectors.portal_member_names(portal)
    params, cut = _search_params(request)
    criteria = selectors.criteria_parse(params, member_ids=[m.pk for m in members])
    if cut:
        criteria = dataclasses.replace(criteria, ignored=True)
    result = selectors.portal_search(criteria, portal=portal, members=members)
    kept = [(k, v) for k in SEARCH_KEYS for v in params.getlist(k)[:30] if v.strip()]
    query = urlencode(kept[:200])
    return _render(
        request,
        "portal/list.html",
        {
            "result": result,
            "query": query,
            "filtered": bool(kept),
            # The folded "Filters" say some are set only for criteria inside them, not the text.
            "facets_set": any(k != "q" for k, _v in kept),
            "labels": selectors.LABELS,
            "facet_order": [
                "status",
                "municipality",
                "kind",
                "category",
                "legal_basis",
                "form",
                "year",
            ],
        },
    )


def municipalities(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    return _render(
        request, "portal/municipalities.html", {"rows": selectors.members_with_counts(portal)}
    )


def news_detail(request: HttpRequest, news_id: int) -> HttpResponse:
    portal = portal_of(request)
    if portal is None:
        raise Http404
    news = get_object_or_404(PortalNews, pk=news_id, portal=portal)
    return _render(request, "portal/news_detail.html", {"news": news})


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    # primary_colour is validated as #rrggbb before it is stored.
    colour = portal.primary_colour if portal else "#1f4e79"
    response = HttpResponse(f":root {{ --brand: {colour}; }}\n", content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- Feeds ------------------------------------------------------------------------------------


class PortalRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    url_name = "portal:feed_rss"
    language = "pl"

    def get_object(self, request: HttpRequest) -> Portal | None:
        return portal_of(request)

    def _base(self, portal: Portal | None) -> str:
        return selectors.portal_url(portal)

    def feed_url(self, portal: Portal | None) -> str:
        return self._base(portal) + reverse(self.url_name)

    def title(self, portal: Portal | None) -> str:
        name = portal.name if portal else settings.PLATFORM_NAME
        return _("Public consultations – %(name)s") % {"name": name}

    def description(self, portal: Portal | None) -> str:
        return _("Consultations announced, open and closed in the member municipalities.")

    def link(self, portal: Portal | None) -> str:
        return self._base(portal) + reverse("portal:consultation_list")

    def items(self, portal: Portal | None) -> list[PublicConsultation]:
        return selectors.portal_feed_entries(portal)

    def item_title(self, item: PublicConsultation) -> str:
        return f"{item.title} ({item.municipality.name})"

    def item_description(self, item: PublicConsultation) -> str:
        return item.summary

    def item_link(self, item: PublicConsultation) -> str:
        return item.url

    def item_guid(self, item: PublicConsultation) -> str:
        return item.url

    def item_pubdate(self, item: PublicConsultation) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: PublicConsultation) -> datetime:
        return item.indexed_at

    def item_categories(self, item: PublicConsultation) -> list[str]:
        return [*item.areas, *item.categories]


class PortalAtomFeed(PortalRssFeed):
    feed_type = Atom1Feed
    url_name = "portal:feed_atom"

    def subtitle(self, portal: Portal | None) -> str:
        return self.description(portal)


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    name = portal.name if portal else settings.PLATFORM_NAME
    host = request.get_host().split(":")[0]
    lines: list[str] = []
    for entry in selectors.portal_feed_entries(portal):
        if not (entry.starts_at and entry.ends_at):
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:portal-{entry.municipality_id}-{entry.consultation_id}@{host}",
            f"DTSTAMP:{ics_datetime(entry.indexed_at)}",
            f"DTSTART:{ics_datetime(entry.starts_at)}",
            f"DTEND:{ics_datetime(entry.ends_at)}",
            f"SUMMARY:{ics_escape(entry.title + ' – ' + entry.municipality.name)}",
            f"DESCRIPTION:{ics_escape(entry.summary)}",
            f"URL:{entry.url}",
            "END:VEVENT",
        ]
    body = ics_calendar(_("Public consultations – %(name)s") % {"name": name}, lines)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="konsultacje.ics"'
    return response


# --- Newsletter -------------------------------------------------------------------------------


def digest_subscribe(request: HttpRequest) -> HttpResponse:
    portal = portal_of(request)
    members = selectors.portal_member_names(portal)
    form = DigestForm(
        request.POST or None,
        municipalities=[(str(m.pk), m.name) for m in members],
        categories=selectors.portal_categories(portal),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.digest_subscribe(
                portal=portal,
                email=data["email"],
                frequency=data["frequency"],
                municipality_ids=[int(v) for v in data["municipalities"]],
                categories=data["categories"],
                consent=data["consent"],
                member_ids=[m.pk for m in members],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("portal:digest_requested")
    return _render(request, "portal/subscribe.html", {"form": form})


def digest_requested(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/requested.html", {})


@require_http_methods(["GET", "POST"])
def digest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (mail scanners open links)."""
    if request.method == "POST":
        try:
            services.digest_confirm(token=token)
        except ValidationError:
            return _render(request, "portal/link_invalid.html", {}, status=410)
        return _render(request, "portal/confirmed.html", {})
    subscriber = selectors.subscriber_for_confirmation(token=token)
    if subscriber is None:
        return _render(request, "portal/link_invalid.html", {}, status=410)
    return _render(request, "portal/confirm.html", {"email": subscriber.email})


# The token is the authentication; RFC 8058 one-click POSTs come without a cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        if not services.digest_unsubscribe(token=token):
            return _render(request, "portal/link_invalid.html", {}, status=404)
        return _render(request, "portal/unsubscribed.html", {})
    subscriber = selectors.subscriber_for_unsubscribe(token=token)
    if subscriber is None:
        if selectors.unsubscribe_token_read(token) is not None:
            return _render(request, "portal/unsubscribed.html", {})
        return _render(request, "portal/link_invalid.html", {}, status=404)
    return _render(request, "portal/unsubscribe.html", {"email": subscriber.email})


# --- Portal staff -----------------------------------------------------------------------------


def _staff_portal(request: HttpRequest) -> Portal:
    portal = portal_of(request)
    if portal is None or not selectors.can_edit_portal(request.user, portal):
        raise Http404
    return portal


def staff_panel(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("account_login") + "?next=" + request.path)
    portal = _staff_portal(request)
    form = PortalNewsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_news_publish(
                portal=portal,
                acting_user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The news item has been published."))
            return redirect("portal:staff_panel")
    sections = selectors.portal_home(portal, limit=20)
    return _render(request, "portal/panel.html", {"form": form, "sections": sections})


@require_POST
def staff_feature(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    portal = _staff_portal(request)
    entry_id = request.POST.get("entry", "")
    try:
        services.portal_feature_set(
            portal=portal,
            entry_id=int(entry_id) if entry_id.isdigit() and len(entry_id) < 19 else 0,
            featured=request.POST.get("featured") == "1",
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The home page has been updated."))
    return redirect("portal:staff_panel")
