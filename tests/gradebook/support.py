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
