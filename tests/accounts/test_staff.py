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
from consultations.models import Department
from consultations.permissions import can_work_on_consultations
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
    # given
    department = Department.objects.create(name=unique("Wydział Edukacji "))
    # when
    invitation = staff_invite(
        email=" Nowa@A.Test ",
        role="coordinator",
        acting_user=admin,
        department_ids=[department.pk],
    )
    # then
    assert invitation.email == "nowa@a.test"
    assert invitation.role == "coordinator"
    assert invitation.invited_by == admin
    assert invitation.accepted_at is None
    assert invitation.department_ids == [department.pk]


@pytest.mark.django_db
def test_a_coordinator_who_accepts_lands_in_the_departments_of_the_invitation(admin):
    # given: two departments, the invitation names one of them
    chosen = Department.objects.create(name=unique("Wydział Inwestycji "))
    other = Department.objects.create(name=unique("Wydział Kultury "))
    invitation = staff_invite(
        email=unique("koord") + "@a.test",
        role="coordinator",
        acting_user=admin,
        department_ids=[chosen.pk],
    )
    token = "znany-token-" + unique("")
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(token))
    # when
    user = invitation_accept(token=token, password=PASSWORD)
    # then: the panel has the consultations of that department to work on, not of the other
    assert list(user.coordinated_departments.values_list("pk", flat=True)) == [chosen.pk]
    assert can_work_on_consultations(User.objects.get(pk=user.pk))
    assert not other.coordinators.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_a_coordinator_invitation_without_a_department_is_refused(admin):
    Department.objects.create(name=unique("Wydział Sportu "))
    with pytest.raises(ValidationError) as error:
        staff_invite(email=unique("bez") + "@a.test", role="coordinator", acting_user=admin)
    assert "departments" in error.value.message_dict
    assert not Invitation.objects.filter(invited_by=admin).exists()


@pytest.mark.django_db
def test_a_coordinator_invitation_naming_an_unknown_department_is_refused(admin):
    Department.objects.create(name=unique("Wydział Zdrowia "))
    with pytest.raises(ValidationError) as error:
        staff_invite(
            email=unique("obcy") + "@a.test",
            role="coordinator",
            acting_user=admin,
            department_ids=[987654321],
        )
    assert "departments" in error.value.message_dict


@pytest.mark.django_db
def test_a_moderator_invitation_carries_no_department(admin):
    department = Department.objects.create(name=unique("Wydział Ochrony "))
    invitation = staff_invite(
        email=unique("mod") + "@a.test",
        role="moderator",
        acting_user=admin,
        department_ids=[department.pk],
    )
    assert invitation.department_ids == []


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
