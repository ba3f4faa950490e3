"""A municipal admin manages the staff in Chromium, in Polish, with WCAG 2.1 AA on each page."""

import re

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from consultations.models import Department
from tests.conftest import PASSWORD, assert_accessible, tenant_make, unique

pytestmark = pytest.mark.browser


def test_an_admin_invites_a_coordinator_who_joins_and_then_gets_another_role(
    page, live_stack, committed_db
):
    # A fresh municipality whose only administrator is the one signing in.
    info = tenant_make(unique("zespol-"), "Gmina Zespołowa")
    admin_email = unique("sekretarz") + "@zespol.test"
    coordinator_email = unique("koordynatorka") + "@zespol.test"
    with schema_context(info.schema_name):
        user_create(email=admin_email, password=PASSWORD, role="admin")
        Department.objects.create(name="Wydział Inwestycji")
        Department.objects.create(name="Wydział Kultury")

    page.goto(live_stack.url(info.host, "/konto/login/"))
    page.get_by_label(re.compile("e-mail", re.I)).fill(admin_email)
    page.get_by_label(re.compile(r"^Hasło:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Panel urzędu").wait_for()

    page.goto(live_stack.url(info.host, "/panel/zespol/"))
    page.get_by_role("heading", name="Zespół", exact=True).wait_for()
    assert_accessible(page, "staff-list")

    # The admin invites a coordinator.
    page.get_by_role("link", name="Zaproś osobę").click()
    page.get_by_role("heading", name="Zaproś osobę").wait_for()
    assert_accessible(page, "staff-invite")
    page.get_by_label("Adres e-mail").fill(coordinator_email)
    # The role offered first is the coordinator's, never the administrator's.
    assert page.get_by_label("Rola").input_value() == "coordinator"
    page.get_by_label("Wydział Inwestycji").check()
    page.get_by_role("button", name="Wyślij zaproszenie").click()
    page.get_by_text(f"Wysłano zaproszenie na adres {coordinator_email}.").wait_for()
    assert page.get_by_role("cell", name=coordinator_email, exact=True).is_visible()
    assert_accessible(page, "staff-list-with-invitation")

    # The admin alone cannot stop being an administrator: a clear message, nothing changes.
    page.get_by_role("link", name=f"Zmień rolę: {admin_email}").click()
    page.get_by_label("Rola").select_option(label="Moderator")
    page.get_by_role("button", name="Zapisz rolę").click()
    page.get_by_text(re.compile("To jedyny administrator gminy")).wait_for()
    assert_accessible(page, "staff-member-last-admin")

    # The coordinator accepts the invitation in their own browser and sees the panel.
    mail = live_stack.wait_for_mail(coordinator_email)
    assert "Gmina Zespołowa" in mail
    link = re.search(r"http://\S+/zaproszenie/\S+/", mail).group(0)
    assert link.startswith(f"http://{info.host}:{live_stack.port}/")
    context = page.context.browser.new_context(locale="pl-PL")
    coordinator = context.new_page()
    coordinator.goto(link)
    coordinator.get_by_role("heading", name="Ustaw hasło").wait_for()
    coordinator.get_by_label("Nowe hasło").fill(PASSWORD)
    coordinator.get_by_label("Powtórz hasło").fill(PASSWORD)
    coordinator.get_by_role("button", name=re.compile("Ustaw hasło i zaloguj")).click()
    coordinator.get_by_role("heading", name="Panel urzędu").wait_for()
    assert "Koordynator" in coordinator.content()
    # They have work at once: the consultations of the department they were invited to.
    coordinator.get_by_role("link", name="Zarządzaj konsultacjami").wait_for()
    assert_accessible(coordinator, "staff-coordinator-panel")
    # The team page is the admin's only: for the coordinator it does not exist.
    response = coordinator.goto(live_stack.url(info.host, "/panel/zespol/"))
    assert response.status == 404

    # The admin sees the new member and makes them a moderator.
    page.goto(live_stack.url(info.host, "/panel/zespol/"))
    page.get_by_role("link", name=f"Zmień rolę: {coordinator_email}").click()
    page.get_by_role("heading", name=coordinator_email).wait_for()
    assert_accessible(page, "staff-member")
    page.get_by_label("Rola").select_option(label="Moderator")
    page.get_by_role("button", name="Zapisz rolę").click()
    page.get_by_text(f"Zmieniono rolę: {coordinator_email}.").wait_for()
    row = page.get_by_role("row", name=re.compile(re.escape(coordinator_email)))
    assert "Moderator" in row.inner_text()
    assert_accessible(page, "staff-list-after-role-change")

    # The coordinator's next page shows the new role.
    coordinator.goto(live_stack.url(info.host, "/panel/"))
    assert "Moderator" in coordinator.content()
    context.close()
    with schema_context(info.schema_name):
        assert User.objects.get(email=coordinator_email).role == "moderator"
