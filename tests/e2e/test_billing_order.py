"""Ordering and paying for a consultation in Chromium, in Polish, with WCAG 2.1 AA checked on
every page; the provider then approves a postpaid order."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from billing.models import Order, OrderStatus
from tests.billing.conftest import consultation_cleared, consultation_make, invoice_data_enter
from tests.conftest import PASSWORD, assert_accessible, unique

pytestmark = pytest.mark.browser


def sign_in(page, url, email):
    page.goto(url)
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()


def test_a_coordinator_orders_and_pays_and_the_provider_approves_a_transfer(
    page, live_stack, committed_db, tenant_a, stripe_webhooks
):
    from tenants.models import Municipality

    # given a coordinator of municipality A, its invoice data and two draft consultations
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    email = unique("koord") + "@a.test"
    by_card = consultation_make(tenant_a.schema_name, title="Plan zagospodarowania parku", days=21)
    by_transfer = consultation_make(tenant_a.schema_name, title="Nowy przystanek", days=10)
    with schema_context(tenant_a.schema_name):
        from consultations.models import Consultation
        from tests.consultations.factories import department_make

        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(coordinator,))
        Consultation.objects.filter(pk__in=[by_card, by_transfer]).update(department=department)

    # the coordinator opens the order page of the first consultation
    sign_in(page, live_stack.url(tenant_a.host, "/konto/login/"), email)
    page.get_by_role("heading", name="Panel urzędu").wait_for()
    page.goto(live_stack.url(tenant_a.host, f"/panel/zamowienia/nowe/{by_card}/"))
    page.get_by_role("heading", name="Zamów konsultację").wait_for()
    assert "Plan zagospodarowania parku" in page.content()
    assert_accessible(page, "billing-order-new")

    # the add-ons a module delivers are offered (the provider prepares the survey); a printed
    # report, which nothing delivers yet, is not; none chosen, the price is the base band
    assert page.get_by_label(re.compile("Przygotowanie ankiety przez operatora")).count() == 1
    assert page.get_by_label(re.compile("Drukowany raport z konsultacji")).count() == 0
    page.get_by_role("button", name="Przelicz cenę").click()
    page.wait_for_url(re.compile(r"payment_method="))
    assert page.locator("#total-gross").inner_text().replace("\u00a0", " ") == "2 214,00 zł"
    assert municipality.nip in page.content()
    assert_accessible(page, "billing-order-quote")

    # places the order, to be paid online
    page.get_by_label("Płatność online (karta, BLIK, Przelewy24)").check()
    page.get_by_role("button", name="Złóż zamówienie").click()
    page.get_by_text("Zamówienie zostało złożone.").wait_for()
    page.get_by_role("heading", name=re.compile(r"^Zamówienie KON")).wait_for()
    assert page.locator("#order-status").inner_text() == "Oczekuje na płatność"
    assert_accessible(page, "billing-order-detail")

    # pays: in test mode the server confirms the PaymentIntent at localstripe
    page.get_by_role("button", name="Zapłać").click()
    page.get_by_text("Dziękujemy – płatność została przyjęta.").wait_for()
    assert page.locator("#order-status").inner_text() == "Opłacone"
    assert_accessible(page, "billing-order-paid")
    assert consultation_cleared(tenant_a.schema_name, by_card)

    # the second consultation is ordered for payment by transfer
    page.goto(live_stack.url(tenant_a.host, f"/panel/zamowienia/nowe/{by_transfer}/"))
    page.get_by_label("Przelew na podstawie faktury (płatność odroczona)").check()
    page.get_by_role("button", name="Złóż zamówienie").click()
    page.get_by_text("Zamówienie zostało złożone.").wait_for()
    assert "Płatność przelewem" in page.content()
    transfer_order = Order.objects.get(municipality=municipality, consultation_id=by_transfer)

    # both show in the municipality's list of orders
    page.goto(live_stack.url(tenant_a.host, "/panel/zamowienia/"))
    page.get_by_role("heading", name="Zamówienia i płatności").wait_for()
    assert "Plan zagospodarowania parku" in page.content()
    assert transfer_order.number in page.content()
    assert_accessible(page, "billing-order-list")

    # the provider finds the unpaid order and approves payment by transfer
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    provider = page.context.browser.new_context(
        locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    staff = provider.new_page()
    sign_in(staff, live_stack.url("localhost", "/operator/"), operator.email)
    staff.get_by_role("heading", name="Gminy").wait_for()
    staff.goto(live_stack.url("localhost", "/operator/zamowienia/?filtr=nieoplacone"))
    staff.get_by_role("heading", name="Zamówienia").wait_for()
    assert_accessible(staff, "billing-provider-orders")
    staff.get_by_role("link", name=transfer_order.number).click()
    staff.get_by_role("heading", name=f"Zamówienie {transfer_order.number}").wait_for()
    assert_accessible(staff, "billing-provider-order")
    staff.get_by_role("button", name="Zatwierdź płatność przelewem").click()
    staff.get_by_text("Płatność przelewem została zatwierdzona.").wait_for()
    assert staff.locator("#order-status").inner_text() == "Zatwierdzone do płatności przelewem"
    assert operator.email in staff.content()
    transfer_order.refresh_from_db()
    assert transfer_order.status == OrderStatus.APPROVED
    assert consultation_cleared(tenant_a.schema_name, by_transfer)

    # the price list and the revenue pages
    staff.goto(live_stack.url("localhost", "/operator/cennik/"))
    staff.get_by_role("heading", name="Cennik").wait_for()
    assert_accessible(staff, "billing-provider-prices")
    staff.get_by_role("link", name="Konsultacja do 14 dni").click()
    staff.get_by_role("heading", name="Konsultacja do 14 dni").wait_for()
    assert_accessible(staff, "billing-provider-price-edit")
    staff.goto(live_stack.url("localhost", "/operator/przychody/"))
    staff.get_by_role("heading", name="Przychody").wait_for()
    assert tenant_a.name in staff.content()
    assert_accessible(staff, "billing-provider-revenue")
    provider.close()
