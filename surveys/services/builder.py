"""The builder's writes: a survey's settings, sections and questions.

Every change to content goes to the survey's working version: the current one while it has
no response, else a copy of it (a new version) — a response always matches the questions it
answered. The current version row is locked (``FOR UPDATE``) for the change, and the submit
service holds a share lock on it while it validates and stores a response, so the two never
interleave. Items are named by their stable keys, which the copy keeps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from consultations.models import Area, Consultation
from consultations.services import audit_record
from surveys.conditions import OPERATORS
from surveys.models import (
    CHOICE_TYPES,
    FILE_KINDS_DEFAULT,
    FILE_MAX_MB_DEFAULT,
    FILE_MAX_MB_LIMIT,
    MAP_TYPES,
    Audience,
    Choice,
    FileKind,
    Question,
    QuestionType,
    Section,
    Survey,
    SurveyKind,
    SurveyVersion,
)

MAX_CHOICES = 50
SCALE_TOP_DEFAULT = 5
SCALE_TOP_LIMITS = (2, 10)
NUMBER_LIMIT = 10**12
POLL_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})


def text_check(value: str, *, max_length: int, field_name: str, required: bool = False) -> str:
    """A builder text: no NUL characters, within its length, stripped."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field_name: [_("The text contains a forbidden NUL character.")]})
    if len(value) > max_length:
        raise ValidationError(
            {
                field_name: [
                    _("The text is too long: at most %(max)d characters.") % {"max": max_length}
                ]
            }
        )
    if required and not value:
        raise ValidationError({field_name: [_("This field is required.")]})
    return value


@dataclass
class ConditionInput:
    """One condition as the builder's form gives it: the earlier question's key, the
    operator, the value (for a choice question: the choice's text as shown) and negation."""

    question_key: str
    op: str
    value: str = ""
    negate: bool = False


@dataclass
class QuestionInput:
    type: str
    text: str
    help_text: str = ""
    required: bool = False
    min_value: int | None = None
    max_value: int | None = None
    min_label: str = ""
    max_label: str = ""
    choices: list[str] = field(default_factory=list)
    other_option: bool = False
    condition: ConditionInput | None = None
    # A file question: the kinds it takes (FileKind values); its largest file in MB is
    # ``max_value``.
    file_kinds: list[str] = field(default_factory=list)


# --- Versions ---------------------------------------------------------------------------------


def current_version(survey: Survey) -> SurveyVersion:
    version = survey.versions.order_by("-number").first()
    assert version is not None  # survey_create makes every survey with its first version
    return version


def _version_copy(version: SurveyVersion) -> SurveyVersion:
    copy = SurveyVersion.objects.create(survey=version.survey, number=version.number + 1)
    for section in version.sections.prefetch_related("questions__choices"):
        questions = list(section.questions.all())
        section.pk = None
        section.version = copy
        section.save()
        for question in questions:
            choices = list(question.choices.all())
            question.pk = None
            question.section = section
            question.save()
            for choice in choices:
                choice.pk = None
                choice.question = question
            Choice.objects.bulk_create(choices)
    return copy


def _working_version(survey: Survey) -> SurveyVersion:
    """The version a content change goes to (see the module)."""
    version = SurveyVersion.objects.select_for_update().get(pk=current_version(survey).pk)
    if version.responses.exists():
        version = _version_copy(version)
    return version


def _survey_locked(survey_id: int) -> Survey:
    survey = Survey.objects.select_for_update().select_related("consultation").get(pk=survey_id)
    return survey


# Set while the provider's staff build a municipality's survey (surveys.views_provider):
# every audit row of the builder then says so, and the coordinator sees who built it.
_by_provider: ContextVar[bool] = ContextVar("surveys_builder_by_provider", default=False)


@contextmanager
def provider_building() -> Iterator[None]:
    """The builder's services, called inside, act for the provider's staff: the acting user
    is a provider account (of the public schema) and the audit rows are marked "provider"."""
    token = _by_provider.set(True)
    try:
        yield
    finally:
        _by_provider.reset(token)


def _audit(
    acting_user: Any, action: str, survey: Survey, details: dict[str, Any] | None = None
) -> None:
    details = dict(details or {})
    if _by_provider.get():
        details["provider"] = True
    audit_record(
        acting_user=acting_user,
        action=action,
        target=survey,
        consultation=survey.consultation,
        details=details,
    )


