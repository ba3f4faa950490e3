"""The cards' filters print what ``get_status_display`` and ``|date:"j E Y"`` printed."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import translation

from consultations.models import ConsultationStatus


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load consultation_cards %}" + source).render(context)


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        # Europe/Warsaw: the last evening of 2026 in UTC is already 2027 there.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "pl", "1 stycznia 2027"),
        (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), "pl", "5 grudnia 2026"),
        (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "pl", "1 marca 2026"),
        (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "en", "1 March 2026"),
        (None, "pl", ""),
    ],
)
def test_day_month_year_prints_the_local_day_with_the_month_in_the_genitive(
    moment, language, expected
):
    with translation.override(language):
        assert render("{{ moment|day_month_year }}", moment=moment) == expected
        if moment:
            assert render('{{ moment|date:"j E Y" }}', moment=moment) == expected


@pytest.mark.parametrize(
    ("status", "language", "expected"),
    [
        ("open", "pl", "Trwająca"),
        ("report_published", "en", "Report published"),
        ("unknown", "pl", "unknown"),
    ],
)
def test_status_label_prints_the_status_name_in_the_current_language(status, language, expected):
    with translation.override(language):
        assert render("{{ status|status_label }}", status=status) == expected
        if status in ConsultationStatus.values:
            assert str(ConsultationStatus(status).label) == expected
