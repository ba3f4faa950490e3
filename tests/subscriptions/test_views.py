"""The subscription pages over HTTP: no enumeration, GET never changes state, one-click
unsubscribe without CSRF, and tokens of one municipality useless on another."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from subscriptions.models import Subscription
from subscriptions.selectors import unsubscribe_token
from tests.subscriptions.helpers import area_make, confirmed_subscription, email_make, pending_token

pytestmark = pytest.mark.django_db


def subscribe(client, email, **extra):
    data = {"email": email, "whole_municipality": "on", "consent": "on", **extra}
    return client.post("/subskrypcje/", data)


def test_the_form_page_is_polish_and_names_the_controller(tenant_a):
    with schema_context(tenant_a.schema_name):
        area = area_make("Osiedle Słoneczne")
    response = Client(HTTP_HOST=tenant_a.host).get("/subskrypcje/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Powiadomienia o konsultacjach" in content
    assert f"Administratorem danych osobowych jest {tenant_a.name}" in content
    assert area.name in content


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    tenant_a, django_capture_on_commit_callbacks
):
    # given a confirmed subscription
    with schema_context(tenant_a.schema_name):
        known = confirmed_subscription(whole_municipality=True)
    client = Client(HTTP_HOST=tenant_a.host)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        for_known = subscribe(client, known.email)
        for_new = subscribe(client, email_make())
    # then both get the same redirect, and both a confirmation mail is queued
    assert for_known.status_code == for_new.status_code == 302
    assert for_known["Location"] == for_new["Location"] == "/subskrypcje/wyslano/"
    assert len(callbacks) == 2


def test_a_form_without_consent_is_refused_in_polish_and_nothing_is_stored(tenant_a):
    email = email_make()
    response = Client(HTTP_HOST=tenant_a.host).post(
        "/subskrypcje/", {"email": email, "whole_municipality": "on"}
    )
    assert response.status_code == 200
    assert "należy wyrazić zgodę" in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not Subscription.objects.filter(email=email).exists()


def test_a_form_with_nothing_chosen_is_refused(tenant_a):
    response = Client(HTTP_HOST=tenant_a.host).post(
        "/subskrypcje/", {"email": email_make(), "consent": "on"}
    )
    assert "co najmniej jeden obszar" in response.content.decode()


def test_opening_the_confirmation_link_confirms_nothing_and_the_button_does(tenant_a):
    # given an unconfirmed subscription
    client = Client(HTTP_HOST=tenant_a.host)
    email = email_make()
    subscribe(client, email)
    with schema_context(tenant_a.schema_name):
        subscription = Subscription.objects.get(email=email)
        token = pending_token(subscription)
    # when a mail scanner opens the link
    page = client.get(f"/subskrypcje/potwierdz/{token}/")
    # then
    assert page.status_code == 200 and "Potwierdzam" in page.content.decode()
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.get(pk=subscription.pk).confirmed_at is None
    # when the person presses the button
    done = client.post(f"/subskrypcje/potwierdz/{token}/")
    # then
    assert done.status_code == 200 and "Subskrypcja potwierdzona" in done.content.decode()
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.get(pk=subscription.pk).confirmed_at is not None
    # and the link is used up
    assert client.get(f"/subskrypcje/potwierdz/{token}/").status_code == 410


def test_the_one_click_unsubscribe_accepts_a_post_without_csrf(tenant_a):
    # given
    with schema_context(tenant_a.schema_name):
        subscription = confirmed_subscription(whole_municipality=True)
        token = unsubscribe_token(subscription)
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    # when a GET (a scanner) comes first
    assert "Wypisz mnie" in client.get(f"/subskrypcje/wypisz/{token}/").content.decode()
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.filter(pk=subscription.pk).exists()
    # when the mail provider POSTs as RFC 8058 describes
    response = client.post(
        f"/subskrypcje/wypisz/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # then
    assert response.status_code == 200
    with schema_context(tenant_a.schema_name):
        assert not Subscription.objects.filter(pk=subscription.pk).exists()
    # and repeating it is harmless
    assert client.post(f"/subskrypcje/wypisz/{token}/").status_code == 200


def test_an_unsubscribe_token_of_a_is_useless_on_b(tenant_a, tenant_b):
    # given subscriptions in A and B (B's with the same id cannot be told apart by id)
    with schema_context(tenant_a.schema_name):
        of_a = confirmed_subscription(whole_municipality=True)
        token = unsubscribe_token(of_a)
    with schema_context(tenant_b.schema_name):
        confirmed_subscription(whole_municipality=True)
        count_b = Subscription.objects.count()
    # when A's token is used on B
    response = Client(HTTP_HOST=tenant_b.host).post(f"/subskrypcje/wypisz/{token}/")
    # then
    assert response.status_code == 404
    with schema_context(tenant_b.schema_name):
        assert Subscription.objects.count() == count_b
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.filter(pk=of_a.pk).exists()


def test_a_confirmation_token_of_a_is_unknown_on_b(tenant_a, tenant_b):
    client_a = Client(HTTP_HOST=tenant_a.host)
    email = email_make()
    subscribe(client_a, email)
    with schema_context(tenant_a.schema_name):
        token = pending_token(Subscription.objects.get(email=email))
    client_b = Client(HTTP_HOST=tenant_b.host)
    assert client_b.get(f"/subskrypcje/potwierdz/{token}/").status_code == 410
    assert client_b.post(f"/subskrypcje/potwierdz/{token}/").status_code == 410
    with schema_context(tenant_a.schema_name):
        assert Subscription.objects.get(email=email).confirmed_at is None
