"""The question type as a facet. The column is added with plain ``ALTER TABLE … ADD COLUMN`` on both databases:
Django would rebuild the table on SQLite for a NOT NULL column, which drops the triggers that keep the FTS5 table in
step (migration 0002)."""

from django.db import migrations, models

ADD = "ALTER TABLE search_searchentry ADD COLUMN question_type varchar(40) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE search_searchentry DROP COLUMN question_type"


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_fast_path")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="question_type",
                    field=models.CharField(blank=True, default="", max_length=40, verbose_name="question type"),
                )
            ],
        )
    ]
