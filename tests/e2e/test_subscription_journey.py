"""A resident subscribes to an area with just an e-mail address, confirms from the mail,
gets a notification and unsubscribes in one click: in Chromium, in Polish, WCAG 2.1 AA."""

import re

import pytest
from django_tenants.utils import schema_context

from consultations.models import Area
from subscriptions.models import Subscription
from subscriptions.tasks import notifications_send_all
from tests.conftest import assert_accessible, unique
from tests.subscriptions.helpers import opened_consultation
from tests.subscriptions.mailbox import text_of, wait_for_message

pytestmark = pytest.mark.browser


def test_a_resident_subscribes_confirms_and_unsubscribes_in_one_click(
    page, live_stack, committed_db, tenant_a
):
    email = unique("mieszkanka") + "@poczta.test"
    with schema_context(tenant_a.schema_name):
        area = Area.objects.create(name=unique("Osiedle Słoneczne "))
        Area.objects.create(name=unique("Stare Miasto "))

    # The resident finds the subscription form.
    page.goto(live_stack.url(tenant_a.host, "/subskrypcje/"))
    page.get_by_role("heading", name="Powiadomienia o konsultacjach").wait_for()
    assert_accessible(page, "subscription-form")

    # Without consent, the form explains what is missing.
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label(area.name).check()
    page.get_by_role("button", name="Zapisz się").click()
    page.get_by_text(re.compile("należy wyrazić zgodę")).first.wait_for()
    assert_accessible(page, "subscription-form-errors")

    # With consent, the page asks to check the inbox.
    page.get_by_label(re.compile("Wyrażam zgodę")).check()
    page.get_by_role("button", name="Zapisz się").click()
    page.get_by_role("heading", name=re.compile("sprawdzić skrzynkę")).wait_for()
    assert_accessible(page, "subscription-requested")

    # The confirmation mail's link opens a page; opening it confirms nothing yet.
    mail = wait_for_message(live_stack, email, lambda m: "potwierdzić" in m["Subject"])
    link = re.search(r"http://\S+/subskrypcje/potwierdz/\S+/", text_of(mail)).group(0)
    assert link.startswith(f"http://{tenant_a.host}:{live_stack.port}/")
    page.goto(link)
    page.get_by_role("heading", name="Potwierdzenie subskrypcji").wait_for()
    assert area.name in page.content()
    assert_accessible(page, "subscription-confirm")
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.get(email=email).confirmed_at is None
    page.get_by_role("button", name="Potwierdzam").click()
    page.get_by_role("heading", name="Subskrypcja potwierdzona").wait_for()
    assert_accessible(page, "subscription-confirmed")

    # A consultation opens in the area; the worker mails the resident.
    with schema_context(tenant_a.schema_name):
        consultation = opened_consultation(areas=(area,))
    notifications_send_all.delay().get(timeout=60)
    notification = wait_for_message(live_stack, email, lambda m: consultation.title in m["Subject"])
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(notification)
    assert f"/konsultacje/{consultation.slug}/" in body
    unsubscribe = re.search(r"http://\S+/subskrypcje/wypisz/\S+/", body).group(0)

    # One click on the link from the mail, one on the button: unsubscribed.
    page.goto(unsubscribe)
    page.get_by_role("heading", name="Wypisanie z powiadomień").wait_for()
    assert_accessible(page, "subscription-unsubscribe")
    page.get_by_role("button", name="Wypisz mnie").click()
    page.get_by_role("heading", name="Wypisano z powiadomień").wait_for()
    assert_accessible(page, "subscription-unsubscribed")
    with schema_context(tenant_a.schema_name):
        assert not Subscription.objects.filter(email=email).exists()
