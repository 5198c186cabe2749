"""Signals of the question bank (re-exported by ``api.py``; higher layers such as ``search`` connect to them).

``questions_changed(sender=Question, question_ids=[…])`` is sent **after the transaction commits** for questions
written without ``Model.save()`` (``bulk_create`` in imports), which send no ``post_save``: a listener sees them in
the database. A rolled-back import sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

questions_changed = Signal()


def announce_questions_changed(question_ids: Iterable[int]) -> None:
    """Send ``questions_changed`` for these questions once the current transaction commits (at once outside one)."""
    ids = [int(pk) for pk in question_ids if pk is not None]
    if not ids:
        return
    from lms.assessments.models import Question

    transaction.on_commit(lambda: questions_changed.send(sender=Question, question_ids=ids))
