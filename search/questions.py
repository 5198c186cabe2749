"""The questions source: the question bank of ``lms.assessments`` (through ``lms.assessments.api`` only).

The bank has no notion of questions meant for students (no practice sets yet: only tests, which are not built,
will take ready versions), and a question's text carries its answer key and solution. So questions are indexed
**for staff only**: no document of this source carries ``public``, ``school:<id>`` or ``org:<id>`` (students and
parents hold those). Each question gives up to two documents:

- ``"<id>"``: its latest ready (approved) version, found by the members of every subject group of the schools the
  bank's sharing scope reaches (``group:<id>``: the bank's school; for ``district`` every school of its education
  authority; for ``public`` every school) and by the leadership (BGH) of those schools (``leaders:<school>``,
  ``leaders-org:<authority>``, ``leaders-all``), by its author and by whoever approved it — the bank's scopes
  (``visible_banks``) restricted to staff;
- ``"<id>:draft"``: its latest version when that is a draft, returned or waiting for review, found by its author,
  the writer of that version and the bank's subject group, and while it waits for review by its reviewer (the
  principal when the tổ trưởng wrote it) and the leadership of the bank's school (``leaders:<school>``).

Text: the name, stem, options, statements, accepted answers, pairs, items, sub-questions, solution and rubric, HTML
removed and LaTeX kept as typed. Facets: question type (``question_type``: the bank's type code, e.g.
``single_choice``, ``true_false_4``), subject, grade, cognitive level, YCCĐ, school, sharing, status (``published``
for ready, ``draft`` for draft or returned, ``review`` for waiting for review); the question type's label is in the
summary too, so it can be searched.

Signals: a question, a version or a bank saved or deleted, the YCCĐ of a question changed, a new subject group
(which may now find shared questions), and the bank's ``questions_changed`` (questions an import saved in bulk, sent
after the commit; reindexed in batches) reindex the questions concerned.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.html import strip_tags

from search import permissions
from search.query import IndexDocument
from search.sources import DocumentSource

SOURCE = "questions"
KIND = "question"
STATUS_PUBLISHED, STATUS_DRAFT, STATUS_REVIEW = "published", "draft", "review"
MAX_BODY = 100_000


def _text(value: str) -> str:
    return " ".join(html.unescape(strip_tags(value or "")).split())


def content_texts(q) -> list[str]:
    """The texts of an ``ir.Question`` (and of its sub-questions) in reading order, HTML removed, LaTeX kept."""
    texts = [q.name, q.stem]
    texts += [f"{c.label}. {c.text}" if c.label else c.text for c in q.choices]
    texts += [f"{s.label}) {s.text}" if s.label else s.text for s in q.statements]
    texts += [a.text for a in q.answers]
    if q.numeric and q.answer_text:
        texts.append(q.answer_text)
    for pair in q.pairs:
        texts += [pair.left, pair.right]
    texts += list(q.items)
    for part in q.parts:
        texts += content_texts(part)
    texts.append(q.solution)
    texts += [criterion.text for criterion in q.rubric]
    return [t for t in (_text(t) for t in texts) if t]


def body_text(version) -> str:
    pieces, seen = [], set()
    for text in content_texts(version.as_ir()):
        if text not in seen:  # the name is often the stem's beginning
            seen.add(text)
            pieces.append(text)
    return "\n".join(pieces)[:MAX_BODY]


def _leadership(bank) -> set[str]:
    """The leadership (BGH) of the schools the bank's sharing reaches (cf. ``staff_groups``)."""
    from content.api import SharingScope

    school = bank.subject_group.school
    access = {permissions.leaders(school.pk)}
    if bank.sharing == SharingScope.PUBLIC:
        access.add(permissions.LEADERS_ALL)
    elif bank.sharing == SharingScope.DISTRICT and school.organisation_id:
        access.add(permissions.leaders_of_organisation(school.organisation_id))
    return access


def ready_access(question, version, staff_groups: list[int]) -> list[str]:
    access = {permissions.group(pk) for pk in staff_groups}
    access.add(permissions.group(question.bank.subject_group_id))
    access.update(_leadership(question.bank))
    access.update(permissions.person(uid) for uid in (question.author_id, version.approved_by_id) if uid)
    return sorted(access)


def draft_access(question, version) -> list[str]:
    from lms.assessments.api import VersionStatus, reviewer_for

    access = {
        permissions.person(question.author_id),
        permissions.person(version.created_by_id),
        permissions.group(question.bank.subject_group_id),
    }
    if version.status == VersionStatus.IN_REVIEW:
        access.add(permissions.leaders(question.bank.subject_group.school_id))
        reviewer, _role = reviewer_for(version)
        if reviewer is not None:
            access.add(permissions.person(reviewer.pk))
    return sorted(access)


