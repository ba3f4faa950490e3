"""Fixtures of the portal tests: municipality A's schema and its admin, as in consultations."""

import pytest
from django_tenants.utils import schema_context

from tests.consultations.factories import staff_make


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.fixture
def admin(in_a):
    return staff_make("admin")
