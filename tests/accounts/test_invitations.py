from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from accounts.services import invitation_accept, invitation_create, invitation_send_mail
from tests.conftest import PASSWORD, unique


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.mark.django_db
def test_the_invitation_mail_links_to_the_municipality_site(in_a):
    # given
    invitation, token = invitation_create(email="Nowa@Gmina.Test", role="coordinator")
    # when
    invitation_send_mail(invitation=invitation, token=token)
    # then
    message = mail.outbox[-1]
    assert message.to == ["nowa@gmina.test"]
    assert f"http://{in_a.host}:" in message.body
    assert f"/zaproszenie/{token}/" in message.body
    assert in_a.name in message.subject
    assert Invitation.objects.get(pk=invitation.pk).token_hash != token  # only a hash is kept


@pytest.mark.django_db
def test_accepting_sets_the_password_and_role_once(in_a):
    # given
    email = unique("k") + "@gmina.test"
    _, token = invitation_create(email=email, role="moderator")
    # when
    user = invitation_accept(token=token, password=PASSWORD)
    # then
    assert user.check_password(PASSWORD)
    assert user.role == "moderator"
    assert user.emailaddress_set.get().verified
    with pytest.raises(ValidationError):
        invitation_accept(token=token, password="Inne-Haslo-2026-X")
    assert User.objects.get(email=email).check_password(PASSWORD)


@pytest.mark.django_db
def test_an_expired_invitation_is_refused(in_a):
    invitation, token = invitation_create(email=unique("e") + "@gmina.test", role="admin")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    with pytest.raises(ValidationError):
        invitation_accept(token=token, password=PASSWORD)
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_a_weak_password_changes_nothing(in_a):
    invitation, token = invitation_create(email=unique("w") + "@gmina.test", role="admin")
    with pytest.raises(ValidationError):
        invitation_accept(token=token, password="12345")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_opening_the_link_uses_nothing_up(tenant_a):
    # Mail clients pre-fetch links: a GET must only show the form.
    with schema_context(tenant_a.schema_name):
        invitation, token = invitation_create(email=unique("g") + "@gmina.test", role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    for _ in range(2):
        response = client.get(f"/zaproszenie/{token}/")
        assert response.status_code == 200
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


@pytest.mark.django_db
def test_accepting_through_the_page_signs_in_and_opens_the_panel(tenant_a):
    with schema_context(tenant_a.schema_name):
        _, token = invitation_create(email=unique("p") + "@gmina.test", role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    response = client.post(f"/zaproszenie/{token}/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/panel/"
    assert client.get("/panel/").status_code == 200
    # the link is used up
    assert client.get(f"/zaproszenie/{token}/").status_code == 410


@pytest.mark.django_db
def test_mismatched_passwords_show_a_message_and_change_nothing(tenant_a):
    with schema_context(tenant_a.schema_name):
        invitation, token = invitation_create(email=unique("m") + "@gmina.test", role="admin")
    response = Client(HTTP_HOST=tenant_a.host).post(
        f"/zaproszenie/{token}/", {"password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
