"""Mail django-allauth renders leaves through the real Celery worker, in Polish, in the name
and on the host of the municipality the request came to."""

import re

import pytest
from django.test import Client

from accounts.services import user_create
from tests.conftest import PASSWORD, unique

pytestmark = pytest.mark.live


def test_the_confirmation_mail_is_polish_and_carries_the_municipality(
    committed_db, live_stack, tenant_a
):
    # given an English-speaking browser
    email = unique("poczta") + "@a.test"
    # (the Host header names a port the site is not served on: links must not take it)
    client = Client(
        HTTP_HOST=f"{tenant_a.host}:8443", HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.3"
    )
    # when the resident signs up (the page does not wait for the mail server)
    response = client.post(
        "/konto/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"},
    )
    assert response.status_code == 302
    # then the worker sends a Polish mail in A's name with a link on A's host
    mail = live_stack.wait_for_mail(email)
    assert f"Subject: [{tenant_a.name}] Potwierdź adres e-mail" in mail
    assert f"serwisu konsultacji społecznych – {tenant_a.name} ({tenant_a.host})" in mail
    site = f"http://{tenant_a.host}:{live_stack.port}"
    assert re.search(rf"{re.escape(site)}/konto/confirm-email/\S+/", mail)
    assert ":8443" not in mail


def test_the_password_reset_mail_links_to_the_municipalitys_own_host(
    committed_db, live_stack, tenant_b
):
    from django_tenants.utils import schema_context

    email = unique("reset") + "@b.test"
    with schema_context(tenant_b.schema_name):
        user_create(email=email, password=PASSWORD)
    response = Client(HTTP_HOST=f"{tenant_b.host}:8443").post(
        "/konto/password/reset/", {"email": email}
    )
    assert response.status_code == 302
    mail = live_stack.wait_for_mail(email)
    assert f"Subject: [{tenant_b.name}] Ustawienie nowego hasła" in mail
    site = f"http://{tenant_b.host}:{live_stack.port}"
    assert re.search(rf"{re.escape(site)}/konto/password/reset/key/\S+/", mail)
    assert ":8443" not in mail
    assert "Gmina Testowa A" not in mail


def test_the_account_exists_mail_links_to_the_stored_address_not_the_host_header(
    committed_db, live_stack, tenant_a
):
    from django_tenants.utils import schema_context

    email = unique("juz") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD)
    # someone signs up again with the same address, through a Host header with a port
    response = Client(HTTP_HOST=f"{tenant_a.host}:8443", REMOTE_ADDR="10.1.2.4").post(
        "/konto/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"},
    )
    assert response.status_code == 302
    mail = live_stack.wait_for_mail(email)
    site = f"http://{tenant_a.host}:{live_stack.port}"
    assert f"{site}/konto/password/reset/" in mail
    assert ":8443" not in mail
