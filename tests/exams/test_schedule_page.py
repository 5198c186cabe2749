"""The scheduling page: a teacher of the course schedules an approved test (window, duration, late join, access code,
review, kind, allowed IP ranges, extra time per student); bad input is shown next to its field and nothing is made."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.exams import services
from lms.exams.models import Sitting
from lms.exams.models import TestKind as Kind
from lms.schools import api as schools_api
from tests.exams.support import make_bank, toan_test


@pytest.fixture
def built(db):
    setup = make_bank()
    return setup, toan_test(setup, variants=2)


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _post(setup, **overrides):
    now = timezone.now()
    data = {
        "course": setup.cls.course.pk,
        "title": "Kiểm tra 15 phút",
        "opens_at": _local(now + timedelta(hours=1)),
        "closes_at": _local(now + timedelta(hours=3)),
        "duration": "45",
        "late_join_minutes": "10",
        "access_code": "K12",
        "review": "after_close",
        "kind": "regular",
        "allowed_networks": "203.113.10.0/24\n2001:db8::/48",
        "extra_time": f"{setup.cls.student2.username} 15",
    }
    data.update(overrides)
    return data


def test_teacher_schedules_from_the_test_page(built, client):
    setup, test = built
    client.force_login(setup.people.teacher)  # the author
    assert (
        reverse("exams:schedule", args=[test.pk]) in client.get(reverse("exams:test", args=[test.pk])).content.decode()
    )
    client.force_login(setup.people.teacher)
    home = client.get(reverse("exams:home")).content.decode()
    assert reverse("exams:schedule", args=[test.pk]) in home
    form = client.get(reverse("exams:schedule", args=[test.pk]))
    assert form.status_code == 200 and 'name="allowed_networks"' in form.content.decode()
    response = client.post(reverse("exams:schedule", args=[test.pk]), _post(setup))
    sitting = Sitting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exams:invigilate", args=[sitting.pk])
    assert sitting.duration == timedelta(minutes=45) and sitting.late_join_minutes == 10
    assert sitting.access_code == "K12" and sitting.review == "after_close" and sitting.kind == "regular"
    assert sitting.network_list() == ["203.113.10.0/24", "2001:db8::/48"]
    extra = dict(sitting.attempts.values_list("student__username", "extra_minutes"))
    assert extra == {setup.people.student.username: 0, setup.cls.student2.username: 15}


def test_bad_ranges_and_unknown_students_are_named(built, client):
    setup, test = built
    client.force_login(setup.people.teacher)
    response = client.post(
        reverse("exams:schedule", args=[test.pk]),
        _post(setup, allowed_networks="10.0.0.0/8\n10.1.2.3/24\nphòng máy", extra_time="khongco 10\nhs"),
    )
    text = response.content.decode()
    assert response.status_code == 200 and not Sitting.objects.exists()
    assert "Dòng 2: 10.1.2.3/24 có phần địa chỉ máy khác 0; dải mạng viết là 10.1.2.0/24." in text
    assert "Dòng 3: phòng máy không phải là dải địa chỉ IP" in text
    assert "Dòng 1: khongco không phải học sinh lớp 10A1." in text
    assert "Dòng 2: ghi tên đăng nhập và số phút" in text


def test_periodic_test_needs_the_school_networks_and_cannot_be_regular(built, client):
    setup, test = built
    test.kind = Kind.MIDTERM
    test.save(update_fields=["kind"])
    client.force_login(setup.people.teacher)
    url = reverse("exams:schedule", args=[test.pk])
    response = client.post(url, _post(setup, kind="regular"))
    assert "kind" in response.context["form"].errors and not Sitting.objects.exists()
    response = client.post(url, _post(setup, kind="midterm"))
    assert "cần khai báo trước các mạng của nhà trường" in response.content.decode()
    schools_api.set_exam_networks(actor=setup.people.principal, school=setup.people.school, networks="203.113.10.0/24")
    response = client.post(url, _post(setup, kind="midterm"))
    assert response.status_code == 302 and Sitting.objects.get().kind == "midterm"


def test_only_a_teacher_of_the_subject_schedules(built, client):
    setup, test = built
    client.force_login(setup.people.student)
    assert client.get(reverse("exams:schedule", args=[test.pk])).status_code == 403
    draft = services.create_test(school=setup.people.school, title="Nháp", created_by=setup.people.teacher)
    client.force_login(setup.people.teacher)
    assert client.get(reverse("exams:schedule", args=[draft.pk])).status_code == 302


def test_school_networks_are_checked_and_set_by_the_principal_or_admin(built):
    setup, _test = built
    people = setup.people
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        schools_api.set_exam_networks(actor=people.teacher, school=people.school, networks="10.0.0.0/8")
    with pytest.raises(ValidationError, match="Line 2: abc is not an IP range"):
        schools_api.set_exam_networks(actor=people.school_admin, school=people.school, networks="10.0.0.0/8\nabc")
    school = schools_api.set_exam_networks(actor=people.school_admin, school=people.school, networks=" 10.0.0.0/8 \n")
    assert schools_api.get_exam_networks(school) == ["10.0.0.0/8"]
