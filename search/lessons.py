"""The lessons source: Wagtail lesson pages of the content repository (through ``content.api`` only).

Each lesson gives up to two documents:

- ``"<id>"``: the published lesson (the page row holds the live content), found by whoever may view it —
  ``public``; ``school:<its school>``; for ``district`` sharing also ``org:<its authority>`` — the same rules as
  ``content.api.can_view_lesson``;
- ``"<id>:draft"``: the latest revision when it is not live (a new lesson, or changes not yet published), found by its
  author and owner and, while it is under review, by the members of the subject group that reviews its subject at its
  school and by the current reviewer. Its address is the editor's.

Signals: publishing, unpublishing, saving a revision, a workflow step, a move and a deletion reindex the lesson.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.html import strip_tags

from search import permissions
from search.query import IndexDocument
from search.sources import DocumentSource

SOURCE = "lesson"
STATUS_PUBLISHED, STATUS_DRAFT, STATUS_REVIEW = "published", "draft", "review"
MAX_BODY = 100_000


def _lesson_model():
    from content.api import LessonPage

    return LessonPage


def body_text(lesson) -> str:
    """The lesson's text: headings, paragraphs, callouts, tables and formulas (LaTeX kept as typed)."""
    body = getattr(lesson, "body", None)
    if not body:
        return ""
    try:
        pieces = body.stream_block.get_searchable_content(body)
    except Exception:  # a block without searchable content must not stop indexing
        pieces = [str(block.value) for block in body]
    return strip_tags("\n".join(str(p) for p in pieces if p))[:MAX_BODY]


def live_access(lesson) -> list[str]:
    from content.api import SharingScope

    if lesson.sharing == SharingScope.PUBLIC:
        return [permissions.PUBLIC]
    if lesson.school_id is None:
        return []
    access = [permissions.school(lesson.school_id)]
    if lesson.sharing == SharingScope.DISTRICT and lesson.school.organisation_id:
        access.append(permissions.organisation(lesson.school.organisation_id))
    return access


def draft_access(page, draft, *, in_review: bool) -> list[str]:
    access = {permissions.person(uid) for uid in (page.owner_id, draft.author_id, page.author_id) if uid}
    if in_review:
        from lms.schools.api import get_subject_group_for

        school = draft.school if draft.school_id else page.school
        subject = draft.subject if draft.subject_id else page.subject
        if school is not None and subject is not None:
            group = get_subject_group_for(school, subject)
            if group is not None:
                access.add(permissions.group(group.pk))
        task = page.current_workflow_task
        reviewer = (
            task.specific.reviewer_for(draft) if task is not None and hasattr(task.specific, "reviewer_for") else None
        )
        if reviewer is not None:
            access.add(permissions.person(reviewer.pk))
    return sorted(access)


def _document(lesson, *, key: str, url: str, status: str, access: list[str], updated_at) -> IndexDocument:
    return IndexDocument(
        source=SOURCE,
        key=key,
        object_id=str(lesson.pk),
        title=lesson.title,
        url=url,
        summary=lesson.summary or "",
        body=body_text(lesson),
        kind=SOURCE,
        subject=lesson.subject.code if lesson.subject_id else "",
        grade=lesson.grade,
        level=lesson.cognitive_level or "",
        outcomes=sorted(o.code for o in lesson.outcomes.all()),
        school=lesson.school_id,
        sharing=lesson.sharing or "",
        status=status,
        access=access,
        updated_at=updated_at,
    )


def lesson_documents(page) -> list[IndexDocument]:
    documents = []
    if page.live:
        documents.append(
            _document(
                page,
                key=str(page.pk),
                url=page.get_url() or page.url_path,
                status=STATUS_PUBLISHED,
                access=live_access(page),
                updated_at=page.last_published_at or page.latest_revision_created_at,
            )
        )
    if not page.live or page.has_unpublished_changes:
        revision = page.latest_revision
        draft = revision.as_object() if revision is not None else page
        in_review = bool(page.workflow_in_progress)
        documents.append(
            _document(
                draft,
                key=f"{page.pk}:draft",
                url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                status=STATUS_REVIEW if in_review else STATUS_DRAFT,
                access=draft_access(page, draft, in_review=in_review),
                updated_at=revision.created_at if revision is not None else page.latest_revision_created_at,
            )
        )
    return documents


