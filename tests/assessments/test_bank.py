"""Banks, versions (a ready version never changes), review by the tổ trưởng, saving imports, the import task."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.api import get_subject
from lms.assessments import api
from lms.assessments.ir import Choice, Statement
from lms.assessments.models import ImportJob, QuestionFile, ReviewDecision
from lms.assessments.tasks import import_questions_task
from lms.schools import api as schools_api
from tests.assessments.docx_builder import PNG
from tests.assessments.test_importers import exam_2025
from tests.support.factories import SchoolFactory, UserFactory


@pytest.fixture
def bank(people):
    return api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")


def tf4(text="Cho hàm số \\(y=x^2\\)."):
    return api.QuestionContent(
        type=api.QType.TF4,
        stem=text,
        statements=[
            Statement("a", "Xác định trên ℝ.", True),
            Statement("b", "Nghịch biến.", False),
            Statement("c", "Đi qua O.", True),
            Statement("d", "Có cực đại.", False),
        ],
    )


def test_categories_nest_and_are_reused(bank):
    leaf = api.get_or_create_category(bank=bank, path="Đại số/Hàm số/Bậc hai")
    assert leaf.path == "Đại số/Hàm số/Bậc hai"
    assert api.get_or_create_category(bank=bank, path="Đại số/Hàm số/Bậc hai") == leaf
    assert bank.categories.count() == 3


def test_question_metadata_and_first_version(bank, people):
    version = api.create_question(
        bank=bank,
        author=people.teacher,
        content=tf4(),
        subject=get_subject("toan"),
        grade=10,
        topic="Hàm số bậc hai",
        level="Biết",
        tags=["thpt2025"],
        source="Đề minh hoạ 2025",
    )
    q = version.question
    assert (q.type, q.grade, q.level, q.tags, q.subject.code) == ("true_false_4", 10, "biet", ["thpt2025"], "toan")
    assert (version.number, version.status) == (1, api.VersionStatus.DRAFT)
    assert version.as_ir().key == "ĐSĐS"


def test_invalid_content_is_refused_with_reasons(bank, people):
    bad = api.QuestionContent(type=api.QType.SINGLE, stem="", choices=[Choice("A", "x", False)])
    with pytest.raises(ValidationError) as exc:
        api.create_question(bank=bank, author=people.teacher, content=bad)
    assert len(exc.value.messages) == 3


def test_all_true_tf4_warns():
    content = tf4()
    for s in content.statements:
        s.true = True
    assert api.authoring_warnings(content)
    assert not api.authoring_warnings(tf4())


def test_review_flow_ready_version_is_immutable_and_edit_makes_new_draft(
    bank, people, django_capture_on_commit_callbacks
):
    v1 = api.create_question(bank=bank, author=people.teacher, content=tf4())
    with pytest.raises(api.ImmutableVersionError):
        api.record_usage(version=v1, used_in="test:1")  # drafts cannot go into tests
    with django_capture_on_commit_callbacks(execute=True):
        api.submit_for_review(version=v1, user=people.teacher)
    assert [m.to for m in mail.outbox] == [[people.group_head.email]]
    assert [v.pk for v in api.get_review_queue(people.group_head)] == [v1.pk]
    assert api.get_review_queue(people.teacher) == []
    with pytest.raises(api.ReviewError):
        api.review_version(version=v1, user=people.teacher, action="approve")  # no self-approval
    with pytest.raises(api.ReviewError):
        api.review_version(version=v1, user=people.principal, action="approve")  # not the tổ trưởng
    with pytest.raises(ValidationError):
        api.review_version(version=v1, user=people.group_head, action="return")  # say why
    with django_capture_on_commit_callbacks(execute=True):
        api.review_version(version=v1, user=people.group_head, action="return", comment="Sửa ý b")
    assert mail.outbox[-1].to == [people.teacher.email] and "Sửa ý b" in mail.outbox[-1].body
    v1.refresh_from_db()
    assert v1.status == api.VersionStatus.RETURNED
    same = api.edit_question(question=v1.question, user=people.teacher, content=tf4("Cho hàm số \\(y=x^2+1\\)."))
    assert same.pk == v1.pk and same.status == api.VersionStatus.DRAFT  # a returned draft is edited in place
    api.submit_for_review(version=same, user=people.teacher)
    api.review_version(version=same, user=people.group_head, action="approve", comment="Đạt")
    same.refresh_from_db()
    assert same.status == api.VersionStatus.READY and same.approved_by == people.group_head

    same.content = {**same.content, "stem": "đổi trộm"}
    with pytest.raises(api.ImmutableVersionError):
        same.save()
    with pytest.raises(api.ImmutableVersionError):
        same.delete()

    v2 = api.edit_question(question=same.question, user=people.teacher, content=tf4("Phiên bản mới"))
    assert (v2.number, v2.status) == (2, api.VersionStatus.DRAFT)
    same.refresh_from_db()
    assert same.content["stem"] == "Cho hàm số \\(y=x^2+1\\)."  # the ready version is untouched
    assert same.question.ready_version == same

    usage = api.record_usage(version=same, used_in="test:7", label="Kiểm tra giữa kì I")
    assert api.where_used(same.question) == [usage]
    actions = [(d.action, d.actor) for d in api.get_review_history(same)]
    assert actions == [
        ("submit", people.teacher),
        ("return", people.group_head),
        ("submit", people.teacher),
        ("approve", people.group_head),
    ]
    assert ReviewDecision.objects.get(action="approve").role == "group_head"


def test_head_s_own_question_goes_to_the_principal(bank, people):
    version = api.create_question(bank=bank, author=people.group_head, content=tf4())
    api.submit_for_review(version=version, user=people.group_head)
    with pytest.raises(api.ReviewError):
        api.review_version(version=version, user=people.group_head, action="approve")
    api.review_version(version=version, user=people.principal, action="approve")
    version.refresh_from_db()
    assert version.status == api.VersionStatus.READY


def test_comments(bank, people):
    version = api.create_question(bank=bank, author=people.teacher, content=tf4())
    comment = api.add_comment(question=version.question, author=people.group_head, text="Ý c) cần hình vẽ.")
    assert list(version.question.comments.all()) == [comment]


def test_visible_banks_follow_sharing_scopes(bank, people):
    other_school = SchoolFactory()
    other_group = schools_api.create_subject_group(school=other_school, name="Tổ Toán", code="toan", subjects=["toan"])
    private = api.create_bank(subject_group=other_group, name="Riêng")
    public = api.create_bank(subject_group=other_group, name="Chung", sharing="public")
    assert set(api.visible_banks(people.teacher)) == {bank, public}
    assert private not in api.visible_banks(people.student)
    assert not api.can_edit_bank(people.teacher, public)
    assert api.can_edit_bank(people.teacher, bank)


def test_save_import_all_or_nothing(bank, people):
    result = api.import_bytes(b"Q1{=a ~b}\n\nQ2{~a ~b}\n", fmt="gift")
    with pytest.raises(api.ImportRejected):
        api.save_import(result, bank=bank, author=people.teacher)
    assert bank.questions.count() == 0


def test_save_import_per_item_reports_what_was_not_saved(bank, people):
    result = api.import_bytes(b"Q1{=a ~b}\n\nQ2{~a ~b}\n\nQ3{#4}\n", fmt="gift")
    saved = api.save_import(result, bank=bank, author=people.teacher, per_item=True)
    assert [v.as_ir().stem for v in saved] == ["Q1", "Q3"]
    assert [e.question for e in result.errors] == [2]


def test_save_import_keeps_pictures_in_storage_and_categories(bank, people):
    result = api.import_bytes(exam_2025(), fmt="docx")
    saved = api.save_import(result, bank=bank, author=people.teacher)
    assert len(saved) == 7
    picture = QuestionFile.objects.get(name="hinh1.png")
    with picture.file.open("rb") as f:
        assert f.read() == PNG
    exported = api.export_questions(saved, "docx")
    back = api.import_bytes(exported, fmt="docx")
    assert not back.errors and len(back.questions) == 7
    moodle = api.import_file("../shared/fixtures/moodlexml/moodle/nested_categories_with_questions.xml")
    api.save_import(moodle, bank=bank, author=people.teacher)
    paths = {c.path for c in bank.categories.all()}
    assert {"Iota", "Iota/Kappa"} <= paths


def test_import_task_reports_progress(bank, people):
    lines = "\n\n".join(f"Câu hỏi {i}?{{=đúng ~sai}}" for i in range(60))
    job = ImportJob(bank=bank, user=people.teacher, file_name="lon.gift", format="gift")
    job.upload.save("lon.gift", ContentFile(lines.encode()), save=False)
    job.save()
    report = import_questions_task.delay(job.pk).get()
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.percent) == ("done", 60, 60, 100)
    assert report["saved"] == 60 and bank.questions.count() == 60


def test_import_task_all_or_nothing_failure_is_reported(bank, people):
    job = ImportJob(bank=bank, user=people.teacher, file_name="x.gift", format="gift")
    job.upload.save("x.gift", ContentFile(b"Q1{=a}\n\nQ2{~a}"), save=False)
    job.save()
    import_questions_task.delay(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.report["errors"][0]["question"] == 2
    assert bank.questions.count() == 0


def test_ready_versions_selector_query_budget(bank, people):
    for _ in range(5):
        v = api.create_question(bank=bank, author=people.teacher, content=tf4())
        api.submit_for_review(version=v, user=people.teacher)
        api.review_version(version=v, user=people.group_head, action="approve")
    with CaptureQueriesContext(connection) as ctx:
        keys = [v.as_ir().key for v in api.get_ready_versions(bank=bank)]
    assert keys == ["ĐSĐS"] * 5
    assert len(ctx.captured_queries) == 1


def test_scores_a_stored_version(bank, people):
    v = api.create_question(bank=bank, author=people.teacher, content=tf4())
    assert api.score(v.as_ir(), "ĐSĐĐ").points == D("0.5")
    assert UserFactory  # factories are importable for other apps' tests


def test_streaming_save_validates_everything_before_saving(bank, people):
    data = ("\n\n".join(f"Câu {i}?{{=a ~b}}" for i in range(1, 1201)) + "\n\nHỏng?{~a ~b}\n").encode()
    with pytest.raises(api.ImportRejected) as exc:
        api.save_import_stream(data, bank=bank, author=people.teacher, fmt="gift")
    assert [e.question for e in exc.value.issues] == [1201]
    assert bank.questions.count() == 0  # all or nothing, although the bad question comes after two full batches
    seen = []
    report = api.save_import_stream(
        data, bank=bank, author=people.teacher, fmt="gift", per_item=True, progress=lambda d, t: seen.append((d, t))
    )
    assert (report.count, report.saved, [e.question for e in report.errors]) == (1200, 1200, [1201])
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]
    assert bank.questions.count() == 1200 and len(report.sample) == 50
