"""The public index follows every change residents can see, in the change's own transaction."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations import services
from consultations.models import ConsultationStatus
from consultations.services import ConsultationInput
from portal.models import PublicConsultation
from tenants.models import Municipality
from tenants.services import municipality_status_change, municipality_update
from tests.consultations.factories import complete_input, department_make, staff_make
from tests.portal.helpers import area_make, category_make, open_consultation, row_of
from tests.portal.helpers import scheduled_consultation as scheduled

S = ConsultationStatus


def input_of(consultation, **changes):
    values = {
        "title": consultation.title,
        "summary": consultation.summary,
        "description": consultation.description,
        "legal_basis": consultation.legal_basis,
        "department_id": consultation.department_id,
        "area_ids": [a.pk for a in consultation.areas.all()],
        "category_ids": [c.pk for c in consultation.categories.all()],
        "participation_forms": None,
        "starts_at": consultation.starts_at,
        "ends_at": consultation.ends_at,
        "contact_name": consultation.contact_name,
        "contact_email": consultation.contact_email,
        "contact_phone": consultation.contact_phone,
    }
    values.update(changes)
    return ConsultationInput(**values)


@pytest.mark.django_db
def test_the_index_follows_the_whole_lifecycle_and_a_draft_never_enters(in_a, admin):
    # given a draft, then an order: neither is public
    consultation = services.consultation_create(
        acting_user=admin, data=complete_input(department_make())
    )
    assert row_of(in_a.pk, consultation) is None
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    assert row_of(in_a.pk, consultation) is None
    services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_1")
    assert row_of(in_a.pk, consultation) is None
    # when it is announced, opens, closes and its report is published
    expected = [
        (
            lambda: services.consultation_schedule(
                acting_user=admin, consultation_id=consultation.pk
            ),
            "scheduled",
        ),
        (
            lambda: services.consultation_open(
                consultation_id=consultation.pk, now=timezone.now() + timedelta(days=10)
            ),
            "open",
        ),
        (
            lambda: services.consultation_close(
                consultation_id=consultation.pk, now=timezone.now() + timedelta(days=40)
            ),
            "closed",
        ),
        (
            lambda: services.consultation_report_publish(
                acting_user=admin, consultation_id=consultation.pk, report_text="Wyniki."
            ),
            "report_published",
        ),
    ]
    for step, status in expected:
        step()
        # then the row has the new status at once, inside the same transaction
        assert row_of(in_a.pk, consultation).status == status
    # and archiving takes it out
    services.consultation_archive(acting_user=admin, consultation_id=consultation.pk)
    assert row_of(in_a.pk, consultation) is None


@pytest.mark.django_db
def test_a_revoked_payment_takes_a_scheduled_consultation_out(in_a, admin):
    consultation = scheduled(admin)
    assert row_of(in_a.pk, consultation) is not None
    services.consultation_payment_revoke(consultation_id=consultation.pk)
    assert row_of(in_a.pk, consultation) is None


@pytest.mark.django_db
def test_the_row_is_in_the_public_schema_only_and_holds_no_personal_data(in_a, admin):
    consultation = scheduled(admin)
    row = row_of(in_a.pk, consultation)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM public.portal_publicconsultation "
            "WHERE municipality_id = %s AND consultation_id = %s",
            [in_a.pk, consultation.pk],
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = 'portal_publicconsultation' AND table_schema <> 'public'"
        )
        assert cursor.fetchone()[0] == 0
    values = " ".join(
        str(v) for v in PublicConsultation.objects.filter(pk=row.pk).values().get().values()
    )
    assert "Anna Kowalska" not in values
    assert "anna.kowalska@urzad.test" not in values
    assert "95 760" not in values
    assert row.url.endswith(
        f"//{in_a.host}:{settings.PLATFORM_PORT}/konsultacje/{consultation.slug}/"
    )


@pytest.mark.django_db
def test_edits_of_content_forms_areas_and_categories_reach_the_row(in_a, admin):
    # given an open consultation about one area
    park = area_make("Osiedle Parkowe")
    zielen = category_make("Zieleń")
    consultation = open_consultation(admin)
    # when its title, areas and categories are edited
    services.consultation_update(
        acting_user=admin,
        consultation_id=consultation.pk,
        data=input_of(
            consultation,
            title="Nowy park przy Łódzkiej",
            area_ids=[park.pk],
            category_ids=[zielen.pk],
        ),
    )
    row = row_of(in_a.pk, consultation)
    assert row.title == "Nowy park przy Łódzkiej"
    assert row.areas == ["Osiedle Parkowe"]
    assert row.categories == ["Zieleń"]
    assert "Nowy park" in row.search_text
    # when the area is renamed (a site-wide change)
    services.area_save(
        acting_user=admin, area_id=park.pk, name="Osiedle Leśne", outline="", editor_ids=[]
    )
    assert row_of(in_a.pk, consultation).areas == ["Osiedle Leśne"]


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_the_index_as_it_was(in_a, admin):
    consultation = scheduled(admin)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.consultation_open(
            consultation_id=consultation.pk, now=timezone.now() + timedelta(days=10)
        )
        assert row_of(in_a.pk, consultation).status == "open"
        raise RuntimeError("the transaction fails after the change")
    assert row_of(in_a.pk, consultation).status == "scheduled"


@pytest.mark.django_db
def test_suspension_and_archiving_take_a_municipality_out_and_reactivation_brings_it_back(
    tenant_a, tenant_b
):
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
        a_one = scheduled(admin_a)
        a_two = open_consultation(admin_a)
    with schema_context(tenant_b.schema_name):
        b_one = scheduled(staff_make("admin"))
    provider = staff_make("admin")
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    # when A is suspended
    municipality_status_change(municipality=municipality, status="suspended", acting_user=provider)
    # then A's rows are gone, B's stay
    assert not PublicConsultation.objects.filter(municipality_id=tenant_a.pk).exists()
    assert row_of(tenant_b.pk, b_one) is not None
    # when A is reactivated, its rows return as they were
    municipality_status_change(municipality=municipality, status="active", acting_user=provider)
    assert {row_of(tenant_a.pk, a_one).status, row_of(tenant_a.pk, a_two).status} == {
        "scheduled",
        "open",
    }
    # when A is archived, they leave again
    municipality_status_change(municipality=municipality, status="archived", acting_user=provider)
    assert not PublicConsultation.objects.filter(municipality_id=tenant_a.pk).exists()


@pytest.mark.django_db
def test_a_renamed_municipality_is_found_by_its_new_name(tenant_a):
    with schema_context(tenant_a.schema_name):
        consultation = scheduled(staff_make("admin"))
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    municipality_update(
        municipality=municipality,
        name="Gmina Zmieniona",
        kind=municipality.kind,
        teryt=municipality.teryt,
        nip=municipality.nip or "",
        contact_email=municipality.contact_email,
        acting_user=staff_make("admin"),
    )
    assert "Gmina Zmieniona" in row_of(tenant_a.pk, consultation).search_text


@pytest.mark.django_db
def test_the_rebuild_command_finds_and_mends_drift(tenant_a, capsys):
    # given three public consultations and an index that drifted: one row lost, one stale,
    # one left over from a consultation that no longer exists
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        lost, stale, kept = scheduled(admin), scheduled(admin), scheduled(admin)
    PublicConsultation.objects.filter(municipality_id=tenant_a.pk, consultation_id=lost.pk).delete()
    PublicConsultation.objects.filter(municipality_id=tenant_a.pk, consultation_id=stale.pk).update(
        title="Stary tytuł", status="open"
    )
    template = row_of(tenant_a.pk, kept)
    template.pk, template.consultation_id = None, 999_999
    template.save()
    # when the command checks without mending
    call_command("portal_index_rebuild", "--check", "--schema", tenant_a.schema_name)
    out = capsys.readouterr().out
    # then it reports each drift and changes nothing
    assert f"{tenant_a.schema_name}: missing 1, stale 1, extra 1" in out
    assert row_of(tenant_a.pk, lost) is None
    # when it mends
    call_command("portal_index_rebuild", "--schema", tenant_a.schema_name)
    capsys.readouterr()
    assert row_of(tenant_a.pk, lost).status == "scheduled"
    assert row_of(tenant_a.pk, stale).title == stale.title
    assert not PublicConsultation.objects.filter(consultation_id=999_999).exists()
    # then a second check finds nothing
    call_command("portal_index_rebuild", "--check", "--schema", tenant_a.schema_name)
    assert "no drift" in capsys.readouterr().out


@pytest.mark.django_db
def test_participation_figures_are_counted_when_contributions_change_and_at_closing(
    in_a, admin, django_capture_on_commit_callbacks
):
    from consultations import participation
    from consultations.public_changes import public_change
    from portal.tasks import index_contributions_refresh

    # given a kind that counts 7 contributions, in use by an open consultation
    kind = participation.ParticipationKind(
        name="tally", label="Tally", resident_actions=(), contribution_count=lambda c: 7
    )
    participation.register(kind)
    try:
        consultation = open_consultation(admin, participation_forms=["remarks", "tally"])
        assert row_of(in_a.pk, consultation).contributions == 0
        # when its contributions change, a recount is asked for once the change commits, not
        # done inside it (it would hold the row locked through every resident's submission)
        with django_capture_on_commit_callbacks() as callbacks:
            public_change("contributions", consultation.pk)
        assert row_of(in_a.pk, consultation).contributions == 0
        assert len(callbacks) == 1
        # and the recount, as the queued task runs it, brings the count
        index_contributions_refresh(consultation.pk)
        assert row_of(in_a.pk, consultation).contributions == 7
        # an edit keeps the count it has
        services.consultation_update(
            acting_user=admin,
            consultation_id=consultation.pk,
            data=input_of(consultation, title="Nowy"),
        )
        assert row_of(in_a.pk, consultation).contributions == 7
        # and closing counts again
        PublicConsultation.objects.filter(consultation_id=consultation.pk).update(contributions=0)
        services.consultation_close(
            consultation_id=consultation.pk, now=timezone.now() + timedelta(days=40)
        )
        assert row_of(in_a.pk, consultation).contributions == 7
    finally:
        participation.unregister("tally")


@pytest.mark.django_db
def test_the_narrow_half_holds_the_folded_text_and_a_lost_one_is_drift(tenant_a, capsys):
    from portal.models import PublicConsultationSearch

    with schema_context(tenant_a.schema_name):
        consultation = scheduled(staff_make("admin"), title="Źródła Łąki Żółte")
    search = PublicConsultationSearch.objects.get(entry=row_of(tenant_a.pk, consultation))
    from portal.models import PublicSearchWord

    words = PublicSearchWord.objects.filter(id__in=search.words).values_list("word", flat=True)
    assert {"zrodla", "laki", "zolte"} <= set(words)
    assert search.status == "scheduled" and search.municipality_id == tenant_a.pk
    search.delete()
    call_command("portal_index_rebuild", "--check", "--schema", tenant_a.schema_name)
    assert "missing 0, stale 1, extra 0" in capsys.readouterr().out
    call_command("portal_index_rebuild", "--schema", tenant_a.schema_name)
    assert PublicConsultationSearch.objects.filter(entry__consultation_id=consultation.pk).exists()


@pytest.mark.django_db
def test_a_burst_of_contributions_asks_for_one_recount_until_it_runs(
    in_a, admin, django_capture_on_commit_callbacks
):
    from celery.signals import before_task_publish

    from consultations.public_changes import public_change
    from portal.index import contributions_refresh

    consultation = open_consultation(admin, participation_forms=["remarks"])
    contributions_refresh(consultation_id=consultation.pk)  # no recount left waiting
    sent: list[tuple[str, object]] = []

    def note(sender: str, headers: dict, **kwargs: object) -> None:
        sent.append((sender, headers.get("argsrepr")))

    before_task_publish.connect(note)
    try:
        # given three submissions committed one after another
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                public_change("contributions", consultation.pk)
        # then one recount is queued for them all
        assert sent == [("portal.tasks.index_contributions_refresh", f"({consultation.pk},)")]
        # when it has run, the next submission asks for another
        contributions_refresh(consultation_id=consultation.pk)
        with django_capture_on_commit_callbacks(execute=True):
            public_change("contributions", consultation.pk)
        assert len(sent) == 2
    finally:
        before_task_publish.disconnect(note)


@pytest.mark.django_db
def test_a_broker_down_after_the_commit_costs_the_resident_nothing_and_asks_again_later(
    in_a, admin, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.cache import cache

    from consultations.public_changes import public_change
    from portal import index

    consultation = open_consultation(admin, participation_forms=["remarks"])
    index.contributions_refresh(consultation_id=consultation.pk)  # no recount left waiting

    class BrokerDown:
        def signature(self, *args: object, **kwargs: object) -> "BrokerDown":
            return self

        def apply_async(self, **kwargs: object) -> None:
            raise OSError("broker unreachable")

    monkeypatch.setattr(index, "current_app", BrokerDown())
    # when a contribution commits while the broker is unreachable: no error reaches the caller
    with django_capture_on_commit_callbacks(execute=True):
        public_change("contributions", consultation.pk)
    # and no mark is left to hold back the recount the next contribution asks for
    assert cache.get(index._contributions_mark(consultation.pk)) is None


@pytest.mark.django_db
def test_searches_follow_an_edited_title_and_the_rebuild_mends_the_search_words(
    in_a, admin, capsys
):
    from portal.models import PublicSearchWord
    from portal.selectors import PortalCriteria, portal_search

    def found(word):
        result = portal_search(PortalCriteria(words=(word,)), portal=None, members=[])
        return [e.consultation_id for e in result.entries]

    # given an open consultation, found by a word of its title
    consultation = open_consultation(admin, title="Skwer przy fontannie")
    assert found("fontann") == [consultation.pk]
    # when its title is edited
    services.consultation_update(
        acting_user=admin,
        consultation_id=consultation.pk,
        data=input_of(consultation, title="Skwer przy pomniku"),
    )
    # then the new word finds it and the old one no longer does
    assert found("pomnik") == [consultation.pk]
    assert found("fontann") == []
    # when a word the row holds is lost from the words searches look up
    PublicSearchWord.objects.filter(word="pomniku").delete()
    assert found("pomnik") == []
    with schema_context("public"):
        call_command("portal_index_rebuild", "--check")
        out = capsys.readouterr().out
        # the row holds the id of a word that is gone: stale, and counted as missing
        assert f"{in_a.schema_name}: missing 0, stale 1, extra 0" in out
        assert "search words: missing 1" in out
        assert found("pomnik") == []
        # then the rebuild puts it back and prunes the word no row holds any more
        call_command("portal_index_rebuild")
        capsys.readouterr()
    assert found("pomnik") == [consultation.pk]
    assert not PublicSearchWord.objects.filter(word="fontannie").exists()
