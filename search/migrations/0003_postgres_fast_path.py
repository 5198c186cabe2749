"""PostgreSQL only: a title-only tsvector (cheap to rank when a query matches many documents), and a narrow heap:
the long texts and the big vectors go to TOAST (``toast_tuple_target``) while the columns every match reads — facets,
access list, title vector — stay in the row (``STORAGE MAIN``), so a scan of thousands of matches reads few pages.
(No index on the access list: nearly every person's principals include ``public``, so it never narrows a search;
it is checked on the matched rows.)"""

from django.db import migrations

POSTGRES = [
    """ALTER TABLE search_searchentry ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title_folded, ''))) STORED""",
    "CREATE INDEX search_entry_title_tsv ON search_searchentry USING gin (title_tsv)",
    "ALTER TABLE search_searchentry SET (toast_tuple_target = 1000)",
    "ALTER TABLE search_searchentry ALTER COLUMN title_tsv SET STORAGE MAIN, ALTER COLUMN access_list SET STORAGE MAIN, "
    "ALTER COLUMN outcomes_list SET STORAGE MAIN, ALTER COLUMN title_folded SET STORAGE MAIN, "
    "ALTER COLUMN title_exact SET STORAGE MAIN",
]
POSTGRES_REVERSE = [
    "ALTER TABLE search_searchentry RESET (toast_tuple_target)",
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
