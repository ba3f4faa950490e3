"""Report mails get their own random opt-out key (links signed with a fixed key could not be
voided) and the last delivery error, as every outbox row keeps (common.outbox)."""

import secrets

from django.db import migrations, models

import reports.models


def keys_fill(apps, schema_editor):
    # A mail already sent carries a link signed with the old key "x": it keeps that key, so
    # its opt-out link (and List-Unsubscribe header) still works. A planned, unsent one gets
    # a key of its own (AddField would give all one).
    ReportMail = apps.get_model("reports", "ReportMail")
    ReportMail.objects.filter(sent_at__isnull=False).update(opt_out_key="x")
    for mail in ReportMail.objects.filter(sent_at__isnull=True).only("pk").iterator():
        ReportMail.objects.filter(pk=mail.pk).update(opt_out_key=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_report_versions_files_reminders_mails"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportmail",
            name="last_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="reportmail",
            name="opt_out_key",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportmail",
            name="opt_out_key",
            field=models.CharField(default=reports.models.opt_out_key_new, max_length=32),
        ),
    ]