def _change_record(acting_user: Any, survey: Survey, change: str, version: SurveyVersion) -> None:
    """The audit row of a content change, naming the version it went to."""
    _audit(acting_user, "survey_change", survey, {"change": change, "version": version.number})


# --- Survey ---------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, acting_user: Any, consultation: Consultation, kind: str) -> Survey:
    """The survey or poll of a consultation, with its first version and section; returns the
    existing one when it is there already (a repeated click creates nothing twice)."""
    if kind not in SurveyKind.values:
        raise ValidationError(_("Unknown kind of survey."))
    survey, created = Survey.objects.get_or_create(
        consultation=consultation,
        kind=kind,
        defaults={"title": str(SurveyKind(kind).label)},
    )
    if created:
        version = SurveyVersion.objects.create(survey=survey, number=1)
        Section.objects.create(version=version, position=0)
        _audit(acting_user, "survey_create", survey, {"kind": kind})
    return survey


@transaction.atomic
def survey_settings_update(
    *,
    acting_user: Any,
    survey_id: int,
    title: str,
    intro: str,
    audience: str,
    one_per_browser: bool,
    results_public_early: bool,
) -> Survey:
    """Change what is not content: title, introduction, who may answer, results' visibility.
    Who may answer cannot change once responses exist (they were taken under the old rule)."""
    survey = _survey_locked(survey_id)
    title = text_check(title, max_length=250, field_name="title", required=True)
    intro = text_check(intro, max_length=5000, field_name="intro")
    if audience not in Audience.values:
        raise ValidationError({"audience": [_("Choose who may answer from the list.")]})
    has_responses = survey.responses.exists()
    if has_responses and (audience != survey.audience or one_per_browser != survey.one_per_browser):
        raise ValidationError(
            {
                "audience": [
                    _(
                        "Who may answer cannot be changed once responses have been received: "
                        "they were given under the rule in force."
                    )
                ]
            }
        )
    survey.title, survey.intro, survey.audience = title, intro, audience
    survey.one_per_browser = one_per_browser and audience == Audience.ANYONE
    survey.results_public_early = results_public_early
    survey.save()
    _audit(acting_user, "survey_settings_update", survey)
    return survey


# --- Sections -------------------------------------------------------------------------------


def _ordered_questions(version: SurveyVersion) -> list[Question]:
    return list(
        Question.objects.filter(section__version=version)
        .select_related("section")
        .prefetch_related("choices")
        .order_by("section__position", "section__pk", "position", "pk")
    )


def _condition_build(
    version: SurveyVersion, condition: ConditionInput | None, *, before_keys: list[str]
) -> list[dict[str, Any]]:
    """Check a condition and turn it into data; it may only look at an earlier question."""
    if condition is None or not condition.question_key:
        return []
    if condition.op not in OPERATORS:
        raise ValidationError({"condition_op": [_("Choose the kind of condition from the list.")]})
    if condition.question_key not in before_keys:
        raise ValidationError(
            {"condition_question": [_("A condition may only refer to an earlier question.")]}
        )
    source = (
        Question.objects.filter(section__version=version, key=condition.question_key)
        .prefetch_related("choices")
        .get()
    )
    value = text_check(condition.value, max_length=300, field_name="condition_value")
    if condition.op != "answered" and source.type == QuestionType.FILE:
        raise ValidationError(
            {
                "condition_op": [
                    _("A condition on a file question can only ask whether a file was attached.")
                ]
            }
        )
    if condition.op != "answered":
        if not value:
            raise ValidationError(
                {"condition_value": [_("Give the answer that the condition compares with.")]}
            )
        if source.type in (
            QuestionType.SINGLE,
            QuestionType.MULTIPLE,
            QuestionType.AREA,
            QuestionType.POINT,
        ):
            by_text = {c.text.casefold(): c.key for c in source.choices.all()}
            if value.casefold() not in by_text:
                raise ValidationError(
                    {
                        "condition_value": [
                            _("The question “%(question)s” has no answer “%(value)s”.")
                            % {"question": source.text, "value": value}
                        ]
                    }
                )
            value = by_text[value.casefold()]
    else:
        value = ""
    return [
        {
            "question": source.key,
            "op": condition.op,
            "value": value,
            "negate": bool(condition.negate),
        }
    ]


