"""Review of library items before students see them: the lesson rules (content's publishing rules and reviewer
resolution, through ``content.api``) applied to items. Head of the subject group of the item's subject, then the
principal when the school asks for it; nobody approves their own upload.

As for lessons, the reviewer of each step is e-mailed when the item reaches them and the uploader when it is approved
or returned (``lib.email``, after the transaction commits), and items waiting for a reviewer appear in content's
"Chờ duyệt" inbox (:func:`inbox_entries`, registered in ``apps.py``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from content.api import ReviewerRole, ReviewInboxEntry, get_review_steps, publication_problems
from lib.email import send_email_on_commit
from lms.library.models import ItemStatus, LibraryItem, ReviewDecision


def item_problems(item: LibraryItem) -> list[str]:
    problems = publication_problems(
        subject=item.subject_id,
        grade=item.grade,
        outcomes=list(item.outcomes.all()),
        licence=item.licence,
        source=item.source,
        third_party_licence=item.third_party_licence,
        rights_confirmed=item.rights_confirmed,
    )
    if item.kind == "h5p":
        from lms.library.selectors import missing_libraries

        missing = missing_libraries(item)
        if missing:
            problems.append(
                _("The activity cannot play yet: the library lacks %(libraries)s.") % {"libraries": ", ".join(missing)}
            )
    return problems


def current_reviewer(item: LibraryItem):
    if item.status != ItemStatus.SUBMITTED:
        return None
    steps = get_review_steps(item)
    return steps[item.review_step][1] if item.review_step < len(steps) else None


@transaction.atomic
def submit_for_review(*, item: LibraryItem, user) -> LibraryItem:
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if item.status in {ItemStatus.SUBMITTED, ItemStatus.APPROVED}:
        raise ValidationError(_("This item is already under review or approved."))
    problems = item_problems(item)
    if problems:
        raise ValidationError(problems)
    steps = get_review_steps(item)
    if steps[0][1] is None:
        raise ValidationError(_("Nobody reviews this subject at your school yet (the subject group has no head)."))
    item.status, item.review_step = ItemStatus.SUBMITTED, 0
    item.save(update_fields=["status", "review_step", "updated_at"])
    ReviewDecision.objects.create(item=item, user=user, decision=ReviewDecision.Decision.SUBMITTED)
    _notify_reviewer(item, steps[0], sent_by=user)
    return item


@transaction.atomic
def review_item(*, item: LibraryItem, user, approve: bool, comment: str = "") -> LibraryItem:
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    steps = get_review_steps(item)
    if item.status != ItemStatus.SUBMITTED or item.review_step >= len(steps):
        raise ValidationError(_("This item is not waiting for review."))
    role, reviewer = steps[item.review_step]
    if reviewer is None or reviewer.pk != user.pk or item.owner_id == user.pk:
        raise PermissionDenied(_("You are not the reviewer of this step (nobody approves their own upload)."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say what needs changing when you return an item."))
    ReviewDecision.objects.create(
        item=item,
        user=user,
        role=role,
        decision=ReviewDecision.Decision.APPROVED if approve else ReviewDecision.Decision.RETURNED,
        comment=comment.strip(),
    )
    if not approve:
        item.status = ItemStatus.RETURNED
    elif item.review_step + 1 < len(steps):
        item.review_step += 1
    else:
        item.status = ItemStatus.APPROVED
    item.save(update_fields=["status", "review_step", "updated_at"])
    if item.status == ItemStatus.SUBMITTED:
        _notify_reviewer(item, steps[item.review_step], sent_by=item.owner)
    _notify_owner(item, reviewer=user, role=role, approved=approve, comment=comment.strip())
    return item


def _item_url(item: LibraryItem) -> str:
    from django.conf import settings

    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('library_admin:item', args=[item.uuid])}"


def _notify_reviewer(item: LibraryItem, step, *, sent_by) -> None:
    role, reviewer = step
    if reviewer is None or not reviewer.email:
        return
    send_email_on_commit(
        to=[reviewer.email],
        subject=_("Library item waiting for your review: %(title)s") % {"title": item.title},
        body=_(
            "%(author)s sent the library item “%(title)s” (%(kind)s) for review (%(step)s). Open it to approve it or "
            "return it with comments: %(url)s"
        )
        % {
            "author": (sent_by.get_full_name() or sent_by.get_username()) if sent_by else "—",
            "title": item.title,
            "kind": item.get_kind_display(),
            "step": ReviewerRole(role).label,
            "url": _item_url(item),
        },
    )


def _notify_owner(item: LibraryItem, *, reviewer, role, approved: bool, comment: str) -> None:
    owner = item.owner
    if owner is None or not owner.email:
        return
    if approved and item.status != ItemStatus.APPROVED:
        return  # approved at this step, the next reviewer decides; the uploader hears at the end
    decision = _("approved") if approved else _("returned with comments")
    send_email_on_commit(
        to=[owner.email],
        subject=_("Your library item “%(title)s”: %(decision)s") % {"title": item.title, "decision": decision},
        body=_("%(reviewer)s (%(role)s) decided: %(decision)s.\n\nComment: %(comment)s\n\n%(url)s")
        % {
            "reviewer": reviewer.get_full_name() or reviewer.get_username(),
            "role": ReviewerRole(role).label,
            "decision": decision,
            "comment": comment or "—",
            "url": _item_url(item),
        },
    )


def items_awaiting(user) -> list[LibraryItem]:
    """Submitted items whose current step's reviewer is ``user``, in a constant number of queries (the items, the
    group heads and principals of their schools in bulk). Same reviewers as :func:`current_reviewer` (the steps of
    ``content.api.get_review_steps``: the subject group's head, then the principal when the school asks for it)."""
    from lms.schools.api import get_group_heads_for, get_principals_of

    submitted = list(
        LibraryItem.objects.filter(status=ItemStatus.SUBMITTED).select_related("school", "subject", "owner")
    )
    heads = get_group_heads_for((i.school_id, i.subject_id) for i in submitted if i.school_id and i.subject_id)
    principals = get_principals_of(i.school_id for i in submitted if i.review_step > 0 and i.school_id)
    mine = []
    for item in submitted:
        if item.review_step == 0:
            reviewer = heads.get((item.school_id, item.subject_id))
        elif item.review_step == 1 and item.school is not None and item.school.principal_approval_required:
            reviewer = principals.get(item.school_id)
        else:
            reviewer = None
        if reviewer is not None and reviewer.pk == user.pk:
            item.review_role = ReviewerRole.GROUP_HEAD if item.review_step == 0 else ReviewerRole.PRINCIPAL
            mine.append(item)
    return mine


def inbox_entries(user) -> list[ReviewInboxEntry]:
    """The items waiting for ``user``'s decision, for content's "Chờ duyệt" inbox (a constant number of queries)."""
    items = items_awaiting(user)
    sent_by_item = {}
    decisions = ReviewDecision.objects.filter(
        item__in=[i.pk for i in items], decision=ReviewDecision.Decision.SUBMITTED
    ).select_related("user")
    for decision in decisions.order_by("pk"):
        sent_by_item[decision.item_id] = decision  # the last submission of each item
    entries = []
    for item in items:
        sent = sent_by_item.get(item.pk)
        entries.append(
            ReviewInboxEntry(
                title=item.title,
                url=reverse("library_admin:item", args=[item.uuid]),
                kind=_("Library: %(kind)s") % {"kind": item.get_kind_display()},
                step=str(ReviewerRole(item.review_role).label),
                submitted_at=sent.created_at if sent else item.updated_at,
                submitted_by=(sent.user.get_full_name() or sent.user.get_username()) if sent else "",
                subject=item.subject.name if item.subject_id else "",
                grade=item.grade,
            )
        )
    return entries
