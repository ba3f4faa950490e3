"""The provider's staff set up a regional portal in Chromium, in Polish: a bad subdomain is
refused with a clear message and nothing is saved, then the portal is created with two member
municipalities and shows them. WCAG 2.1 AA at desktop and 390 px."""

import pytest

from portal.models import Portal
from tests.conftest import assert_accessible, unique
from tests.e2e import test_onboarding
from tests.e2e.test_onboarding import provider_sign_in

pytestmark = pytest.mark.browser

# The provider's staff member, signed up as the onboarding journey does (a fixture).
operator = test_onboarding.operator


def test_the_provider_creates_a_portal_of_two_municipalities(
    page,
    live_stack,
    operator,
    tenant_a,
    tenant_b,
):
    provider_sign_in(page, live_stack, operator)
    page.goto(live_stack.url("localhost", "/operator/portale/"))
    assert_accessible(page, "portal-provider-list")
    page.get_by_role("link", name="Nowy portal").click()
    name = "Powiat Testowy " + unique("")
    subdomain = unique("powiat-")

    # A subdomain with capitals and spaces: a clear message, nothing saved.
    page.get_by_label("Nazwa").fill(name)
    page.get_by_label("Subdomena").fill("Zły Adres")
    page.get_by_label("Gmina Testowa A").check()
    page.get_by_role("button", name="Zapisz").click()
    page.locator(".errorlist").first.wait_for()
    assert not Portal.objects.filter(name=name).exists()
    assert_accessible(page, "portal-provider-form-errors")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, "portal-provider-form-errors-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Corrected: saved with both members.
    page.get_by_label("Subdomena").fill(subdomain)
    page.get_by_label("Gmina Testowa B").check()
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text(name).first.wait_for()
    portal = Portal.objects.get(name=name)
    assert sorted(m.name for m in portal.members.all()) == ["Gmina Testowa A", "Gmina Testowa B"]
    assert_accessible(page, "portal-provider-list-saved")