def _section_get(version: SurveyVersion, key: str) -> Section:
    section = version.sections.filter(key=key).first()
    if section is None:
        raise ValidationError(_("This section no longer exists."))
    return section


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _poll_guard(survey: Survey, message: str) -> None:
    if survey.kind == SurveyKind.POLL:
        raise ValidationError(message)


@transaction.atomic
def section_add(*, acting_user: Any, survey_id: int, title: str, description: str = "") -> Section:
    """Add a section at the end of the survey."""
    survey = _survey_locked(survey_id)
    _poll_guard(survey, _("A poll has a single question and no sections."))
    title = text_check(title, max_length=250, field_name="title", required=True)
    description = text_check(description, max_length=5000, field_name="description")
    version = _working_version(survey)
    last = version.sections.aggregate(m=Max("position"))["m"]
    section = Section.objects.create(
        version=version,
        title=title,
        description=description,
        position=0 if last is None else last + 1,
    )
    _change_record(acting_user, survey, "section_add", version)
    return section


@transaction.atomic
def section_update(
    *,
    acting_user: Any,
    survey_id: int,
    section_key: str,
    title: str,
    description: str,
    condition: ConditionInput | None,
) -> Section:
    """Change a section's title, description and display condition."""
    survey = _survey_locked(survey_id)
    title = text_check(title, max_length=250, field_name="title")
    description = text_check(description, max_length=5000, field_name="description")
    version = _working_version(survey)
    section = _section_get(version, section_key)
    before = [
        q.key
        for q in _ordered_questions(version)
        if (q.section.position, q.section.pk) < (section.position, section.pk)
    ]
    section.conditions = _condition_build(version, condition, before_keys=before)
    section.title, section.description = title, description
    section.save()
    _change_record(acting_user, survey, "section_update", version)
    return section


@transaction.atomic
def section_remove(*, acting_user: Any, survey_id: int, section_key: str) -> None:
    """Remove a section with its questions; the survey keeps at least one section."""
    survey = _survey_locked(survey_id)
    version = _working_version(survey)
    if version.sections.count() <= 1:
        raise ValidationError(_("A survey needs at least one section."))
    _section_get(version, section_key).delete()
    _renumber(list(version.sections.all()))
    _change_record(acting_user, survey, "section_remove", version)


