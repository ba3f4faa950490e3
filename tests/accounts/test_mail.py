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
    client = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.3")
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
    assert re.search(rf"http://{re.escape(tenant_a.host)}/konto/confirm-email/\S+/", mail)


def test_the_password_reset_mail_links_to_the_municipalitys_own_host(
    committed_db, live_stack, tenant_b
):
    from django_tenants.utils import schema_context

    email = unique("reset") + "@b.test"
    with schema_context(tenant_b.schema_name):
        user_create(email=email, password=PASSWORD)
    response = Client(HTTP_HOST=tenant_b.host).post("/konto/password/reset/", {"email": email})
    assert response.status_code == 302
    mail = live_stack.wait_for_mail(email)
    assert f"Subject: [{tenant_b.name}] Ustawienie nowego hasła" in mail
    assert re.search(rf"http://{re.escape(tenant_b.host)}/konto/password/reset/key/\S+/", mail)
    assert "Gmina Testowa A" not in mail
