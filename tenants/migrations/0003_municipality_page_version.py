from django.db import migrations, models


class Migration(migrations.Migration):
    """The version of a municipality's public pages, for the page cache's keys."""

    dependencies = [
        ("tenants", "0002_event_actions_update_resend"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="page_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
    ]
