"""Submitting a response: checked against the current version's questions, stored whole or
not at all, once.

- Once: the form carries an idempotency key; the key is unique in the table, so of fifty
  identical submits at once one inserts and the others find its row (CONSUL's duplicate
  voters came from checking in Python first). A resident's one response and a browser's one
  response are unique constraints too.
- Whole: the response and its answers are written in one transaction.
- Hidden questions: their answers are dropped and they are never required
  (:func:`surveys.conditions.visible_keys` decides, as on the page).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.ratelimit import window_hit
from consultations.models import ParticipationForm
from consultations.public_changes import public_change
from consultations.selectors import participation_form_get
from consultations.services import audit_record
from surveys import geo
from surveys.conditions import visible_keys
from surveys.files import answer_file_check, is_upload
from surveys.models import (
    TALLY_SHARDS,
    Answer,
    Audience,
    Channel,
    Invitation,
    Question,
    QuestionType,
    Response,
    ResultTally,
    Survey,
    SurveyVersion,
)
from surveys.selectors import (
    VersionStructure,
    invitation_by_token,
    response_answers,
    version_structure_of,
)
from surveys.services import tallies

# Anonymous surveys: at most this many responses from one IP address per window. A whole
# office or school behind one address must still be able to answer, hence not 1.
RATE_LIMIT_RESPONSES = 30
RATE_LIMIT_WINDOW_SECONDS = 600
TEXT_LIMITS: dict[str, int] = {QuestionType.SHORT_TEXT: 500, QuestionType.LONG_TEXT: 10000}
OTHER_TEXT_LIMIT = 500


class SurveyClosed(ValidationError):
    pass


@dataclass
class SubmitResult:
    response: Response
    created: bool


def _has_verified_email(user: Any) -> bool:
    from allauth.account.models import EmailAddress

    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def eligibility_error(survey: Survey, user: Any, *, invitation_token: str = "") -> str | None:
    """Why this person may not answer (None when they may)."""
    if survey.audience == Audience.VERIFIED and not _has_verified_email(user):
        return _(
            "This survey is answered by residents with a verified e-mail address. Please sign "
            "in (or create an account) and confirm your e-mail address first."
        )
    if survey.audience == Audience.INVITED:
        invitation = invitation_by_token(survey, invitation_token) if invitation_token else None
        if invitation is None:
            return _(
                "This survey is answered only by invited organisations and people, through the "
                "personal link sent to them by e-mail."
            )
        if invitation.used_at is not None:
            return _invitation_used()
    return None


def _invitation_used() -> str:
    return _("This personal link has already been used to send a response. Thank you.")


def _clean_text(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else ""
    if "\x00" in text:
        raise ValueError(_("The answer contains a forbidden NUL character."))
    text = text.strip()
    if len(text) > limit:
        raise ValueError(
            ngettext(
                "The answer is too long: at most %(max)d character.",
                "The answer is too long: at most %(max)d characters.",
                limit,
            )
            % {"max": limit}
        )
    return text


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v not in (None, "")]


def _integer(value: str, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(message) from None


def _question_answers(
    question: Question, value: Any, other_text: Any
) -> tuple[Any, list[Answer], bool]:
    """(the value conditions see, the answer rows, whether anything was answered).
    Raises ValueError with the message shown next to the question."""
    choices = {c.key: c for c in question.choices.all()}
    rows: list[Answer] = []
    qtype = question.type
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        keys = _as_list(value)
        if qtype == QuestionType.SINGLE and len(keys) > 1:
            raise ValueError(_("Please choose one answer."))
        if any(key not in choices for key in keys):
            raise ValueError(_("Please choose answers from the list."))
        keys = list(dict.fromkeys(keys))
        if qtype == QuestionType.MULTIPLE and keys:
            low, high = question.min_value, question.max_value
            if low is not None and len(keys) < low:
                raise ValueError(
                    ngettext(
                        "Please choose at least %(count)d answer.",
                        "Please choose at least %(count)d answers.",
                        low,
                    )
                    % {"count": low}
                )
            if high is not None and len(keys) > high:
                raise ValueError(
                    ngettext(
                        "Please choose at most %(count)d answer.",
                        "Please choose at most %(count)d answers.",
                        high,
                    )
                    % {"count": high}
                )
        for key in keys:
            choice = choices[key]
            text = ""
            if choice.is_other:
                text = _clean_text(other_text, OTHER_TEXT_LIMIT)
                if not text:
                    raise ValueError(_("Please specify the “other” answer."))
            rows.append(Answer(question=question, choice=choice, text=text))
        seen: Any = keys[0] if qtype == QuestionType.SINGLE and keys else keys
        return seen, rows, bool(keys)
    if qtype in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        text = _clean_text(value, TEXT_LIMITS[qtype])
        if text:
            rows.append(Answer(question=question, text=text))
        return text, rows, bool(text)
    if qtype == QuestionType.NUMBER:
        raw = _clean_text(value, 40).replace(",", ".").replace(" ", "")
        if not raw:
            return "", rows, False
        number: Decimal | int  # an int in the branches below (a scale value, a matrix cell)
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValueError(_("Please enter a number, e.g. 12 or 3,5.")) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise ValueError(_("Please enter a number, e.g. 12 or 3,5."))
        if number != number.quantize(Decimal("0.0001")):
            raise ValueError(_("Please enter at most four decimal places."))
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(_out_of_range(low, high))
        rows.append(Answer(question=question, number=number))
        return raw, rows, True
    if qtype == QuestionType.SCALE:
        raw = _clean_text(value, 10)
        if not raw:
            return "", rows, False
        top = question.max_value or 5
        number = _integer(raw, _out_of_range(1, top))
        if not 1 <= number <= top:
            raise ValueError(_out_of_range(1, top))
        rows.append(Answer(question=question, number=number))
        return str(number), rows, True
    if qtype == QuestionType.RANKING:
        ranks = value if isinstance(value, dict) else {}
        given = {k: _clean_text(v, 10) for k, v in ranks.items() if k in choices}
        given = {k: v for k, v in given.items() if v}
        if not given:
            return [], rows, False
        count = len(choices)
        numbers = {k: _integer(v, _out_of_range(1, count)) for k, v in given.items()}
        if any(not 1 <= n <= count for n in numbers.values()):
            raise ValueError(_out_of_range(1, count))
        if len(numbers) != count or sorted(numbers.values()) != list(range(1, count + 1)):
            raise ValueError(
                _("Please give each item a different place, from 1 to %(count)d.")
                % {"count": count}
            )
        for key, place in numbers.items():
            rows.append(Answer(question=question, choice=choices[key], number=place))
        return sorted(numbers, key=numbers.__getitem__), rows, True
    if qtype == QuestionType.MATRIX:
        cells = value if isinstance(value, dict) else {}
        top = question.max_value or 5
        values: list[str] = []
        for key, raw in cells.items():
            if key not in choices:
                continue
            raw = _clean_text(raw, 10)
            if not raw:
                continue
            number = _integer(raw, _out_of_range(1, top))
            if not 1 <= number <= top:
                raise ValueError(_out_of_range(1, top))
            rows.append(Answer(question=question, choice=choices[key], number=number))
            values.append(str(number))
        if rows and question.required and len(rows) != len(choices):
            raise ValueError(_("Please answer every row."))
        return values, rows, bool(rows)
    if qtype == QuestionType.DATE:
        raw = _clean_text(value, 20)
        if not raw:
            return "", rows, False
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("Please enter a date as YYYY-MM-DD, e.g. 2026-05-31.")) from None
        rows.append(Answer(question=question, date=day))
        return raw, rows, True
    if qtype in (QuestionType.AREA, QuestionType.POINT):
        return _map_answer(question, choices, value, other_text)
    if qtype == QuestionType.FILE:
        return _file_answer(question, value)
    raise ValueError(_("This question cannot be answered."))


def _map_answer(
    question: Question, choices: dict[str, Any], value: Any, point_text: Any
) -> tuple[Any, list[Answer], bool]:
    """An area (chosen on the map or from the list), or a point: typed as "latitude,
    longitude" or put on the map; a point decides its area, and must lie in one of the
    question's areas when they have outlines."""
    keys = _as_list(value)
    if len(keys) > 1 or any(key not in choices for key in keys):
        raise ValueError(_("Please choose an area from the list."))
    choice = choices[keys[0]] if keys else None
    text = ""
    raw = _clean_text(point_text, 60) if question.type == QuestionType.POINT else ""
    if raw:
        try:
            lat, lon = geo.point_parse(raw)
        except ValueError:
            raise ValueError(
                _(
                    "Please enter the point as latitude and longitude, e.g. 50.0614, 19.9366, "
                    "or choose it on the map."
                )
            ) from None
        outlined = [c for c in choices.values() if c.outline]
        if outlined:
            inside = next(
                (c for c in outlined if geo.point_in_outline(float(lat), float(lon), c.outline)),
                None,
            )
            if inside is None:
                raise ValueError(
                    _(
                        "The point lies outside the municipality's areas. Please choose a "
                        "place inside one of them, or choose only the area from the list."
                    )
                )
            choice = inside
        text = geo.point_text(lat, lon)
    if choice is None:
        if text:
            raise ValueError(_("Please also choose the area from the list."))
        return "", [], False
    return choice.key, [Answer(question=question, choice=choice, text=text)], True


