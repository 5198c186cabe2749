"""The library in the Wagtail admin (/admin/thu-vien/): list, upload, an item's page with preview and review."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from lms.library import review
from lms.library.access import can_manage
from lms.library.forms import ReviewForm, UploadForm
from lms.library.models import ItemKind, LibraryItem
from lms.library.providers import LibraryProvider
from lms.library.services import PackageRejected, upload_item
from lms.schools.api import Role, get_schools_for_user, has_role


def uploader_schools(user) -> list:
    return [s for s in get_schools_for_user(user) if user.is_superuser or has_role(user, Role.TEACHER, s)]


def can_use_library(user) -> bool:
    return bool(user.is_superuser or uploader_schools(user) or user.has_perm("library.view_libraryitem"))


class LibraryMixin(WagtailAdminTemplateMixin):
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not can_use_library(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("library_admin:index"), "label": _("Library")}]


class LibraryIndexView(LibraryMixin, TemplateView):
    template_name = "library/admin/index.html"
    page_title = _("Library")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        items = LibraryItem.objects.select_related("owner", "school", "subject").order_by("-created_at")
        if not user.is_superuser:
            schools = [s.pk for s in get_schools_for_user(user)]
            items = items.filter(school__in=schools)
        kind = self.request.GET.get("kind")
        if kind in ItemKind.values:
            items = items.filter(kind=kind)
        context.update(items=items[:200], kinds=ItemKind.choices, kind=kind, awaiting=review.items_awaiting(user))
        return context

    def get_header_buttons(self):
        from wagtail.admin.widgets import HeaderButton

        return [HeaderButton(_("Upload"), url=reverse("library_admin:upload"), icon_name="upload")]


class LibraryUploadView(LibraryMixin, FormView):
    template_name = "library/admin/upload.html"
    form_class = UploadForm
    page_title = _("Upload to the library")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "schools": uploader_schools(self.request.user)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            item = upload_item(
                file=data["file"],
                filename=data["file"].name,
                owner=self.request.user,
                school=data["school"],
                title=data["title"],
                subject=data["subject"],
                grade=data["grade"],
                outcomes=list(data["outcomes"]),
                licence=data["licence"],
                source=data["source"],
                third_party_licence=data["third_party_licence"],
                rights_confirmed=data["rights_confirmed"],
                sharing=data["sharing"],
                score_policy=data["score_policy"],
            )
        except PackageRejected as rejected:
            form.add_error("file", [_("“%(file)s” was refused:") % {"file": data["file"].name}, *rejected.errors])
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(title)s” was added to the library as a draft.") % {"title": item.title})
        return redirect("library_admin:item", item.uuid)


class LibraryItemView(LibraryMixin, TemplateView):
    template_name = "library/admin/item.html"

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(LibraryItem, uuid=kwargs["reference"])
        self.reviewer = review.current_reviewer(self.item)
        is_reviewer = self.reviewer is not None and self.reviewer.pk == request.user.pk
        if not (can_manage(request.user, self.item) or is_reviewer):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.item.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.item
        preview = ""
        if item.kind in (ItemKind.H5P, ItemKind.SCORM):
            preview = LibraryProvider(item.kind, item.kind).render(str(item.uuid), request=self.request)
        context.update(
            item=item,
            preview=preview,
            problems=review.item_problems(item),
            reviewer=self.reviewer,
            can_review=self.reviewer is not None
            and self.reviewer.pk == self.request.user.pk
            and item.owner_id != self.request.user.pk,
            can_submit=can_manage(self.request.user, item) and item.status in ("draft", "returned"),
            decisions=item.review_decisions.select_related("user"),
            review_form=ReviewForm(),
            sco_items=[e for e in item.toc if e.get("href")],
            libraries=[link.library for link in item.library_links.select_related("library")],
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "submit" and can_manage(request.user, self.item):
                review.submit_for_review(item=self.item, user=request.user)
                messages.success(request, _("Sent for review."))
            elif action in ("approve", "return"):
                form = ReviewForm(request.POST)
                form.is_valid()
                review.review_item(
                    item=self.item,
                    user=request.user,
                    approve=action == "approve",
                    comment=form.cleaned_data.get("comment", ""),
                )
                messages.success(request, _("Your decision was recorded."))
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        return redirect("library_admin:item", self.item.uuid)
