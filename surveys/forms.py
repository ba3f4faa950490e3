"""The builder's forms and the reading of a resident's answers from a POST. Thin: the
services check what matters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.models import (
    FILE_KINDS_DEFAULT,
    FILE_MAX_MB_DEFAULT,
    FILE_MAX_MB_LIMIT,
    Audience,
    FileKind,
    Question,
    QuestionType,
)
from surveys.services import ConditionInput, QuestionInput

OPERATOR_CHOICES = [
    ("answered", _("was answered")),
    ("equals", _("is exactly")),
    ("contains", _("contains")),
]


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    intro = forms.CharField(
        label=_("Introduction for residents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    audience = forms.ChoiceField(
        label=_("Who may answer"), choices=Audience.choices, widget=forms.RadioSelect
    )
    one_per_browser = forms.BooleanField(
        label=_("Anonymous surveys: one response per browser"), required=False
    )
    results_public_early = forms.BooleanField(
        label=_("Show the results to residents before the consultation closes"),
        required=False,
    )


class InvitationsForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses to invite, one a line"),
        help_text=_(
            "Each address gets its own link, which can be used once. An address already "
            "invited is skipped."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
        max_length=60000,
    )


class ConditionFields(forms.Form):
    """A display condition: shown only when an earlier question's answer matches."""

    condition_question = forms.ChoiceField(
        label=_("Show only when the question"), required=False, choices=()
    )
    condition_op = forms.ChoiceField(label=_("condition"), required=False, choices=OPERATOR_CHOICES)
    condition_value = forms.CharField(
        label=_("answer (for a choice question: its text as shown)"),
        required=False,
        max_length=300,
    )
    condition_negate = forms.BooleanField(
        label=_("reverse the condition (show when it does NOT hold)"), required=False
    )

    def __init__(self, *args: Any, earlier: list[Question] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["condition_question"]).choices = [
            ("", _("— always show —"))
        ] + [(q.key, q.text[:80]) for q in (earlier or [])]

    def condition(self) -> ConditionInput | None:
        data = self.cleaned_data
        if not data.get("condition_question"):
            return None
        return ConditionInput(
            question_key=data["condition_question"],
            op=data.get("condition_op") or "answered",
            value=data.get("condition_value", ""),
            negate=bool(data.get("condition_negate")),
        )

    @staticmethod
    def initial_from_conditions(
        conditions: list[dict[str, Any]], source: Question | None
    ) -> dict[str, Any]:
        if not conditions:
            return {}
        condition = conditions[0]
        value = condition.get("value", "")
        if source is not None:
            by_key = {c.key: c.text for c in source.choices.all()}
            value = by_key.get(value, value)
        return {
            "condition_question": condition.get("question", ""),
            "condition_op": condition.get("op", "answered"),
            "condition_value": value,
            "condition_negate": bool(condition.get("negate")),
        }


class SectionForm(ConditionFields):
    title = forms.CharField(label=_("Section title"), max_length=250)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["title", "description"]


