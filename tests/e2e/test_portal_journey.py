"""A resident on a metropolis portal finds an open consultation of one member by two facets
and a word, follows it to the municipality's own site, and subscribes to the portal's
digest: in Chromium, in Polish, WCAG 2.1 AA at desktop and 390 px."""

import re
import time
import urllib.request

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations import services
from consultations.models import Category
from portal.models import DigestSubscriber
from portal.services import portal_save
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import complete_input, department_make, staff_make
from tests.subscriptions.mailbox import text_of, wait_for_message

pytestmark = pytest.mark.browser


def opened(schema_name: str, title: str, category: str) -> None:
    """A consultation taken to "open" by the consultations services (the index follows)."""
    with schema_context(schema_name):
        admin = staff_make("admin")
        green = Category.objects.get_or_create(name=category)[0]
        consultation = services.consultation_create(
            acting_user=admin,
            data=complete_input(department_make(), title=title, category_ids=[green.pk]),
        )
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
        services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_e2e")
        services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
        services.consultation_open(consultation_id=consultation.pk)


def wait_until_served(port: int, host: str, seconds: float = 15) -> None:
    """The web server learns of a new portal's host within PORTAL_HOSTS_TTL (every worker
    process on its own): ask with the Host header until two answers in a row are 200."""
    deadline = time.monotonic() + seconds
    good = 0
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310 - our test server
                good = good + 1 if response.status == 200 else 0
        except OSError:
            good = 0
        if good >= 4:
            return
        time.sleep(0.3)
    raise AssertionError(f"{host} not served within {seconds} s")


def test_a_resident_finds_a_consultation_on_the_metropolis_portal_and_subscribes(
    page, live_stack, committed_db, tenant_a, tenant_b
):
    # given a metropolis portal of A and B, each with open consultations about parks
    tag = unique("")
    wanted = f"Park nad jeziorem {tag}"
    opened(tenant_a.schema_name, wanted, "Zieleń")
    opened(tenant_a.schema_name, f"Parking przy dworcu {tag}", "Transport")
    opened(tenant_b.schema_name, f"Park miejski {tag}", "Zieleń")
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    portal = portal_save(
        portal_id=None,
        name=f"Metropolia Testowa {tag}",
        subdomain=unique("metropolia-"),
        custom_domain="",
        primary_colour="#1d4f2b",
        description="Konsultacje gmin metropolii pod jednym adresem.",
        member_ids=[tenant_a.pk, tenant_b.pk],
        staff_emails=[],
        acting_user=operator,
    )
    host = f"{portal.subdomain}.localhost"
    wait_until_served(live_stack.port, host)

    # The resident opens the portal's home page.
    page.goto(live_stack.url(host, "/"))
    page.get_by_role("heading", name=portal.name, level=1).wait_for()
    assert_accessible(page, "portal-home", municipality_site=False)

    # Searches for the word, then narrows by municipality and category.
    page.get_by_label("Wyszukaj konsultacje").fill(tag)
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("heading", name=re.compile("Znaleziono 3 konsultacje")).wait_for()
    page.get_by_label(re.compile(f"^{tenant_a.name}")).check()
    page.get_by_label(re.compile("^Zieleń")).check()
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("heading", name=re.compile("Znaleziono 1 konsultację")).wait_for()
    assert "Parking przy dworcu" not in page.content()
    assert "Park miejski" not in page.content()
    # the address is shareable: it holds every criterion
    assert tag in page.url and "kategoria=" in page.url and "gmina=" in page.url
    assert_accessible(page, "portal-search", municipality_site=False)

    # Follows the result to the municipality's own site.
    page.get_by_role("link", name=wanted).click()
    page.wait_for_url(
        re.compile(rf"^http://{re.escape(tenant_a.host)}:{live_stack.port}/konsultacje/")
    )
    page.get_by_role("heading", name=wanted, level=1).wait_for()

    # The list of member municipalities links each one's own site.
    page.goto(live_stack.url(host, "/samorzady/"))
    page.get_by_role("heading", name="Samorządy członkowskie").wait_for()
    assert (
        page.get_by_role("link", name=tenant_a.name)
        .first.get_attribute("href")
        .startswith(f"http://{tenant_a.host}:{live_stack.port}/")
    )
    assert_accessible(page, "portal-municipalities", municipality_site=False)

    # Back on the portal, subscribes to the digest of municipality A.
    email = unique("mieszkanka") + "@poczta.test"
    page.goto(live_stack.url(host, "/newsletter/"))
    page.get_by_role("heading", name="Newsletter konsultacji").wait_for()
    assert_accessible(page, "portal-newsletter", municipality_site=False)
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label(tenant_a.name).check()
    page.get_by_label(re.compile("Wyrażam zgodę")).check()
    page.get_by_role("button", name="Zapisz się").click()
    page.get_by_role("heading", name=re.compile("sprawdzić skrzynkę")).wait_for()
    assert_accessible(page, "portal-newsletter-requested", municipality_site=False)

    # The mailed link opens a page; only its button confirms.
    mail = wait_for_message(live_stack, email, lambda m: "potwierdzić" in m["Subject"])
    link = re.search(r"http://\S+/newsletter/potwierdz/\S+/", text_of(mail)).group(0)
    assert link.startswith(f"http://{host}:{live_stack.port}/")
    page.goto(link)
    page.get_by_role("button", name="Potwierdź zapis").wait_for()
    assert DigestSubscriber.objects.get(email=email).confirmed_at is None
    page.get_by_role("button", name="Potwierdź zapis").click()
    page.get_by_role("heading", name="Subskrypcja potwierdzona").wait_for()
    assert_accessible(page, "portal-newsletter-confirmed", municipality_site=False)
    subscriber = DigestSubscriber.objects.get(email=email)
    assert subscriber.confirmed_at is not None
    assert subscriber.municipality_ids == [tenant_a.pk]
