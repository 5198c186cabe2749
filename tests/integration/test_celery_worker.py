"""A real Celery worker process on the machine's Redis sends the e-mail that a password reset queues."""

from __future__ import annotations

import contextlib
import re
import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from kombu import pools as kombu_pools

from config.celery_app import app
from lib.tasks import send_email_task
from tests.support.people import PASSWORD

pytestmark = pytest.mark.celery_worker


@contextlib.contextmanager
def _celery_on(worker):
    """Point the web side's Celery app at the worker's broker, as CELERY_BROKER_URL does in production."""
    keys = ["broker_url", "result_backend", "task_always_eager", "task_default_queue"]
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=worker.broker_url,
        result_backend=worker.result_backend,
        task_always_eager=False,
        task_default_queue=worker.queue,
    )
    _reset_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_connections()


def _reset_connections():
    # Celery caches its connection pools and result backend; drop them so the new settings take effect.
    kombu_pools.reset()  # kombu keeps process-wide pools keyed by broker URL
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


_END_OF_MESSAGE = b"\n" + b"-" * 79 + b"\n"


def _read_mail(path):
    raw = path.read_bytes().split(_END_OF_MESSAGE)[0]
    message = message_from_bytes(raw)
    subject = str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    return message, subject, body


def _wait_for_mail(mail_dir, timeout=30.0):
    # Django's file backend creates the file when the connection opens and writes the message after it, ending it
    # with a line of dashes: a file is a whole e-mail only once that line is there.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(mail_dir.glob("*.log"))
        if files and all(path.read_bytes().endswith(_END_OF_MESSAGE) for path in files):
            return files
        time.sleep(0.2)
    raise AssertionError(f"the worker sent no e-mail within {timeout}s")


def test_worker_runs_a_task_and_returns_its_result_through_redis(celery_worker_process):
    for old in celery_worker_process.mail_dir.glob("*.log"):
        old.unlink()
    with _celery_on(celery_worker_process):
        result = send_email_task.delay(
            to=["giaovien@truong.example.vn"], subject="Thông báo họp tổ", body="Họp tổ chuyên môn lúc 14:00 thứ Năm."
        )
        assert result.get(timeout=30) == 1
    assert result.successful()
    [mail_file] = _wait_for_mail(celery_worker_process.mail_dir)
    message, subject, body = _read_mail(mail_file)
    assert subject == "Thông báo họp tổ"
    assert message["To"] == "giaovien@truong.example.vn"
    assert body.strip() == "Họp tổ chuyên môn lúc 14:00 thứ Năm."


def test_password_reset_email_is_sent_by_the_worker(
    client, people, celery_worker_process, django_capture_on_commit_callbacks
):
    for old in celery_worker_process.mail_dir.glob("*.log"):
        old.unlink()
    with _celery_on(celery_worker_process), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:password_reset"), {"email": people.teacher.email})
    assert response["Location"] == reverse("schools:password_reset_done")

    [mail_file] = _wait_for_mail(celery_worker_process.mail_dir)
    message, subject, body = _read_mail(mail_file)
    assert subject.startswith("Đặt lại mật khẩu")
    assert message["To"] == people.teacher.email
    link = re.search(r"http://testserver(/tai-khoan/dat-lai/\S+/)", body).group(1)

    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"}
    )
    assert done["Location"] == reverse("schools:password_reset_complete")
    assert client.login(username=people.teacher.username, password="Mat-khau-moi-2026")
    assert not client.login(username=people.teacher.username, password=PASSWORD)
