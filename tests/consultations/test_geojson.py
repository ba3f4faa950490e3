"""An area's outline: GeoJSON nested without end is refused with a message, not a 500."""

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import Area
from tests.conftest import force_login, unique
from tests.consultations.factories import staff_make

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[14.0, 52.0], [14.1, 52.0], [14.1, 52.1], [14.0, 52.0]]],
}


def nested(depth: int) -> str:
    """A Polygon whose coordinates are ``depth`` arrays deep (a real one is 3)."""
    return '{"type": "Polygon", "coordinates": ' + "[" * depth + "]" * depth + "}"


@pytest.fixture
def admin_client(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [100_000, 2_000, 100])
def test_a_deeply_nested_outline_is_refused_in_polish_and_nothing_is_saved(
    admin_client, tenant_a, depth
):
    name = unique("Osiedle ")
    response = admin_client.post("/panel/obszary/nowy/", {"name": name, "outline": nested(depth)})
    assert response.status_code == 200
    assert response.context["form"].errors["outline"] == [
        "Zarys ma zbyt wiele poziomów zagnieżdżenia, by był poprawnym GeoJSON."
    ]
    with schema_context(tenant_a.schema_name):
        assert not Area.objects.filter(name=name).exists()


@pytest.mark.django_db
def test_a_real_outline_is_still_saved(admin_client, tenant_a):
    feature_collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"nazwa": "Stare Miasto"}, "geometry": SQUARE}
        ],
    }
    name = unique("Stare Miasto ")
    response = admin_client.post(
        "/panel/obszary/nowy/", {"name": name, "outline": json.dumps(feature_collection)}
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert json.loads(Area.objects.get(name=name).outline) == feature_collection
