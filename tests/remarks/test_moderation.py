"""Moderation: the banned-word list flags for review, pre- and post-moderation, flags,
hiding with a reason; comments on the draft with replies and supports."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from consultations.models import AuditEvent
from remarks import selectors, services
from remarks.models import DraftUnit, Flag, Remark, Visibility
from remarks.moderation import banned_words_found
from tests.remarks.helpers import (
    coordinator_with,
    open_consultation,
    paper_remark,
    remark_input,
    staff_make,
)

# (text, words expected) — an independent table.
WORDS = [
    ("Ten projekt to kurwa porażka", ["kurwa"]),
    ("K*rwa, znowu", ["K*rwa"]),
    ("Jesteście idiotami i debilami", ["idiotami", "debilami"]),
    ("Park przy ulicy Hujanka jest zaniedbany", []),
    ("Proszę o kurant na ratuszu i dudę", []),
    ("Zwykła, rzeczowa uwaga o ławkach.", []),
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_the_banned_word_list(text, expected):
    assert banned_words_found(text) == expected


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def submit_signed_in(consultation, user, **data):
    return services.remark_submit(
        consultation_id=consultation.pk,
        data=remark_input(email="", **data),
        idempotency_key=uuid.uuid4(),
        consent=True,
        user=user,
    )


def verified_resident():
    from allauth.account.models import EmailAddress

    resident = staff_make("")
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


@pytest.mark.django_db
def test_a_banned_word_flags_the_remark_for_review_but_does_not_hide_it(in_a):
    consultation = open_consultation(moderation="post")
    remark = submit_signed_in(
        consultation, verified_resident(), justification="Ten projekt to kurwa porażka"
    ).remark
    assert remark.needs_review and remark.visibility == Visibility.PUBLISHED
    assert Flag.objects.get(remark=remark).automatic


@pytest.mark.django_db
def test_pre_moderation_holds_texts_until_a_moderator_publishes_them(in_a):
    _coordinator, department = coordinator_with()
    consultation = open_consultation(department=department, moderation="pre")
    remark = submit_signed_in(consultation, verified_resident()).remark
    assert remark.visibility == Visibility.AWAITING
    assert not selectors.public_remarks(consultation).filter(pk=remark.pk).exists()
    services.remark_publish(acting_user=staff_make("moderator"), remark_id=remark.pk)
    assert selectors.public_remarks(consultation).filter(pk=remark.pk).exists()
    assert AuditEvent.objects.filter(action="remark_publish", target_id=str(remark.pk)).exists()


@pytest.mark.django_db
def test_hiding_needs_a_reason_and_keeps_the_remark_in_the_register(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    remark = paper_remark(consultation, clerk)
    moderator = staff_make("moderator")
    with pytest.raises(ValidationError):
        services.remark_hide(acting_user=moderator, remark_id=remark.pk, reason="  ")
    services.remark_hide(acting_user=moderator, remark_id=remark.pk, reason="dane osobowe")
    rows = selectors.register_rows(consultation, selectors.RegisterFilters())
    assert remark.pk in {r.pk for r in rows}
    assert selectors.register_counts(consultation).total == 1
    assert AuditEvent.objects.filter(action="remark_hide", target_id=str(remark.pk)).exists()


@pytest.mark.django_db
def test_a_flag_sends_a_public_remark_to_review(in_a):
    clerk, department = coordinator_with()
    consultation = open_consultation(department=department)
    remark = paper_remark(consultation, clerk)
    services.remark_flag(remark_id=remark.pk, reason="obraża sąsiada")
    remark.refresh_from_db()
    assert remark.needs_review
    with pytest.raises(ValidationError):
        services.remark_flag(remark_id=remark.pk, reason="")


@pytest.mark.django_db
def test_comments_on_a_unit_with_replies_and_one_support_per_resident(in_a):
    consultation = open_consultation(kinds=("remarks", "paragraph_comments"), supports_allowed=True)
    unit = DraftUnit.objects.create(
        consultation=consultation, position=1, label="§ 1", text="Tekst"
    )
    author, other = verified_resident(), verified_resident()
    comment = services.remark_submit(
        consultation_id=consultation.pk,
        data=services.RemarkInput(justification="Za krótko", unit_id=unit.pk, author_name="A"),
        idempotency_key=uuid.uuid4(),
        consent=True,
        user=author,
    ).remark
    assert comment.channel == "draft_comment" and comment.document_part == "§ 1"
    reply = services.remark_submit(
        consultation_id=consultation.pk,
        data=services.RemarkInput(
            justification="Zgadzam się", parent_id=comment.pk, author_name="B"
        ),
        idempotency_key=uuid.uuid4(),
        consent=True,
        user=other,
    ).remark
    assert reply.parent_id == comment.pk and reply.unit_id == unit.pk
    assert services.comment_support(user=other, remark_id=comment.pk) is True
    assert services.comment_support(user=other, remark_id=comment.pk) is False
    units = selectors.draft_units_with_comments(consultation)
    assert [c.pk for c in units[0].public_comments] == [comment.pk]
    assert units[0].public_comments[0].support_count == 1
    assert [r.pk for r in units[0].public_comments[0].public_replies] == [reply.pk]


@pytest.mark.django_db
def test_supports_are_refused_where_the_coordinator_does_not_allow_them(in_a):
    consultation = open_consultation(kinds=("remarks", "paragraph_comments"))
    unit = DraftUnit.objects.create(consultation=consultation, position=1, label="§ 1", text="T")
    resident = verified_resident()
    comment = services.remark_submit(
        consultation_id=consultation.pk,
        data=services.RemarkInput(justification="Uwaga", unit_id=unit.pk, author_name="A"),
        idempotency_key=uuid.uuid4(),
        consent=True,
        user=resident,
    ).remark
    with pytest.raises(ValidationError):
        services.comment_support(user=resident, remark_id=comment.pk)
    assert not Remark.objects.get(pk=comment.pk).supports.exists()
