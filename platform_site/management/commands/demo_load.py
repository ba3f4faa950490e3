"""Demo data for `make run`: a provider staff account and two municipalities. Idempotent."""

from __future__ import annotations

import io
import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from accounts.models import StaffRole, User
from accounts.services import user_create
from billing.models import BillingProfile
from billing.services import billing_profile_update
from consultations.services import site_settings_update
from platform_site.demo import demo_consultations_load
from portal.index import index_rebuild
from tenants.models import Municipality, MunicipalityStatus
from tenants.services import municipality_create, municipality_provision, schema_name_for

PROVIDER_EMAIL = "operator@konsulta.test"
DEMO = [
    {
        "name": "Gmina Dębno",
        "kind": "gmina",
        "teryt": "3207023",
        "nip": "5971646003",
        "subdomain": "debno",
        "contact_email": "konsultacje@debno.test",
        "admin_email": "admin@debno.test",
        "colour": "#1d5a2e",
        "tagline": "Razem decydujemy o naszej gminie",
        "shield": ((29, 90, 46), (232, 190, 40)),
        "invoice": ("Urząd Miejski w Dębnie", "ul. Jana Pawła II 26", "74-400", "Dębno"),
    },
    {
        "name": "Miasto Częstochowa",
        "kind": "miasto",
        "teryt": "2464011",
        "nip": "5730000995",
        "subdomain": "czestochowa",
        "contact_email": "konsultacje@czestochowa.test",
        "admin_email": "admin@czestochowa.test",
        "colour": "#1f3f8f",
        "tagline": "Konsultacje społeczne mieszkańców Częstochowy",
        "shield": ((31, 63, 143), (255, 255, 255)),
        "invoice": ("Urząd Miasta Częstochowy", "ul. Śląska 11/13", "42-217", "Częstochowa"),
    },
]


def shield_png(colours: tuple[tuple[int, int, int], tuple[int, int, int]]) -> bytes:
    """A plain heraldic shield, drawn here so the demo ships no third-party artwork."""
    field, charge = colours
    image = Image.new("RGBA", (160, 190), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outline = [(8, 8), (152, 8), (152, 100), (80, 182), (8, 100)]
    draw.polygon(outline, fill=field, outline=(40, 40, 40), width=4)
    draw.polygon([(80, 30), (124, 70), (80, 150), (36, 70)], fill=charge)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load demo data: a provider account and two municipalities (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        credentials_file = Path(settings.BASE_DIR) / "var" / "demo-credentials.json"
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        if credentials_file.exists():
            password = json.loads(credentials_file.read_text())["password"]
        else:
            password = secrets.token_urlsafe(12)
            credentials_file.write_text(json.dumps({"password": password}))

        provider = User.objects.filter(email=PROVIDER_EMAIL).first()
        if provider is None:
            provider = user_create(
                email=PROVIDER_EMAIL, password=password, is_staff=True, first_name="Operator"
            )
        for demo in DEMO:
            self._municipality(demo, provider, password)

        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        base = f"{settings.PLATFORM_SCHEME}://{{}}{port}/"
        lines = [
            "",
            "Konsulta demo — sign in with:",
            f"  provider panel  {base.format(settings.PLATFORM_DOMAIN)}operator/",
            f"                  {PROVIDER_EMAIL} / {password}",
        ]
        for demo in DEMO:
            host = f"{demo['subdomain']}.{settings.PLATFORM_DOMAIN}"
            lines.append(
                f"  {demo['name']:<15} {base.format(host)}  {demo['admin_email']} / {password}"
            )
        self.stdout.write("\n".join(lines) + "\n")

    def _municipality(self, demo: dict[str, Any], provider: User, password: str) -> None:
        municipality = Municipality.objects.filter(
            schema_name=schema_name_for(demo["subdomain"])
        ).first()
        if municipality is None:
            municipality = self._create(demo, provider)
        if municipality.status == MunicipalityStatus.PROVISIONING:
            municipality = municipality_provision(municipality_id=municipality.pk)
        if not BillingProfile.objects.filter(municipality=municipality).exists():
            name, street, postal_code, city = demo["invoice"]
            billing_profile_update(
                municipality=municipality,
                invoice_name=name,
                street=street,
                postal_code=postal_code,
                city=city,
                invoice_email=demo["contact_email"],
            )
        with schema_context(municipality.schema_name):
            admin = User.objects.filter(email=demo["admin_email"]).first()
            if admin is None:
                admin = user_create(
                    email=demo["admin_email"], password=password, role=StaffRole.ADMIN
                )
                site_settings_update(
                    acting_user=admin,
                    primary_colour=demo["colour"],
                    tagline=demo["tagline"],
                    coat_of_arms=SimpleUploadedFile(
                        "herb.png", shield_png(demo["shield"]), content_type="image/png"
                    ),
                )
            demo_consultations_load(subdomain=demo["subdomain"], admin=admin)
        # The demo puts its consultations straight into their states, past the services
        # that keep the portals' public index: bring the index in line with the schema.
        index_rebuild(mend=True, schema_names=[municipality.schema_name])

    @staticmethod
    def _create(demo: dict[str, Any], provider: User) -> Municipality:
        return municipality_create(
            name=demo["name"],
            kind=demo["kind"],
            teryt=demo["teryt"],
            nip=demo["nip"],
            contact_email=demo["contact_email"],
            subdomain=demo["subdomain"],
            # The demo admins also get a password straight away, printed by this command.
            admin_email=demo["admin_email"],
            acting_user=provider,
            provision_async=False,
        )
