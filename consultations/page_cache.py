"""Residents' pages cached for anonymous visitors, per municipality, under keys that change
exactly when what the pages show changes.

The key is the municipality's schema, its page version, the language and the host with the
full path and query. The version (``Municipality.page_version``, in the public schema) is
moved on by ``municipality_page_version_bump`` in the same transaction as every change a
resident could see: the services of consultations and of the participation kinds call
``consultations.public_changes.public_change()``, and a municipality's own changes go through
``tenants.status_listeners``; both lead to the listeners below. The version is read with the
municipality itself (the tenant middleware's one query, no extra one), before the page's own
queries: a page is therefore never stored under a version newer than its data. A change that
commits while a page renders leaves the page under the old version, which no request reads
once the change is visible.

What the key cannot see is the clock. Forms of participation open and close at their own
times without any write (``ParticipationForm.phase_at``), so the consultation page is kept
only until the next such moment (``page_cache_until``); news may be dated ahead, so the home
page and the news list are kept until the next one appears. Consultations open and close by
the beat job through the lifecycle services, which bump the version like any other change.
Everything else the pages compute from the time ("recently closed" on the home page) moves
at most by a day, and every entry lives at most ``PAGE_CACHE_SECONDS`` (60 s by default,
the beat job's own interval), which bounds it.

Only what cannot differ between visitors is stored:
- GET, on a municipality whose site is up, from a visitor without a session cookie, a
  messages cookie, a cookie an app registered as private (``page_cache_private_cookie``:
  a survey's draft) or an Authorization header (signed-in residents and staff always have a
  session: they never get a stored page, and what they get is never stored);
- views marked ``@page_cached``, answering 200 with an HTML body;
- no Set-Cookie (a CSRF token used by a form sets its cookie, so a page with a form is never
  stored: another visitor's token would be in it), no message added, no CSP nonce used (a
  stored nonce would not match the next response's header; the header itself is written
  fresh on every response by django-csp, outside this middleware).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache as once
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template import loader
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name
from redis.exceptions import RedisError

from common.db import connection
from consultations.models import Consultation, ParticipationForm
from consultations.public_changes import PublicChange
from tenants.models import Municipality, MunicipalityStatus
from tenants.services import municipality_page_version_bump

logger = logging.getLogger("konsulta.page_cache")

HEADER = "X-Page-Cache"
SERVED_STATUSES = frozenset({MunicipalityStatus.ACTIVE, MunicipalityStatus.ARCHIVED})
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name

# Cookies that carry one visitor's own content (e.g. surveys' drafts): a request with one
# neither gets nor stores a page. Apps add theirs in AppConfig.ready().
_private_cookies: set[str] = set()

_CACHEABLE = "_page_cacheable"
_UNTIL = "_page_cache_until"

View = Callable[..., HttpResponseBase]


def page_cached(view: View) -> View:
    """Mark a residents' view whose anonymous answers may be stored (see the module)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        setattr(request, _CACHEABLE, True)
        return view(request, *args, **kwargs)

    return wrapped


def page_cache_private_cookie(name: str) -> None:
    """A request carrying cookie ``name`` bypasses the page cache (see the module)."""
    _private_cookies.add(name)


def page_cache_until(request: HttpRequest, moment: datetime | None) -> None:
    """The page shows something that changes by itself at ``moment``: keep it no longer."""
    if moment is None:
        return
    current = getattr(request, _UNTIL, None)
    if current is None or moment < current:
        setattr(request, _UNTIL, moment)


def next_moment(moments: Iterable[datetime | None], *, now: datetime) -> datetime | None:
    """The earliest of ``moments`` still ahead of ``now``."""
    return min((m for m in moments if m is not None and m > now), default=None)


