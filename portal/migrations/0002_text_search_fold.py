"""Text search over the index without a Polish dictionary (none ships with PostgreSQL; see
portal/selectors.py): unaccent folds "Łódź" to "lodz", pg_trgm indexes substrings of the
folded text. unaccent() is only STABLE (its dictionary could change), so an index needs an
IMMUTABLE wrapper that names the dictionary outright; the standard way to index it."""

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
        migrations.RunSQL(
            "CREATE INDEX public_consultation_text ON portal_publicconsultation "
            "USING gin (public.portal_fold(search_text) public.gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS public_consultation_text",
        ),
    ]