class LessonSource(DocumentSource):
    name = SOURCE

    def object_ids(self) -> Iterator[str]:
        for pk in _lesson_model().objects.order_by("pk").values_list("pk", flat=True).iterator():
            yield str(pk)

    def _pages(self, object_ids: Iterable[str]):
        ids = [int(i) for i in object_ids if str(i).isdigit()]
        return (
            _lesson_model()
            .objects.filter(pk__in=ids)
            .select_related("school", "subject", "latest_revision")
            .prefetch_related("outcomes")
        )

    def documents_for(self, object_id: str) -> list[IndexDocument]:
        page = self._pages([object_id]).first()
        return lesson_documents(page) if page is not None else []

    def documents_for_many(self, object_ids: Iterable[str]) -> Iterator[tuple[str, list[IndexDocument]]]:
        object_ids = list(object_ids)
        pages = {str(p.pk): p for p in self._pages(object_ids)}
        for object_id in object_ids:
            page = pages.get(str(object_id))
            yield object_id, lesson_documents(page) if page is not None else []

    # -- freshness -------------------------------------------------------------------------------------------------
    def connect(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Revision, TaskState, WorkflowState
        from wagtail.signals import page_published, page_unpublished, post_page_move

        model = _lesson_model()
        page_published.connect(_page_changed, sender=model, dispatch_uid="search.lesson.published")
        page_unpublished.connect(_page_changed, sender=model, dispatch_uid="search.lesson.unpublished")
        post_delete.connect(_page_changed, sender=model, dispatch_uid="search.lesson.deleted")
        post_page_move.connect(_page_moved, dispatch_uid="search.lesson.moved")
        post_save.connect(_revision_saved, sender=Revision, dispatch_uid="search.lesson.revision")
        post_save.connect(_workflow_changed, sender=WorkflowState, dispatch_uid="search.lesson.workflow")
        post_save.connect(_task_changed, sender=TaskState, dispatch_uid="search.lesson.task")

    def disconnect(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Revision, TaskState, WorkflowState
        from wagtail.signals import page_published, page_unpublished, post_page_move

        model = _lesson_model()
        page_published.disconnect(sender=model, dispatch_uid="search.lesson.published")
        page_unpublished.disconnect(sender=model, dispatch_uid="search.lesson.unpublished")
        post_delete.disconnect(sender=model, dispatch_uid="search.lesson.deleted")
        post_page_move.disconnect(dispatch_uid="search.lesson.moved")
        post_save.disconnect(sender=Revision, dispatch_uid="search.lesson.revision")
        post_save.disconnect(sender=WorkflowState, dispatch_uid="search.lesson.workflow")
        post_save.disconnect(sender=TaskState, dispatch_uid="search.lesson.task")


def _changed(page_id) -> None:
    from search.indexing import object_changed

    object_changed(SOURCE, page_id)


def _page_changed(sender, instance, **kwargs) -> None:
    _changed(instance.pk)


def _page_moved(sender, instance, **kwargs) -> None:
    """A moved topic (or lesson) changes the addresses of the lessons under it."""
    model = _lesson_model()
    if isinstance(instance.specific_deferred, model):
        _changed(instance.pk)
    for pk in model.objects.descendant_of(instance).values_list("pk", flat=True):
        _changed(pk)


def _is_lesson_object(content_type_id, object_id) -> bool:
    from django.contrib.contenttypes.models import ContentType

    model = _lesson_model()
    lesson_type = ContentType.objects.get_for_model(model)
    if content_type_id == lesson_type.pk:
        return True
    # Wagtail records a page's revisions and workflows against the base Page type as well.
    return model.objects.filter(pk=object_id).exists()


def _revision_saved(sender, instance, **kwargs) -> None:
    base = getattr(instance, "base_content_type_id", None)
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    if base != ContentType.objects.get_for_model(Page).pk:
        return
    if _is_lesson_object(instance.content_type_id, instance.object_id):
        _changed(instance.object_id)


def _workflow_changed(sender, instance, **kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    if instance.base_content_type_id != ContentType.objects.get_for_model(Page).pk:
        return
    if _is_lesson_object(instance.content_type_id, instance.object_id):
        _changed(instance.object_id)


def _task_changed(sender, instance, **kwargs) -> None:
    _workflow_changed(sender, instance.workflow_state)
