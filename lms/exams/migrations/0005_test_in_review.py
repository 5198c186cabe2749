"""Tests get an explicit ``in_review`` status (sent to the tổ chuyên môn, locked until returned or approved); a
draft whose last review step is "submitted" is in review."""

from django.db import migrations, models


def mark_in_review(apps, schema_editor):
    Test = apps.get_model("exams", "Test")
    TestReview = apps.get_model("exams", "TestReview")
    for test in Test.objects.filter(status="draft"):
        last = TestReview.objects.filter(test=test).order_by("-at", "-pk").first()
        if last is not None and last.action == "submitted":
            Test.objects.filter(pk=test.pk).update(status="in_review")


def back_to_draft(apps, schema_editor):
    apps.get_model("exams", "Test").objects.filter(status="in_review").update(status="draft")


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0004_merge_practice"),
    ]

    operations = [
        migrations.AlterField(
            model_name="test",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("in_review", "In review"), ("approved", "Approved")],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(mark_in_review, back_to_draft),
    ]