def page_cache_key(request: HttpRequest) -> str | None:
    """The request's key, or None when its answer may differ from visitor to visitor."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return None
    tenant = getattr(request, "tenant", None)
    if (
        not isinstance(tenant, Municipality)
        or tenant.pk is None
        or tenant.schema_name == get_public_schema_name()
        or tenant.status not in SERVED_STATUSES
    ):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return None
    if any(name in cookies for name in _private_cookies):
        return None
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    language = translation.get_language_from_request(request)
    where = f"{request.META.get('HTTP_HOST', '')}\n{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"page:{tenant.schema_name}:{tenant.page_version}:{language}:{digest}"


def _seconds_to_keep(request: HttpRequest) -> int:
    seconds = int(settings.PAGE_CACHE_SECONDS)
    until: datetime | None = getattr(request, _UNTIL, None)
    if until is not None:
        # Whole seconds, rounded down: an entry never outlives the moment.
        seconds = min(seconds, int((until - timezone.now()).total_seconds()))
    return seconds


def _same_for_everyone(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not getattr(request, _CACHEABLE, False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if any(word in response.get("Cache-Control", "") for word in ("private", "no-store")):
        return False
    # django-csp sets _csp_nonce once a template (or view) asked for the nonce.
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "added_new", False):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


Entry = tuple[float, int, list[tuple[str, str]], bytes]  # expires (epoch s), status, headers, body

# Each process keeps the entries it served last, so a hot page costs no Redis round trip
# either. Safe for the same reason as Redis: the key carries the page version, and an entry
# carries the moment it expires, which both copies respect.
LOCAL_ENTRIES = 128
_local: OrderedDict[str, Entry] = OrderedDict()


def _local_get(key: str) -> Entry | None:
    entry = _local.get(key)
    if entry is None:
        return None
    if entry[0] <= time.time():
        _local.pop(key, None)
        return None
    _local.move_to_end(key)
    return entry


def _local_put(key: str, entry: Entry) -> None:
    _local[key] = entry
    _local.move_to_end(key)
    while len(_local) > LOCAL_ENTRIES:
        _local.popitem(last=False)


def page_cache_local_clear() -> None:
    """Forget this process's copies (tests whose rolled-back versions come again)."""
    _local.clear()


def _response(entry: Entry) -> HttpResponse:
    _expires, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store anonymous residents' pages (after the tenant and status middleware:
    a hit skips sessions, CSRF, authentication and the view)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = page_cache_key(request)
        if key is None:
            return self.get_response(request)
        entry = _local_get(key)
        if entry is None:
            try:
                entry = cache.get(key)
            except RedisError:
                logger.warning("page cache unavailable: rendering", exc_info=True)
                return self.get_response(request)
            if entry is not None:
                _local_put(key, entry)
        if entry is not None and entry[0] > time.time():
            return _response(entry)
        response = self.get_response(request)
        seconds = _seconds_to_keep(request)
        if seconds > 0 and _same_for_everyone(request, response):
            assert isinstance(response, HttpResponse)
            headers = [(name, value) for name, value in response.items() if name != HEADER]
            entry = (time.time() + seconds, response.status_code, headers, response.content)
            _local_put(key, entry)
            try:
                cache.set(key, entry, seconds)
            except RedisError:
                logger.warning("page cache unavailable: not stored", exc_info=True)
            else:
                response[HEADER] = "miss"
        return response


# --- Fragments: the consultation cards of the home page and the list -----------------------
#
# A card shows only the consultation's own fields and names (title, status, dates, summary,
# department, areas, categories): nothing of the visitor, no form, no CSRF token, no nonce,
# and nothing that changes with the clock. It is therefore the same for everybody, signed-in
# residents and staff included, and is kept under the municipality's page version like the
# pages above: every change a card shows (a consultation's content or lifecycle, a renamed
# department, area or category) moves the version in its own transaction, and the version is
# read with the municipality before the page's queries, so a card is never stored under a
# version newer than its data. The key also carries the municipality's id (a schema name may
# be used again by a later municipality; its id never is), the language, and a digest of the
# card's template (a deployment that changes the markup starts afresh).

CARD_TEMPLATE = "consultations/resident/_card.html"
LOCAL_CARDS = 2048
_local_cards: OrderedDict[str, tuple[float, str]] = OrderedDict()


