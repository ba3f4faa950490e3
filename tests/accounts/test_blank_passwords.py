"""A password of nothing but spaces (or other blanks) is refused wherever one is set: it
passes the length check, is no common password and is not numeric."""

import random

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from accounts.services import invitation_create, user_create
from tests.conftest import PASSWORD, force_login, unique

BLANKS = ["          ", "\t\t\t\t\t\t\t\t\t\t", "\u00a0" * 12, " \u3000 \u2003 \u2009   \u205f  "]
MESSAGE = "nie może składać się wyłącznie ze spacji"


def client_for(host: str) -> Client:
    return Client(
        HTTP_HOST=host, REMOTE_ADDR=f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.7"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("blank", BLANKS)
def test_sign_up_with_a_blank_password_is_refused_in_polish(tenant_a, blank):
    email = unique("spacje") + "@a.test"
    response = client_for(tenant_a.host).post(
        "/konto/signup/",
        {"email": email, "password1": blank, "password2": blank, "terms": "on"},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email=email).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("blank", BLANKS)
def test_accepting_an_invitation_with_a_blank_password_changes_nothing(tenant_a, blank):
    with schema_context(tenant_a.schema_name):
        invitation, token = invitation_create(email=unique("z") + "@gmina.test", role="admin")
    response = client_for(tenant_a.host).post(
        f"/zaproszenie/{token}/", {"password1": blank, "password2": blank}
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
        assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_changing_to_a_blank_password_is_refused(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("zm") + "@a.test", password=PASSWORD)
    client = client_for(tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    blank = BLANKS[0]
    response = client.post(
        "/konto/password/change/",
        {"oldpassword": PASSWORD, "password1": blank, "password2": blank},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
