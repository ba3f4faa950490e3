import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_consent_anonymisation"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="department_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                default=list,
                size=None,
                verbose_name="departments",
            ),
        ),
    ]
