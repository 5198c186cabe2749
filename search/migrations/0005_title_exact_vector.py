"""PostgreSQL only: the title's exact (diacritics kept) vector, stored in the row like ``title_tsv``.

A broad query ranks a pool of a few hundred candidates and gives the exact-diacritics bonus on the title; computing
``to_tsvector('simple', title_exact)`` for every candidate was about a third of that statement. Same expression,
now computed once when the row is written. ``ADD COLUMN … STORED`` rewrites the table (23 s for 100,000 entries
on two shared CPUs at load 6, under an exclusive lock on the search index only)."""

from django.db import migrations

POSTGRES = [
    """ALTER TABLE search_searchentry ADD COLUMN title_exact_tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title_exact, ''))) STORED""",
    "ALTER TABLE search_searchentry ALTER COLUMN title_exact_tsv SET STORAGE MAIN",
]
POSTGRES_REVERSE = ["ALTER TABLE search_searchentry DROP COLUMN IF EXISTS title_exact_tsv"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_question_type")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
