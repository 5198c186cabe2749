"""Practice attempts keep the first-try result beside the final one (a question can be answered again within an
attempt). Attempts finished before this have no retried questions: their first-try result is their result."""

from django.db import migrations, models
from django.db.models import F


def first_try_is_the_result(apps, schema_editor):
    PracticeAttempt = apps.get_model("exams", "PracticeAttempt")
    PracticeAttempt.objects.filter(finished_at__isnull=False).update(first_points=F("points"), first_score=F("score"))


class Migration(migrations.Migration):
    dependencies = [("exams", "0005_test_in_review")]

    operations = [
        migrations.AddField(
            model_name="practiceattempt",
            name="first_points",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name="practiceattempt",
            name="first_score",
            field=models.DecimalField(
                blank=True, decimal_places=1, max_digits=3, null=True, verbose_name="first-try score"
            ),
        ),
        migrations.RunPython(first_try_is_the_result, migrations.RunPython.noop),
    ]
