"""Build the demo school through the apps' public APIs. Idempotent: a second run finds everything and adds nothing.

Later work extends ``seed`` with lessons, questions and tests, each step in its own function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from content import api as content_api
from demo.lessons import seed_lessons, seed_review_states
from demo.names import Name, NameGenerator
from lms.courses import api as courses_api
from lms.gradebook import api as gradebook_api
from lms.schools import api as schools_api
from lms.schools.api import LeadershipPosition, Relationship, Role

DEMO_PASSWORD = "hoctap2026"  # noqa: S105 - printed for the demo on purpose; never used outside seed_demo
SCHOOL_CODE = "01999001"
CLASS_SIZE = 30


@dataclass
class Login:
    username: str
    name: str
    role: str
    note: str = ""


@dataclass
class SeedResult:
    logins: list[Login] = field(default_factory=list)
    created: int = 0
    lessons_created: int = 0

    def add(self, user, role: str, note: str = "") -> None:
        self.logins.append(Login(user.username, user.get_full_name(), role, note))


_password_hash: str | None = None


def _person(
    result: SeedResult,
    username: str,
    name: Name,
    *,
    email: str = "",
    ma_dinh_danh: str | None = None,
    date_of_birth: date | None = None,
    superuser: bool = False,
):
    User = get_user_model()
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    global _password_hash
    _password_hash = _password_hash or make_password(DEMO_PASSWORD)  # hash once: 130 people otherwise take 30 s
    result.created += 1
    user = schools_api.create_person(
        username=username,
        last_name=name.last_name,
        first_name=name.given,
        email=email,
        password_hash=_password_hash,
        ma_dinh_danh=ma_dinh_danh,
        date_of_birth=date_of_birth,
        gender=name.gender,
    )
    if superuser:
        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        user.refresh_from_db()
    return user


@transaction.atomic
def seed() -> SeedResult:
    result = SeedResult()
    names = NameGenerator(seed=2026)
    organisation = schools_api.get_or_create_organisation(
        kind="department", name="Sở Giáo dục và Đào tạo Hà Nội", code="01"
    )
    school = schools_api.get_or_create_school(
        code=SCHOOL_CODE,
        name="Trường THPT Hoa Sen (trường mẫu)",
        short_name="THPT Hoa Sen",
        level="upper_secondary",
        organisation=organisation,
        address="Số 1 đường Hoa Sen, phường Mẫu, Hà Nội",
        phone="024 3999 0001",
        email="vanphong@thpt-hoasen.edu.vn",
        principal_approval_required=True,
    )

    operator = _person(
        result,
        "superadmin",
        Name("Quản", "trị", "hệ thống", "male"),
        superuser=True,
        email="superadmin@thpt-hoasen.edu.vn",
    )
    result.add(operator, "Quản trị hệ thống (superuser)")

    admin = _person(result, "quantri", names.person("female"), email="quantri@thpt-hoasen.edu.vn")
    schools_api.assign_role(user=admin, school=school, role=Role.SCHOOL_ADMIN)
    schools_api.assign_role(user=admin, school=school, role=Role.TEACHER)
    result.add(admin, "Quản trị trường + giáo viên Tin học")

    principal = _person(result, "hieutruong", names.person("male"), email="hieutruong@thpt-hoasen.edu.vn")
    schools_api.assign_role(user=principal, school=school, role=Role.LEADERSHIP, position=LeadershipPosition.PRINCIPAL)
    schools_api.assign_role(user=principal, school=school, role=Role.TEACHER)
    result.add(principal, "Hiệu trưởng (BGH)")
    vice = _person(result, "phohieutruong", names.person("female"), email="phohieutruong@thpt-hoasen.edu.vn")
    schools_api.assign_role(user=vice, school=school, role=Role.LEADERSHIP, position=LeadershipPosition.VICE_PRINCIPAL)
    schools_api.assign_role(user=vice, school=school, role=Role.TEACHER)
    result.add(vice, "Phó hiệu trưởng (BGH)")

    groups = {
        "toan-tin": ("Tổ Toán – Tin", ["toan", "tin-hoc"], ["tt.toan", "gv.toan1", "gv.toan2", "gv.toan3", "gv.tin1"]),
        "ngu-van": ("Tổ Ngữ văn", ["ngu-van"], ["tt.van", "gv.van1", "gv.van2", "gv.van3"]),
    }
    teachers = {}
    for code, (group_name, subjects, usernames) in groups.items():
        group = schools_api.get_or_create_subject_group(school=school, name=group_name, code=code, subjects=subjects)
        for index, username in enumerate(usernames):
            teacher = _person(result, username, names.person(), email=f"{username}@thpt-hoasen.edu.vn")
            schools_api.assign_role(user=teacher, school=school, role=Role.TEACHER)
            schools_api.add_group_member(group=group, user=teacher, is_head=index == 0)
            teachers[username] = teacher
            result.add(teacher, f"Tổ trưởng {group_name}" if index == 0 else f"Giáo viên {group_name}")
        if code == "toan-tin":
            schools_api.add_group_member(group=group, user=admin)

    year = courses_api.get_or_create_school_year(
        school=school, name="2026–2027", starts_on=date(2026, 9, 5), ends_on=date(2027, 5, 31), is_current=True
    )
    homeroom = {"10A1": teachers["gv.toan1"], "10A2": teachers["gv.van1"]}
    serial = 0
    for class_name, teacher in homeroom.items():
        school_class = courses_api.get_or_create_class(
            school_year=year, name=class_name, grade=10, homeroom_teacher=teacher
        )
        for number in range(1, CLASS_SIZE + 1):
            serial += 1
            username = f"hs{class_name.lower()}.{number:02d}"
            name = names.person()
            student = _person(
                result,
                username,
                name,
                ma_dinh_danh=f"0199900{serial:05d}",
                date_of_birth=date(2011, 1 + (serial * 7) % 12, 1 + (serial * 11) % 28),
                email=f"{username}@hocsinh.thpt-hoasen.edu.vn" if number % 3 == 0 else "",
            )
            schools_api.assign_role(user=student, school=school, role=Role.STUDENT)
            courses_api.enroll_student(school_class=school_class, student=student, number=number)
            # One parent account per child, the parent sharing the child's family name.
            parent_gender = "female" if serial % 2 else "male"
            parent_name = names.person(parent_gender, family=student.last_name.split(" ")[0])
            parent = _person(
                result,
                f"ph{class_name.lower()}.{number:02d}",
                parent_name,
                email=f"ph{class_name.lower()}.{number:02d}@phuhuynh.example.vn",
            )
            schools_api.link_parent(
                parent=parent,
                student=student,
                relationship=Relationship.MOTHER if parent_gender == "female" else Relationship.FATHER,
            )
            if number <= 2:
                result.add(student, f"Học sinh lớp {class_name}")
                result.add(parent, f"Phụ huynh của {student.get_full_name()} ({class_name})")

    result.lessons_created = seed_lessons(
        school=school, author_by_subject={"toan": teachers["gv.toan1"], "ngu-van": teachers["gv.van1"]}
    )
    result.lessons_created += seed_review_states(
        school=school,
        author_by_subject={"toan": teachers["gv.toan2"], "ngu-van": teachers["gv.van2"]},
        head_by_subject={"toan": teachers["tt.toan"], "ngu-van": teachers["tt.van"]},
    )

    _seed_course_plan(year=year, teachers=teachers)
    _seed_gradebook(year=year, teacher=teachers["gv.toan1"])

    content_api.update_home_page(
        title="Trường THPT Hoa Sen – Kho học liệu số",
        intro="Bài giảng điện tử, ngân hàng câu hỏi và lớp học trực tuyến của nhà trường.",
        body=(
            "<h2>Dành cho học sinh</h2><p>Đăng nhập bằng tài khoản nhà trường cấp để xem bài giảng, làm bài tập "
            "và theo dõi tiến độ học tập.</p><h2>Dành cho giáo viên</h2><p>Soạn bài giảng, gửi tổ chuyên môn "
            "duyệt và chia sẻ học liệu với các trường khác.</p><h2>Dành cho phụ huynh</h2><p>Theo dõi việc học "
            "của con em mình.</p>"
        ),
    )
    return result


def _seed_course_plan(*, year, teachers) -> None:
    """Semesters, Toán and Ngữ văn for grade 10, their teachers, and a plan for Toán 10A1: two published lessons and
    an assignment (idempotent: an existing plan is left alone)."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from curriculum.api import get_subject

    if not year.semesters.exists():
        courses_api.create_semester(school_year=year, number=1, starts_on=date(2026, 9, 5), ends_on=date(2027, 1, 16))
        courses_api.create_semester(school_year=year, number=2, starts_on=date(2027, 1, 18), ends_on=date(2027, 5, 31))
    toan, van = get_subject("toan"), get_subject("ngu-van")
    for subject in (toan, van):
        courses_api.set_subject_offering(school_year=year, grade=10, subject=subject, periods_per_year=105)
    for school_class in courses_api.get_classes(year):
        courses_api.assign_teacher(school_class=school_class, subject=toan, teacher=teachers["gv.toan1"])
        courses_api.assign_teacher(school_class=school_class, subject=van, teacher=teachers["gv.van1"])
    course = courses_api.get_or_create_course(school_class=courses_api.get_classes(year).get(name="10A1"), subject=toan)
    if course.items.exists():
        return
    teacher = teachers["gv.toan1"]
    start = datetime(2026, 11, 16, 7, 0, tzinfo=timezone.get_current_timezone())
    lessons = content_api.LessonPage.objects.live().filter(school=year.school, subject=toan, grade=10).order_by("path")
    for week, lesson in enumerate(lessons[:2]):
        courses_api.add_plan_item(
            actor=teacher,
            course=course,
            kind=courses_api.ItemKind.LESSON,
            lesson=lesson,
            release_at=start + timedelta(weeks=week),
            due_at=start + timedelta(weeks=week + 3),
            delivery_form=courses_api.DeliveryForm.HO_TRO,
        )
    courses_api.create_assignment(
        actor=teacher,
        course=course,
        title="Bài tập tuần: hàm số bậc hai",
        instructions="Làm các bài 6.1 đến 6.4 trong sách giáo khoa, chụp ảnh bài làm và nộp tại đây.",
        release_at=start + timedelta(weeks=1),
        due_at=start + timedelta(weeks=4),
        delivery_form=courses_api.DeliveryForm.HO_TRO,
        counts_as_regular_assessment=True,
    )


def _seed_gradebook(*, year, teacher) -> None:
    """The Toán 10A1 gradebook of semester 1 with two ĐĐGtx and the mid-term typed for every student; the ĐĐGck is
    left for the visitor to type, so the averages appear as they do (idempotent: marks already there are kept)."""
    from curriculum.api import get_subject

    school_class = courses_api.get_classes(year).get(name="10A1")
    book = gradebook_api.open_gradebook(school_class=school_class, subject=get_subject("toan"), semester=1)
    table = gradebook_api.get_table(book)
    if any(mark is not None for row in table.rows for _column, mark in row.cells):
        return
    by_label = {column.label: column for column in table.columns}
    entries = {}
    for index, row in enumerate(table.rows):
        for offset, label in enumerate(("ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk")):
            whole = 5 + (index * 7 + offset * 3) % 5  # 5 … 9
            tenth = (index * 3 + offset * 7) % 10
            entries[(by_label[label].pk, row.student.pk)] = f"{whole},{tenth}"
    gradebook_api.record_marks(actor=teacher, gradebook=book, entries=entries)