def _file_answer(question: Question, value: Any) -> tuple[Any, list[Answer], bool]:
    """A newly attached file (checked, not stored yet: the row carries the upload until the
    response is stored), or the file a resident's earlier response already holds (``value``
    is that answer row) when they change their response without attaching it again."""
    if isinstance(value, Answer):
        row = Answer(question=question, text=value.text, file_kind=value.file_kind)
        row.file.name = value.file.name
        return "1", [row], True
    if not is_upload(value):
        return "", [], False
    kind, name = answer_file_check(question, value)
    row = Answer(question=question, text=name, file_kind=kind)
    row._upload = value  # type: ignore[attr-defined]  # stored by _store with the response
    return "1", [row], True


def _out_of_range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return _("Please enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}
    if low is not None:
        return _("Please enter a value of at least %(low)s.") % {"low": low}
    return _("Please enter a value of at most %(high)s.") % {"high": high}


def answers_check(
    structure: VersionStructure, answers: dict[str, Any]
) -> tuple[list[Answer], frozenset[str]]:
    """The answer rows of the shown questions and the keys shown; raises ValidationError
    with a message per question key. Pure apart from reading ``structure``."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, Any] = {}
    prepared: dict[str, tuple[list[Answer], bool]] = {}
    for question in structure.questions:
        try:
            extra = ".point" if question.type == QuestionType.POINT else ".other"
            value, rows, answered = _question_answers(
                question, answers.get(question.key), answers.get(question.key + extra)
            )
        except ValueError as exc:
            errors[question.key] = [str(exc)]
            continue
        seen[question.key] = value
        prepared[question.key] = (rows, answered)
    shown = visible_keys(structure.specs, seen)
    # Errors of hidden questions do not count: their answers are dropped.
    errors = {key: msgs for key, msgs in errors.items() if key in shown}
    rows = []
    for question in structure.questions:
        if question.key not in shown or question.key in errors:
            continue
        question_rows, answered = prepared[question.key]
        if question.required and not answered:
            errors[question.key] = [_("Please answer this question.")]
            continue
        rows.extend(question_rows)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError({"__all__": [_("Please answer at least one question.")]})
    return rows, shown


def _rate_limited(survey: Survey, client_ip: str) -> bool:
    count = window_hit(f"survey-rate:{survey.pk}:{client_ip}", RATE_LIMIT_WINDOW_SECONDS)
    return count > getattr(settings, "SURVEY_RATE_LIMIT_RESPONSES", RATE_LIMIT_RESPONSES)


def survey_response_submit(
    *,
    acting_user: Any,
    survey_id: int,
    idempotency_key: uuid.UUID,
    answers: dict[str, Any],
    client_ip: str = "",
    browser_token: str = "",
    honeypot: str = "",
    now: datetime | None = None,
    invitation_token: str = "",
    after_store: Callable[[Response], None] | None = None,
    survey: Survey | None = None,
    form: ParticipationForm | None = None,
) -> SubmitResult:
    """Store a resident's response once (see the module), or raise ValidationError with a
    message for the page and nothing stored. ``after_store(response)`` runs in the same
    transaction once the response is stored (a failure there stores nothing, files included).

    ``acting_user`` is the resident (anonymous for anyone's surveys); a resident of a
    verified-e-mail survey who submits again replaces their answers while the survey is open.
    A survey for invited addresses takes a response only with an unused one-time link's
    ``invitation_token``; the link is then used up.

    ``survey`` (the one of ``survey_id``) and its consultation's ``form`` of the survey's
    kind, with its consultation, when the caller has just read them (the answering page
    has), save their queries. The idempotency key is looked up only when something would
    refuse the response: a new response's key is checked by the unique constraint of the
    one statement that stores it, and a response sent again is returned as stored, even
    after the survey closed, its link was used up or its network's limit was reached.
    """
    now = now or timezone.now()
    if survey is None:
        survey = Survey.objects.select_related("consultation").get(pk=survey_id)
    elif survey.pk != survey_id:
        raise ValueError("survey is not the survey of survey_id")
    try:
        return _submit_checked(
            survey=survey,
            form=form,
            acting_user=acting_user,
            idempotency_key=idempotency_key,
            answers=answers,
            client_ip=client_ip,
            browser_token=browser_token,
            honeypot=honeypot,
            now=now,
            invitation_token=invitation_token,
            after_store=after_store,
        )
    except ValidationError:
        existing = _sent_before(survey, idempotency_key)
        if existing is None:
            raise
        return SubmitResult(existing, created=False)


def _sent_before(survey: Survey, idempotency_key: uuid.UUID) -> Response | None:
    """The response already stored under this key, or None; a key of another survey is an
    old page's (refused)."""
    existing = Response.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.survey_id != survey.pk:
        raise ValidationError(_("This form has expired. Please reload the page."))
    return existing


def _submit_checked(
    *,
    survey: Survey,
    form: ParticipationForm | None,
    acting_user: Any,
    idempotency_key: uuid.UUID,
    answers: dict[str, Any],
    client_ip: str,
    browser_token: str,
    honeypot: str,
    now: datetime,
    invitation_token: str,
    after_store: Callable[[Response], None] | None,
) -> SubmitResult:
    if form is None:
        form = participation_form_get(survey.consultation, survey.kind)
    elif form.consultation_id != survey.consultation_id or form.kind != survey.kind:
        raise ValueError("form is not the survey's form")
    if form is None or not form.is_open_at(now):
        raise SurveyClosed(
            _(
                "The survey is closed: responses are no longer accepted. Your answers are "
                "shown below so that nothing is lost."
            )
        )
    if honeypot:
        raise ValidationError(_("The response could not be accepted. Please try again."))
    problem = eligibility_error(survey, acting_user, invitation_token=invitation_token)
    if problem:
        raise ValidationError(problem)
    invitation = (
        invitation_by_token(survey, invitation_token)
        if survey.audience == Audience.INVITED
        else None
    )
    respondent = acting_user if survey.audience == Audience.VERIFIED else None
    if survey.audience == Audience.ANYONE:
        if survey.one_per_browser and not browser_token:
            raise ValidationError(
                _("Please allow cookies for this site: this survey takes one response each.")
            )
        if client_ip and _rate_limited(survey, client_ip):
            raise ValidationError(
                _("Too many responses came from your network just now. Please try again later.")
            )
    with _files_cleanup() as written:
        return _store(
            written=written,
            survey=survey,
            idempotency_key=idempotency_key,
            answers=answers,
            respondent=respondent,
            browser_token=browser_token if survey.one_per_browser else "",
            channel=Channel.ONLINE,
            entered_by=None,
            invitation=invitation,
            after_store=after_store,
            form_open=True,
        )


def _version_locked(survey: Survey) -> tuple[SurveyVersion, bool]:
    """The current version, locked ``FOR SHARE`` (shared with other submits, exclusive of
    the builder's change to it), and whether it has a response already (then it is frozen
    and its structure may come from memory): one query."""
    table = SurveyVersion._meta.db_table
    version = next(
        iter(
            SurveyVersion.objects.raw(
                f"SELECT v.*, EXISTS (SELECT 1 FROM {Response._meta.db_table} r "
                "WHERE r.version_id = v.id) AS frozen "
                f"FROM {table} v WHERE v.survey_id = %s ORDER BY v.number DESC LIMIT 1 "
                "FOR SHARE OF v",
                [survey.pk],
            )
        ),
        None,
    )
    assert version is not None
    return version, bool(version.frozen)  # type: ignore[attr-defined]


def _columns(model: type[Model], exclude: tuple[str, ...]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude]


def _insert_whole(
    response: Response, rows: list[Answer], counts: Counter[tallies.TallyKey]
) -> Response | None:
    """A new response, its answer rows and its tallies in one statement (one round trip
    where a savepoint, three inserts and a release took five), or None, with nothing
    written, when a unique column (idempotency key, resident, browser, invitation) already
    holds a row. The columns come from the models, so a field added to them is written."""
    response_fields = _columns(Response, ())
    answer_fields = _columns(Answer, ("response",))
    for field in response_fields:
        field.pre_save(response, add=True)  # created_at, updated_at
    items = tallies.ordered(counts)

    def db_value(field: Any, obj: Any) -> Any:
        return field.get_db_prep_save(getattr(obj, field.attname), connection)

    def array(field: Any) -> str:
        return f"%s::{field.db_type(connection)}[]"

    answer_columns = ", ".join(f.column for f in answer_fields)
    names = ", ".join(f"c{i}" for i in range(len(answer_fields)))
    sql = (
        f"WITH r AS (INSERT INTO {Response._meta.db_table} "
        f"({', '.join(f.column for f in response_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(response_fields))}) "
        "ON CONFLICT DO NOTHING RETURNING id), "
        f"a AS (INSERT INTO {Answer._meta.db_table} (response_id, {answer_columns}) "
        f"SELECT r.id, {names} FROM r, "
        f"unnest({', '.join(array(f) for f in answer_fields)}) AS x({names})), "
        f"t AS (INSERT INTO {ResultTally._meta.db_table} AS t "
        "(version_id, question_id, choice_id, number, date, shard, n) "
        f"SELECT %s, q, c, v, d, r.id %% {TALLY_SHARDS}, k FROM r, "
        "unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::date[], %s::bigint[]) "
        "WITH ORDINALITY AS y(q, c, v, d, k, o) ORDER BY o "
        f"{tallies.UPSERT}) "
        "SELECT id FROM r"
    )
    params: list[Any] = [db_value(f, response) for f in response_fields]
    params += [[db_value(f, row) for row in rows] for f in answer_fields]
    params.append(response.version_id)
    params += [[key[i] for key, _n in items] for i in range(4)]
    params.append([n for _key, n in items])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    response.pk = found[0]
    response._state.adding = False
    return response


@transaction.atomic
def _store(
    *,
    written: list[str],
    survey: Survey,
    idempotency_key: uuid.UUID,
    answers: dict[str, Any],
    respondent: Any,
    browser_token: str,
    channel: str,
    entered_by: Any,
    invitation: Invitation | None = None,
    after_store: Callable[[Response], None] | None = None,
    form_open: bool = False,
) -> SubmitResult:
    """``form_open``: the caller found the survey's form open (a resident's submit), so the
    consultation's page shows no count that this response changes."""
    version, frozen = _version_locked(survey)
    structure = version_structure_of(version, frozen=frozen)
    response: Response | None = None
    if respondent is not None:
        response = (
            Response.objects.select_for_update()
            .filter(survey=survey, respondent=respondent)
            .first()
        )
    if response is not None:
        if response.idempotency_key == idempotency_key:
            return SubmitResult(response, created=False)  # the same page sent twice
        answers = {**answers, **_files_kept(response, structure, answers)}
    rows, _shown = answers_check(structure, answers)
    created = response is None
    # What this response adds to the results' tallies (less its old answers on an edit).
    counts = tallies.response_counts(rows)
    if response is None:
        # The answers and the response go in one statement, so the files are written first;
        # when a unique column refuses the response, they are removed again at once.
        _files_store(rows, written)
        response = _insert_whole(
            Response(
                survey=survey,
                version=version,
                idempotency_key=idempotency_key,
                respondent=respondent,
                browser_token=browser_token,
                channel=channel,
                entered_by=entered_by,
                invitation=invitation,
            ),
            rows,
            counts,
        )
        if response is None:
            _files_discard(written)
            duplicate = _sent_before(survey, idempotency_key)
            if duplicate is not None:
                return SubmitResult(duplicate, created=False)
            if invitation is not None:
                # Another submit through the same link won the unique column.
                raise ValidationError(_invitation_used()) from None
            if browser_token:
                raise ValidationError(
                    _("A response to this survey has already been sent from this browser.")
                ) from None
            raise ValidationError(
                _("Your response has just been saved in another window. Please reload the page.")
            ) from None
    else:
        kept = {row.file.name for row in rows if row.file and not hasattr(row, "_upload")}
        replaced = [
            (a.file.name, a.file.storage)
            for a in response.answers.exclude(file="")
            if a.file.name not in kept
        ]
        old_version_id = response.version_id
        old = tallies.response_counts(response_answers(response))
        if old_version_id == version.pk:
            counts.subtract(old)
        else:
            # Its earlier version loses the response; the lower version id first, as every
            # submit writes tallies in one order.
            tallies.tallies_add(
                version_id=old_version_id,
                response_id=response.pk,
                counts=Counter({key: -n for key, n in old.items()}),
            )
        response.answers.all().delete()
        response.version = version
        response.save(update_fields=["version", "updated_at"])
        if replaced:
            transaction.on_commit(lambda: [storage.delete(name) for name, storage in replaced])
        for row in rows:
            row.response = response
        _files_store(rows, written)
        Answer.objects.bulk_create(rows)
        tallies.tallies_add(version_id=version.pk, response_id=response.pk, counts=counts)
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    if created:
        # The consultation page shows how many responses a finished survey received.
        public_change("contributions", survey.consultation_id, form_open=form_open)
    if after_store is not None:
        after_store(response)
    return SubmitResult(response, created=created)


def _files_kept(
    response: Response, structure: VersionStructure, answers: dict[str, Any]
) -> dict[str, Answer]:
    """A resident who changes their response keeps the files they attached before, unless
    they attach a new one: by question key, the earlier answer rows with a file."""
    wanted = {
        q.key
        for q in structure.questions
        if q.type == QuestionType.FILE and not is_upload(answers.get(q.key))
    }
    if not wanted:
        return {}
    return {
        answer.question.key: answer
        for answer in response.answers.exclude(file="").select_related("question")
        if answer.question.key in wanted
    }


def _files_store(rows: list[Answer], written: list[str]) -> None:
    """Write the checked uploads of ``rows`` to the private storage, naming each in
    ``written``. Called inside the response's transaction once the response row exists (a
    duplicate submit has returned before, storing nothing); the caller removes ``written``
    when the transaction fails (:func:`_files_cleanup`), so a refused submit leaves no file."""
    for row in rows:
        upload = getattr(row, "_upload", None)
        if upload is None:
            continue
        upload.seek(0)
        row.file.save(f"answer.{row.file_kind}", upload, save=False)
        written.append(row.file.name)


def _files_discard(written: list[str]) -> None:
    """Remove the files just written for a response that was not stored after all."""
    storage = Answer._meta.get_field("file").storage
    for name in written:
        storage.delete(name)
    written.clear()


@contextmanager
def _files_cleanup() -> Iterator[list[str]]:
    """Around a transaction that may store files: the names stored, removed again from the
    storage when the transaction fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        _files_discard(written)
        raise


def survey_paper_response_enter(
    *, acting_user: Any, survey_id: int, idempotency_key: uuid.UUID, answers: dict[str, Any]
) -> SubmitResult:
    """Staff type in a paper questionnaire: marked "paper" with who entered it. Accepted
    while the consultation runs and after it closes (paper arrives by post), never once its
    report is published."""
    survey = Survey.objects.select_related("consultation").get(pk=survey_id)
    if survey.consultation.status not in ("open", "closed"):
        raise ValidationError(
            _("Paper questionnaires can be entered while the consultation is open or closed.")
        )
    with _files_cleanup() as written, transaction.atomic():
        result = _store(
            written=written,
            survey=survey,
            idempotency_key=idempotency_key,
            answers=answers,
            respondent=None,
            browser_token="",
            channel=Channel.PAPER,
            entered_by=acting_user,
        )
        if result.created:
            audit_record(
                acting_user=acting_user,
                action="survey_paper_response_enter",
                target=result.response,
                consultation=survey.consultation,
            )
    return result
