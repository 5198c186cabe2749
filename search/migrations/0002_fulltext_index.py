"""The full-text index over the folded and exact text: generated tsvector columns + GIN on PostgreSQL, an FTS5 table
kept in step by triggers on SQLite (see search/backends/database.py)."""

from django.db import migrations

POSTGRES = [
    """ALTER TABLE search_searchentry ADD COLUMN folded_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title_folded, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(text_folded, '')), 'D')) STORED""",
    """ALTER TABLE search_searchentry ADD COLUMN exact_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title_exact, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(text_exact, '')), 'D')) STORED""",
    "CREATE INDEX search_entry_folded_tsv ON search_searchentry USING gin (folded_tsv)",
    "CREATE INDEX search_entry_exact_tsv ON search_searchentry USING gin (exact_tsv)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_exact_tsv",
    "DROP INDEX IF EXISTS search_entry_folded_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS exact_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS folded_tsv",
]
_COLUMNS = "title_folded, text_folded, title_exact, text_exact"
_NEW = "new.title_folded, new.text_folded, new.title_exact, new.text_exact"
_OLD = "old.title_folded, old.text_folded, old.title_exact, old.text_exact"
SQLITE = [
    f"""CREATE VIRTUAL TABLE search_entry_fts USING fts5({_COLUMNS}, content='search_searchentry',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END""",
    f"""CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); END""",
    f"""CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD});
        INSERT INTO search_entry_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"The search index supports PostgreSQL and SQLite, not {schema_editor.connection.vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
