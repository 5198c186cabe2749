"""``manage.py seed_demo`` builds the demo school, prints working logins and is idempotent."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from content.api import HomePage
from demo.seed import CLASS_SIZE, DEMO_PASSWORD, SCHOOL_CODE
from lms.courses import api as courses_api
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.support.shared_data import module_shared


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


# The demo school is built once for this module (tests/support/shared_data.py): each test runs in a savepoint.
_shared_seeded, seeded = module_shared(_seed, "seeded")


def test_seed_builds_a_realistic_school(seeded):
    school = schools_api.get_school_by_code(SCHOOL_CODE)
    assert schools_api.get_principal(school).username == "hieutruong"
    groups = {g.name: g for g in schools_api.get_subject_groups(school)}
    assert set(groups) == {"Tổ Toán – Tin", "Tổ Ngữ văn"}
    assert schools_api.get_group_head(groups["Tổ Toán – Tin"]).username == "tt.toan"
    assert schools_api.get_group_head(groups["Tổ Ngữ văn"]).username == "tt.van"
    year = courses_api.get_current_school_year(school)
    classes = {c.name: c for c in courses_api.get_classes(year)}
    assert set(classes) == {"10A1", "10A2"}
    for school_class in classes.values():
        students = courses_api.get_class_students(school_class)
        assert len(students) == CLASS_SIZE
        assert school_class.homeroom_teacher is not None
        for student in students:
            assert student.ma_dinh_danh
            assert Role.STUDENT in schools_api.get_roles(student, school)
            [guardian] = schools_api.get_guardians(student)
            assert Role.PARENT in schools_api.get_roles(guardian.parent, school)
            # Vietnamese names: family name shared with the parent, given name in first_name.
            assert guardian.parent.last_name.split()[0] == student.last_name.split()[0]
    assert "Trường THPT Hoa Sen" in HomePage.objects.get().title


def test_names_are_vietnamese_and_distinct(seeded):
    students = get_user_model().objects.filter(role_assignments__role=Role.STUDENT)
    names = [s.get_full_name() for s in students]
    assert len(set(names)) == len(names) == 2 * CLASS_SIZE
    assert sum(name.startswith("Nguyễn") for name in names) >= 5
    assert all(any(ch in name for ch in "ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ") for name in names[:10])


def test_seed_prints_logins_that_work(seeded, client):
    assert f"Every demo account has the password: {DEMO_PASSWORD}" in seeded
    table = seeded.split("Tên đăng nhập")[1].split("Also:")[0]
    printed = [line.split()[0] for line in table.splitlines()[1:] if line.strip()]
    for username in [
        "superadmin",
        "quantri",
        "hieutruong",
        "phohieutruong",
        "tt.toan",
        "tt.van",
        "gv.toan1",
        "gv.van1",
        "hs10a1.01",
        "ph10a1.01",
        "hs10a2.02",
        "ph10a2.02",
    ]:
        assert username in printed, username
    for username in printed:
        client.logout()
        assert client.login(username=username, password=DEMO_PASSWORD), username


def test_demo_roles_reach_the_right_places(seeded, client):
    expected = {"hieutruong": 200, "quantri": 200, "tt.toan": 200, "gv.van2": 200, "hs10a1.05": 302, "ph10a2.07": 302}
    for username, admin_status in expected.items():
        client.logout()
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert client.get("/admin/").status_code == admin_status, username


def test_seed_is_idempotent(seeded):
    User = get_user_model()
    counts = (User.objects.count(), schools_api.get_people(schools_api.get_school_by_code(SCHOOL_CODE)).count())
    out = StringIO()
    call_command("seed_demo", "--site", "http://127.0.0.1:8765", stdout=out)
    assert "(0 new accounts, 0 new lessons)" in out.getvalue()
    assert "Site: http://127.0.0.1:8765/   Admin: http://127.0.0.1:8765/admin/" in out.getvalue()  # make demo PORT=…
    assert (User.objects.count(), schools_api.get_people(schools_api.get_school_by_code(SCHOOL_CODE)).count()) == counts
    assert User.objects.count() == 4 + 9 + 2 * CLASS_SIZE * 2  # operator, admin, 2 BGH, 9 teachers, students, parents


def test_seed_publishes_lessons_with_curriculum_metadata_and_formulas(seeded, client):
    from content.api import LessonPage

    lessons = list(LessonPage.objects.live().specific())
    assert len(lessons) >= 6
    assert {lesson.subject.code for lesson in lessons} == {"toan", "ngu-van"}
    for lesson in lessons:
        assert lesson.publication_problems() == []
        assert all(o.subject_id == lesson.subject_id and o.grade == 10 for o in lesson.outcomes.all())
        assert lesson.slug.isascii()
    quadratic = LessonPage.objects.get(title="Bài 8. Hàm số bậc hai")
    assert client.get(quadratic.url).status_code == 302  # school lessons need a login
    assert client.login(username="hs10a1.01", password=DEMO_PASSWORD)
    html = client.get(quadratic.url).content.decode()
    assert "katex.min.js" in html
    assert 'data-latex="y = ax^2 + bx + c \\quad (a \\ne 0)"' in html
    assert "Yêu cầu cần đạt (YCCĐ)" in html
    client.logout()
    home = client.get("/").content.decode()
    assert "Trường THPT Hoa Sen (trường mẫu)" in home


def test_seed_has_at_least_twelve_lessons_in_different_review_states(seeded):
    from wagtail.models import WorkflowState

    from content.api import LessonPage, get_lessons_awaiting
    from content.review import Decision, ReviewDecision

    lessons = LessonPage.objects.all()
    assert lessons.count() >= 12
    assert {lesson.subject.code for lesson in lessons.specific()} == {"toan", "ngu-van"}
    assert lessons.filter(live=False).exists() and lessons.filter(live=True).exists()
    statuses = set(WorkflowState.objects.values_list("status", flat=True))
    assert {
        WorkflowState.STATUS_IN_PROGRESS,
        WorkflowState.STATUS_NEEDS_CHANGES,
        WorkflowState.STATUS_CANCELLED,
    } <= statuses
    assert {d.decision for d in ReviewDecision.objects.all()} == {
        Decision.APPROVED,
        Decision.RETURNED,
        Decision.REJECTED,
    }
    User = get_user_model()
    assert len(get_lessons_awaiting(User.objects.get(username="tt.toan"))) == 2
    assert len(get_lessons_awaiting(User.objects.get(username="tt.van"))) == 1
    assert len(get_lessons_awaiting(User.objects.get(username="hieutruong"))) == 1


def test_seed_types_marks_into_the_10a1_toan_gradebook_and_the_teacher_sees_averages_appear(seeded, client):
    assert client.login(username="gv.toan1", password=DEMO_PASSWORD)
    home = client.get("/so-diem/")
    assert home.status_code == 200
    from lms.gradebook import api as gradebook_api

    book = gradebook_api.Gradebook.objects.get(school_class__name="10A1", subject__code="toan", semester=1)
    table = gradebook_api.get_table(book)
    assert len(table.rows) == CLASS_SIZE
    typed = {column.label for row in table.rows for column, mark in row.cells if mark is not None}
    assert typed == {"ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk"}  # the ĐĐGck is left for the visitor
    assert all(row.average is None for row in table.rows)
    page = client.get(f"/so-diem/{book.pk}/")
    assert page.status_code == 200
    first_mark = table.rows[0].cells[0][1]
    shown = gradebook_api.format_score(first_mark.score)
    assert "," in shown and shown in page.content.decode()  # decimal comma on the page


def test_seed_builds_a_question_bank_a_practice_set_and_an_open_test(seeded, client):
    """Ten ready Toán questions, a published practice set, and a reviewed 15-minute test whose sitting is open for
    10A1 and sits in the course plan: a student starts it from the waiting room and the teacher invigilates."""
    from lms.assessments import api as bank_api
    from lms.exams import api as exams_api

    bank = bank_api.QuestionBank.objects.get(name="Ngân hàng câu hỏi Toán 10")
    versions = bank_api.QuestionVersion.objects.filter(question__bank=bank)
    assert versions.count() == 10 and {v.status for v in versions} == {"ready"}
    test = exams_api.Test.objects.get(title="Kiểm tra 15 phút – Hàm số bậc hai")
    assert test.status == exams_api.TestStatus.APPROVED and test.variants.count() == 2
    sitting = exams_api.Sitting.objects.get(test=test)
    assert client.login(username="hs10a1.01", password=DEMO_PASSWORD)
    assert "Kiểm tra 15 phút" in client.get("/kiem-tra/").content.decode()
    assert client.get(f"/kiem-tra/ky/{sitting.pk}/").status_code == 200
    assert "Luyện tập: Mệnh đề" in client.get("/kiem-tra/luyen-tap/").content.decode()
    assert client.login(username="gv.toan1", password=DEMO_PASSWORD)
    assert client.get(f"/kiem-tra/ky/{sitting.pk}/giam-thi/").status_code == 200
    assert client.get("/ngan-hang-cau-hoi/").status_code == 200
