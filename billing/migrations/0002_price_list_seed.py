"""The starting price list: four duration bands and three add-ons (net, in grosze)."""

from django.db import migrations
from django_tenants.utils import get_public_schema_name

ITEMS = [
    # code, kind, name, description, min_days, max_days, net (grosze), position
    ("base-14", "base", "Konsultacja do 14 dni", "", 1, 14, 120000, 1),
    ("base-30", "base", "Konsultacja od 15 do 30 dni", "", 15, 30, 180000, 2),
    ("base-60", "base", "Konsultacja od 31 do 60 dni", "", 31, 60, 260000, 3),
    ("base-60plus", "base", "Konsultacja powyżej 60 dni", "", 61, None, 340000, 4),
    ("addon-survey", "addon", "Przygotowanie ankiety przez operatora",
     "Operator przygotowuje ankietę na podstawie materiałów urzędu.", None, None, 50000, 1),
    ("addon-meetings", "addon", "Moduł spotkań konsultacyjnych",
     "Zapisy na spotkania i ich harmonogram.", None, None, 30000, 2),
    ("addon-printed-report", "addon", "Drukowany raport z konsultacji",
     "Raport w 5 egzemplarzach, wysłany do urzędu.", None, None, 40000, 3),
]


def seed(apps, schema_editor):
    # Migrations of a shared app also run in each tenant schema, where this table is absent.
    if schema_editor.connection.schema_name != get_public_schema_name():
        return
    PriceItem = apps.get_model("billing", "PriceItem")
    for code, kind, name, description, min_days, max_days, net, position in ITEMS:
        PriceItem.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "description": description,
                "min_days": min_days,
                "max_days": max_days,
                "net_amount": net,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
