from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_participation_forms_as_rows"),
    ]

    operations = [
        migrations.RemoveField(model_name="consultation", name="participation_forms_legacy"),
    ]
