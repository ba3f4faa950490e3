import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.conftest import PASSWORD, force_login, unique


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_orders", "sees_team"),
    [("admin", True, True), ("coordinator", True, False), ("moderator", False, False)],
)
def test_the_panel_home_leads_each_role_to_its_sections(tenant_a, role, sees_orders, sees_team):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique(role) + "@a.test", password=PASSWORD, role=role)
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    body = client.get("/panel/").content.decode()
    assert ('href="/panel/zamowienia/"' in body) is sees_orders
    assert ('href="/panel/zespol/"' in body) is sees_team
    assert ("Zamówienia i płatności" in body) is sees_orders
