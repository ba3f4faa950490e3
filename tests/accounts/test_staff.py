"""Staff management services on real PostgreSQL, inside municipality A's schema."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from accounts.models import Invitation, StaffRole, User
from accounts.selectors import staff_members
from accounts.services import (
    invitation_accept,
    invitation_cancel,
    invitation_resend,
    staff_access_revoke,
    staff_invite,
    staff_role_change,
    token_hash,
    user_create,
)
from tests.conftest import PASSWORD, unique


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        # Each test starts with exactly one administrator: the one it makes.
        User.objects.filter(role=StaffRole.ADMIN).update(role="")
        yield tenant_a


@pytest.fixture
def admin(in_a):
    return user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")


def member(role: str) -> User:
    return user_create(email=unique(role[:4]) + "@a.test", password=PASSWORD, role=role)


@pytest.mark.django_db
def test_inviting_records_a_pending_invitation_for_the_role(admin):
    # when
    invitation = staff_invite(email=" Nowa@A.Test ", role="coordinator", acting_user=admin)
    # then
    assert invitation.email == "nowa@a.test"
    assert invitation.role == "coordinator"
    assert invitation.invited_by == admin
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_inviting_the_same_address_twice_is_refused_with_a_message(admin):
    staff_invite(email="dwa@a.test", role="moderator", acting_user=admin)
    with pytest.raises(ValidationError) as error:
        staff_invite(email="DWA@a.test", role="coordinator", acting_user=admin)
    assert "email" in error.value.message_dict
    assert Invitation.objects.filter(email="dwa@a.test").count() == 1


@pytest.mark.django_db
def test_inviting_a_staff_member_again_is_refused(admin):
    coordinator = member("coordinator")
    with pytest.raises(ValidationError):
        staff_invite(email=coordinator.email, role="admin", acting_user=admin)
    assert not Invitation.objects.filter(email=coordinator.email).exists()


@pytest.mark.django_db
def test_an_unknown_role_is_refused(admin):
    with pytest.raises(ValidationError):
        staff_invite(email="x@a.test", role="superuser", acting_user=admin)


@pytest.mark.django_db
def test_resending_replaces_the_link_so_the_old_one_stops_working(admin):
    # given
    invitation = staff_invite(email=unique("r") + "@a.test", role="moderator", acting_user=admin)
    old_hash = invitation.token_hash
    # when
    resent = invitation_resend(invitation_id=invitation.pk, acting_user=admin)
    # then
    assert resent.pk == invitation.pk
    assert resent.token_hash != old_hash
    assert not Invitation.objects.filter(token_hash=old_hash).exists()


@pytest.mark.django_db
def test_a_cancelled_invitation_can_no_longer_be_accepted(admin):
    from accounts.services import invitation_create

    invitation, token = invitation_create(
        email=unique("c") + "@a.test", role="moderator", invited_by=admin
    )
    invitation_cancel(invitation_id=invitation.pk, acting_user=admin)
    with pytest.raises(ValidationError):
        invitation_accept(token=token, password=PASSWORD)
    assert not Invitation.objects.filter(token_hash=token_hash(token)).exists()
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_the_admin_changes_a_members_role(admin):
    coordinator = member("coordinator")
    staff_role_change(member_id=coordinator.pk, role="moderator", acting_user=admin)
    assert User.objects.get(pk=coordinator.pk).role == "moderator"


@pytest.mark.django_db
def test_the_last_admin_cannot_drop_their_own_admin_role(admin):
    with pytest.raises(ValidationError) as error:
        staff_role_change(member_id=admin.pk, role="coordinator", acting_user=admin)
    assert "jedyny administrator" in error.value.messages[0]
    assert User.objects.get(pk=admin.pk).role == "admin"


@pytest.mark.django_db
def test_the_last_admin_cannot_revoke_their_own_access(admin):
    with pytest.raises(ValidationError):
        staff_access_revoke(member_id=admin.pk, acting_user=admin)
    assert User.objects.get(pk=admin.pk).role == "admin"


@pytest.mark.django_db
def test_with_a_second_admin_the_first_may_step_down(admin):
    second = member("admin")
    staff_role_change(member_id=admin.pk, role="coordinator", acting_user=admin)
    assert User.objects.get(pk=admin.pk).role == "coordinator"
    with pytest.raises(ValidationError):
        staff_role_change(member_id=second.pk, role="moderator", acting_user=second)


@pytest.mark.django_db
def test_revoking_access_keeps_the_person_as_a_resident(admin):
    editor = member("district_editor")
    staff_access_revoke(member_id=editor.pk, acting_user=admin)
    editor.refresh_from_db()
    assert editor.role == ""
    assert editor.is_active
    assert editor.check_password(PASSWORD)
    assert editor not in staff_members()


@pytest.mark.django_db
def test_a_resident_is_not_a_member_whose_role_can_be_changed(admin):
    resident = user_create(email=unique("res") + "@a.test", password=PASSWORD)
    with pytest.raises(ValidationError):
        staff_role_change(member_id=resident.pk, role="admin", acting_user=admin)
    assert User.objects.get(pk=resident.pk).role == ""


@pytest.mark.django_db
def test_the_staff_list_puts_admins_first_and_leaves_residents_out(admin):
    moderator = member("moderator")
    resident = user_create(email=unique("res") + "@a.test", password=PASSWORD)
    listed = list(staff_members())
    assert listed[0] == admin
    assert moderator in listed
    assert resident not in listed
