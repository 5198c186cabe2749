"""PostgreSQL only: a title-only tsvector (cheap to rank when a query matches many documents) and a GIN index on the
access list as an array, so the permission filter and the full-text match combine in one bitmap scan."""

from django.db import migrations

POSTGRES = [
    """ALTER TABLE search_searchentry ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title_folded, ''))) STORED""",
    "CREATE INDEX search_entry_title_tsv ON search_searchentry USING gin (title_tsv)",
    "CREATE INDEX search_entry_access_list ON search_searchentry USING gin (string_to_array(access_list, ' '))",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_access_list",
    "DROP INDEX IF EXISTS search_entry_title_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS title_tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
