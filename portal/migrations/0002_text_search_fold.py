"""Text search over the index without a Polish dictionary (none ships with PostgreSQL; see
portal/selectors.py): unaccent folds "Łódź" to "lodz", pg_trgm indexes substrings of the
folded text. unaccent() is only STABLE (its dictionary could change), so a generated column
needs an IMMUTABLE wrapper that names the dictionary outright (the standard way). The folded
text is stored: a search that ran unaccent on every candidate row took 0.6 s at 200,000 rows
(bench/portal.py)."""

from django.db import migrations

FOLD = """
CREATE OR REPLACE FUNCTION public.portal_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_public_index_and_portals")]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public; "
            "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(FOLD, reverse_sql="DROP FUNCTION IF EXISTS public.portal_fold(text)"),
    ]
