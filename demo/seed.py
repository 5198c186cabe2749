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
    _seed_exams(school=school, year=year, teachers=teachers)

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


def _seed_exams(*, school, year, teachers) -> None:
    """The Toán bank of tổ Toán – Tin with ten ready questions (authored by gv.toan1, approved by the tổ trưởng), a
    published practice set, and a 15-minute test reviewed and approved through the review trail, scheduled for Toán
    10A1 with its window open for the demo and placed in the course plan (idempotent: an existing bank is kept)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from curriculum.api import get_subject
    from lms.assessments import api as bank_api
    from lms.assessments.api import Choice, NumericAnswer, QType, QuestionContent, Statement
    from lms.exams import api as exams_api

    group = next(g for g in schools_api.get_subject_groups(school) if g.code == "toan-tin")
    if bank_api.QuestionBank.objects.filter(subject_group=group, name=DEMO_BANK).exists():
        return
    author, head = teachers["gv.toan1"], teachers["tt.toan"]
    toan = get_subject("toan")
    bank = bank_api.create_bank(subject_group=group, name=DEMO_BANK)

    def single(stem, options, key, level):
        return QuestionContent(
            type=QType.SINGLE,
            stem=stem,
            choices=[Choice(label, text, label == key) for label, text in zip("ABCD", options, strict=True)],
            level=level,
        )

    contents = [
        single(
            "Câu nào sau đây là một mệnh đề?",
            ["Hôm nay trời đẹp quá!", "Số 7 là số nguyên tố.", "Bạn có đi học không?", "x + 1 > 2"],
            "B",
            "biet",
        ),
        single("Cho tập hợp \\(A = \\{1; 2; 3\\}\\). Số tập con của A là", ["3", "6", "8", "9"], "C", "hieu"),
        single(
            "Cho \\(A = [1; 5)\\) và \\(B = (3; 7]\\). Tập \\(A \\cap B\\) là",
            ["\\((3; 5)\\)", "\\([1; 7]\\)", "\\([3; 5]\\)", "\\((3; 5]\\)"],
            "A",
            "hieu",
        ),
        single(
            "Đỉnh của parabol \\(y = x^2 - 4x + 3\\) là",
            ["\\(I(2; -1)\\)", "\\(I(-2; 15)\\)", "\\(I(2; 1)\\)", "\\(I(4; 3)\\)"],
            "A",
            "biet",
        ),
        single(
            "Hàm số \\(y = -x^2 + 2x + 1\\) đồng biến trên khoảng",
            ["\\((1; +\\infty)\\)", "\\((-\\infty; 1)\\)", "\\((-\\infty; 2)\\)", "\\((0; 2)\\)"],
            "B",
            "hieu",
        ),
        single(
            "Parabol \\(y = ax^2 + bx + c\\) đi qua \\(A(0; 1)\\), \\(B(1; 2)\\), \\(C(-1; 4)\\). Khi đó \\(a\\) bằng",
            ["1", "2", "-1", "3"],
            "B",
            "van_dung",
        ),
        QuestionContent(
            type=QType.TF4,
            stem="Cho hàm số bậc hai \\(y = x^2 - 2x - 3\\).",
            statements=[
                Statement("a", "Đồ thị hàm số cắt trục tung tại điểm \\((0; -3)\\).", True),
                Statement("b", "Trục đối xứng của đồ thị là đường thẳng \\(x = -1\\).", False),
                Statement("c", "Hàm số đạt giá trị nhỏ nhất bằng \\(-4\\).", True),
                Statement("d", "Phương trình \\(x^2 - 2x - 3 = 0\\) vô nghiệm.", False),
            ],
            level="hieu",
        ),
        QuestionContent(
            type=QType.TF4,
            stem="Cho các tập hợp \\(A = \\{x \\in \\mathbb{R} \\mid x \\ge 2\\}\\) và \\(B = (-1; 3)\\).",
            statements=[
                Statement("a", "\\(A \\cup B = (-1; +\\infty)\\).", True),
                Statement("b", "\\(A \\cap B = [2; 3)\\).", True),
                Statement("c", "\\(B \\setminus A = (-1; 2]\\).", False),
                Statement("d", "\\(3 \\in A \\cap B\\).", False),
            ],
            level="van_dung",
        ),
        QuestionContent(
            type=QType.NUMERIC,
            stem="Tìm giá trị lớn nhất của hàm số \\(y = -x^2 + 4x - 1\\).",
            numeric=[NumericAnswer(Decimal(3))],
            answer_sheet="THPT2025",
            level="van_dung",
        ),
        QuestionContent(
            type=QType.NUMERIC,
            stem="Một quả bóng được ném lên có độ cao \\(h(t) = -5t^2 + 10t + 1{,}5\\) (mét). Độ cao lớn nhất của quả "
            "bóng là bao nhiêu mét?",
            numeric=[NumericAnswer(Decimal("6.5"))],
            answer_sheet="THPT2025",
            level="van_dung",
        ),
    ]
    versions = []
    for content in contents:
        version = bank_api.create_question(bank=bank, author=author, content=content, subject=toan, grade=10)
        bank_api.submit_for_review(version=version, user=author)
        versions.append(bank_api.review_version(version=version, user=head, action="approve"))

    practice = exams_api.create_practice_set(
        author=author, school=school, title="Luyện tập: Mệnh đề, tập hợp, hàm số bậc hai", versions=versions,
        subject=toan, grade=10,
    )  # fmt: skip
    exams_api.set_published(practice_set=practice, user=author, published=True)

    test = exams_api.create_test(
        school=school, subject=toan, grade=10, title="Kiểm tra 15 phút – Hàm số bậc hai", created_by=author, minutes=15
    )
    parts = [
        (exams_api.add_part(test=test, code="I", title="Trắc nghiệm nhiều lựa chọn", question_type="single_choice",
                            points_each=Decimal("1")), versions[:6]),
        (exams_api.add_part(test=test, code="II", title="Trắc nghiệm đúng sai", question_type="true_false_4",
                            points_each=Decimal("1")), versions[6:8]),
        (exams_api.add_part(test=test, code="III", title="Trả lời ngắn", question_type="numeric",
                            points_each=Decimal("1")), versions[8:]),
    ]  # fmt: skip
    for part, chosen in parts:
        for version in chosen:
            exams_api.add_item(part=part, version=version)
    exams_api.submit_test_for_review(test=test, user=author, comment="Đề kiểm tra thường xuyên tuần 12.")
    test = exams_api.approve_reviewed_test(test=test, user=head, variants=2, seed="demo")
    course = courses_api.get_or_create_course(school_class=courses_api.get_classes(year).get(name="10A1"), subject=toan)
    now = timezone.now()
    sitting = exams_api.schedule_sitting(
        test=test, course=course, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=60),
        duration=timedelta(minutes=15), created_by=author, title="Kiểm tra 15 phút – Hàm số bậc hai (10A1)",
    )  # fmt: skip
    courses_api.add_plan_item(
        actor=author, course=course, kind=courses_api.ItemKind.TEST, title=sitting.title, reference=str(sitting.pk),
        release_at=now - timedelta(hours=1), due_at=now + timedelta(days=60),
        delivery_form=courses_api.DeliveryForm.HO_TRO,
    )  # fmt: skip


DEMO_BANK = "Ngân hàng câu hỏi Toán 10"
