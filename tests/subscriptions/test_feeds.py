"""RSS, Atom, iCalendar and the sitemap list the municipality's published consultations,
with absolute URLs on its host, and nothing of another municipality."""

# Our own server's output, not untrusted input: the standard parser is fine here.
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus, News
from subscriptions.ics import ics_escape, ics_fold
from tests.consultations.factories import consultation_in_state

pytestmark = pytest.mark.django_db

S = ConsultationStatus
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LISTED = [S.SCHEDULED, S.OPEN, S.CLOSED, S.REPORT_PUBLISHED]
HIDDEN = [S.DRAFT, S.ORDERED]


@pytest.fixture(autouse=True)
def stored_address(settings):
    """Links are built from the stored address: plain http on the standard port here."""
    settings.PLATFORM_SCHEME = "http"
    settings.PLATFORM_PORT = ""


@pytest.fixture
def catalogue(tenant_a, tenant_b):
    """One consultation per status in A, and one open consultation in B."""
    with schema_context(tenant_a.schema_name):
        of_a = {
            status: consultation_in_state(
                status, title=f"Konsultacje A {status}", scheduled_at=timezone.now()
            )
            for status in S.values
        }
        news = News.objects.create(title="Aktualność A", body="Treść", published_at=timezone.now())
    with schema_context(tenant_b.schema_name):
        of_b = consultation_in_state(S.OPEN, title="Konsultacje gminy B")
    return of_a, of_b, news


def get(host, path):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == 200, path
    return response


def test_the_rss_feed_lists_published_consultations_of_this_municipality(tenant_a, catalogue):
    of_a, of_b, _ = catalogue
    response = get(tenant_a.host, "/konsultacje/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314
    assert tenant_a.name in channel.findtext("title")
    items = {item.findtext("title"): item.findtext("link") for item in channel.findall("item")}
    for status in LISTED:
        link = items[of_a[status].title]
        assert link == f"http://{tenant_a.host}/konsultacje/{of_a[status].slug}/"
    for status in [*HIDDEN, S.ARCHIVED]:
        assert of_a[status].title not in items
    assert of_b.title not in items


def test_the_atom_feed_lists_the_same_with_absolute_links(tenant_a, catalogue):
    of_a, of_b, _ = catalogue
    response = get(tenant_a.host, "/konsultacje/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314
    entries = {
        entry.findtext(f"{ATOM}title"): entry.find(f"{ATOM}link").get("href")
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert set(entries) >= {of_a[status].title for status in LISTED}
    assert not set(entries) & {of_a[status].title for status in HIDDEN}
    assert of_b.title not in entries
    assert all(href.startswith(f"http://{tenant_a.host}/") for href in entries.values())


def test_the_calendar_has_one_event_per_published_consultation(tenant_a, catalogue):
    of_a, _, _ = catalogue
    response = get(tenant_a.host, "/konsultacje/kalendarz.ics")
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    # every line ends with CRLF, none is longer than 75 octets
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "\n" not in "".join(lines)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    unfolded = text.replace("\r\n ", "").split("\r\n")
    for status in LISTED:
        consultation = of_a[status]
        assert f"UID:consultation-{consultation.pk}@{tenant_a.host}" in unfolded
        assert f"SUMMARY:{ics_escape(consultation.title)}" in unfolded
        start = consultation.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{start}" in unfolded
    for status in HIDDEN:
        assert f"SUMMARY:{of_a[status].title}" not in unfolded
    assert "Konsultacje gminy B" not in text
    assert text.count("BEGIN:VEVENT") == text.count("END:VEVENT") >= len(LISTED)
    assert any(line.startswith("DTSTAMP:") for line in unfolded)


def test_calendar_text_is_escaped_and_folded_between_characters():
    assert ics_escape("Plan; ulice, place\\skwery\netap 2") == (
        "Plan\\; ulice\\, place\\\\skwery\\netap 2"
    )
    folded = ics_fold("SUMMARY:" + "Zażółć gęślą jaźń " * 10)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)).startswith("SUMMARY:Zażółć")


def test_the_sitemap_lists_pages_consultations_and_news_on_this_host(tenant_a, catalogue):
    of_a, of_b, news = catalogue
    response = get(tenant_a.host, "/sitemap.xml")
    root = ET.fromstring(response.content)  # noqa: S314
    urls = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    base = f"http://{tenant_a.host}"
    assert {f"{base}/", f"{base}/konsultacje/", f"{base}/aktualnosci/"} <= urls
    for status in [*LISTED, S.ARCHIVED]:
        assert f"{base}/konsultacje/{of_a[status].slug}/" in urls
    for status in HIDDEN:
        assert f"{base}/konsultacje/{of_a[status].slug}/" not in urls
    assert f"{base}/aktualnosci/{news.pk}/" in urls
    assert all(url.startswith(base + "/") for url in urls)
    assert not any(of_b.slug in url for url in urls)


def test_news_not_yet_published_stays_out_of_the_sitemap(tenant_a):
    with schema_context(tenant_a.schema_name):
        later = News.objects.create(
            title="Jutro", body="…", published_at=timezone.now() + timedelta(days=1)
        )
    content = get(tenant_a.host, "/sitemap.xml").content.decode()
    assert f"/aktualnosci/{later.pk}/" not in content


def test_robots_txt_points_to_the_sitemap_of_this_host(tenant_a):
    text = get(tenant_a.host, "/robots.txt").content.decode()
    assert f"Sitemap: http://{tenant_a.host}/sitemap.xml" in text
    assert "Disallow: /panel/" in text


def test_pages_announce_the_feeds_in_their_head(tenant_a):
    content = get(tenant_a.host, "/").content.decode()
    head = content.split("</head>")[0]
    assert 'type="application/rss+xml"' in head and 'href="/konsultacje/rss/"' in head
    assert 'type="application/atom+xml"' in head and 'type="text/calendar"' in head
