"""The register's predicates as a matrix: role × consultation state × action, against a
table written out by hand from the issue (not computed from the code)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from remarks import permissions
from tests.consultations.factories import consultation_in_state, people_make
from tests.remarks.helpers import staff_make

S = ConsultationStatus
ROLES = [
    "admin",
    "coordinator_own",
    "coordinator_other",
    "moderator",
    "district_editor",
    "resident",
]
RUNS = {"admin", "coordinator_own"}
ALL = set(S.values)

# action → (roles allowed, states allowed)
TABLE = {
    "view_register": (RUNS | {"moderator"}, {S.OPEN, S.CLOSED, S.REPORT_PUBLISHED, S.ARCHIVED}),
    "enter_remark": (RUNS, {S.OPEN, S.CLOSED}),
    "check_formally": (RUNS, {S.OPEN, S.CLOSED}),
    "draft_response": (RUNS, {S.OPEN, S.CLOSED}),
    "moderate": (RUNS | {"moderator"}, {S.OPEN, S.CLOSED, S.REPORT_PUBLISHED}),
    "edit_draft": (RUNS, {S.DRAFT, S.ORDERED, S.SCHEDULED}),
}
PREDICATES = {
    "view_register": permissions.can_view_register,
    "enter_remark": permissions.can_enter_remark,
    "check_formally": permissions.can_check_formally,
    "draft_response": permissions.can_draft_response,
    "moderate": permissions.can_moderate,
    "edit_draft": permissions.can_edit_draft,
}


@pytest.fixture
def people(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield people_make(staff_make)


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_who_may_do_what_in_which_state(people, role, state, action):
    consultation = consultation_in_state(state, department=people["department"])
    roles, states = TABLE[action]
    expected = role in roles and state in states
    assert PREDICATES[action](people[role], consultation) is expected


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ROLES)
def test_approval_needs_a_second_person_who_runs_the_consultation(people, role, state):
    consultation = consultation_in_state(state, department=people["department"])
    author = people["coordinator_own"]
    user = people[role]
    expected = role == "admin" and state in {S.OPEN, S.CLOSED}
    assert permissions.can_approve_response(user, consultation, author.pk) is expected
    # nobody approves their own response
    assert permissions.can_approve_response(author, consultation, author.pk) is False


@pytest.mark.django_db
def test_anonymous_visitors_may_do_nothing_in_the_register(people):
    consultation = consultation_in_state(S.OPEN, department=people["department"])
    anonymous = AnonymousUser()
    assert not any(predicate(anonymous, consultation) for predicate in PREDICATES.values())
