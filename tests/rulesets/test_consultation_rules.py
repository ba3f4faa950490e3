"""A consultation and its rule set: the copy kept when ordering, the checks at scheduling and
opening, the announcement's publications, the council resolution, a late payment's move of
the dates, and the report's due date."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations import services
from consultations.models import AnnouncementPublication, AuditEvent, Consultation
from consultations.models import ConsultationStatus as S
from consultations.selectors import report_due_date
from rulesets.models import LegalRuleSet
from rulesets.services import rule_set_version_add
from tests.consultations.factories import complete_input, department_make, pdf_bytes, upload

REVITALISATION_FORMS = ["remarks", "survey", "poll"]


def draft_make(admin, *, basis="revitalisation", days=35, forms=None, start_in=10, draft=True):
    start = timezone.now() + timedelta(days=start_in)
    data = complete_input(
        department_make(),
        legal_basis=basis,
        participation_forms=forms or REVITALISATION_FORMS,
        starts_at=start,
        ends_at=start + timedelta(days=days),
    )
    consultation = services.consultation_create(acting_user=admin, data=data)
    if draft:
        services.document_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            title="Projekt uchwały",
            upload=upload("projekt.pdf", pdf_bytes()),
        )
    return consultation


def ordered_and_paid(admin, **kwargs):
    consultation = draft_make(admin, **kwargs)
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    services.consultation_payment_clear(
        consultation_id=consultation.pk, reference="KON/test", paid_days=(31, 60)
    )
    return Consultation.objects.get(pk=consultation.pk)


@pytest.mark.django_db
def test_ordering_keeps_a_copy_of_the_rule_set_in_force(admin):
    consultation = ordered_and_paid(admin)
    rules = consultation.rules_snapshot
    current = LegalRuleSet.objects.get(legal_basis="revitalisation", valid_from="2023-09-24")
    assert rules["id"] == current.pk
    assert rules["min_duration_days"] == 35 and rules["duration_article"] == "art. 6 ust. 5"


@pytest.mark.django_db
def test_a_new_version_applies_only_to_consultations_ordered_from_its_date(admin):
    # given a consultation ordered under the current revitalisation rules
    before = ordered_and_paid(admin, days=35)
    today = timezone.localdate()
    # when provider staff add a version from today asking 40 days, and one from tomorrow
    rule_set_version_add(
        acting_user=None,
        legal_basis="revitalisation",
        valid_from=today,
        act="Ustawa o rewitalizacji",
        journal_reference="Dz.U. 2099 poz. 1",
        min_duration_days=40,
        duration_article="art. 6 ust. 5",
        required_forms=["remarks"],
        forms_article="art. 6 ust. 4",
    )
    rule_set_version_add(
        acting_user=None,
        legal_basis="revitalisation",
        valid_from=today + timedelta(days=1),
        act="Ustawa o rewitalizacji",
        journal_reference="Dz.U. 2099 poz. 2",
        min_duration_days=90,
        duration_article="art. 6 ust. 5",
    )
    # then the consultation ordered before keeps 35 days, and schedules
    services.consultation_schedule(
        acting_user=admin, consultation_id=before.pk, channels_confirmed=True
    )
    assert Consultation.objects.get(pk=before.pk).rules_snapshot["min_duration_days"] == 35
    # and one ordered today follows today's version (40 days), not tomorrow's (90)
    refused = draft_make(admin, days=35)
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=refused.pk)
    assert "40 dni" in exc.value.message_dict["ends_at"][0]
    accepted = draft_make(admin, days=40)
    services.consultation_order(acting_user=admin, consultation_id=accepted.pk)
    assert (
        Consultation.objects.get(pk=accepted.pk)
        .rules_snapshot["source"]
        .endswith("(Dz.U. 2099 poz. 1)")
    )


@pytest.mark.django_db
def test_ordering_needs_the_draft_document_when_the_rule_set_says_so(admin):
    consultation = draft_make(admin, draft=False)
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    assert "art. 8 ust. 2" in exc.value.message_dict["documents"][0]
    assert Consultation.objects.get(pk=consultation.pk).status == S.DRAFT


@pytest.mark.django_db
def test_revitalisation_needs_remarks_and_two_other_forms(admin):
    consultation = draft_make(admin, forms=["remarks", "survey"])
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    message = exc.value.message_dict["participation_forms"][0]
    assert "art. 6 ust. 3 i 4" in message and "co najmniej 2" in message


@pytest.mark.django_db
def test_scheduling_waits_for_the_required_channels_or_a_confirmation(admin):
    consultation = ordered_and_paid(admin)
    # when scheduling with nothing recorded: refused, naming art. 6 ust. 2
    with pytest.raises(ValidationError) as exc:
        services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    assert "art. 6 ust. 2" in exc.value.message_dict["announcement"][0]
    # a link that is no link changes nothing
    with pytest.raises(ValidationError):
        services.announcement_publication_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            channel="bip",
            published_on=timezone.localdate(),
            proof_url="bip gminy",
        )
    assert not AnnouncementPublication.objects.filter(consultation=consultation).exists()
    # when the BIP publication is recorded, the press and notice board are still missing
    services.announcement_publication_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        channel="bip",
        published_on=timezone.localdate(),
        proof_url="https://bip.example.test/ogloszenie/1",
    )
    with pytest.raises(ValidationError) as exc:
        services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    message = exc.value.message_dict["announcement"][0]
    assert "Prasa lokalna" in message and "Biuletyn" not in message
    # then the coordinator confirms the rest will follow: scheduled, and the audit log says so
    scheduled = services.consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )
    assert scheduled.status == S.SCHEDULED and scheduled.channels_confirmed_at is not None
    event = AuditEvent.objects.get(
        consultation=consultation, action="announcement_channels_confirm"
    )
    assert event.details["channels"] == ["press", "notice_board"]
    assert event.actor_email == admin.email


@pytest.mark.django_db
def test_a_proof_file_must_be_a_pdf_or_an_image(admin):
    consultation = ordered_and_paid(admin)
    with pytest.raises(ValidationError) as exc:
        services.announcement_publication_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            channel="press",
            published_on=timezone.localdate(),
            proof_file=upload("wycinek.exe", b"MZ\x90\x00" + b"\x00" * 100),
        )
    assert "proof_file" in exc.value.message_dict
    publication = services.announcement_publication_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        channel="press",
        published_on=timezone.localdate(),
        proof_file=upload("wycinek.pdf", pdf_bytes()),
    )
    assert publication.proof_file.name.endswith(".pdf")


@pytest.mark.django_db
def test_opening_checks_again_and_a_refusal_is_recorded_once(admin):
    # given a scheduled revitalisation consultation whose survey is then removed
    consultation = ordered_and_paid(admin, start_in=1)
    services.consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )
    consultation.participation_forms.filter(kind="survey").delete()
    # when the beat job runs twice after the start
    later = timezone.now() + timedelta(days=1, hours=1)
    services.consultations_advance(now=later)
    services.consultations_advance(now=later)
    # then it stays scheduled, with one audit row naming the article
    assert Consultation.objects.get(pk=consultation.pk).status == S.SCHEDULED
    events = AuditEvent.objects.filter(
        consultation=consultation, action="consultation_open_refused"
    )
    assert events.count() == 1
    assert "art. 6 ust. 3 i 4" in events.get().details["messages"][0]


@pytest.mark.django_db
def test_council_resolution_parameters_apply_to_art5a_consultations(admin):
    services.council_resolution_update(
        acting_user=admin,
        number="XII/85/2024",
        adopted_on=dt.date(2024, 3, 14),
        url="https://bip.example.test/uchwala",
        min_duration_days=14,
        min_notice_days=7,
        required_forms=["remarks"],
        required_channels=["bip"],
        report_deadline_days=30,
        draft_required=False,
    )
    short = draft_make(admin, basis="art5a", days=13, forms=["remarks"], draft=False)
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=short.pk)
    message = exc.value.message_dict["ends_at"][0]
    assert "Uchwała nr XII/85/2024 z dnia 14.03.2024" in message and "14 dni" in message
    # notice: 7 days before the start day; starting in 3 days is too soon
    soon = draft_make(admin, basis="art5a", days=20, forms=["remarks"], draft=False, start_in=3)
    with pytest.raises(ValidationError) as exc:
        services.consultation_order(acting_user=admin, consultation_id=soon.pk)
    assert "7 dni" in exc.value.message_dict["starts_at"][0]
    ok = draft_make(admin, basis="art5a", days=14, forms=["remarks"], draft=False)
    ordered = services.consultation_order(acting_user=admin, consultation_id=ok.pk)
    assert ordered.rules_snapshot["council_resolution"]["number"] == "XII/85/2024"


@pytest.mark.django_db
def test_an_unknown_channel_or_a_future_adoption_changes_nothing(admin):
    with pytest.raises(ValidationError):
        services.council_resolution_update(
            acting_user=admin,
            number="1/2030",
            adopted_on=timezone.localdate() + timedelta(days=3),
            url="",
            min_duration_days=None,
            min_notice_days=0,
            required_forms=[],
            required_channels=["telegraph"],
            report_deadline_days=None,
            draft_required=False,
        )
    assert not services.council_resolution_get().is_recorded


@pytest.mark.django_db
def test_report_due_date_is_the_closing_day_plus_the_deadline(admin):
    consultation = draft_make(admin)
    assert report_due_date(consultation) is None
    consultation.closed_at = dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC)  # 25.10 in Warsaw
    consultation.rules_snapshot = {"report_deadline_days": 30}
    assert report_due_date(consultation) == dt.date(2026, 11, 24)
    consultation.rules_snapshot = {"report_deadline_days": None}
    assert report_due_date(consultation) is None


# --- A late payment: the dates move once, within the band paid for -------------------------


@pytest.mark.django_db
def test_a_late_payment_lets_the_dates_move_once_within_the_paid_band(admin):
    consultation = ordered_and_paid(admin, days=35)
    start = timezone.now() + timedelta(days=20)
    # outside the band (31–60 days): refused, nothing changes
    with pytest.raises(ValidationError) as exc:
        services.consultation_dates_move(
            acting_user=admin,
            consultation_id=consultation.pk,
            starts_at=start,
            ends_at=start + timedelta(days=61),
        )
    assert "31–60" in exc.value.message_dict["ends_at"][0]
    # within the band but breaking the rule set (33 days < 35): refused with the article
    with pytest.raises(ValidationError) as exc:
        services.consultation_dates_move(
            acting_user=admin,
            consultation_id=consultation.pk,
            starts_at=start,
            ends_at=start + timedelta(days=33),
        )
    assert "art. 6 ust. 5" in exc.value.message_dict["ends_at"][0]
    assert Consultation.objects.get(pk=consultation.pk).dates_moved_at is None
    # within the band and lawful: moved, and recorded
    moved = services.consultation_dates_move(
        acting_user=admin,
        consultation_id=consultation.pk,
        starts_at=start,
        ends_at=start + timedelta(days=40),
    )
    assert moved.starts_at == start and moved.dates_moved_at is not None
    assert AuditEvent.objects.filter(
        consultation=consultation, action="consultation_dates_move"
    ).exists()
    # a second move is refused
    with pytest.raises(ValidationError):
        services.consultation_dates_move(
            acting_user=admin,
            consultation_id=consultation.pk,
            starts_at=start + timedelta(days=1),
            ends_at=start + timedelta(days=41),
        )


@pytest.mark.django_db
def test_an_unpaid_order_cannot_move_its_dates(admin):
    consultation = draft_make(admin)
    services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
    start = timezone.now() + timedelta(days=20)
    with pytest.raises(ValidationError):
        services.consultation_dates_move(
            acting_user=admin,
            consultation_id=consultation.pk,
            starts_at=start,
            ends_at=start + timedelta(days=40),
        )


# --- Remarks under the planning act: name and address, no anonymous remarks ----------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"author_kind": "anonymous", "author_name": "", "address": ""}, "author_kind"),
        ({"address": ""}, "address"),
        ({"author_name": ""}, "author_name"),
    ],
)
def test_a_planning_remark_needs_name_and_address(admin, overrides, field):
    import uuid

    from remarks import services as remark_services
    from rulesets.selectors import rule_set_in_force
    from tests.consultations.factories import consultation_in_state
    from tests.remarks.helpers import remark_input

    planning = rule_set_in_force(legal_basis="spatial_planning", on=timezone.localdate())
    assert planning is not None
    consultation = consultation_in_state(
        "open", legal_basis="spatial_planning", rules_snapshot=planning.snapshot()
    )
    # the remark form's own settings accept anonymous remarks without an address
    consultation.participation_forms.filter(kind="remarks").update(
        settings={"anonymous_accepted": True, "address_required": False}
    )

    def submit(**data):
        return remark_services.remark_submit(
            consultation_id=consultation.pk,
            data=remark_input(**data),
            idempotency_key=uuid.uuid4(),
            consent=True,
        )

    with pytest.raises(ValidationError) as exc:
        submit(**overrides)
    assert field in exc.value.message_dict
    # with name and address it is taken
    assert submit().remark.pk is not None


@pytest.mark.django_db
def test_an_anonymous_paper_remark_on_a_plan_is_a_formal_defect_citing_the_act(admin):
    import uuid

    from remarks import services as remark_services
    from rulesets.selectors import rule_set_in_force
    from tests.consultations.factories import consultation_in_state
    from tests.remarks.helpers import remark_input

    planning = rule_set_in_force(legal_basis="spatial_planning", on=timezone.localdate())
    assert planning is not None
    consultation = consultation_in_state(
        "open", legal_basis="spatial_planning", rules_snapshot=planning.snapshot()
    )
    consultation.participation_forms.filter(kind="remarks").update(
        settings={"anonymous_accepted": True}
    )
    remark = remark_services.remark_enter(
        acting_user=admin,
        consultation_id=consultation.pk,
        channel="paper",
        data=remark_input(author_kind="anonymous", author_name="", address="", email=""),
        received_on=timezone.localdate(),
        case_number="KS.1.2026",
        idempotency_key=uuid.uuid4(),
    )
    issue = remark.formal_issues.get()
    assert issue.code == "anonymous"
    assert "art. 8g ust. 2" in issue.rule and "Dz.U. 2024 poz. 1130" in issue.rule
