"""Permission predicates as matrices: role × lifecycle state, role × area."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from consultations import permissions
from consultations.models import ConsultationStatus, News
from tests.consultations.factories import consultation_in_state, people_make

S = ConsultationStatus
ROLES = [
    "admin",
    "coordinator_own",
    "coordinator_other",
    "moderator",
    "district_editor",
    "resident",
]
EDITABLE = {S.DRAFT, S.ORDERED, S.SCHEDULED, S.OPEN, S.CLOSED, S.REPORT_PUBLISHED}


@pytest.fixture
def people(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield people_make()


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_and_manage_a_consultation(people, role, state):
    consultation = consultation_in_state(state, department=people["department"])
    user = people[role]
    may_manage = role in {"admin", "coordinator_own"}
    assert permissions.can_manage_consultation(user, consultation) is may_manage
    assert permissions.can_edit_consultation(user, consultation) is (
        may_manage and state in EDITABLE
    )


@pytest.mark.django_db
def test_anonymous_visitors_may_do_nothing_in_the_panel(people):
    consultation = consultation_in_state(S.DRAFT, department=people["department"])
    anonymous = AnonymousUser()
    assert not permissions.is_municipal_staff(anonymous)
    assert not permissions.can_manage_catalogue(anonymous)
    assert not permissions.can_edit_consultation(anonymous, consultation)
    assert not permissions.can_publish_news(anonymous)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "catalogue", "consultations"),
    [
        ("admin", True, True),
        ("coordinator_own", False, True),
        ("moderator", False, False),
        ("district_editor", False, False),
        ("resident", False, False),
    ],
)
def test_panel_sections_by_role(people, role, catalogue, consultations):
    user = people[role]
    assert permissions.can_manage_catalogue(user) is catalogue
    assert permissions.can_work_on_consultations(user) is consultations


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "own_area", "other_area", "whole_municipality"),
    [
        ("admin", True, True, True),
        ("district_editor", True, False, False),
        ("coordinator_own", False, False, False),
        ("moderator", False, False, False),
    ],
)
def test_who_may_edit_news(people, role, own_area, other_area, whole_municipality):
    from consultations.models import Area

    user = people[role]
    mine = Area.objects.create(name="Osiedle Słoneczne")
    theirs = Area.objects.create(name="Stare Miasto")
    mine.editors.add(people["district_editor"])
    assert permissions.can_edit_news(user, News(area=mine)) is own_area
    assert permissions.can_edit_news(user, News(area=theirs)) is other_area
    assert permissions.can_edit_news(user, News(area=None)) is whole_municipality
