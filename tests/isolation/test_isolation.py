"""No municipality ever sees another's data: accounts, sessions, cache, files, tasks, hosts."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import invitation_create, user_create
from tenants.models import Municipality
from tenants.services import municipality_status_change
from tests.conftest import PASSWORD, force_login, unique


def sign_in(client: Client, email: str, password: str):
    return client.post("/konto/login/", {"login": email, "password": password})


@pytest.fixture
def user_of_a(tenant_a):
    email = unique("ania") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user = user_create(email=email, password=PASSWORD, role="admin")
    return user


@pytest.mark.django_db
def test_a_user_of_a_signs_in_on_a_but_not_on_b(tenant_a, tenant_b, user_of_a):
    # when
    on_a = sign_in(Client(HTTP_HOST=tenant_a.host), user_of_a.email, PASSWORD)
    on_b = sign_in(Client(HTTP_HOST=tenant_b.host), user_of_a.email, PASSWORD)
    # then
    assert on_a.status_code == 302
    assert on_b.status_code == 200  # the form again, with an error
    assert on_b.context["form"].errors
    with schema_context(tenant_b.schema_name):
        assert not User.objects.filter(email=user_of_a.email).exists()


@pytest.mark.django_db
def test_the_session_cookie_of_a_is_not_accepted_on_b(tenant_a, tenant_b, user_of_a):
    # given a signed-in session on A
    client_a = Client(HTTP_HOST=tenant_a.host)
    force_login(client_a, user_of_a, tenant_a.schema_name)
    assert client_a.get("/panel/").status_code == 200
    cookie = client_a.cookies["sessionid"].value
    # when the same cookie is sent to B
    client_b = Client(HTTP_HOST=tenant_b.host)
    client_b.cookies["sessionid"] = cookie
    response = client_b.get("/panel/")
    # then B treats the visitor as anonymous
    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


@pytest.mark.django_db
def test_the_session_cookie_is_host_only(tenant_a, user_of_a):
    client = Client(HTTP_HOST=tenant_a.host)
    response = sign_in(client, user_of_a.email, PASSWORD)
    assert response.cookies["sessionid"]["domain"] == ""


@pytest.mark.django_db
def test_an_invitation_of_b_is_unknown_on_a(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        _, token = invitation_create(email=unique("b") + "@b.test", role="admin")
    assert Client(HTTP_HOST=tenant_a.host).get(f"/zaproszenie/{token}/").status_code == 410
    assert Client(HTTP_HOST=tenant_b.host).get(f"/zaproszenie/{token}/").status_code == 200


@pytest.mark.django_db
def test_cache_keys_carry_the_schema_and_entries_do_not_cross(tenant_a, tenant_b):
    key = unique("k")
    with schema_context(tenant_a.schema_name):
        cache.set(key, "A", 60)
        assert cache.make_key(key).startswith(f"{tenant_a.schema_name}:")
    with schema_context(tenant_b.schema_name):
        assert cache.get(key) is None
        cache.set(key, "B", 60)
    with schema_context(tenant_a.schema_name):
        assert cache.get(key) == "A"


@pytest.mark.django_db
def test_media_paths_carry_the_schema_and_b_files_are_a_404_on_a(tenant_a, tenant_b):
    # given a file uploaded in B
    with schema_context(tenant_b.schema_name):
        name = default_storage.save(f"branding/{unique('plik')}.txt", ContentFile(b"tylko B"))
        url = default_storage.url(name)
        path = default_storage.path(name)
    assert url.startswith(f"/media/{tenant_b.schema_name}/")
    assert f"/{tenant_b.schema_name}/branding/" in path
    # then B serves it and A does not, by B's URL or by A's own prefix
    assert Client(HTTP_HOST=tenant_b.host).get(url).status_code == 200
    assert Client(HTTP_HOST=tenant_a.host).get(url).status_code == 404
    own_prefix = url.replace(tenant_b.schema_name, tenant_a.schema_name, 1)
    assert Client(HTTP_HOST=tenant_a.host).get(own_prefix).status_code == 404


@pytest.mark.django_db
def test_the_provider_panel_is_not_served_on_a_municipality_host(tenant_a):
    assert Client(HTTP_HOST=tenant_a.host).get("/operator/").status_code == 404


@pytest.mark.django_db
def test_an_unknown_host_gets_a_404_page_with_no_tenant_data(tenant_a):
    response = Client(HTTP_HOST="nieznana.localhost").get("/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "nieznana.localhost" in body
    assert tenant_a.name not in body
    assert connection.schema_name == "public"


@pytest.mark.django_db
def test_a_foreign_host_gets_the_404_page(tenant_a):
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert response.status_code == 404
    assert tenant_a.name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["suspended", "provisioning", "failed"])
def test_a_site_that_is_not_available_serves_no_tenant_data(tenant_a, user_of_a, status):
    from consultations.models import ConsultationStatus
    from tests.consultations.factories import consultation_in_state

    # given A with an open consultation and a signed-in administrator, whose title and
    # address its pages show while A is active (so the markers below can be seen at all)
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state(
            ConsultationStatus.OPEN, title="Konsultacje " + unique("Znacznik-")
        )
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, user_of_a, tenant_a.schema_name)
    pages = {
        "/": consultation.title,
        f"/konsultacje/{consultation.slug}/": consultation.title,
        "/panel/": user_of_a.email,
    }
    for path, marker in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert marker in response.content.decode(), path
    # when A's status closes its site
    Municipality.objects.filter(pk=tenant_a.pk).update(status=status)
    # then every page answers 503 and none carries A's data
    for path in [*pages, "/konto/login/", "/zaproszenie/x/"]:
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 503, path
        assert response["Retry-After"]
        assert consultation.title not in body, path
        assert consultation.slug not in body, path
        assert user_of_a.email not in body, path


@pytest.mark.django_db
def test_suspending_keeps_data_and_reactivating_restores_the_site(tenant_a, user_of_a):
    operator = user_create(email=unique("op") + "@konsulta.test", password=None, is_staff=True)
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    municipality_status_change(municipality=municipality, status="suspended", acting_user=operator)
    assert Client(HTTP_HOST=tenant_a.host).get("/").status_code == 503
    municipality_status_change(municipality=municipality, status="active", acting_user=operator)
    assert Client(HTTP_HOST=tenant_a.host).get("/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert User.objects.filter(email=user_of_a.email).exists()


@pytest.mark.django_db
def test_an_archived_site_reads_but_refuses_every_write(tenant_a, user_of_a):
    Municipality.objects.filter(pk=tenant_a.pk).update(status="archived")
    client = Client(HTTP_HOST=tenant_a.host)
    assert client.get("/").status_code == 200
    response = sign_in(client, user_of_a.email, PASSWORD)
    assert response.status_code == 403
    assert "archiw" in response.content.decode().lower() or "archive" in response.content.decode()


def test_a_task_queued_in_a_runs_in_a_schema(committed_db, live_stack, tenant_a, tenant_b):
    """A real worker: the invitation mail task reads its row from the schema it was queued in.
    The same id may exist in B with another address; the mail must carry A's data."""
    # given an invitation in B, then one in A, queued from inside A's schema
    email_b = unique("b-") + "@b.test"
    email_a = unique("a-") + "@a.test"
    with schema_context(tenant_b.schema_name):
        invitation_create(email=email_b, role="admin")
    with schema_context(tenant_a.schema_name):
        invitation_create(email=email_a, role="admin")  # queued on commit, from A
    # then the worker sends A's mail with A's link, and B's with B's
    mail_a = live_stack.wait_for_mail(email_a)
    mail_b = live_stack.wait_for_mail(email_b)
    assert f"http://{tenant_a.host}:{live_stack.port}/zaproszenie/" in mail_a
    assert tenant_a.name in mail_a
    assert f"http://{tenant_b.host}:{live_stack.port}/zaproszenie/" in mail_b
    assert tenant_a.name not in mail_b