class QuestionForm(ConditionFields):
    type = forms.ChoiceField(
        label=_("Type of question"),
        choices=QuestionType.choices,
        help_text=_(
            "A map question takes the areas of the catalogue (with their outlines) as its "
            "answers; the answers typed below are then not used."
        ),
    )
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=500)
    required = forms.BooleanField(label=_("Answer required"), required=False)
    choices = forms.CharField(
        label=_("Answers, one a line (for a matrix: its rows)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    other_option = forms.BooleanField(
        label=_("Add “Other, please specify” (choice questions)"), required=False
    )
    min_value = forms.IntegerField(
        label=_("Minimum (number: lowest value; multiple choice: fewest answers)"),
        required=False,
    )
    max_value = forms.IntegerField(
        label=_("Maximum (number: highest value; multiple choice: most answers; scale: top)"),
        required=False,
    )
    min_label = forms.CharField(label=_("Scale: label of 1"), required=False, max_length=100)
    max_label = forms.CharField(
        label=_("Scale: label of the top value"), required=False, max_length=100
    )
    file_kinds = forms.MultipleChoiceField(
        label=_("File question: accepted kinds of file"),
        choices=FileKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The kind is checked by the file's content, not by its name. None chosen: PDF, "
            "DOCX and ODT."
        ),
    )
    file_max_mb = forms.IntegerField(
        label=_("File question: largest file (MB)"),
        required=False,
        min_value=1,
        max_value=FILE_MAX_MB_LIMIT,
        # Translated when shown (a lazy text formatted here would be fixed at import).
        help_text=lazy(
            lambda: (
                gettext("From 1 to %(max)d MB; %(default)d MB when left empty.")
                % {"max": FILE_MAX_MB_LIMIT, "default": FILE_MAX_MB_DEFAULT}
            ),
            str,
        )(),
    )
    field_order = [
        "type",
        "text",
        "help_text",
        "required",
        "choices",
        "other_option",
        "min_value",
        "max_value",
        "min_label",
        "max_label",
        "file_kinds",
        "file_max_mb",
    ]

    def __init__(self, *args: Any, poll: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if poll:
            cast(forms.ChoiceField, self.fields["type"]).choices = [
                (QuestionType.SINGLE, QuestionType.SINGLE.label),
                (QuestionType.MULTIPLE, QuestionType.MULTIPLE.label),
            ]
            self.fields["type"].help_text = ""
            for name in ("condition_question", "condition_op", "condition_value"):
                del self.fields[name]
            del self.fields["condition_negate"]
            del self.fields["file_kinds"]
            del self.fields["file_max_mb"]

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        is_file = data["type"] == QuestionType.FILE
        return QuestionInput(
            type=data["type"],
            text=data["text"],
            help_text=data.get("help_text", ""),
            required=bool(data.get("required")),
            min_value=data.get("min_value"),
            max_value=data.get("file_max_mb") if is_file else data.get("max_value"),
            min_label=data.get("min_label", ""),
            max_label=data.get("max_label", ""),
            choices=[line for line in data.get("choices", "").splitlines() if line.strip()],
            other_option=bool(data.get("other_option")),
            condition=self.condition() if "condition_question" in self.fields else None,
            file_kinds=list(data.get("file_kinds") or []),
        )

    @staticmethod
    def initial_from(question: Question, source: Question | None) -> dict[str, Any]:
        choices = list(question.choices.all())
        return {
            "type": question.type,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "choices": "\n".join(c.text for c in choices if not c.is_other),
            "other_option": any(c.is_other for c in choices),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "min_label": question.min_label,
            "max_label": question.max_label,
            "file_kinds": question.file_kinds or list(FILE_KINDS_DEFAULT),
            "file_max_mb": question.file_max_mb if question.type == QuestionType.FILE else None,
            **ConditionFields.initial_from_conditions(question.conditions, source),
        }


def answers_from_post(
    questions: list[Question], post: QueryDict, files: Any = None
) -> dict[str, Any]:
    """A resident's answers by question key, as the submit service takes them. Field names:
    ``q-<key>`` (one or more values; the attached file of a file question, from ``files``,
    the request's FILES), ``q-<key>-other`` (the "other" text), and ``q-<key>-<choice key>``
    for ranking places and matrix rows."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q-{question.key}"
        if question.type == QuestionType.FILE:
            answers[question.key] = files.get(name) if files is not None else None
            continue
        if question.type == QuestionType.MULTIPLE:
            answers[question.key] = post.getlist(name)
        elif question.type in (QuestionType.RANKING, QuestionType.MATRIX):
            answers[question.key] = {
                c.key: post.get(f"{name}-{c.key}", "") for c in question.choices.all()
            }
        else:
            answers[question.key] = post.get(name, "")
        if post.get(f"{name}-other"):
            answers[question.key + ".other"] = post.get(f"{name}-other", "")
        if question.type == QuestionType.POINT and post.get(f"{name}-point"):
            answers[question.key + ".point"] = post.get(f"{name}-point", "")
    return answers


def post_from_draft(data: dict[str, Any]) -> QueryDict:
    """A draft's kept values as the POST they came from, for :func:`answers_from_post`."""
    post = QueryDict(mutable=True)
    for name, values in data.items():
        if isinstance(name, str) and isinstance(values, list):
            post.setlist(name, [v for v in values if isinstance(v, str)])
    return post


def answers_from_response(questions: list[Question], rows: list[Any]) -> dict[str, Any]:
    """The same shape, from a stored response (to edit it)."""
    by_pk = {q.pk: q for q in questions}
    answers: dict[str, Any] = {}
    for row in rows:
        question = by_pk.get(row.question_id)
        if question is None:
            continue
        choice_keys = {c.pk: c.key for c in question.choices.all()}
        if question.type in (QuestionType.RANKING, QuestionType.MATRIX):
            answers.setdefault(question.key, {})[choice_keys.get(row.choice_id, "")] = str(
                int(row.number)
            )
        elif question.type == QuestionType.MULTIPLE:
            answers.setdefault(question.key, []).append(choice_keys.get(row.choice_id, ""))
        elif question.type in (QuestionType.SINGLE, QuestionType.AREA):
            answers[question.key] = choice_keys.get(row.choice_id, "")
        elif question.type == QuestionType.POINT:
            answers[question.key] = choice_keys.get(row.choice_id, "")
            if row.text:
                answers[question.key + ".point"] = row.text.replace(",", ", ")
            continue
        elif row.number is not None:
            number = row.number.normalize()
            answers[question.key] = (
                str(number).replace(".", ",") if number % 1 else str(int(number))
            )
        elif row.date is not None:
            answers[question.key] = row.date.isoformat()
        else:
            answers[question.key] = row.text
        if row.choice_id and row.text:
            answers[question.key + ".other"] = row.text
    return answers
