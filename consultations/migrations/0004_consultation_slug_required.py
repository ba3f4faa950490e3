from django.db import migrations, models


def slugs_fill(apps, schema_editor):
    # Consultations created before slugs existed get "<title>-<id>", unique by the id.
    from django.utils.text import slugify

    Consultation = apps.get_model("consultations", "Consultation")
    for row in Consultation.objects.filter(slug__isnull=True).only("pk", "title"):
        base = slugify(row.title)[:80].strip("-") or "konsultacje"
        Consultation.objects.filter(pk=row.pk).update(slug=f"{base}-{row.pk}")


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_catalogue_lifecycle_documents_news"),
    ]

    operations = [
        migrations.RunPython(slugs_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consultation",
            name="slug",
            field=models.SlugField(max_length=100, unique=True, verbose_name="address (slug)"),
        ),
    ]
