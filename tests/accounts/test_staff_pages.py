"""The staff team pages: who may open them, and what a form post changes."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Invitation, StaffRole, User
from accounts.services import user_create
from consultations.models import Department
from tests.conftest import PASSWORD, force_login, unique


@pytest.fixture
def admin_client(tenant_a):
    with schema_context(tenant_a.schema_name):
        User.objects.filter(role=StaffRole.ADMIN).update(role="")
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    client.admin = admin
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "moderator", "district_editor", ""])
def test_only_the_admin_sees_the_team_page_others_get_a_404(tenant_a, role):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("u") + "@a.test", password=PASSWORD, role=role)
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    assert client.get("/panel/zespol/").status_code == 404
    assert client.get("/panel/zespol/zapros/").status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(tenant_a):
    response = Client(HTTP_HOST=tenant_a.host).get("/panel/zespol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


@pytest.mark.django_db
def test_the_admin_invites_from_the_form(tenant_a, admin_client):
    email = unique("nowy") + "@a.test"
    with schema_context(tenant_a.schema_name):
        department = Department.objects.create(name=unique("Wydział Gospodarki "))
    response = admin_client.post(
        "/panel/zespol/zapros/",
        {"email": email, "role": "coordinator", "departments": [str(department.pk)]},
    )
    assert response.status_code == 302
    listing = admin_client.get("/panel/zespol/").content.decode()
    assert email in listing
    with schema_context(tenant_a.schema_name):
        invitation = Invitation.objects.get(email=email)
    assert (invitation.role, invitation.department_ids) == ("coordinator", [department.pk])


@pytest.mark.django_db
def test_the_invitation_form_offers_the_departments_and_does_not_default_to_admin(
    tenant_a, admin_client
):
    with schema_context(tenant_a.schema_name):
        department = Department.objects.create(name=unique("Wydział Architektury "))
    page = admin_client.get("/panel/zespol/zapros/").content.decode()
    selected = re.search(r'<option value="([a-z_]+)"[^>]*\bselected\b', page)
    assert selected is not None and selected.group(1) == "coordinator"
    assert f'value="{department.pk}"' in page and department.name in page


@pytest.mark.django_db
def test_a_coordinator_invited_without_a_department_gets_a_polish_message(tenant_a, admin_client):
    email = unique("bez") + "@a.test"
    with schema_context(tenant_a.schema_name):
        Department.objects.create(name=unique("Wydział Rolnictwa "))
    response = admin_client.post("/panel/zespol/zapros/", {"email": email, "role": "coordinator"})
    assert response.status_code == 200
    assert "Prosimy wybrać wydziały" in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not Invitation.objects.filter(email=email).exists()


@pytest.mark.django_db
def test_the_last_admin_sees_a_polish_message_and_keeps_the_role(tenant_a, admin_client):
    admin = admin_client.admin
    response = admin_client.post(f"/panel/zespol/{admin.pk}/", {"role": "moderator"})
    assert response.status_code == 200
    assert "To jedyny administrator gminy." in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=admin.pk).role == "admin"


@pytest.mark.django_db
def test_a_resident_id_on_the_member_page_is_a_404(tenant_a, admin_client):
    with schema_context(tenant_a.schema_name):
        resident = user_create(email=unique("res") + "@a.test", password=PASSWORD)
    assert admin_client.get(f"/panel/zespol/{resident.pk}/").status_code == 404
    assert admin_client.post(f"/panel/zespol/{resident.pk}/odbierz-dostep/").status_code == 404


@pytest.mark.django_db
def test_revoking_from_the_page_empties_the_role(tenant_a, admin_client):
    with schema_context(tenant_a.schema_name):
        moderator = user_create(
            email=unique("mod") + "@a.test", password=PASSWORD, role="moderator"
        )
    response = admin_client.post(f"/panel/zespol/{moderator.pk}/odbierz-dostep/")
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=moderator.pk).role == ""


@pytest.mark.django_db
def test_a_get_on_an_action_changes_nothing(tenant_a, admin_client):
    with schema_context(tenant_a.schema_name):
        moderator = user_create(
            email=unique("mod") + "@a.test", password=PASSWORD, role="moderator"
        )
    assert admin_client.get(f"/panel/zespol/{moderator.pk}/odbierz-dostep/").status_code == 405
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=moderator.pk).role == "moderator"
