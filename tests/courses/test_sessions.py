"""Live sessions with a meeting link (Jitsi, BigBlueButton, Meet, Zoom), a join button, attendance recorded on join
and corrected by the teacher (R4, R13); parents see their child's attendance (R14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lms.courses import selectors, services
from lms.courses.models import Attendance, AttendanceStatus


def _session(setup, *, starts_in=timedelta(minutes=5), length=timedelta(minutes=45), **overrides):
    starts_at = timezone.now() + starts_in
    fields = {
        "actor": setup.people.teacher,
        "course": setup.course,
        "title": "Ôn tập chương I",
        "starts_at": starts_at,
        "ends_at": starts_at + length,
        "provider": "jitsi",
        "meeting_url": "https://meet.jit.si/thpt-10a1-toan-on-tap",
    }
    fields.update(overrides)
    return services.schedule_session(**fields)


@pytest.mark.parametrize(
    ("provider", "url", "ok"),
    [
        ("jitsi", "https://jitsi.truong.edu.vn/10a1", True),
        ("bbb", "https://bbb.so-gd.edu.vn/b/gv-abc-123", True),
        ("meet", "https://meet.google.com/abc-defg-hij", True),
        ("zoom", "https://us02web.zoom.us/j/123456789", True),
        ("meet", "https://meet.jit.si/abc", False),
        ("zoom", "https://zoom.us.example.com/j/1", False),
        ("jitsi", "http://meet.jit.si/khong-ma-hoa", False),
    ],
)
def test_meeting_links_are_checked(setup, provider, url, ok):
    if ok:
        assert _session(setup, provider=provider, meeting_url=url).meeting_url == url
    else:
        with pytest.raises(ValidationError):
            _session(setup, provider=provider, meeting_url=url)


@pytest.mark.parametrize("who", ["student", "parent", "group_head", "principal", "school_admin"])
def test_only_the_course_teacher_schedules(setup, who):
    with pytest.raises(PermissionDenied):
        _session(setup, actor=getattr(setup.people, who))


def test_joining_records_attendance_present_or_late(setup):
    session = _session(setup, starts_in=timedelta(minutes=-2))
    attendance = services.join_session(student=setup.people.student, session=session)
    assert attendance.status == AttendanceStatus.PRESENT and attendance.joined_at is not None
    services.join_session(student=setup.people.student, session=session)  # joining again changes nothing
    assert Attendance.objects.get(session=session, student=setup.people.student).joined_at == attendance.joined_at
    late = services.join_session(student=setup.student2, session=session, now=session.starts_at + timedelta(minutes=20))
    assert late.status == AttendanceStatus.LATE


def test_joining_is_open_only_around_the_session_and_to_its_class(setup):
    session = _session(setup, starts_in=timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.join_session(student=setup.people.student, session=session)
    with pytest.raises(ValidationError):
        services.join_session(student=setup.people.student, session=session, now=session.ends_at + timedelta(minutes=1))
    with pytest.raises(PermissionDenied):
        services.join_session(student=setup.people.parent, session=session, now=session.starts_at)


def test_the_join_link_records_and_sends_to_the_meeting(client, setup):
    session = _session(setup)
    client.force_login(setup.people.student)
    response = client.get(reverse("courses:join_session", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == session.meeting_url
    assert Attendance.objects.filter(session=session, student=setup.people.student).exists()
    client.force_login(setup.people.parent)
    assert client.get(reverse("courses:join_session", args=[session.pk])).status_code == 403


def test_the_teacher_corrects_attendance_and_parents_see_it(client, setup):
    session = _session(setup, starts_in=timedelta(hours=-2), length=timedelta(minutes=45))  # already held
    rows = {student.pk: status for student, _row, status in selectors.get_session_attendance(session)}
    assert rows == {setup.people.student.pk: AttendanceStatus.ABSENT, setup.student2.pk: AttendanceStatus.ABSENT}
    client.force_login(setup.people.teacher)
    url = reverse("courses:session", args=[session.pk])
    response = client.post(url, {"student": setup.people.student.pk, "status": "excused", "note": "Ốm, có giấy"})
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, student=setup.people.student)
    assert (row.status, row.note, row.corrected_by) == ("excused", "Ốm, có giấy", setup.people.teacher)
    with pytest.raises(PermissionDenied):
        services.correct_attendance(
            actor=setup.people.principal, session=session, student=setup.student2, status="present"
        )
    client.force_login(setup.people.principal)
    assert client.get(url).status_code == 200  # leadership reads attendance
    assert client.post(url, {"student": setup.student2.pk, "status": "present"}).status_code == 403
    for outsider in (setup.people.student, setup.people.parent, setup.people.group_head, setup.people.school_admin):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
    client.force_login(setup.people.parent)
    page = client.get(reverse("courses:child", args=[setup.people.student.pk])).content.decode()
    assert "Ôn tập chương I" in page
    assert "Vắng có phép" in page or "Absent with leave" in page
