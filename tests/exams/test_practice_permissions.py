"""The practice pages, a course's test and practice items and the restore of an archived item against every role: the
course's teacher (author of the set), another teacher of the school, a teacher of another school, a student of the
class, a student of another school, a parent of a student of the class, a parent at another school, anonymous.
Refusals are 403 (404 for someone else's attempt: ids do not leak); without a session, the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lms.courses import services as course_services
from lms.courses.models import DeliveryForm, ItemKind
from lms.exams import practice
from lms.schools import api as schools_api
from tests.courses.support import yesterday
from tests.exams.practice_support import plan_practice
from tests.exams.support import make_bank
from tests.support.factories import UserFactory
from tests.support.people import make_school_people
from tests.support.shared_data import module_shared

ROLES = [
    "anonymous",
    "teacher",
    "colleague",
    "other_teacher",
    "student",
    "other_student",
    "parent",
    "other_parent",
]


def _build():
    setup = make_bank(singles=2, tf4s=0, numerics=1)
    people = setup.people
    other = make_school_people(prefix="khac.")
    colleague = UserFactory(username="dongnghiep")
    schools_api.assign_role(user=colleague, school=people.school, role=schools_api.Role.TEACHER)
    versions = setup.singles + setup.numerics
    published = practice.create_practice_set(
        author=people.teacher, school=people.school, title="Luyện tập", versions=versions, grade=10
    )
    practice.set_published(practice_set=published, user=people.teacher, published=True)
    draft = practice.create_practice_set(author=people.teacher, school=people.school, title="Nháp", versions=versions)
    attempt = practice.start_attempt(practice_set=published, student=people.student)
    item = plan_practice(setup, published, actor=people.teacher)
    archived = course_services.add_plan_item(
        actor=people.teacher,
        course=setup.cls.course,
        kind=ItemKind.LESSON,
        lesson=setup.cls.lesson,
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    course_services.record_item_opened(student=people.student, item=archived)
    course_services.delete_plan_item(actor=people.teacher, item=archived)
    users = {
        "anonymous": None,
        "teacher": people.teacher,
        "colleague": colleague,
        "other_teacher": other.teacher,
        "student": people.student,
        "other_student": other.student,
        "parent": people.parent,
        "other_parent": other.parent,
    }
    ids = {
        "published": published.pk,
        "draft": draft.pk,
        "attempt": attempt.pk,
        "item": item.pk,
        "archived": archived.pk,
        "bank": setup.bank.pk,
    }
    return users, ids


_shared_world, world = module_shared(_build, "world")

SCHOOL_TEACHERS = {"teacher", "colleague"}
# (name, method, url builder, data, roles allowed, status when allowed, status when refused)
PAGES = [
    ("index", "get", lambda i: reverse("exams:practice"), None, set(ROLES) - {"anonymous"}, 200, 403),
    ("create", "get", lambda i: reverse("exams:practice_create") + f"?ngan-hang={i['bank']}", None,
     {"teacher", "colleague", "other_teacher"}, 200, 403),
    ("published", "get", lambda i: reverse("exams:practice_set", args=[i["published"]]), None,
     SCHOOL_TEACHERS | {"student"}, 200, 403),
    ("draft", "get", lambda i: reverse("exams:practice_set", args=[i["draft"]]), None, SCHOOL_TEACHERS, 200, 403),
    ("publish", "post", lambda i: reverse("exams:practice_publish", args=[i["draft"]]), {"published": "0"},
     {"teacher"}, 302, 403),
    ("start", "post", lambda i: reverse("exams:practice_start", args=[i["published"]]), {}, {"student"}, 302, 403),
    ("attempt", "get", lambda i: reverse("exams:practice_attempt", args=[i["attempt"]]), None, {"student"}, 302, 404),
    ("question", "get", lambda i: reverse("exams:practice_question", args=[i["attempt"], 2]), None,
     {"student"}, 200, 404),
    ("check", "post", lambda i: reverse("exams:practice_question", args=[i["attempt"], 1]), {"check": "1", "q1": "A"},
     {"student"}, 302, 404),
    ("retry_question", "post", lambda i: reverse("exams:practice_question", args=[i["attempt"], 1]), {"retry": "1"},
     {"student"}, 302, 404),
    ("summary", "get", lambda i: reverse("exams:practice_summary", args=[i["attempt"]]), None, {"student"}, 200, 404),
    ("practice_item", "get", lambda i: reverse("courses:item", args=[i["item"]]), None,
     {"teacher", "student", "parent"}, 200, 403),
    ("archived_item", "get", lambda i: reverse("courses:item", args=[i["archived"]]), None, {"teacher"}, 200, None),
    ("restore", "post", lambda i: reverse("courses:restore_item", args=[i["archived"]]), {}, {"teacher"}, 302, 403),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "ok", "refused"), PAGES, ids=[p[0] for p in PAGES]
)
def test_every_role(client, world, role, name, method, url, data, allowed, ok, refused):
    users, ids = world
    user = users[role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url(ids), data or {})
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("schools:login")), (name, response)
    elif role in allowed:
        assert response.status_code == ok, (role, name, response.status_code)
    elif refused is None:
        # The archived item: hidden from the class (404) as if it were not there; refused to outsiders (403).
        assert response.status_code in (403, 404), (role, name, response.status_code)
        if role in ("student", "parent"):
            assert response.status_code == 404
    else:
        assert response.status_code == refused, (role, name, response.status_code)


def test_the_practice_item_page_links_each_role_to_what_it_may_open(client, world):
    users, ids = world
    target = reverse("exams:practice_set", args=[ids["published"]])
    for role, linked in (("teacher", True), ("student", True), ("parent", False)):
        client.force_login(users[role])
        page = client.get(reverse("courses:item", args=[ids["item"]])).content.decode()
        assert (target in page) is linked, role