@once
def _card_template_digest() -> str:
    source = loader.get_template(CARD_TEMPLATE).template.source  # type: ignore[attr-defined]
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _card_key_prefix(request: HttpRequest | None) -> str | None:
    if settings.CARD_CACHE_SECONDS <= 0 or request is None:
        return None
    tenant = getattr(request, "tenant", None)
    if (
        not isinstance(tenant, Municipality)
        or tenant.pk is None
        or tenant.schema_name == get_public_schema_name()
        or tenant.schema_name != connection.schema_name
    ):
        return None
    language = translation.get_language()
    return (
        f"card:{tenant.pk}:{tenant.schema_name}:{tenant.page_version}:{language}:"
        f"{_card_template_digest()}:"
    )


def _card_render(consultation: Consultation) -> str:
    return loader.render_to_string(CARD_TEMPLATE, {"cards": [consultation]})


def consultation_cards(
    request: HttpRequest | None, consultations: Iterable[Consultation]
) -> dict[int, str]:
    """Each consultation's card (HTML, escaped) by its id: kept ones from this process or the
    cache, the others rendered (their areas and categories fetched in one query each, for all
    of them together) and kept. With ``CARD_CACHE_SECONDS`` at 0, or outside a
    municipality's request, every card is rendered."""
    rows = list(consultations)
    prefix = _card_key_prefix(request)
    if prefix is None:
        prefetch_related_objects(rows, "areas", "categories")
        return {c.pk: _card_render(c) for c in rows}
    now = time.time()
    found: dict[int, str] = {}
    for c in rows:
        kept = _local_cards.get(prefix + str(c.pk))
        if kept is not None and kept[0] > now:
            found[c.pk] = kept[1]
            _local_cards.move_to_end(prefix + str(c.pk))
    wanted = {prefix + str(c.pk): c.pk for c in rows if c.pk not in found}
    seconds = int(settings.CARD_CACHE_SECONDS)
    if wanted:
        try:
            stored = cache.get_many(list(wanted))
        except RedisError:
            logger.warning("card cache unavailable: rendering", exc_info=True)
            stored = {}
        for key, html in stored.items():
            if isinstance(html, str):
                found[wanted[key]] = html
                _local_card_put(key, now + seconds, html)
    missing = [c for c in rows if c.pk not in found]
    if missing:
        prefetch_related_objects(missing, "areas", "categories")
        new = {}
        for c in missing:
            html = _card_render(c)
            found[c.pk] = html
            new[prefix + str(c.pk)] = html
            _local_card_put(prefix + str(c.pk), now + seconds, html)
        try:
            cache.set_many(new, seconds)
        except RedisError:
            logger.warning("card cache unavailable: not stored", exc_info=True)
    return found


def _local_card_put(key: str, expires: float, html: str) -> None:
    _local_cards[key] = (expires, html)
    _local_cards.move_to_end(key)
    while len(_local_cards) > LOCAL_CARDS:
        _local_cards.popitem(last=False)


def consultation_cards_local_clear() -> None:
    """Forget this process's cards (tests whose rolled-back versions come again)."""
    _local_cards.clear()


# --- Listeners: the version moves with every change residents can see ----------------------


def _counts_shown(consultation_id: int) -> bool:
    """Whether the consultation's page shows contribution counts now: only a form whose
    phase is over shows its count (consultations.selectors.participation_entries). While a
    form is open, contributions change nothing a resident sees, and the page itself is kept
    no later than the form's end."""
    now = timezone.now()
    forms = ParticipationForm.objects.filter(consultation_id=consultation_id).select_related(
        "consultation"
    )
    return any(form.phase_at(now) == "after" for form in forms)


def page_version_on_public_change(change: PublicChange) -> None:
    """consultations.public_changes listener: runs in the changing transaction and schema."""
    schema_name = connection.schema_name
    if not schema_name or schema_name == get_public_schema_name():
        return
    if (
        change.scope == "contributions"
        and change.consultation_id is not None
        and (change.form_open or not _counts_shown(change.consultation_id))
    ):
        return
    municipality_page_version_bump(schema_name=schema_name)


def page_version_on_municipality_change(municipality: Municipality) -> None:
    """tenants.status_listeners listener: its name, contact or status shows on every page."""
    municipality_page_version_bump(schema_name=municipality.schema_name)
