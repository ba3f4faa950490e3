"""Display conditions: data, evaluated by one pure function (as Decidim's
``DisplayCondition#fulfilled?``), used by the answering page, the submit service and the
preview alike.

A condition is a dict ``{"question": <question key>, "op": "answered" | "equals" |
"contains", "value": <choice key or text>, "negate": bool}``; a section or question shows
when all of its conditions hold.

Answers are read in page order, and only the answers of questions already shown count. A
condition on a later question, on itself, on a hidden or a deleted question therefore sees
"no answer": a loop built by hand cannot make the evaluation run forever or depend on order,
and a question whose condition names a deleted question is hidden unless negated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OPERATORS = ("answered", "equals", "contains")


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    conditions: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class SectionSpec:
    key: str
    conditions: Sequence[Mapping[str, Any]] = ()
    questions: Sequence[QuestionSpec] = field(default_factory=tuple)


def _is_answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, Iterable):
        return any(_is_answered(item) for item in value)
    return True


def condition_holds(condition: Mapping[str, Any], seen: Mapping[str, Any]) -> bool:
    """One condition against the answers of the questions shown so far."""
    value = seen.get(str(condition.get("question", "")))
    op = condition.get("op")
    expected = str(condition.get("value", ""))
    if op == "answered":
        result = _is_answered(value)
    elif op == "equals":
        if not _is_answered(value):
            result = False
        elif isinstance(value, list | tuple | set | frozenset):
            result = {str(item) for item in value} == {expected}
        else:
            result = str(value).strip().casefold() == expected.strip().casefold()
    elif op == "contains":
        if not _is_answered(value):
            result = False
        elif isinstance(value, list | tuple | set | frozenset):
            result = expected in {str(item) for item in value}
        else:
            result = expected.strip().casefold() in str(value).casefold()
    else:
        # An unknown operator (hand-edited data) never shows anything by accident.
        return False
    return not result if condition.get("negate") else result


def visible_keys(sections: Sequence[SectionSpec], answers: Mapping[str, Any]) -> frozenset[str]:
    """The keys of the sections and questions shown for these answers.

    ``answers`` maps question keys to a choice key, a list of choice keys, a text or a
    number; answers to questions that end up hidden are ignored (and the caller drops them).
    """
    seen: dict[str, Any] = {}
    shown: set[str] = set()
    for section in sections:
        if not all(condition_holds(c, seen) for c in section.conditions):
            continue
        shown.add(section.key)
        for question in section.questions:
            if all(condition_holds(c, seen) for c in question.conditions):
                shown.add(question.key)
                seen[question.key] = answers.get(question.key)
    return frozenset(shown)
