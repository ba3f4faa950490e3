import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import Invitation, User
from accounts.services import user_create
from tenants.models import Domain, Municipality, MunicipalityEvent, MunicipalityStatus
from tenants.services import (
    municipality_create,
    municipality_provision,
    municipality_status_change,
)
from tests.conftest import nip_make, tenant_make, unique


def create_kwargs(**overrides):
    subdomain = overrides.pop("subdomain", unique("g"))
    data = dict(
        name="Gmina Próbna",
        kind="gmina",
        teryt="3207023",
        nip=nip_make(),
        contact_email="kontakt@probna.test",
        subdomain=subdomain,
        admin_email="admin@probna.test",
        acting_user=None,
        provision_async=False,
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_new_municipality_waits_in_provisioning_with_its_subdomain():
    # when
    municipality = municipality_create(**create_kwargs(subdomain="nowa-gmina"))
    # then
    assert municipality.status == MunicipalityStatus.PROVISIONING
    assert municipality.schema_name == "m_nowa_gmina"
    assert municipality.primary_host == "nowa-gmina.localhost"
    assert not schema_exists("m_nowa_gmina")
    assert municipality.events.get().action == MunicipalityEvent.Action.CREATED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nip", "5971646004", "NIP"),
        ("teryt", "12", "TERYT"),
        ("subdomain", "www", "zarezerwowana"),
        ("subdomain", "Zła Nazwa", "małe litery"),
        ("custom_domain", "debno", "domenę"),
        ("custom_domain", "x.localhost", "poza domeną platformy"),
        ("admin_email", "", "administratora"),
        ("name", "  ", "nazwę"),
    ],
)
def test_bad_input_is_refused_in_polish_and_nothing_is_saved(field, value, message):
    # given
    before = Municipality.objects.count(), Domain.objects.count()
    # when
    with pytest.raises(ValidationError) as exc:
        municipality_create(**create_kwargs(**{field: value}))
    # then
    assert field in exc.value.message_dict
    assert message.lower() in " ".join(exc.value.message_dict[field]).lower()
    assert (Municipality.objects.count(), Domain.objects.count()) == before


@pytest.mark.django_db
def test_a_taken_subdomain_or_nip_is_refused(tenant_a):
    existing = Municipality.objects.get(pk=tenant_a.pk)
    with pytest.raises(ValidationError) as exc:
        municipality_create(**create_kwargs(subdomain="test-a", nip=existing.nip))
    assert set(exc.value.message_dict) == {"subdomain", "nip"}


@pytest.mark.django_db
def test_the_errors_speak_polish_when_polish_is_active():
    from django.utils import translation

    with translation.override("pl"), pytest.raises(ValidationError) as exc:
        municipality_create(**create_kwargs(nip="1111111112"))
    assert "NIP" in exc.value.message_dict["nip"][0]
    assert "cyfr" in exc.value.message_dict["nip"][0]


def test_provisioning_clones_the_template_and_invites_the_first_admin(committed_db):
    # given
    subdomain = unique("prov-")
    # when
    info = tenant_make(subdomain, "Gmina Klonowana")
    # then
    municipality = Municipality.objects.get(pk=info.pk)
    assert municipality.status == MunicipalityStatus.ACTIVE
    assert municipality.ready_at is not None
    assert schema_exists(municipality.schema_name)
    with schema_context(municipality.schema_name):
        invitation = Invitation.objects.get()
        assert invitation.email == f"admin@{subdomain}.test"
        assert invitation.role == "admin"
        assert not User.objects.exists()  # the admin sets a password through the link
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10
    actions = list(municipality.events.values_list("action", flat=True))
    assert set(actions) >= {"created", "provisioned", "invited"}


def test_provisioning_twice_changes_nothing(committed_db):
    # given
    info = tenant_make(unique("twice-"), "Gmina Dwukrotna")
    # when
    municipality_provision(municipality_id=info.pk)
    # then
    with schema_context(info.schema_name):
        assert Invitation.objects.count() == 1
    assert (
        MunicipalityEvent.objects.filter(municipality_id=info.pk, action="provisioned").count() == 1
    )


def test_provisioning_without_the_template_fails_visibly_and_can_be_retried(committed_db, settings):
    # given
    info = tenant_make(unique("fail-"), "Gmina Pechowa", provision=False)
    settings.TENANT_BASE_SCHEMA = "no_such_template"
    # when
    municipality = municipality_provision(municipality_id=info.pk)
    # then
    assert municipality.status == MunicipalityStatus.FAILED
    assert "template" in municipality.provisioning_error
    assert not schema_exists(info.schema_name)
    # and when the template is back, a retry completes it
    settings.TENANT_BASE_SCHEMA = "tenant_template"
    operator = user_create(email=unique("op") + "@konsulta.test", password=None, is_staff=True)
    municipality_status_change(
        municipality=municipality, status="provisioning", acting_user=operator
    )
    assert municipality_provision(municipality_id=info.pk).status == MunicipalityStatus.ACTIVE


ALL_STATUSES = [s.value for s in MunicipalityStatus]

# What the provider may do by hand, written out from the product (not read from
# tenants.services): the event each move records. Everything else is refused, including
# "no change" and any move into or out of provisioning other than retrying a failure (only
# the provisioning task itself leaves "provisioning" or enters "failed").
E = MunicipalityEvent.Action
LEGAL_STATUS_CHANGES = {
    ("failed", "provisioning"): E.PROVISIONING_RETRIED,
    ("active", "suspended"): E.SUSPENDED,
    ("active", "archived"): E.ARCHIVED,
    ("suspended", "active"): E.REACTIVATED,
    ("suspended", "archived"): E.ARCHIVED,
    ("archived", "active"): E.REACTIVATED,
}


@pytest.mark.django_db
@pytest.mark.parametrize("current", ALL_STATUSES)
@pytest.mark.parametrize("target", ALL_STATUSES)
def test_status_changes_follow_the_transition_table(current, target):
    # given
    municipality = municipality_create(**create_kwargs())
    Municipality.objects.filter(pk=municipality.pk).update(status=current)
    municipality.refresh_from_db()
    operator = user_create(email=unique("op") + "@konsulta.test", password=None, is_staff=True)
    events_before = municipality.events.count()
    # when / then
    if (current, target) in LEGAL_STATUS_CHANGES:
        changed = municipality_status_change(
            municipality=municipality, status=target, acting_user=operator, reason="test"
        )
        assert changed.status == target
        assert Municipality.objects.get(pk=municipality.pk).status == target
        assert municipality.events.count() == events_before + 1
        event = municipality.events.first()
        assert event.acting_user == operator
        assert event.action == LEGAL_STATUS_CHANGES[(current, target)]
    else:
        with pytest.raises(ValidationError):
            municipality_status_change(
                municipality=municipality, status=target, acting_user=operator
            )
        municipality.refresh_from_db()
        assert municipality.status == current
        assert municipality.events.count() == events_before
