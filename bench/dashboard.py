#!/usr/bin/env python3
"""Render time and query count of the teacher's dashboard (per student × plan item) for a class of 45 students and
a plan of 60 items, and the query count for a class of 15 with the same plan (it must not grow with the class).

A script, not a test: ``.venv/bin/python bench/dashboard.py`` (see bench/README.md). It creates its own database
(a temporary SQLite file, or ``--database-url postgres://…/<name>``, which is created if missing and dropped at the
end unless ``--keep``), migrates it, builds one school through the apps' services — a teacher, two classes, a Toán
10 course in each with 60 plan items (20 published lessons, 20 assignments, 20 items of one published practice
set) and, for every student, a realistic mix of opened and completed lessons, time spent, submissions, scores and
practice attempts — then requests
the dashboard page as the teacher through Django's test client (the whole middleware stack: session, CSP,
locale) and prints:

- the median, p95 and maximum render time over ``--runs`` requests after two warm-up requests;
- the number of SQL queries of one request, for 45 and for 15 students;
- ``target: < 300 ms, query count independent of class size … PASS/FAIL``.

Exit status: 0 target met, 1 target missed, 2 the benchmark could not run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_MS = 300


def _reexec_in_venv() -> None:
    if (
        VENV_PYTHON.exists()
        and Path(sys.executable).resolve() != VENV_PYTHON.resolve()
        and not os.environ.get("BENCH_IN_VENV")
    ):
        os.environ["BENCH_IN_VENV"] = "1"
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606


def _prepare_database(url: str | None, keep: bool):
    """The DATABASE_URL to use and a cleanup function."""
    if url is None:
        directory = tempfile.mkdtemp(prefix="bench-dashboard-")
        path = Path(directory) / "db.sqlite3"
        return f"sqlite:///{path}", (lambda: None if keep else path.unlink(missing_ok=True))
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        created = not exists
        if created:
            connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        if keep or not created:
            return
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def _practice_set(school, teacher):
    """A published practice set of one ready question (bank of the school's Toán group, approved by its head)."""
    from lms.assessments import api as bank_api
    from lms.assessments.ir import Choice
    from lms.exams import practice
    from lms.schools import api as schools_api
    from lms.schools.api import Role

    group = schools_api.create_subject_group(school=school, name="Tổ Toán bench", code="toan-bench", subjects=["toan"])
    head = schools_api.create_person_at_school(
        school=school, roles=[Role.TEACHER], username="tt.bench", last_name="Lê Văn", first_name="Tổ"
    )
    schools_api.add_group_member(group=group, user=head, is_head=True)
    schools_api.add_group_member(group=group, user=teacher)
    bank = bank_api.create_bank(subject_group=group, name="Ngân hàng bench")
    content = bank_api.QuestionContent(
        type=bank_api.QType.SINGLE, stem="1 + 1 = ?", choices=[Choice("A", "2", True), Choice("B", "3", False)]
    )
    version = bank_api.create_question(bank=bank, author=teacher, content=content)
    bank_api.submit_for_review(version=version, user=teacher)
    version = bank_api.review_version(version=version, user=head, action="approve")
    made = practice.create_practice_set(author=teacher, school=school, title="Luyện tập bench", versions=[version])
    return practice.set_published(practice_set=made, user=teacher, published=True)


def _build(students_per_class: list[int], items: int, seed: int):
    from datetime import date, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from content import api as content_api
    from content.api import Licence
    from curriculum.api import get_outcomes, get_subject
    from lms.courses import api as courses_api
    from lms.courses.models import DeliveryForm, ItemKind
    from lms.exams import practice
    from lms.privacy import services as privacy_services
    from lms.schools import api as schools_api
    from lms.schools.api import Role

    rng = random.Random(seed)
    organisation = schools_api.get_or_create_organisation(kind="department", name="Sở GD&ĐT Bench", code="SBENCH")
    school = schools_api.get_or_create_school(
        code="99000001", name="Trường THPT Bench", level="upper_secondary", organisation=organisation
    )
    teacher = schools_api.create_person_at_school(
        school=school, roles=[Role.TEACHER], username="gv.bench", last_name="Nguyễn Văn", first_name="Giáo"
    )
    practice_set = _practice_set(school, teacher)
    today = timezone.localdate()
    year = courses_api.create_school_year(
        school=school,
        name="Bench",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=200),
        is_current=True,
    )
    toan = get_subject("toan")
    courses_api.set_subject_offering(school_year=year, grade=10, subject=toan, periods_per_year=105)
    topic = content_api.get_or_create_topic(school=school, subject=toan, grade=10, title="Chương I. Bench")
    outcomes = list(get_outcomes(subject=toan, grade=10)[:1])
    lessons = []
    for n in range(items // 3):
        lesson = content_api.create_lesson_draft(
            topic=topic,
            title=f"Bài {n + 1}. Bench",
            author=teacher,
            subject=toan,
            grade=10,
            outcomes=outcomes,
            licence=Licence.SCHOOL,
            rights_confirmed=True,
        )
        lesson.save_revision().publish()
        lessons.append(lesson)
    now = timezone.now()
    courses = []
    for index, size in enumerate(students_per_class):
        klass = courses_api.create_class(school_year=year, name=f"10B{index + 1}", grade=10, homeroom_teacher=teacher)
        courses_api.assign_teacher(school_class=klass, subject=toan, teacher=teacher)
        course = courses_api.get_or_create_course(school_class=klass, subject=toan)
        plan = []
        for n in range(items):
            release = now - timedelta(days=items - n)
            if n % 3 == 0:
                plan.append(
                    courses_api.add_plan_item(
                        actor=teacher,
                        course=course,
                        kind=ItemKind.LESSON,
                        lesson=lessons[n // 3],
                        release_at=release,
                        due_at=release + timedelta(days=7),
                        delivery_form=DeliveryForm.HO_TRO,
                    )
                )
            elif n % 3 == 1:
                plan.append(
                    courses_api.create_assignment(
                        actor=teacher,
                        course=course,
                        title=f"Bài tập {n}",
                        instructions="Làm bài.",
                        release_at=release,
                        due_at=release + timedelta(days=5),
                        delivery_form=DeliveryForm.HO_TRO,
                    ).item
                )
            else:
                plan.append(
                    courses_api.add_plan_item(
                        actor=teacher,
                        course=course,
                        kind=ItemKind.PRACTICE,
                        title=f"Luyện tập {n}",
                        reference=str(practice_set.pk),
                        release_at=release,
                        delivery_form=DeliveryForm.HO_TRO,
                    )
                )
        for number in range(1, size + 1):
            student = schools_api.create_person_at_school(
                school=school,
                roles=[Role.STUDENT],
                username=f"hs.bench.{index}.{number}",
                last_name="Trần Thị",
                first_name=f"Học{number}",
                ma_dinh_danh=f"99{index:02d}{number:06d}",
            )
            courses_api.enroll_student(school_class=klass, student=student, number=number)
            if rng.random() < 0.85:
                # Time on task is learning analytics (lms.privacy): most students and their parents consented, so
                # most rows show minutes and the others "—". No date of birth: both consents are needed.
                parent = schools_api.create_person_at_school(
                    school=school,
                    roles=[Role.PARENT],
                    username=f"ph.bench.{index}.{number}",
                    last_name="Trần Văn",
                    first_name=f"Phụ huynh {number}",
                )
                schools_api.link_parent(parent=parent, student=student)
                for actor in (student, parent):
                    privacy_services.give_consent(actor=actor, student=student, purpose="learning_analytics")
            if rng.random() < 0.1:
                continue  # about one student in ten has not started
            for item in plan:
                if rng.random() < 0.3:
                    continue
                courses_api.record_item_opened(student=student, item=item)
                courses_api.record_time_spent(student=student, item=item, seconds=rng.randint(10, 60))
                if item.kind == ItemKind.LESSON:
                    content_api.record_lesson_opened(user=student, lesson=item.lesson)
                    if rng.random() < 0.7:
                        content_api.set_lesson_done(user=student, lesson=item.lesson)
                elif item.kind == ItemKind.PRACTICE and rng.random() < 0.5:
                    attempt = practice.start_attempt(practice_set=practice_set, student=student)
                    practice.finish_attempt(attempt=attempt, student=student, responses={1: rng.choice("AB")})
                elif item.kind == ItemKind.ASSIGNMENT and rng.random() < 0.7:
                    files = [SimpleUploadedFile("bai.txt", b"bai lam")] if rng.random() < 0.2 else []
                    submission = courses_api.submit_assignment(
                        student=student, assignment=item.assignment, text="Bài làm", files=files
                    )
                    if rng.random() < 0.6:
                        courses_api.score_submission(
                            actor=teacher, submission=submission, score=f"{rng.randint(40, 100) / 10}"
                        )
        courses.append(course)
    del date
    return teacher, courses


def _measure(client, course, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("courses:dashboard", args=[course.pk])
    for _ in range(2):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    query_count = len(queries)  # now: the next request's request_started clears the connection's query log
    size = len(response.content)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, query_count, size


def main() -> int:
    _reexec_in_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://…/<name> (default: a temporary SQLite file)")
    parser.add_argument("--students", type=int, default=45)
    parser.add_argument("--small", type=int, default=15, help="students of the second class (query-count check)")
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    url, cleanup = _prepare_database(args.database_url, args.keep)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-dashboard-media-")
    import logging

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    logging.getLogger("wagtail").setLevel(logging.WARNING)
    # Keep one connection across requests (the test client does the same around each request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        teacher, (large, small) = _build([args.students, args.small], args.items, args.seed)
        setup_seconds = time.perf_counter() - started
        client = Client()
        client.force_login(teacher)
        times, queries_large, size = _measure(client, large, args.runs)
        _times_small, queries_small, _size = _measure(client, small, 3)
    except Exception as error:
        print(f"benchmark could not run: {error!r}", file=sys.stderr)
        cleanup()
        return 2
    median, p95 = statistics.median(times), sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, load {load}")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); setup {setup_seconds:.0f} s")
    print(f"dashboard of {args.students} students × {args.items} plan items ({size // 1024} KiB of HTML):")
    print(f"  render time over {args.runs} requests: median {median:.0f} ms, p95 {p95:.0f} ms, max {max(times):.0f} ms")
    print(f"  SQL queries per request: {queries_large} for {args.students} students, {queries_small} for {args.small}")
    ok = p95 < TARGET_MS and 0 < queries_large == queries_small
    print(f"target: < {TARGET_MS} ms (p95) and a query count independent of class size … {'PASS' if ok else 'FAIL'}")
    cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
