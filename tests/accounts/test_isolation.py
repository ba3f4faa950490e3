"""Accounts of one municipality mean nothing on another: sign-in, confirmation and password
reset links, and the staff list."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from tests.conftest import PASSWORD, force_login, unique


def signup(host: str, email: str) -> None:
    Client(HTTP_HOST=host, REMOTE_ADDR="10.9.9.9").post(
        "/konto/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"},
    )


@pytest.mark.django_db
def test_a_resident_of_a_cannot_sign_in_on_b(tenant_a, tenant_b):
    email = unique("jan") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD)
    on_b = Client(HTTP_HOST=tenant_b.host).post(
        "/konto/login/", {"login": email, "password": PASSWORD}
    )
    assert on_b.status_code == 200
    assert on_b.context["form"].errors
    assert "_auth_user_id" not in on_b.client.session


@pytest.mark.django_db
def test_a_confirmation_link_of_a_confirms_nothing_on_b(tenant_a, tenant_b):
    # given a resident signing up on A, and an unconfirmed address on B
    email_a = unique("a") + "@a.test"
    email_b = unique("b") + "@b.test"
    signup(tenant_a.host, email_a)
    signup(tenant_b.host, email_b)
    with schema_context(tenant_a.schema_name):
        key = EmailConfirmation.objects.get(email_address__email=email_a).key
    # when A's link is opened and submitted on B
    client_b = Client(HTTP_HOST=tenant_b.host)
    page = client_b.get(f"/konto/confirm-email/{key}/")
    client_b.post(f"/konto/confirm-email/{key}/")
    # then B says the link is not valid and confirms nothing
    assert "wygasł lub jest nieprawidłowy" in page.content.decode()
    with schema_context(tenant_b.schema_name):
        assert not EmailAddress.objects.filter(verified=True, email=email_b).exists()
    with schema_context(tenant_a.schema_name):
        assert not EmailAddress.objects.get(email=email_a).verified


@pytest.mark.django_db
def test_a_password_reset_link_of_a_is_useless_on_b(tenant_a, tenant_b):
    # given a person on A with a reset link, and people on B (one may share the id)
    with schema_context(tenant_a.schema_name):
        user_a = user_create(email=unique("a") + "@a.test", password=PASSWORD)
        path = (
            f"/konto/password/reset/key/{user_pk_to_url_str(user_a)}-"
            f"{default_token_generator.make_token(user_a)}/"
        )
    with schema_context(tenant_b.schema_name):
        for _ in range(3):
            user_create(email=unique("b") + "@b.test", password=PASSWORD)
    # when the link is opened on B
    on_b = Client(HTTP_HOST=tenant_b.host).get(path, follow=True)
    # then B shows the token as invalid, while A accepts it
    assert on_b.context["token_fail"] is True
    assert "Link jest nieważny" in on_b.content.decode()
    on_a = Client(HTTP_HOST=tenant_a.host).get(path, follow=True)
    assert not on_a.context.get("token_fail")
    assert "Ustaw nowe hasło" in on_a.content.decode()


@pytest.mark.django_db
def test_the_staff_list_of_b_never_shows_the_people_of_a(tenant_a, tenant_b):
    # given staff on A and an admin on B
    with schema_context(tenant_a.schema_name):
        coordinator_a = user_create(
            email=unique("koord") + "@a.test", password=PASSWORD, role="coordinator"
        )
    with schema_context(tenant_b.schema_name):
        admin_b = user_create(email=unique("adm") + "@b.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_b.host)
    force_login(client, admin_b, tenant_b.schema_name)
    # when
    response = client.get("/panel/zespol/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert admin_b.email in body
    assert coordinator_a.email not in body
    # and A's member is "not found" on B, as any unknown id
    with schema_context(tenant_b.schema_name):
        assert not User.objects.filter(email=coordinator_a.email).exists()
