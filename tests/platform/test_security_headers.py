"""Every response, the unknown-host page included, carries a Content-Security-Policy without
'unsafe-inline', a Permissions-Policy and X-Frame-Options; the pages keep no inline style or
script that such a policy would block (the municipality's colour comes from a stylesheet)."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.services import site_settings_update
from tests.conftest import PASSWORD, unique

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def hosts(tenant_a):
    return {
        "municipality": (tenant_a.host, "/"),
        "apex": ("localhost", "/"),
        "unknown host": ("nie-ma-takiej.localhost", "/"),
        "sign-in": (tenant_a.host, "/konto/login/"),
    }


@pytest.mark.parametrize("which", ["municipality", "apex", "unknown host", "sign-in"])
def test_every_page_carries_the_security_headers(hosts, which):
    host, path = hosts[which]
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code in {200, 404}

    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "*" not in csp[directive]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]

    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def coloured_a(tenant_a, django_capture_on_commit_callbacks):
    """Municipality A in #7a1f3d for this test (rolled back; its cached settings dropped)."""
    from django.core.cache import cache

    from consultations.selectors import SITE_SETTINGS_CACHE_KEY

    with schema_context(tenant_a.schema_name):
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
        with django_capture_on_commit_callbacks(execute=True):
            site_settings_update(acting_user=admin, primary_colour="#7a1f3d")
    yield
    with schema_context(tenant_a.schema_name):
        cache.delete(SITE_SETTINGS_CACHE_KEY)


def test_the_municipalitys_colour_comes_from_a_stylesheet_not_an_inline_style(tenant_a, coloured_a):
    client = Client(HTTP_HOST=tenant_a.host)
    html = client.get("/").content.decode()

    # nothing a policy without 'unsafe-inline' would block
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)

    # the colour is in a stylesheet of the municipality's own, linked from the page
    link = re.search(r'<link rel="stylesheet" href="(/wyglad\.css[^"]*)"', html)
    assert link, html[:1500]
    sheet = client.get(link.group(1).replace("&amp;", "&"))
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("text/css")
    assert "--brand: #7a1f3d" in sheet.content.decode()


def test_another_municipalitys_stylesheet_carries_its_own_colour(coloured_a, tenant_a, tenant_b):
    assert "#7a1f3d" in Client(HTTP_HOST=tenant_a.host).get("/wyglad.css").content.decode()
    sheet = Client(HTTP_HOST=tenant_b.host).get("/wyglad.css").content.decode()
    assert "#7a1f3d" not in sheet