@transaction.atomic
def section_move(*, acting_user: Any, survey_id: int, section_key: str, direction: str) -> None:
    """Move a section one place up or down."""
    survey = _survey_locked(survey_id)
    version = _working_version(survey)
    sections = list(version.sections.all())
    index = next((i for i, s in enumerate(sections) if s.key == section_key), None)
    if index is None:
        raise ValidationError(_("This section no longer exists."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
        _renumber(sections)
    _change_record(acting_user, survey, "section_move", version)


# --- Questions ------------------------------------------------------------------------------


def _question_values(survey: Survey, data: QuestionInput) -> dict[str, Any]:
    """Check a question's fields; returns the model fields (choices apart)."""
    if data.type not in QuestionType.values:
        raise ValidationError({"type": [_("Choose the type of question from the list.")]})
    if survey.kind == SurveyKind.POLL and data.type not in POLL_TYPES:
        raise ValidationError(
            {"type": [_("A poll asks a single-choice or a multiple-choice question.")]}
        )
    values: dict[str, Any] = {
        "type": data.type,
        "text": text_check(data.text, max_length=500, field_name="text", required=True),
        "help_text": text_check(data.help_text, max_length=500, field_name="help_text"),
        "required": bool(data.required),
        "min_value": None,
        "max_value": None,
        "min_label": "",
        "max_label": "",
        "file_kinds": [],
    }
    choices = [text_check(c, max_length=300, field_name="choices") for c in data.choices]
    choices = [c for c in choices if c]
    if data.type in CHOICE_TYPES:
        needed = 1 if data.type == QuestionType.MATRIX else 2
        if len(choices) < needed:
            raise ValidationError(
                {
                    "choices": [
                        _("Give at least %(count)d answers, one a line.") % {"count": needed}
                        if needed > 1
                        else _("Give at least one row, one a line.")
                    ]
                }
            )
        if len(choices) > MAX_CHOICES:
            raise ValidationError(
                {"choices": [_("At most %(count)d answers.") % {"count": MAX_CHOICES}]}
            )
        if len({c.casefold() for c in choices}) != len(choices):
            raise ValidationError({"choices": [_("Each answer may appear only once.")]})
    outlines: dict[str, str] = {}
    if data.type in MAP_TYPES:
        # The choices are the municipality's areas as they are now, with their outlines.
        areas = list(Area.objects.order_by("name").values_list("name", "outline"))
        if not areas:
            raise ValidationError(
                {
                    "type": [
                        _(
                            "A map question asks about the municipality's areas, and none has "
                            "been entered yet. Please add the areas (with their outlines) in "
                            "the catalogue first."
                        )
                    ]
                }
            )
        if len(areas) > MAX_CHOICES:
            raise ValidationError(
                {"type": [_("At most %(count)d answers.") % {"count": MAX_CHOICES}]}
            )
        choices = [name[:300] for name, _outline in areas]
        outlines = {name[:300]: outline for name, outline in areas}
    low, high = data.min_value, data.max_value
    if data.type == QuestionType.MULTIPLE:
        total = len(choices) + (1 if data.other_option else 0)
        if low is not None and not 0 <= low <= total:
            raise ValidationError(
                {"min_value": [_("The minimum must lie between 0 and the number of answers.")]}
            )
        if high is not None and not 1 <= high <= total:
            raise ValidationError(
                {"max_value": [_("The maximum must lie between 1 and the number of answers.")]}
            )
        values["min_value"], values["max_value"] = low, high
    elif data.type == QuestionType.NUMBER:
        for name, bound in (("min_value", low), ("max_value", high)):
            if bound is not None and abs(bound) > NUMBER_LIMIT:
                raise ValidationError({name: [_("This number is too large.")]})
        values["min_value"], values["max_value"] = low, high
    elif data.type in (QuestionType.SCALE, QuestionType.MATRIX):
        top = SCALE_TOP_DEFAULT if high is None else high
        if not SCALE_TOP_LIMITS[0] <= top <= SCALE_TOP_LIMITS[1]:
            raise ValidationError(
                {
                    "max_value": [
                        _("The top of the scale must lie between %(low)d and %(high)d.")
                        % {"low": SCALE_TOP_LIMITS[0], "high": SCALE_TOP_LIMITS[1]}
                    ]
                }
            )
        values["max_value"] = top
        values["min_label"] = text_check(data.min_label, max_length=100, field_name="min_label")
        values["max_label"] = text_check(data.max_label, max_length=100, field_name="max_label")
    elif data.type == QuestionType.FILE:
        values["file_kinds"], values["max_value"] = _file_settings(data)
        low = high = None
    if low is not None and high is not None and low > high:
        raise ValidationError({"max_value": [_("The maximum cannot be less than the minimum.")]})
    values["_choices"] = choices
    values["_outlines"] = outlines
    values["_other"] = bool(data.other_option) and data.type in (
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
    )
    return values


def _file_settings(data: QuestionInput) -> tuple[list[str], int]:
    """A file question's accepted kinds (in the list's order) and largest file in MB, within
    the platform's limit for residents' files."""
    kinds = [k for k in FileKind.values if k in set(data.file_kinds or [])]
    if set(data.file_kinds or []) - set(FileKind.values):
        raise ValidationError({"file_kinds": [_("Choose the kinds of file from the list.")]})
    if not data.file_kinds:
        kinds = list(FILE_KINDS_DEFAULT)
    top = FILE_MAX_MB_DEFAULT if data.max_value is None else data.max_value
    if not 1 <= top <= FILE_MAX_MB_LIMIT:
        raise ValidationError(
            {
                "file_max_mb": [
                    _("The largest file may be set from 1 to %(max)d MB.")
                    % {"max": FILE_MAX_MB_LIMIT}
                ]
            }
        )
    return kinds, top


def _choices_set(
    question: Question, texts: list[str], other: bool, outlines: dict[str, str] | None = None
) -> None:
    """Keep each choice's key by its place (line n keeps the key of choice n)."""
    existing = list(question.choices.all())
    wanted = [(text, False) for text in texts] + ([(_("Other"), True)] if other else [])
    outlines = outlines or {}
    for position, (text, is_other) in enumerate(wanted):
        outline = outlines.get(text, "")
        if position < len(existing):
            choice = existing[position]
            choice.text, choice.is_other, choice.position = text, is_other, position
            choice.outline = outline
            choice.save()
        else:
            Choice.objects.create(
                question=question,
                text=text,
                is_other=is_other,
                position=position,
                outline=outline,
            )
    for choice in existing[len(wanted) :]:
        choice.delete()


@transaction.atomic
def question_add(
    *, acting_user: Any, survey_id: int, section_key: str, data: QuestionInput
) -> Question:
    """Add a question at the end of a section (a poll takes one question only)."""
    survey = _survey_locked(survey_id)
    values = _question_values(survey, data)
    version = _working_version(survey)
    section = _section_get(version, section_key)
    if survey.kind == SurveyKind.POLL and Question.objects.filter(section__version=version):
        raise ValidationError(_("A poll has a single question."))
    before = [
        q.key
        for q in _ordered_questions(version)
        if (q.section.position, q.section.pk) <= (section.position, section.pk)
    ]
    conditions = _condition_build(version, data.condition, before_keys=before)
    if conditions and survey.kind == SurveyKind.POLL:
        raise ValidationError(_("A poll has no conditions."))
    choices, other = values.pop("_choices"), values.pop("_other")
    outlines = values.pop("_outlines")
    last = section.questions.aggregate(m=Max("position"))["m"]
    question = Question.objects.create(
        section=section,
        position=0 if last is None else last + 1,
        conditions=conditions,
        **values,
    )
    _choices_set(question, choices, other, outlines)
    _change_record(acting_user, survey, "question_add", version)
    return question


def _question_get(version: SurveyVersion, key: str) -> Question:
    question = Question.objects.filter(section__version=version, key=key).first()
    if question is None:
        raise ValidationError(_("This question no longer exists."))
    return question


@transaction.atomic
def question_update(
    *, acting_user: Any, survey_id: int, question_key: str, data: QuestionInput
) -> Question:
    """Change a question: its type, text, limits, choices and display condition."""
    survey = _survey_locked(survey_id)
    values = _question_values(survey, data)
    version = _working_version(survey)
    question = _question_get(version, question_key)
    ordered = [q.key for q in _ordered_questions(version)]
    before = ordered[: ordered.index(question.key)]
    question.conditions = _condition_build(version, data.condition, before_keys=before)
    choices, other = values.pop("_choices"), values.pop("_other")
    outlines = values.pop("_outlines")
    for name, value in values.items():
        setattr(question, name, value)
    question.save()
    if question.type in CHOICE_TYPES or question.type in MAP_TYPES:
        _choices_set(question, choices, other, outlines)
    else:
        question.choices.all().delete()
    _change_record(acting_user, survey, "question_update", version)
    return question


@transaction.atomic
def question_remove(*, acting_user: Any, survey_id: int, question_key: str) -> None:
    """Remove a question. Conditions that named it see "no answer" from then on."""
    survey = _survey_locked(survey_id)
    version = _working_version(survey)
    question = _question_get(version, question_key)
    section = question.section
    question.delete()
    _renumber(list(section.questions.all()))
    _change_record(acting_user, survey, "question_remove", version)


@transaction.atomic
def question_move(*, acting_user: Any, survey_id: int, question_key: str, direction: str) -> None:
    """Move a question one place up or down; past a section's edge it moves into the
    neighbouring section."""
    survey = _survey_locked(survey_id)
    version = _working_version(survey)
    question = _question_get(version, question_key)
    section = question.section
    siblings = list(section.questions.all())
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
    else:
        sections = list(version.sections.all())
        s_index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
        s_target = s_index - 1 if direction == "up" else s_index + 1
        if 0 <= s_target < len(sections):
            neighbour = sections[s_target]
            others = list(neighbour.questions.all())
            question.section = neighbour
            others = [*others, question] if direction == "up" else [question, *others]
            question.save(update_fields=["section"])
            _renumber(others)
            _renumber([q for q in siblings if q.pk != question.pk])
    _change_record(acting_user, survey, "question_move", version)