@pytest.mark.django_db
def test_the_unavailable_page_still_gets_its_stylesheet(tenant_a):
    Municipality.objects.filter(pk=tenant_a.pk).update(status="suspended")
    response = Client(HTTP_HOST=tenant_a.host).get("/static/css/site.css")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_draft_document_is_not_reachable_through_the_media_url(tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations.services import document_add
    from tests.consultations.factories import consultation_in_state, pdf_bytes, staff_make

    # given a document of a draft consultation (residents must not see it yet)
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("draft")
        document = document_add(
            acting_user=staff_make("admin"),
            consultation_id=consultation.pk,
            title="Projekt uchwały",
            upload=SimpleUploadedFile("projekt.pdf", pdf_bytes(), content_type="application/pdf"),
        )
        url = document.file.url
    # then its file URL under /media/ answers 404, though the file exists
    assert url.startswith(f"/media/{tenant_a.schema_name}/consultations/")
    assert Client(HTTP_HOST=tenant_a.host).get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "disguise",
    [
        "branding/..%2f{rest}",
        "branding/%2e%2e/{rest}",
        "branding/..%2F{rest}",
        "branding/./..%2f{rest}",
        "branding%2f..%2f{rest}",
    ],
)
def test_a_draft_document_is_not_reachable_through_a_branding_url_that_climbs_out(
    tenant_a, disguise
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations.services import document_add
    from tests.consultations.factories import consultation_in_state, pdf_bytes, staff_make

    # given a document of a draft consultation
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("draft")
        document = document_add(
            acting_user=staff_make("admin"),
            consultation_id=consultation.pk,
            title="Projekt uchwały",
            upload=SimpleUploadedFile("projekt.pdf", pdf_bytes(), content_type="application/pdf"),
        )
    # when its path is dressed up as one under branding/ that climbs back out
    rest = document.file.name  # consultations/<pk>/document….pdf
    url = f"/media/{tenant_a.schema_name}/" + disguise.format(rest=rest)
    # then the media view answers 404, as for the plain URL
    assert Client(HTTP_HOST=tenant_a.host).get(url).status_code == 404
