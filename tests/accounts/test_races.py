"""Races that used to end in a 500, run with real threads against real PostgreSQL: two
sign-ups with one address at the same moment, and two administrators demoting each other.

Committed data (each thread has its own connection), in a municipality made for this module
so that its administrators are only the ones these tests create."""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import StaffRole, User
from accounts.services import staff_access_revoke, staff_role_change, user_create
from tests.concurrency import at_once
from tests.conftest import PASSWORD, TenantInfo, tenant_make, unique

ROUNDS = 6


@pytest.fixture(scope="module")
def town(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock():
        town = tenant_make(unique("race-"), "Gmina Wyścigowa")
        yield town
        from tenants.models import Municipality

        connection.set_schema_to_public()
        Municipality.objects.get(pk=town.pk).delete(force_drop=True)


def test_two_sign_ups_with_one_address_at_once_make_one_account_and_no_500(committed_db, town):
    for _ in range(ROUNDS):
        email = unique("dwa-razy") + "@a.test"

        def sign_up(email: str = email) -> tuple[int, str | None]:
            client = Client(
                HTTP_HOST=town.host,
                REMOTE_ADDR=f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.9",
                raise_request_exception=False,
            )
            data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"}
            response = client.post("/konto/signup/", data)
            return (response.status_code, response.get("Location"))

        outcomes = at_once(sign_up, sign_up)
        # both get the "check your mailbox" answer; the second address owner learns by mail
        assert outcomes == [(302, "/konto/confirm-email/")] * 2, outcomes
        with schema_context(town.schema_name):
            assert User.objects.filter(email=email).count() == 1


def demote(schema_name: str, member: User, by: User, revoke: bool) -> str:
    with schema_context(schema_name):
        if revoke:
            return staff_access_revoke(member_id=member.pk, acting_user=by).role
        return staff_role_change(member_id=member.pk, role="moderator", acting_user=by).role


def test_two_admins_demoting_each_other_at_once_leave_one_admin_and_no_500(committed_db, town):
    for round_ in range(ROUNDS):
        with schema_context(town.schema_name):
            User.objects.filter(role=StaffRole.ADMIN).update(role="")
            first = user_create(email=unique("a1-") + "@a.test", password=None, role="admin")
            second = user_create(email=unique("a2-") + "@a.test", password=None, role="admin")

        revoke = bool(round_ % 2)  # alternately by changing the role and by revoking access
        outcomes = at_once(
            partial(demote, town.schema_name, second, first, revoke),
            partial(demote, town.schema_name, first, second, revoke),
        )
        # then one demotion went through and the other was refused with the Polish message
        refused = [o for o in outcomes if isinstance(o, ValidationError)]
        done = [o for o in outcomes if isinstance(o, str)]
        assert len(refused) == 1 and len(done) == 1, outcomes
        assert "jedyny administrator" in refused[0].messages[0]
        with schema_context(town.schema_name):
            assert User.objects.filter(role=StaffRole.ADMIN, is_active=True).count() == 1
