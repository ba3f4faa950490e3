"""Responses: a decision and a non-empty justification, drafted by one person and approved by
another before the public reads it; one response for a group of remarks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from consultations.models import AuditEvent
from remarks import selectors, services
from remarks.models import Response
from tests.remarks.helpers import coordinator_with, open_consultation, paper_remark, staff_make


@pytest.fixture
def setting(tenant_a):
    with schema_context(tenant_a.schema_name):
        author, department = coordinator_with()
        colleague = staff_make("coordinator")
        department.coordinators.add(colleague)
        consultation = open_consultation(department=department)
        yield {"author": author, "colleague": colleague, "consultation": consultation}


@pytest.mark.django_db
@pytest.mark.parametrize("justification", ["", "   ", "\n\t", "\x00"])
def test_a_response_needs_a_justification(setting, justification):
    remark = paper_remark(setting["consultation"], setting["author"])
    with pytest.raises(ValidationError) as caught:
        services.response_draft(
            acting_user=setting["author"],
            remark_id=remark.pk,
            decision="rejected",
            justification=justification,
        )
    assert "justification" in caught.value.message_dict
    assert not Response.objects.filter(remark=remark).exists()


@pytest.mark.django_db
def test_the_database_refuses_an_empty_justification_and_self_approval(setting):
    remark = paper_remark(setting["consultation"], setting["author"])
    response = services.response_draft(
        acting_user=setting["author"],
        remark_id=remark.pk,
        decision="accepted",
        justification="Uwzględniono.",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(justification="  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(approved_by=setting["author"])


@pytest.mark.django_db
def test_only_a_second_person_approves_and_only_then_the_public_reads_it(setting):
    remark = paper_remark(setting["consultation"], setting["author"])
    response = services.response_draft(
        acting_user=setting["author"],
        remark_id=remark.pk,
        decision="partly",
        justification="Częściowo: park będzie otwarty do 24.",
    )
    remark.refresh_from_db()
    assert selectors.public_response(remark) is None
    with pytest.raises(ValidationError):
        services.response_approve(acting_user=setting["author"], response_id=response.pk)
    services.response_approve(acting_user=setting["colleague"], response_id=response.pk)
    remark = selectors.public_remarks(setting["consultation"]).get(pk=remark.pk)
    public = selectors.public_response(remark)
    assert public is not None and public.decision == "partly"
    # a new version withdraws the approval
    services.response_draft(
        acting_user=setting["colleague"],
        remark_id=remark.pk,
        decision="accepted",
        justification="Uwzględniono w całości.",
    )
    remark = selectors.public_remarks(setting["consultation"]).get(pk=remark.pk)
    assert selectors.public_response(remark) is None
    actions = set(
        AuditEvent.objects.filter(target_id=str(response.pk)).values_list("action", flat=True)
    )
    assert {"response_draft", "response_approve"} <= actions


@pytest.mark.django_db
def test_a_moderator_cannot_approve(setting):
    remark = paper_remark(setting["consultation"], setting["author"])
    response = services.response_draft(
        acting_user=setting["author"],
        remark_id=remark.pk,
        decision="rejected",
        justification="Niezgodne z ustawą.",
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.response_approve(acting_user=staff_make("moderator"), response_id=response.pk)


@pytest.mark.django_db
def test_one_response_answers_every_remark_of_a_group(setting):
    consultation = setting["consultation"]
    remarks = [paper_remark(consultation, setting["author"]) for _ in range(3)]
    alone = paper_remark(consultation, setting["author"])
    # an unapproved draft of its own is replaced by the group's
    services.response_draft(
        acting_user=setting["author"],
        remark_id=remarks[0].pk,
        decision="accepted",
        justification="Wstępnie.",
    )
    group = services.remarks_group(
        acting_user=setting["author"],
        consultation_id=consultation.pk,
        remark_ids=[r.pk for r in remarks],
        title="Godziny otwarcia parku",
    )
    assert not Response.objects.filter(remark__in=remarks).exists()
    with pytest.raises(ValidationError):
        services.response_draft(
            acting_user=setting["author"],
            remark_id=remarks[1].pk,
            decision="rejected",
            justification="Osobno.",
        )
    response = services.response_draft(
        acting_user=setting["author"],
        group_id=group.pk,
        decision="rejected",
        justification="Park zamyka się ze względu na bezpieczeństwo.",
    )
    services.response_approve(acting_user=setting["colleague"], response_id=response.pk)
    public = {r.pk: selectors.public_response(r) for r in selectors.public_remarks(consultation)}
    assert {pk for pk, resp in public.items() if resp and resp.pk == response.pk} == {
        r.pk for r in remarks
    }
    assert public[alone.pk] is None
    counts = selectors.register_counts(consultation)
    assert counts.by_decision.get("rejected") == 3
    assert counts.by_decision.get("none") == 1


@pytest.mark.django_db
def test_remarks_with_an_approved_response_cannot_be_grouped(setting):
    consultation = setting["consultation"]
    first, second = (paper_remark(consultation, setting["author"]) for _ in range(2))
    response = services.response_draft(
        acting_user=setting["author"],
        remark_id=first.pk,
        decision="accepted",
        justification="Uwzględniono.",
    )
    services.response_approve(acting_user=setting["colleague"], response_id=response.pk)
    with pytest.raises(ValidationError):
        services.remarks_group(
            acting_user=setting["author"],
            consultation_id=consultation.pk,
            remark_ids=[first.pk, second.pk],
            title="Grupa",
        )
