"""Export and deletion of a resident's data, and the registry other apps plug into."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from accounts import personal_data
from accounts.models import Invitation, User
from accounts.selectors import personal_data_export
from accounts.services import invitation_create, profile_update, user_create, user_delete
from tests.conftest import PASSWORD, unique


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.fixture
def resident(in_a):
    return user_create(email=unique("jan") + "@a.test", password=PASSWORD)


@pytest.fixture
def registry():
    """Leave the registry as it was after a test registers into it."""
    exporters = dict(personal_data._exporters)
    anonymisers = list(personal_data._anonymisers)
    yield personal_data
    personal_data._exporters.clear()
    personal_data._exporters.update(exporters)
    personal_data._anonymisers[:] = anonymisers


@pytest.mark.django_db
def test_the_profile_keeps_the_display_and_optional_names(resident):
    profile_update(user=resident, display_name="  Jan z Dębna ", first_name="Jan")
    resident.refresh_from_db()
    assert resident.display_name == "Jan z Dębna"
    assert resident.first_name == "Jan"
    assert resident.last_name == ""


@pytest.mark.django_db
def test_the_export_holds_the_account_and_its_addresses(resident):
    profile_update(user=resident, display_name="Jan", first_name="Jan", last_name="Kowalski")
    data = personal_data_export(user=resident)
    assert data["account"]["email"] == resident.email
    assert data["account"]["last_name"] == "Kowalski"
    assert data["email_addresses"] == [{"email": resident.email, "verified": True, "primary": True}]


@pytest.mark.django_db
def test_an_app_registers_an_exporter_and_its_data_joins_the_export(resident, registry):
    # (a name no installed app uses: "remarks" is the register's own exporter now)
    registry.register_exporter("example_app", lambda user: [{"schema": connection.schema_name}])
    data = personal_data_export(user=resident)
    assert data["example_app"] == [{"schema": "m_test_a"}]
    assert data["remarks"] == []


@pytest.mark.django_db
def test_two_exporters_cannot_share_a_name(registry):
    registry.register_exporter("surveys", lambda user: [])
    with pytest.raises(ValueError):
        registry.register_exporter("surveys", lambda user: [1])


@pytest.mark.django_db
def test_deleting_calls_the_anonymisers_then_empties_the_account(resident, registry):
    # given an app that keeps the author's name next to a contribution
    seen = []
    registry.register_anonymiser(lambda user: seen.append((user.pk, user.email)))
    email = resident.email
    # when
    user_delete(user=resident, password=PASSWORD)
    # then the anonymiser saw the person before the row was emptied
    assert seen == [(resident.pk, email)]
    row = User.objects.get(pk=resident.pk)
    assert row.email.endswith("@anonim.invalid")
    assert row.anonymised_at is not None
    assert not row.is_active
    assert not row.has_usable_password()
    assert (row.first_name, row.last_name, row.display_name) == ("", "", "")


@pytest.mark.django_db
def test_after_deletion_the_email_is_gone_from_the_schema(resident):
    # given the address also has a pending invitation
    invitation_create(email=resident.email, role="moderator")
    # when
    user_delete(user=resident, password=PASSWORD)
    # then nothing in the schema holds the address
    assert not User.objects.filter(email__iexact=resident.email).exists()
    assert not EmailAddress.objects.filter(email__iexact=resident.email).exists()
    assert not Invitation.objects.filter(email__iexact=resident.email).exists()


@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing(resident):
    with pytest.raises(ValidationError) as error:
        user_delete(user=resident, password="nie-to-haslo")
    assert "password" in error.value.message_dict
    row = User.objects.get(pk=resident.pk)
    assert row.email == resident.email
    assert row.is_active


@pytest.mark.django_db
def test_the_only_admin_cannot_delete_their_account(in_a):
    from accounts.models import StaffRole

    User.objects.filter(role=StaffRole.ADMIN).update(role="")
    admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    with pytest.raises(ValidationError):
        user_delete(user=admin, password=PASSWORD)
    assert User.objects.get(pk=admin.pk).role == "admin"
