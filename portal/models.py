"""Regional portals and the public index they read.

Every table here lives in the public schema (portal is a shared app). The index holds only
what a municipality has already made public on its own site, copied by a service in the same
transaction as the change (portal.index); nothing in a municipality's schema points here, and
no personal data (contact person, e-mail, phone, authors) is ever copied.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour such as #1f4e79."))


class IndexStatus(models.TextChoices):
    """The statuses a consultation has while it is in the index (a subset of the
    consultation's own: drafts, orders and archived consultations never enter)."""

    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")


class PublicConsultation(models.Model):
    """One consultation a municipality has made public: a copy of what its own page shows.

    ``consultation_id`` is the row's id in the municipality's schema, never a foreign key."""

    # No index of its own: public_consultation_once (municipality, consultation_id) serves
    # every lookup by municipality, and one index fewer is one fewer to write a change.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="public_consultations",
        db_index=False,
    )
    consultation_id = models.BigIntegerField()
    slug = models.CharField(max_length=100)
    title = models.CharField(max_length=250)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=IndexStatus.choices)
    legal_basis = models.CharField(max_length=32)
    # Copied from the municipality for the "area type" facet without a join.
    municipality_kind = models.CharField(max_length=20)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # When residents were first told of it (announcement), for "new" in the digest.
    published_at = models.DateTimeField(null=True, blank=True)
    areas = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    categories = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # Names of the participation kinds in use (remarks, survey, meeting, ...).
    forms = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    contributions = models.PositiveIntegerField(default=0)
    # The consultation's page on the municipality's own (primary) host.
    url = models.URLField(max_length=500)
    # Title, summary, areas, categories and the municipality's name, as written; its folded
    # form is what search reads (PublicConsultationSearch.search_folded).
    search_text = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "consultation_id"], name="public_consultation_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "municipality"], name="public_consultation_status"),
            models.Index(fields=["ends_at"], name="public_consultation_ends"),
            GinIndex(fields=["categories"], name="public_consultation_categories"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.consultation_id}: {self.title}"


class PublicConsultationSearch(models.Model):
    """The narrow half of an index row: only what search and the facet counts read for
    every match. Kept apart from the wide half (title, summary, address…) so that it fits in
    PostgreSQL's buffers: counting 33,000 matches among 200,000 rows took 150 ms in one wide
    table and 22 ms in a narrow one (bench/portal.py). Written with its entry by
    portal.index, always together, in the same transaction."""

    entry = models.OneToOneField(
        PublicConsultation, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=IndexStatus.choices)
    legal_basis = models.CharField(max_length=32)
    municipality_kind = models.CharField(max_length=20)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    categories = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    forms = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # The ids (PublicSearchWord) of the distinct words of portal_fold(search_text) (lower
    # case, no diacritics; split on white space), ascending, computed by the database when the
    # row is written (portal.index.index_rows_put). A search finds the words that contain what
    # was typed (trigram index on that small table) and the rows holding any of them (GIN
    # index here): the same rows as "the folded text contains the folded word", without a
    # recheck of text on every candidate row, ~20 index entries a row instead of ~200
    # trigrams, and integers rather than the words keep the table small (bench/portal.py).
    words = ArrayField(models.IntegerField(), default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "municipality"], name="public_search_status"),
            models.Index(fields=["starts_at"], name="public_search_starts"),
            GinIndex(fields=["categories"], name="public_search_categories"),
            GinIndex(fields=["forms"], name="public_search_forms"),
            GinIndex(fields=["words"], name="public_search_words"),
        ]

    def __str__(self) -> str:
        return str(self.entry_id)


class PublicSearchWord(models.Model):
    """Every word some index row holds (PublicConsultationSearch.words), once, with the id
    rows hold it by: what a search looks the typed word up in, by substring on a trigram
    index. Written with the rows (INSERT … ON CONFLICT DO NOTHING, in word order so that two
    writers never deadlock); a word no row holds any more matches nothing and is pruned by
    portal_index_rebuild."""

    id = models.AutoField(primary_key=True)
    word = models.TextField(unique=True)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="public_search_word_trgm")
        ]

    def __str__(self) -> str:
        return self.word


def portal_logo_path(instance: Portal, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"portals/{instance.subdomain or instance.pk}/logo.{extension}"


class Portal(models.Model):
    """A region's one address (a metropolis, a county, a voivodeship programme): the public
    consultations of its member municipalities. The apex domain is the national portal,
    which has no row: it shows every municipality."""

    name = models.CharField(_("name"), max_length=200)
    # Served on <subdomain>.<PLATFORM_DOMAIN>; a custom domain, when set, also.
    subdomain = models.CharField(_("subdomain"), max_length=63, unique=True)
    custom_domain = models.CharField(
        _("custom domain"), max_length=253, unique=True, null=True, blank=True
    )
    primary_colour = models.CharField(
        _("main colour"), max_length=7, default="#1f4e79", validators=[HEX_COLOUR]
    )
    logo = models.ImageField(_("logo"), upload_to=portal_logo_path, blank=True, max_length=200)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Municipality, verbose_name=_("member municipalities"), related_name="portals", blank=True
    )
    # Users of the public schema who may post the portal's news and feature consultations.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("portal staff"), related_name="portals", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portal")
        verbose_name_plural = _("portals")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortalNews(models.Model):
    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PortalFeature(models.Model):
    """A consultation the portal's staff put first on its home page. Named by (municipality,
    consultation id), not by an index row: a row leaves while its municipality is suspended,
    the feature stays and shows again when it returns."""

    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="features")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    consultation_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portal", "municipality", "consultation_id"], name="portal_feature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.portal_id}: {self.municipality_id}/{self.consultation_id}"


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Once a week")
    DAILY = "daily", _("Once a day")


class DigestSubscriber(models.Model):
    """An address that asked for a portal's digest (double opt-in, as
    subscriptions.Subscription: the choice applies once confirmed from the mail)."""

    # None: the national portal on the apex domain.
    portal = models.ForeignKey(
        Portal, null=True, blank=True, on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    frequency = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    # Empty: every member municipality / every category.
    municipality_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    categories = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    pending_frequency = models.CharField(max_length=8, blank=True)
    pending_municipality_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    pending_categories = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    confirmation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # RODO art. 7(1): the controller must be able to show when consent was given.
    consented_at = models.DateTimeField()
    unsubscribe_key = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portal", "email"],
                name="digest_subscriber_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="digest_subscriber_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Digest(models.Model):
    """One digest mail to one subscriber for one period (the day or the ISO week it covers):
    the unique constraint makes "exactly once" true whatever number of runs race."""

    subscriber = models.ForeignKey(
        DigestSubscriber, on_delete=models.CASCADE, related_name="digests"
    )
    # The first day of the period (a Monday for a weekly digest).
    period_start = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "period_start"], name="digest_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id}/{self.period_start}"
