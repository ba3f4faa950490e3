"""Search by words instead of trigrams of the whole text (bench/portal.py, issue 12).

The words of the index, once each, are in portal_publicsearchword (an id, the word, a trigram
index); each narrow index row holds the ids of the distinct words of its folded text
(public.portal_words) on a GIN index. A search finds the words containing what was typed
(substring of a word, as before: the typed word has no white space, so "the text contains
it" is "some word of the text contains it") and then the rows holding any of them, with no
recheck of long text on every candidate row. A write adds ~20 GIN entries a row instead of
~200 trigrams, and integers keep the narrow table small. The existing rows are converted
here from the wide half's search_text. The wide half's index on its municipality alone
goes: the unique (municipality, consultation_id) one serves the same."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

WORDS = r"""
CREATE OR REPLACE FUNCTION public.portal_words(text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
      FROM regexp_split_to_table(public.portal_fold($1), '[[:space:]]+') AS w WHERE w <> '' $$
"""

FILL = """
INSERT INTO portal_publicsearchword (word)
SELECT DISTINCT unnest(public.portal_words(search_text)) FROM portal_publicconsultation
ORDER BY 1 ON CONFLICT (word) DO NOTHING;
UPDATE portal_publicconsultationsearch AS s SET words = ARRAY(
    SELECT i FROM (SELECT (SELECT w.id FROM portal_publicsearchword AS w WHERE w.word = u.word)
    AS i FROM unnest(public.portal_words(p.search_text)) AS u(word)) AS x
    WHERE i IS NOT NULL ORDER BY i)
FROM portal_publicconsultation AS p WHERE p.id = s.entry_id;
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_narrow_search_rows")]

    operations = [
        migrations.RunSQL(WORDS, reverse_sql="DROP FUNCTION IF EXISTS public.portal_words(text)"),
        migrations.CreateModel(
            name="PublicSearchWord",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("word", models.TextField(unique=True)),
            ],
        ),
        migrations.AddField(
            model_name="publicconsultationsearch",
            name="words",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.IntegerField(), blank=True, default=list, size=None
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="publicconsultationsearch", name="public_search_text"),
        migrations.RemoveField(model_name="publicconsultationsearch", name="search_folded"),
        migrations.AddIndex(
            model_name="publicconsultationsearch",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["words"], name="public_search_words"
            ),
        ),
        migrations.AlterField(
            model_name="publicconsultation",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="public_consultations",
                to="tenants.municipality",
            ),
        ),
        migrations.AddIndex(
            model_name="publicsearchword",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["word"], name="public_search_word_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
