"""The calendar feed and robots.txt (the RSS/Atom feeds are classes in feeds.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from subscriptions.ics import calendar_render
from subscriptions.selectors import consultations_for_calendar, site_url


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    municipality = request.tenant  # type: ignore[attr-defined]
    base_url = site_url()
    body = calendar_render(
        consultations=consultations_for_calendar(),
        calendar_name=_("Public consultations – %(name)s") % {"name": municipality.name},
        host=municipality.primary_host or request.get_host().split(":")[0],
        base_url=base_url,
        url_for=lambda c: reverse("consultation_detail", kwargs={"slug": c.slug}),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="konsultacje.ics"'
    return response


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = site_url() + reverse("sitemap")
    lines = [
        "User-agent: *",
        "Disallow: /panel/",
        "Disallow: /konto/",
        "Disallow: /subskrypcje/potwierdz/",
        "Disallow: /subskrypcje/wypisz/",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
