"""Writes for the content repository."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from content.models import (
    GradePage,
    HomePage,
    LessonPage,
    SchoolHomePage,
    SharingScope,
    SubjectPage,
    TopicPage,
    fold_slug,
)


@transaction.atomic
def update_home_page(*, site: Site | None = None, title: str, intro: str, body: str = "", user=None) -> HomePage:
    """Set the home page's text and publish it as a new revision (history is kept)."""
    site = site or Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        raise TypeError(f"The root page of {site} is a {type(home).__name__}, not a HomePage.")
    if (home.title, home.intro, home.body) == (title, intro, body) and home.live:
        return home
    home.title, home.draft_title, home.intro, home.body = title, title, intro, body
    revision = home.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    return HomePage.objects.get(pk=home.pk)


@transaction.atomic
def get_or_create_school_home(*, school, site: Site | None = None) -> SchoolHomePage:
    existing = SchoolHomePage.objects.filter(school=school).first()
    if existing:
        return existing
    site = site or Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    page = SchoolHomePage(title=school.name, slug=fold_slug(school.short_name or school.name), school=school)
    home.add_child(instance=page)
    page.save_revision(log_action=True).publish()
    from content.review_services import configure_school_review

    configure_school_review(school=school)
    return page


def _child(parent: Page, page_class, lookup: dict, title: str) -> Page:
    existing = page_class.objects.child_of(parent).filter(**lookup).first()
    if existing:
        return existing
    page = page_class(**{"title": title, **lookup})
    parent.add_child(instance=page)
    page.save_revision(log_action=True).publish()
    return page


def _free_slug(base: str, parent: Page) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first slug no child of ``parent`` uses (as Wagtail numbers them)."""
    candidate, suffix = base, 1
    while not Page._slug_is_available(candidate, parent):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


@transaction.atomic
def get_or_create_topic(*, school, subject, grade: int, title: str) -> TopicPage:
    """The school's topic page for ``subject`` / ``grade`` / ``title``, creating the missing levels of the tree."""
    school_home = get_or_create_school_home(school=school)
    subject_page = _child(school_home, SubjectPage, {"subject": subject}, subject.name)
    grade_page = _child(subject_page, GradePage, {"grade": grade}, f"Lớp {grade}")
    return _child(grade_page, TopicPage, {"title": title}, title)


@transaction.atomic
def create_lesson_draft(*, topic: TopicPage, title: str, author, **fields) -> LessonPage:
    """A new lesson as a draft (never live) with a first revision by ``author``."""
    outcomes = fields.pop("outcomes", [])
    lesson = LessonPage(title=title, live=False, author=author, owner=author, **fields)
    lesson.outcomes.set(outcomes)  # held in memory by modelcluster and written by the first save
    topic.add_child(instance=lesson)
    lesson.save_revision(user=author, log_action=True)
    return lesson


@transaction.atomic
def copy_shared_lesson(*, lesson: LessonPage, school, user) -> LessonPage:
    """Copy a lesson shared by another school into ``school``'s tree as a draft of ``user``, keeping the attribution
    (original title, school, author and address) and a link to the original. The copy goes through review as any
    new lesson."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from content.visibility import can_view_lesson
    from lms.schools.api import Role, has_role

    if not has_role(user, Role.TEACHER, school):
        raise PermissionDenied(_("Only teachers of the school can copy lessons into it."))
    if lesson.school_id == school.pk:
        raise ValidationError(_("This lesson already belongs to your school."))
    if not lesson.live or not can_view_lesson(user, lesson) or lesson.sharing == SharingScope.SCHOOL:
        raise PermissionDenied(_("This lesson is not shared with your school."))
    topic = get_or_create_topic(
        school=school, subject=lesson.subject, grade=lesson.grade, title=lesson.get_parent().title
    )
    original_author = lesson.author.get_full_name() if lesson.author else ""
    attribution = _("Copied from “%(title)s” by %(author)s, %(school)s (%(url)s).") % {
        "title": lesson.title,
        "author": original_author or "—",
        "school": lesson.school.name,
        "url": lesson.full_url or lesson.url,
    }
    source = f"{lesson.source} — {attribution}" if lesson.source else attribution
    copy = lesson.copy(
        to=topic,
        user=user,
        keep_live=False,
        update_attrs={
            "slug": _free_slug(fold_slug(lesson.title) or lesson.slug, topic),
            "title": lesson.title,
            "author": user,
            "owner": user,
            "source": source[:500],
            "sharing": SharingScope.SCHOOL,
            "copied_from": lesson,
            "rights_confirmed": False,
        },
    )
    return copy.specific
