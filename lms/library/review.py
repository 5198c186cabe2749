"""Review of library items before students see them: the lesson rules (content's publishing rules and reviewer
resolution, through ``content.api``) applied to items. Head of the subject group of the item's subject, then the
principal when the school asks for it; nobody approves their own upload."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from content.api import get_review_steps, publication_problems
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
    return item


def items_awaiting(user) -> list[LibraryItem]:
    submitted = LibraryItem.objects.filter(status=ItemStatus.SUBMITTED).select_related("school", "subject", "owner")
    return [item for item in submitted if (r := current_reviewer(item)) is not None and r.pk == user.pk]
