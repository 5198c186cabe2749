"""A 10A1 class (Toán 10, 105 periods, taught by the school's teacher who is also homeroom teacher) and a 10A2 class
whose Toán is taught by another teacher, built through the apps' APIs."""

from __future__ import annotations

from dataclasses import dataclass

from curriculum.api import get_subject
from lms.courses import api as courses_api
from lms.gradebook import services
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.courses.support import ClassSetup, make_class
from tests.support.factories import UserFactory


@dataclass
class GradebookSetup:
    setup: ClassSetup
    book: object
    other_teacher: object
    other_class: object

    @property
    def people(self):
        return self.setup.people


def make_gradebook_class() -> GradebookSetup:
    setup = make_class()
    toan = get_subject("toan")
    other_teacher = UserFactory(username="giaovien2", first_name="Hùng", last_name="Lê Văn")
    schools_api.assign_role(user=other_teacher, school=setup.people.school, role=Role.TEACHER)
    other_class = courses_api.create_class(
        school_year=setup.year, name="10A2", grade=10, homeroom_teacher=other_teacher
    )
    courses_api.assign_teacher(school_class=other_class, subject=toan, teacher=other_teacher)
    book = services.open_gradebook(school_class=setup.klass, subject=toan, semester=1)
    return GradebookSetup(setup, book, other_teacher, other_class)


def columns(book):
    return {c.label: c for c in book.columns.all()}


def make_primary_class(gb: GradebookSetup):
    """Class 5A (homeroom: the school's teacher), Toán (tested at CN) and Đạo đức (not tested), two pupils, with
    the semester-2 gradebooks open. Returns (class, [An, Bình], [Toán book, Đạo đức book])."""
    year = gb.setup.year
    toan, dao_duc = get_subject("toan"), get_subject("dao-duc")
    courses_api.set_subject_offering(school_year=year, grade=5, subject=toan, periods_per_year=175)
    courses_api.set_subject_offering(school_year=year, grade=5, subject=dao_duc, periods_per_year=35)
    klass = courses_api.create_class(school_year=year, name="5A", grade=5, homeroom_teacher=gb.people.teacher)
    for subject in (toan, dao_duc):
        courses_api.assign_teacher(school_class=klass, subject=subject, teacher=gb.people.teacher)
    pupils = []
    for n, (username, first) in enumerate((("hs5a-an", "An"), ("hs5a-binh", "Bình")), start=1):
        pupil = UserFactory(username=username, first_name=first, last_name="Phạm")
        schools_api.assign_role(user=pupil, school=gb.people.school, role=Role.STUDENT)
        courses_api.enroll_student(school_class=klass, student=pupil, number=n)
        pupils.append(pupil)
    books = [services.open_gradebook(school_class=klass, subject=s, semester=2) for s in (toan, dao_duc)]
    return klass, pupils, books
