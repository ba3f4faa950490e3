"""What the answering page (and the builder's preview, which is the same page) shows of each
question: its current value, its errors and, for a conditional item, the condition in words
(the page works without JavaScript: a resident reads when a question applies, and the
server drops answers to questions the condition hides)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from surveys import geo
from surveys.files import is_upload, kinds_text
from surveys.models import FILE_KINDS_DEFAULT, MAP_TYPES, Question, QuestionType, Section
from surveys.selectors import VersionStructure


@dataclass
class ChoiceView:
    key: str
    text: str
    is_other: bool
    checked: bool
    value: str = ""


@dataclass
class QuestionView:
    question: Question
    number: int
    name: str
    value: Any
    other_text: str
    errors: list[str]
    condition_text: str
    choices: list[ChoiceView] = field(default_factory=list)
    scale: list[int] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    # Map questions: the areas to draw (choice key, name, parsed GeoJSON outline); None
    # when no area has an outline (then the list alone is shown).
    map_areas: list[dict[str, Any]] | None = None
    point_text: str = ""
    # File questions: the name of the file the resident's response already holds; whether a
    # file was attached to a submit that was refused (the browser forgets it: attach again);
    # the kinds for the file picker's "accept" and the note.
    file_kept: str = ""
    file_reattach: bool = False
    file_accept: str = ""
    file_kinds_text: str = ""


@dataclass
class SectionView:
    section: Section
    condition_text: str
    questions: list[QuestionView]


def condition_text(conditions: list[dict[str, Any]], by_key: dict[str, Question]) -> str:
    """A condition in words, e.g. "Only if you answered “Yes” to question 2."."""
    parts = []
    for condition in conditions:
        source = by_key.get(str(condition.get("question", "")))
        if source is None:
            parts.append(
                _("This item is no longer shown (its condition refers to a removed question).")
            )
            continue
        value = condition.get("value", "")
        for choice in source.choices.all():
            if choice.key == value:
                value = choice.text
        op = condition.get("op")
        negate = bool(condition.get("negate"))
        names = {"question": source.text, "value": value}
        if op == "answered":
            text = (
                _("Only if you did not answer the question “%(question)s”.")
                if negate
                else _("Only if you answered the question “%(question)s”.")
            )
        elif op == "equals":
            text = (
                _("Only if your answer to “%(question)s” is not “%(value)s”.")
                if negate
                else _("Only if your answer to “%(question)s” is “%(value)s”.")
            )
        else:
            text = (
                _("Only if your answer to “%(question)s” does not include “%(value)s”.")
                if negate
                else _("Only if your answer to “%(question)s” includes “%(value)s”.")
            )
        parts.append(text % names)
    return " ".join(parts)


def questions_for_page(
    structure: VersionStructure, answers: dict[str, Any], errors: dict[str, list[str]]
) -> list[SectionView]:
    by_key = {q.key: q for q in structure.questions}
    sections = []
    number = 0
    for section in structure.sections:
        views = []
        for question in section.questions.all():
            number += 1
            value = answers.get(question.key)
            view = QuestionView(
                question=question,
                number=number,
                name=f"q-{question.key}",
                value=value if value is not None else "",
                other_text=answers.get(question.key + ".other", ""),
                errors=errors.get(question.key, []),
                condition_text=condition_text(question.conditions, by_key),
            )
            chosen = value if isinstance(value, list) else [value]
            cells = value if isinstance(value, dict) else {}
            for choice in question.choices.all():
                view.choices.append(
                    ChoiceView(
                        choice.key,
                        choice.text,
                        choice.is_other,
                        choice.key in chosen,
                        str(cells.get(choice.key, "")),
                    )
                )
            if question.type in (QuestionType.SCALE, QuestionType.MATRIX):
                view.scale = list(range(1, (question.max_value or 5) + 1))
            if question.type == QuestionType.RANKING:
                view.places = list(range(1, len(view.choices) + 1))
            if question.type == QuestionType.FILE:
                view.value = ""
                if is_upload(value):
                    view.file_reattach = True
                elif isinstance(value, str):
                    view.file_kept = value
                kinds = question.file_kinds or list(FILE_KINDS_DEFAULT)
                view.file_accept = ",".join(f".{k}" for k in kinds)
                view.file_kinds_text = kinds_text(kinds)
            if question.type in MAP_TYPES:
                view.point_text = str(answers.get(question.key + ".point", ""))
                drawn = [
                    {"key": c.key, "name": c.text, "outline": json.loads(c.outline)}
                    for c in question.choices.all()
                    if c.outline and geo.polygons_of(c.outline)
                ]
                view.map_areas = drawn or None
            views.append(view)
        sections.append(SectionView(section, condition_text(section.conditions, by_key), views))
    return sections


def conditions_data(structure: VersionStructure) -> list[dict[str, Any]] | None:
    """What the page's script (static surveys/conditions.js) needs to show and hide items as
    the resident answers: the sections and questions in page order with their conditions,
    each question's type and choice keys. None when nothing is conditional (no script)."""
    if not any(s.conditions for s in structure.sections) and not any(
        q.conditions for q in structure.questions
    ):
        return None
    return [
        {
            "key": section.key,
            "conditions": section.conditions,
            "questions": [
                {
                    "key": question.key,
                    "type": question.type,
                    "conditions": question.conditions,
                    "choices": [c.key for c in question.choices.all()],
                }
                for question in section.questions.all()
            ],
        }
        for section in structure.sections
    ]


def page_scripts(structure: VersionStructure) -> dict[str, Any]:
    """The answering page's context for its static scripts: the conditions' data, whether a
    map is drawn (Leaflet is loaded only then) and the tile server (none by default: the
    areas' outlines alone are drawn; a server set in SURVEY_MAP_TILE_URL is also allowed by
    the CSP's img-src)."""
    return {
        "conditions_data": conditions_data(structure),
        "has_map": any(
            q.type in MAP_TYPES and any(c.outline for c in q.choices.all())
            for q in structure.questions
        ),
        "map_tiles": settings.SURVEY_MAP_TILE_URL,
        # A file question makes the form multipart (it works without JavaScript).
        "has_file": any(q.type == QuestionType.FILE for q in structure.questions),
    }
