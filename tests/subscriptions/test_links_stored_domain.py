"""robots.txt, the sitemap, the RSS/Atom feeds and the calendar link to the municipality's
stored address (scheme and port from the deployment), never to whatever Host header the
request carried: behind a proxy, or from a crawler that adds a port, links must still work."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from tests.consultations.factories import consultation_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(settings):
    # the production shape: https, standard port
    settings.PLATFORM_SCHEME = "https"
    settings.PLATFORM_PORT = ""


@pytest.fixture
def published(tenant_a):
    with schema_context(tenant_a.schema_name):
        return consultation_in_state(
            ConsultationStatus.OPEN, title="Park miejski", scheduled_at=timezone.now()
        )


def links_in(tenant_a, path: str) -> list[str]:
    # the request names a port the site is not served on (what a proxy or crawler may send)
    response = Client(HTTP_HOST=f"{tenant_a.host}:8443").get(path)
    assert response.status_code == 200, path
    return re.findall(r"(?:https?:)?//[^\s<>\"']+", response.content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/robots.txt",
        "/sitemap.xml",
        "/konsultacje/rss/",
        "/konsultacje/atom/",
        "/konsultacje/kalendarz.ics",
    ],
)
def test_links_are_built_from_the_stored_domain(tenant_a, deployed, published, path):
    links = [
        link
        for link in links_in(tenant_a, path)
        if tenant_a.host in link  # leave out XML namespaces and the like
    ]
    assert links, path
    for link in links:
        assert link.startswith(f"https://{tenant_a.host}/"), (path, link)
