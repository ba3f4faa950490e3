"""The running counts behind results (:class:`surveys.models.ResultTally`), kept in the
submit's transaction so results never count every answer again.

At 100,000 responses of 20 questions a version has some 2.6 million answer rows: grouping
them took seconds (bench/surveys.py), the tallies are a few thousand rows. A submit adds
its response's counts with one ``INSERT ... ON CONFLICT DO UPDATE`` into the rows of one
shard (its response id modulo ``TALLY_SHARDS``), in a fixed order of keys, so two submits
never deadlock and seldom wait for each other. The counts are committed with the response
or not at all: staff's live results are exact at every moment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from surveys.models import TALLY_SHARDS, Answer, ResultTally, Survey

# (question id, choice id, number, date); all None: the response itself.
TallyKey = tuple[int | None, int | None, Decimal | None, date | None]


def response_counts(answers: Iterable[Answer]) -> Counter[TallyKey]:
    """What one response adds to its version's tallies: itself, each question it answered
    once, and each answer row with a value (a text alone counts only as answered)."""
    counts: Counter[TallyKey] = Counter()
    counts[(None, None, None, None)] = 1
    answered: set[int] = set()
    for answer in answers:
        answered.add(answer.question_id)
        if answer.choice_id is not None or answer.number is not None or answer.date is not None:
            number = None if answer.number is None else Decimal(answer.number)
            counts[(answer.question_id, answer.choice_id, number, answer.date)] += 1
    for question_id in answered:
        counts[(question_id, None, None, None)] += 1
    return counts


def _order(item: tuple[TallyKey, int]) -> tuple[Any, ...]:
    (question_id, choice_id, number, day), _n = item
    return (
        question_id is not None,
        question_id or 0,
        choice_id is not None,
        choice_id or 0,
        number is not None,
        number or 0,
        day is not None,
        day.toordinal() if day else 0,
    )


def ordered(counts: Counter[TallyKey]) -> list[tuple[TallyKey, int]]:
    """The non-zero counts in the one order of keys every submit writes them in."""
    return sorted(((k, n) for k, n in counts.items() if n), key=_order)


# The upsert's conflict target and action (the unique constraint survey_tally_key).
UPSERT = (
    "ON CONFLICT (version_id, question_id, choice_id, number, date, shard) "
    "DO UPDATE SET n = t.n + EXCLUDED.n"
)


def tallies_add(*, version_id: int, response_id: int, counts: Counter[TallyKey]) -> None:
    """Add ``counts`` (negative to take a response's old answers away) to the version's
    tallies, in the response's shard: one statement. Rows are written in one order of keys
    for every submit, so two submits of one shard wait for each other, never deadlock."""
    items = ordered(counts)
    if not items:
        return
    shard = response_id % TALLY_SHARDS
    table = ResultTally._meta.db_table
    params: list[Any] = []
    for (question_id, choice_id, number, day), n in items:
        params += [version_id, question_id, choice_id, number, day, shard, n]
    values = ", ".join(["(%s, %s, %s, %s::numeric, %s::date, %s, %s)"] * len(items))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS t (version_id, question_id, choice_id, number, date, "
            f"shard, n) VALUES {values} {UPSERT}",
            params,
        )


def tallies_rebuild(*, survey: Survey) -> None:
    """Count the survey's tallies again from its stored answers (all in shard 0). For answers
    written around the submit service (a bulk import, the benchmark's seeding); the same
    statement as the migration that introduced the tallies. Call in a transaction."""
    version_ids = list(survey.versions.values_list("pk", flat=True))
    ResultTally.objects.filter(version_id__in=version_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ResultTally._meta.db_table} "
            "(version_id, question_id, choice_id, number, date, shard, n) "
            "SELECT r.version_id, a.question_id, a.choice_id, a.number, a.date, 0, count(*) "
            "FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id "
            "WHERE r.survey_id = %s "
            "AND (a.choice_id IS NOT NULL OR a.number IS NOT NULL OR a.date IS NOT NULL) "
            "GROUP BY 1, 2, 3, 4, 5 "
            "UNION ALL "
            "SELECT r.version_id, a.question_id, NULL, NULL, NULL, 0, "
            "count(DISTINCT a.response_id) "
            "FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id "
            "WHERE r.survey_id = %s GROUP BY 1, 2 "
            "UNION ALL "
            "SELECT version_id, NULL, NULL, NULL, NULL, 0, count(*) FROM surveys_response "
            "WHERE survey_id = %s GROUP BY 1",
            [survey.pk, survey.pk, survey.pk],
        )
