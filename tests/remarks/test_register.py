"""The register's rules on real PostgreSQL: reference numbers, idempotency, the consultation's
rules on authors, the deadline, formal defects, hostile input."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import AuditEvent
from remarks import services
from remarks.models import FormalIssue, Remark, RemarkState
from tests.consultations.factories import exe_bytes, pdf_bytes, upload
from tests.remarks.helpers import (
    coordinator_with,
    open_consultation,
    paper_remark,
    remark_input,
    staff_make,
)

YEAR = timezone.localdate().year


def submit(consultation, **overrides):
    values = {
        "consultation_id": consultation.pk,
        "data": remark_input(),
        "idempotency_key": uuid.uuid4(),
        "consent": True,
    }
    values.update(overrides)
    return services.remark_submit(**values)


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


# --- Reference numbers -----------------------------------------------------------------------


@pytest.mark.django_db
def test_references_count_per_year_without_gaps_and_a_rollback_gives_its_number_back(in_a):
    # given a counter of some other year, to show years do not share numbers
    when = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM remarks_referencecounter")
    first = services.reference_next(when=when)
    try:
        with transaction.atomic():
            services.reference_next(when=when)
            raise RuntimeError("the registration fails after taking a number")
    except RuntimeError:
        pass
    second = services.reference_next(when=when)
    other_year = services.reference_next(when=when.replace(year=YEAR + 1))
    # then
    assert (first, second) == (f"UW/{YEAR}/0001", f"UW/{YEAR}/0002")
    assert other_year == f"UW/{YEAR + 1}/0001"


def test_concurrent_registrations_get_distinct_numbers_without_gaps(committed_db, tenant_a):
    # given (committed, so every thread's connection sees it) an open consultation
    # (one consultation each: the only thing the twenty share is the year's counter)
    with schema_context(tenant_a.schema_name):
        clerk, department = coordinator_with()
        consultations = [open_consultation(department=department) for _ in range(20)]
        before = set(Remark.objects.exclude(reference=None).values_list("reference", flat=True))
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def enter(consultation) -> None:
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait()
                paper_remark(consultation, clerk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when twenty clerks register at the same moment
    threads = [threading.Thread(target=enter, args=(c,)) for c in consultations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then each got its own number, and together they fill a run with no gap
    assert errors == []
    with schema_context(tenant_a.schema_name):
        references = (
            set(Remark.objects.exclude(reference=None).values_list("reference", flat=True)) - before
        )
    numbers = sorted(int(ref.rsplit("/", 1)[1]) for ref in references)
    assert len(numbers) == 20
    assert numbers == list(range(numbers[0], numbers[0] + 20))
    assert all(re.fullmatch(rf"UW/{YEAR}/\d{{4,}}", ref) for ref in references)


def test_fifty_identical_submissions_at_once_store_one_remark(committed_db, tenant_a):
    # given a signed-in resident with a verified address (registered at once, so a number
    # would be taken by every duplicate that got through)
    from allauth.account.models import EmailAddress

    with schema_context(tenant_a.schema_name):
        consultation = open_consultation()
        resident = staff_make("")
        EmailAddress.objects.create(
            user=resident, email=resident.email, verified=True, primary=True
        )
    key = uuid.uuid4()
    barrier = threading.Barrier(50)
    results: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait()
                result = submit(
                    consultation,
                    idempotency_key=key,
                    user=resident,
                    data=remark_input(email=""),
                )
                results.append(result.remark.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with schema_context(tenant_a.schema_name):
        stored = Remark.objects.filter(consultation=consultation)
        assert stored.count() == 1
        remark = stored.get()
    assert set(results) == {remark.pk}
    assert remark.state == RemarkState.REGISTERED and remark.reference


@pytest.mark.django_db
def test_the_database_refuses_a_second_remark_with_the_same_key(in_a):
    consultation = open_consultation()
    result = submit(consultation)
    duplicate = Remark.objects.get(pk=result.remark.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# --- The online form and the consultation's rules ---------------------------------------------

# (settings of the form, author, expected error field or None) — an independent table.
AUTHOR_RULES = [
    ({"name_required": True}, {"author_name": ""}, "author_name"),
    ({"name_required": False}, {"author_name": ""}, None),
    ({"anonymous_accepted": False}, {"author_kind": "anonymous", "author_name": ""}, "author_kind"),
    ({"anonymous_accepted": True}, {"author_kind": "anonymous", "author_name": ""}, None),
    ({"address_required": True}, {"address": ""}, "address"),
    ({"address_required": False}, {"address": ""}, None),
    ({}, {"author_kind": "organisation", "organisation_name": ""}, "organisation_name"),
    (
        {},
        {"author_kind": "organisation", "organisation_name": "Stowarzyszenie Zielone Dębno"},
        None,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("settings", "author", "error"), AUTHOR_RULES)
def test_the_author_rules_come_from_the_consultation(in_a, settings, author, error):
    consultation = open_consultation(**settings)
    if error is None:
        assert submit(consultation, data=remark_input(**author)).created
        return
    with pytest.raises(ValidationError) as caught:
        submit(consultation, data=remark_input(**author))
    assert error in caught.value.message_dict
    assert not Remark.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_a_remark_after_the_end_is_refused_online_with_a_clear_message(in_a):
    consultation = open_consultation()
    after_the_end = consultation.ends_at + timedelta(seconds=1)
    with pytest.raises(ValidationError) as caught:
        submit(consultation, now=after_the_end)
    assert "Uwagi nie są teraz przyjmowane" in " ".join(caught.value.messages)
    assert not Remark.objects.filter(consultation=consultation).exists()


HOSTILE = [
    ({"justification": "x" * 100_000}, "justification"),
    ({"proposed_wording": ""}, "proposed_wording"),
    ({"justification": "   "}, "justification"),
    ({"email": "nie-adres"}, "email"),
    ({"email": ""}, "email"),
    ({"author_kind": "hacker"}, "author_kind"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "error"), HOSTILE)
def test_bad_input_is_refused_and_stores_nothing(in_a, fields, error):
    consultation = open_consultation()
    with pytest.raises(ValidationError) as caught:
        submit(consultation, data=remark_input(**fields))
    assert error in caught.value.message_dict
    assert not Remark.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_without_consent_to_the_privacy_notice_nothing_is_stored(in_a):
    consultation = open_consultation()
    with pytest.raises(ValidationError) as caught:
        submit(consultation, consent=False)
    assert "consent" in caught.value.message_dict


@pytest.mark.django_db
def test_nul_bytes_and_direction_overrides_are_stripped(in_a):
    consultation = open_consultation()
    result = submit(
        consultation,
        data=remark_input(
            justification="Ważne\x00 uzasadnienie \u202efdp.exe", author_name="Jan\u202e"
        ),
    )
    remark = Remark.objects.get(pk=result.remark.pk)
    assert remark.justification == "Ważne uzasadnienie fdp.exe"
    assert remark.author_name == "Jan"


@pytest.mark.django_db
def test_an_exe_renamed_pdf_is_refused_and_a_pdf_is_kept_outside_media(in_a, settings):
    consultation = open_consultation()
    with pytest.raises(ValidationError) as caught:
        submit(consultation, attachment=upload("uwagi.pdf", exe_bytes()))
    assert "attachment" in caught.value.message_dict
    assert not Remark.objects.filter(consultation=consultation).exists()
    result = submit(consultation, attachment=upload("uwagi.pdf", pdf_bytes()))
    path = result.remark.attachment.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert f"/{in_a.schema_name}/" in path


# --- E-mail confirmation ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_remark_sent_with_an_address_is_registered_only_when_confirmed(in_a):
    from remarks.selectors import token_hash

    consultation = open_consultation()
    ends_soon = timezone.now() + timedelta(hours=1)
    consultation.ends_at = ends_soon
    consultation.save(update_fields=["ends_at"])
    result = submit(consultation)
    remark = result.remark
    assert result.needs_confirmation
    assert remark.state == RemarkState.PENDING and remark.reference is None
    token = "t" * 43
    Remark.objects.filter(pk=remark.pk).update(confirmation_hash=token_hash(token))
    # when confirmed after the end: it was sent in time
    confirmed = services.remark_confirm(token=token, now=ends_soon + timedelta(hours=1))
    assert confirmed.state == RemarkState.REGISTERED
    assert confirmed.reference.startswith(f"UW/{YEAR}/")
    assert not FormalIssue.objects.filter(remark=confirmed).exists()
    # a second use of the link changes nothing
    with pytest.raises(ValidationError):
        services.remark_confirm(token=token)


@pytest.mark.django_db
def test_a_confirmation_link_expires_after_three_days(in_a):
    from remarks.selectors import token_hash

    consultation = open_consultation()
    remark = submit(consultation).remark
    Remark.objects.filter(pk=remark.pk).update(confirmation_hash=token_hash("abc"))
    with pytest.raises(ValidationError):
        services.remark_confirm(token="abc", now=timezone.now() + timedelta(days=3, minutes=1))
    assert Remark.objects.get(pk=remark.pk).state == RemarkState.PENDING


# --- Staff entries and formal checks -----------------------------------------------------------


@pytest.mark.django_db
def test_a_paper_remark_after_the_end_is_registered_and_marked_late_with_the_rule(in_a):
    from tests.consultations.factories import consultation_in_state
    from tests.remarks.helpers import form_settings

    clerk, department = coordinator_with()
    consultation = consultation_in_state("closed", department=department)
    form_settings(consultation, source="§ 4 uchwały nr XII/85/2026")
    remark = paper_remark(consultation, clerk, received_on=timezone.localdate())
    assert remark.reference.startswith(f"UW/{YEAR}/")
    issue = FormalIssue.objects.get(remark=remark)
    assert issue.code == "late"
    assert "§ 4 uchwały nr XII/85/2026" in issue.rule
    assert timezone.localtime(consultation.ends_at).strftime("%Y") in issue.rule
    assert remark.formally_defective and remark.entered_by == clerk
    assert AuditEvent.objects.filter(action="remark_enter", target_id=str(remark.pk)).exists()


@pytest.mark.django_db
def test_a_paper_remark_without_a_required_name_is_registered_as_incomplete(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department, name_required=True)
    remark = paper_remark(consultation, clerk, data=remark_input(author_name="", email=""))
    codes = set(FormalIssue.objects.filter(remark=remark).values_list("code", flat=True))
    assert codes == {"incomplete"}
    anonymous = paper_remark(
        consultation, clerk, data=remark_input(author_kind="anonymous", author_name="", email="")
    )
    assert set(anonymous.formal_issues.values_list("code", flat=True)) == {"anonymous"}


@pytest.mark.django_db
def test_staff_record_and_withdraw_a_defect_outside_the_subject(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    remark = paper_remark(consultation, clerk)
    assert not remark.formally_defective
    services.formal_issue_record(
        acting_user=clerk,
        remark_id=remark.pk,
        code="outside_subject",
        rule="§ 1 uchwały: przedmiotem jest park",
        note="dotyczy dróg",
    )
    remark.refresh_from_db()
    assert remark.formally_defective
    services.formal_issue_withdraw(acting_user=clerk, remark_id=remark.pk, code="outside_subject")
    remark.refresh_from_db()
    assert not remark.formally_defective
    actions = list(
        AuditEvent.objects.filter(target_id=str(remark.pk)).values_list("action", flat=True)
    )
    assert {"remark_formal_issue_record", "remark_formal_issue_withdraw"} <= set(actions)


@pytest.mark.django_db
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    with pytest.raises(ValidationError) as caught:
        paper_remark(consultation, clerk, scan=upload("skan.pdf", exe_bytes()))
    assert "scan" in caught.value.message_dict
    assert not Remark.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_a_date_received_in_the_future_is_refused(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    with pytest.raises(ValidationError) as caught:
        paper_remark(consultation, clerk, received_on=timezone.localdate() + timedelta(days=1))
    assert "received_on" in caught.value.message_dict


@pytest.mark.django_db
def test_personal_data_join_the_export_and_the_anonymiser(in_a):
    from accounts.personal_data import anonymisers, exporters
    from tests.remarks.helpers import staff_make

    consultation = open_consultation()
    resident = staff_make("")
    by_account = submit(consultation, user=resident, data=remark_input(email=resident.email))
    by_address = submit(consultation, data=remark_input(email=resident.email.upper()))
    exported = exporters()["remarks"](resident)
    assert {row["justification"] for row in exported} == {"Mieszkańcy wracają późno z pracy."}
    assert len(exported) == 2 and exported[0]["author_name"] == "Jan Kowalski"
    for anonymise in anonymisers():
        anonymise(resident)
    for result in (by_account, by_address):
        remark = Remark.objects.get(pk=result.remark.pk)
        assert (remark.author_name, remark.address, remark.email, remark.user_id) == (
            "",
            "",
            "",
            None,
        )
        assert remark.justification  # the remark itself stays for the report


@pytest.mark.django_db
def test_register_counts_list_sections_in_polish_alphabetical_order(in_a):
    from remarks.selectors import register_counts

    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    for part in ("Zieleń", "Łąki", "Załącznik", "Lasy"):
        paper_remark(consultation, clerk, data=remark_input(email="", document_part=part))
    # Polish alphabet: … L, Ł, … Z (a byte or C order puts "Ł" after "Z").
    expected = ["Lasy", "Łąki", "Załącznik", "Zieleń"]
    assert [part for part, _n in register_counts(consultation).by_section] == expected