def _document(question, version, *, key: str, status: str, access: list[str], updated_at, url: str):
    summary = " · ".join(
        str(x) for x in (question.get_type_display(), question.topic, ", ".join(question.tags or [])) if x
    )
    return IndexDocument(
        source=SOURCE,
        key=key,
        object_id=str(question.pk),
        title=version.title or f"#{question.pk}",
        url=url,
        summary=summary,
        body=body_text(version),
        kind=KIND,
        question_type=question.type or "",
        subject=question.subject.code if question.subject_id else "",
        grade=question.grade,
        level=question.level or "",
        outcomes=sorted(o.code for o in question.outcomes.all()),
        school=question.bank.subject_group.school_id,
        sharing=question.bank.sharing or "",
        status=status,
        access=access,
        updated_at=updated_at,
    )


def question_documents(question, staff_groups: list[int]) -> list[IndexDocument]:
    from lms.assessments.api import VersionStatus

    versions = sorted(question.versions.all(), key=lambda v: v.number)  # prefetched
    if not versions:
        return []
    address = reverse("assessments:question", args=[question.pk])
    documents = []
    ready = [v for v in versions if v.status == VersionStatus.READY]
    if ready:
        version = ready[-1]
        documents.append(
            _document(
                question,
                version,
                key=str(question.pk),
                status=STATUS_PUBLISHED,
                access=ready_access(question, version, staff_groups),
                updated_at=version.approved_at or version.created_at,
                url=f"{address}?v={version.number}",
            )
        )
    latest = versions[-1]
    if latest.status != VersionStatus.READY:
        documents.append(
            _document(
                question,
                latest,
                key=f"{question.pk}:draft",
                status=STATUS_REVIEW if latest.status == VersionStatus.IN_REVIEW else STATUS_DRAFT,
                access=draft_access(question, latest),
                updated_at=latest.created_at,
                url=f"{address}?v={latest.number}",
            )
        )
    return documents


class QuestionSource(DocumentSource):
    name = SOURCE

    def object_ids(self) -> Iterator[str]:
        from lms.assessments.api import get_question_ids

        for pk in get_question_ids().iterator():
            yield str(pk)

    def documents_for(self, object_id: str) -> list[IndexDocument]:
        return next(iter(self.documents_for_many([object_id])))[1]

    def documents_for_many(self, object_ids: Iterable[str]) -> Iterator[tuple[str, list[IndexDocument]]]:
        from lms.assessments.api import get_questions_for_index, get_staff_groups_for_banks

        object_ids = [str(i) for i in object_ids]
        ids = [int(i) for i in object_ids if i.isdigit()]
        questions = {str(q.pk): q for q in get_questions_for_index(ids)} if ids else {}
        banks = {q.bank_id: q.bank for q in questions.values()}
        staff_groups = get_staff_groups_for_banks(banks.values())
        for object_id in object_ids:
            question = questions.get(object_id)
            yield (
                object_id,
                question_documents(question, staff_groups.get(question.bank_id, [])) if question is not None else [],
            )

    # -- freshness -------------------------------------------------------------------------------------------------
    def _signals(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from lms.assessments.api import Question, QuestionBank, QuestionVersion, questions_changed
        from lms.schools.api import SubjectGroup

        return [
            (questions_changed, Question, _questions_changed, "search.question.bulk"),
            (post_save, Question, _question_changed, "search.question.saved"),
            (post_delete, Question, _question_changed, "search.question.deleted"),
            (post_save, QuestionVersion, _version_changed, "search.question.version_saved"),
            (post_delete, QuestionVersion, _version_changed, "search.question.version_deleted"),
            (m2m_changed, Question.outcomes.through, _outcomes_changed, "search.question.outcomes"),
            (post_save, QuestionBank, _bank_changed, "search.question.bank"),
            (post_save, SubjectGroup, _group_saved, "search.question.subject_group"),
        ]

    def connect(self) -> None:
        for signal, sender, handler, uid in self._signals():
            signal.connect(handler, sender=sender, dispatch_uid=uid)

    def disconnect(self) -> None:
        for signal, sender, _handler, uid in self._signals():
            signal.disconnect(sender=sender, dispatch_uid=uid)


def _changed(question_id) -> None:
    from search.indexing import object_changed

    object_changed(SOURCE, question_id)


def _questions_changed(sender, question_ids, **kwargs) -> None:
    """Questions saved in bulk (an import: no ``post_save``); sent after the commit."""
    from search.indexing import objects_changed

    objects_changed(SOURCE, question_ids)


def _question_changed(sender, instance, **kwargs) -> None:
    _changed(instance.pk)


def _version_changed(sender, instance, **kwargs) -> None:
    _changed(instance.question_id)


def _outcomes_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and not kwargs.get("reverse"):
        _changed(instance.pk)


def _bank_changed(sender, instance, created=False, **kwargs) -> None:
    """A bank's sharing scope (or name) changed: its questions' access lists follow."""
    if created:
        return
    from lms.assessments.api import get_question_ids

    for pk in get_question_ids(bank=instance):
        _changed(pk)


def _group_saved(sender, instance, created=False, **kwargs) -> None:
    """A new subject group may find the ready questions shared with its school."""
    if not created:
        return
    from lms.assessments.api import get_question_ids_shared_with_school

    for pk in get_question_ids_shared_with_school(instance.school):
        _changed(pk)
