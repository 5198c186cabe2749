"""A class with a course, built through the apps' APIs: school year 2026–2027, 10A1 with a homeroom teacher, Toán 10
taught by the school's teacher, two students with a parent each, and a published Toán 10 lesson (published when a
test first asks for it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from content import api as content_api
from content.api import LessonPage, Licence
from curriculum.api import get_outcomes, get_subject
from lms.courses import services
from lms.privacy import api as privacy_api
from lms.schools import api as schools_api
from lms.schools.api import Relationship, Role
from tests.support.baseline import ensure_site_baseline
from tests.support.factories import UserFactory
from tests.support.people import SchoolPeople, make_school_people


@dataclass
class ClassSetup:
    people: SchoolPeople
    year: object
    klass: object
    course: object
    student2: object
    parent2: object
    _lesson: LessonPage | None = None

    @property
    def lesson(self) -> LessonPage:
        """The published Toán 10 lesson. Published on first use: most tests of a class never open it, and a page tree
        with revisions is the slowest part of the set-up (a fifth of a second a test)."""
        if self._lesson is None:
            self._lesson = publish_lesson(self.people)
        return self._lesson


def publish_lesson(people: SchoolPeople, title: str = "Bài 3. Các phép toán trên tập hợp") -> LessonPage:
    ensure_site_baseline()
    toan = get_subject("toan")
    topic = content_api.get_or_create_topic(
        school=people.school, subject=toan, grade=10, title="Chương I. Mệnh đề và tập hợp"
    )
    lesson = content_api.create_lesson_draft(
        topic=topic,
        title=title,
        author=people.teacher,
        subject=toan,
        grade=10,
        outcomes=list(get_outcomes(subject=toan, grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
        summary="Hợp, giao, hiệu của hai tập hợp.",
    )
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


def make_class(people: SchoolPeople | None = None, *, prefix: str = "") -> ClassSetup:
    people = people or make_school_people(prefix=prefix)
    ensure_site_baseline()
    year = services.create_school_year(
        school=people.school, name="2026–2027", starts_on=date(2026, 9, 5), ends_on=date(2027, 5, 31), is_current=True
    )
    toan = get_subject("toan")
    services.set_subject_offering(school_year=year, grade=10, subject=toan, periods_per_year=105)
    klass = services.create_class(school_year=year, name="10A1", grade=10, homeroom_teacher=people.teacher)
    services.assign_teacher(school_class=klass, subject=toan, teacher=people.teacher)
    services.enroll_student(school_class=klass, student=people.student, number=1)
    student2 = UserFactory(username=f"{prefix}hocsinh2", first_name="Bình", last_name="Trần Thị")
    schools_api.assign_role(user=student2, school=people.school, role=Role.STUDENT)
    services.enroll_student(school_class=klass, student=student2, number=2)
    parent2 = UserFactory(username=f"{prefix}phuhuynh2")
    schools_api.link_parent(parent=parent2, student=student2, relationship=Relationship.FATHER)
    course = services.get_or_create_course(school_class=klass, subject=toan)
    return ClassSetup(people, year, klass, course, student2, parent2)


def yesterday():
    return timezone.now() - timedelta(days=1)


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


def consent_to_analytics(student, parent=None):
    """Give the learning_analytics consents the student's age needs (their own from 7, a legal representative's
    below 18; both when the age is unknown), through lms.privacy like the consent page does."""
    from lms.privacy import services as privacy_services

    needed = privacy_api.required_consenters(student)
    if needed["student"]:
        privacy_services.give_consent(actor=student, student=student, purpose="learning_analytics")
    if needed["representative"]:
        assert parent is not None, "a student under 18 (or of unknown age) needs a parent's consent"
        privacy_services.give_consent(actor=parent, student=student, purpose="learning_analytics")
