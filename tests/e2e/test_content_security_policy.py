"""In Chromium, under the real Content-Security-Policy: the municipality's colour still reaches
the page (from its stylesheet, no inline style), nothing is blocked (the page fixture fails a
test on any CSP violation), and axe-core still runs."""

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.services import site_settings_update
from tests.conftest import PASSWORD, assert_accessible, tenant_make, unique

pytestmark = pytest.mark.browser


def test_a_municipalitys_colour_applies_under_the_policy(page, live_stack, committed_db):
    # given a municipality of its own (its colour changes nothing elsewhere)
    tenant = tenant_make(unique("csp-"), "Gmina Kolorowa")
    with schema_context(tenant.schema_name):
        admin = user_create(email=unique("adm") + "@k.test", password=PASSWORD, role="admin")
        site_settings_update(acting_user=admin, primary_colour="#7a1f3d")

    response = page.goto(live_stack.url(tenant.host, "/"))
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy

    header = page.locator("header.site-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(122, 31, 61)"
    assert_accessible(page, "csp-municipality-home")

    # the sign-in page and the apex too
    page.goto(live_stack.url(tenant.host, "/konto/login/"))
    assert_accessible(page, "csp-sign-in")
    page.goto(live_stack.url("localhost", "/"))
    assert_accessible(page, "csp-apex")


def test_an_inline_script_is_refused_and_reported(browser, live_stack, committed_db, tenant_a):
    # what the page fixture relies on: Chromium refuses an injected inline script and says
    # so on the console, where the fixture looks for violations
    from tests.conftest import csp_violation

    context = browser.new_context(locale="pl-PL")
    page = context.new_page()
    seen = []
    page.on("console", lambda message: seen.append(csp_violation(message)))
    page.goto(live_stack.url(tenant_a.host, "/"))
    ran = page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s);
                   return window.__ran === true; }"""
    )
    page.wait_for_timeout(300)
    context.close()
    assert ran is False
    assert any(seen), seen
