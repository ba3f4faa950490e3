"""A consultation's forms of participation become rows (ParticipationForm), and an audit log.

The array field is first renamed, so that the new reverse accessor ``participation_forms``
does not shadow it while the data is copied; 0006 drops it in its own transaction
(PostgreSQL refuses to ALTER a table with pending deferred foreign-key checks)."""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# The array's values were the kind names; "paper_email" (remarks on paper or by e-mail) is a
# channel of the remarks register, so it folds into "remarks".
KIND_OF_VALUE = {"paper_email": "remarks"}
# The order the old form listed its choices in (and stored them in), kept as the position.
OLD_ORDER = ["survey", "remarks", "paragraph_comments", "meeting", "poll", "paper_email"]


def forms_to_rows(apps, schema_editor):
    Consultation = apps.get_model("consultations", "Consultation")
    ParticipationForm = apps.get_model("consultations", "ParticipationForm")
    rows = []
    for consultation_id, values in Consultation.objects.values_list(
        "pk", "participation_forms_legacy"
    ):
        kinds = sorted(
            {KIND_OF_VALUE.get(value, value) for value in values or []},
            key=lambda k: (OLD_ORDER.index(k) if k in OLD_ORDER else len(OLD_ORDER), k),
        )
        rows.extend(
            ParticipationForm(consultation_id=consultation_id, kind=kind, position=position)
            for position, kind in enumerate(kinds)
        )
    ParticipationForm.objects.bulk_create(rows, batch_size=1000)


def rows_to_forms(apps, schema_editor):
    Consultation = apps.get_model("consultations", "Consultation")
    ParticipationForm = apps.get_model("consultations", "ParticipationForm")
    by_consultation: dict[int, list[str]] = {}
    for consultation_id, kind in ParticipationForm.objects.order_by(
        "consultation_id", "position", "pk"
    ).values_list("consultation_id", "kind"):
        by_consultation.setdefault(consultation_id, []).append(kind)
    for consultation_id, kinds in by_consultation.items():
        Consultation.objects.filter(pk=consultation_id).update(participation_forms_legacy=kinds)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_consultation_slug_required"),
    ]

    operations = [
        migrations.RenameField(
            model_name="consultation",
            old_name="participation_forms",
            new_name="participation_forms_legacy",
        ),
        migrations.CreateModel(
            name="ParticipationForm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="kind")),
                ("starts_at", models.DateTimeField(blank=True, null=True, verbose_name="own start")),
                ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="own end")),
                ("settings", models.JSONField(blank=True, default=dict, verbose_name="settings")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participation_forms",
                        to="consultations.consultation",
                    ),
                ),
            ],
            options={
                "verbose_name": "form of participation",
                "verbose_name_plural": "forms of participation",
                "ordering": ["position", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("consultation", "kind"), name="participation_form_kind_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("starts_at__isnull", True))
                        | models.Q(("ends_at__isnull", True))
                        | models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="participation_form_ends_after_start",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("actor_email", models.CharField(blank=True, max_length=254)),
                ("action", models.SlugField(max_length=60)),
                ("target_type", models.CharField(max_length=60)),
                ("target_id", models.CharField(blank=True, max_length=64)),
                (
                    "details",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="consultations.consultation",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["consultation", "-created_at"], name="audit_consultation"
                    )
                ],
            },
        ),
        migrations.RunPython(forms_to_rows, rows_to_forms),
    ]
