import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.branding import contrast_ratio
from consultations.selectors import site_settings_get
from consultations.services import site_settings_update
from tests.conftest import PASSWORD, force_login, unique


def png(size=(20, 24), colour=(200, 0, 0)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile("herb.png", buffer.getvalue(), content_type="image/png")


def test_contrast_ratio_matches_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


@pytest.fixture
def admin_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
        yield user


@pytest.mark.django_db
def test_a_colour_too_light_for_white_text_is_refused(admin_a):
    before = site_settings_get().primary_colour
    with pytest.raises(ValidationError) as exc:
        site_settings_update(acting_user=admin_a, primary_colour="#ffdd00")
    assert "co najmniej 4,5:1" in exc.value.message_dict["primary_colour"][0]
    assert site_settings_get().primary_colour == before


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused(admin_a):
    fake = SimpleUploadedFile("herb.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        site_settings_update(acting_user=admin_a, primary_colour="#1f4e79", coat_of_arms=fake)
    assert "coat_of_arms" in exc.value.message_dict


@pytest.mark.django_db
def test_saving_updates_the_cached_settings(admin_a, django_capture_on_commit_callbacks):
    # given settings already cached
    site_settings_get()
    # when they are saved (the cache is cleared on commit, run here as the commit would)
    with django_capture_on_commit_callbacks(execute=True):
        site_settings_update(acting_user=admin_a, primary_colour="#123456", tagline="Nowe hasło")
    # then the next read sees the new values, not the cached ones
    assert site_settings_get().tagline == "Nowe hasło"


@pytest.mark.django_db
def test_the_coat_of_arms_is_stored_under_the_tenant_folder(admin_a, tenant_a):
    row = site_settings_update(acting_user=admin_a, primary_colour="#1f4e79", coat_of_arms=png())
    assert row.coat_of_arms.url.startswith(f"/media/{tenant_a.schema_name}/branding/")
    assert f"/{tenant_a.schema_name}/branding/" in row.coat_of_arms.path


@pytest.mark.django_db
def test_only_the_municipal_admin_opens_the_settings_page(tenant_a):
    with schema_context(tenant_a.schema_name):
        moderator = user_create(
            email=unique("mod") + "@a.test", password=PASSWORD, role="moderator"
        )
        resident = user_create(email=unique("res") + "@a.test", password=PASSWORD)
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    assert client.get("/panel/ustawienia/").status_code == 302  # to the sign-in page
    expected = {moderator: 404, resident: 404, admin: 200}
    for user, status in expected.items():
        force_login(client, user, tenant_a.schema_name)
        assert client.get("/panel/ustawienia/").status_code == status
    force_login(client, resident, tenant_a.schema_name)
    assert client.get("/panel/").status_code == 404
    force_login(client, moderator, tenant_a.schema_name)
    assert client.get("/panel/").status_code == 200


@pytest.mark.django_db
def test_the_settings_form_shows_the_error_and_keeps_the_old_colour(tenant_a, admin_a):
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin_a, tenant_a.schema_name)
    response = client.post("/panel/ustawienia/", {"primary_colour": "#fafafa", "tagline": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["primary_colour"]
    with schema_context(tenant_a.schema_name):
        assert site_settings_get().primary_colour != "#fafafa"
