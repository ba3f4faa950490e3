"""A coat of arms that declares a huge canvas is refused by its header, before any decoding."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.selectors import site_settings_get
from tests.conftest import PASSWORD, force_login, unique


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00" * 4096, 9)  # the start of the rows; never read in full
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def admin_client(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (10_000, 10_000), (20_000, 1), (1, 20_000)],
)
def test_a_png_declaring_a_huge_canvas_is_refused_in_polish(admin_client, tenant_a, width, height):
    with schema_context(tenant_a.schema_name):
        before = site_settings_get().coat_of_arms.name
    upload = SimpleUploadedFile("herb.png", png_declaring(width, height), "image/png")
    response = admin_client.post(
        "/panel/ustawienia/", {"primary_colour": "#1f4e79", "tagline": "", "coat_of_arms": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["coat_of_arms"] == [
        "Obraz jest zbyt duży: może mieć najwyżej 4000 × 4000 pikseli."
    ]
    with schema_context(tenant_a.schema_name):
        assert site_settings_get().coat_of_arms.name == before


@pytest.mark.django_db
def test_a_png_of_ordinary_size_is_still_accepted(admin_client, tenant_a):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4000, 30), (200, 0, 0)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("herb.png", buffer.getvalue(), "image/png")
    response = admin_client.post(
        "/panel/ustawienia/", {"primary_colour": "#1f4e79", "tagline": "", "coat_of_arms": upload}
    )
    assert response.status_code == 302
