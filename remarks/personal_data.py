"""The register's part in residents' data rights (accounts.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import User
from remarks.models import Remark


def _of(user: User) -> Q:
    return Q(user=user) | Q(email__iexact=user.email) if user.email else Q(user=user)


def remarks_export(user: User) -> list[dict[str, Any]]:
    """Every remark and comment the person sent while signed in, or with their address."""
    rows = (
        Remark.objects.filter(_of(user))
        .select_related("consultation")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "consultation": remark.consultation.title,
            "reference": remark.reference,
            "channel": remark.channel,
            "sent_at": remark.submitted_at.isoformat(),
            "document_part": remark.document_part,
            "current_wording": remark.current_wording,
            "proposed_wording": remark.proposed_wording,
            "justification": remark.justification,
            "author_kind": remark.author_kind,
            "author_name": remark.author_name,
            "organisation_name": remark.organisation_name,
            "address": remark.address,
            "email": remark.email,
        }
        for remark in rows
    ]


def remarks_anonymise(user: User) -> None:
    """Strip the person's name, address and e-mail from their remarks; the remarks stay
    (the report answers each of them), and so do organisations' names."""
    Remark.objects.filter(_of(user)).update(author_name="", address="", email="", user=None)
