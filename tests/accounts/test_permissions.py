"""can_manage_staff and can_manage_own_account as a role matrix."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.permissions import can_manage_own_account, can_manage_staff

ROLES = ["admin", "coordinator", "moderator", "district_editor", ""]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "active", "expected"),
    [(role, True, role == "admin") for role in ROLES] + [("admin", False, False)],
)
def test_only_an_active_admin_manages_staff(tenant_a, role, active, expected):
    user = User(email="x@a.test", role=role, is_active=active)
    with schema_context(tenant_a.schema_name):
        assert can_manage_staff(user) is expected


@pytest.mark.django_db
def test_nobody_manages_staff_in_the_public_schema():
    assert can_manage_staff(User(email="op@konsulta.test", role="admin", is_staff=True)) is False


@pytest.mark.django_db
def test_anonymous_visitors_manage_nothing(tenant_a):
    with schema_context(tenant_a.schema_name):
        assert can_manage_staff(AnonymousUser()) is False
        assert can_manage_own_account(AnonymousUser()) is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_person_manages_their_own_account(tenant_a, role):
    with schema_context(tenant_a.schema_name):
        assert can_manage_own_account(User(email="x@a.test", role=role)) is True
