"""The editor's chooser for library items (Wagtail's chooser modal and widget), one per kind.

Lessons embed items through ``content``'s learning-object blocks, which store the item's UUID; ``content`` cannot
import this app, so the providers (``providers.py``) hand it :func:`chooser_widget` for its block. The modal lists
the items the editor may embed (``selectors.usable_items``: approved, of their school or shared with it), searchable
by title, and returns the UUID.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

from lms.library import selectors
from lms.library.models import ItemKind, LibraryItem


class TitleSearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"), widget=forms.TextInput(attrs={"placeholder": _("Search by title")}), required=False
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(title__icontains=query)
            self.is_searching, self.search_query = True, query
        return objects


class UsableItemsMixin:
    """Only what ``request.user`` may embed, of the viewset's kind."""

    item_kind: str = ""
    filter_form_class = TitleSearchForm
    per_page = 20

    def get_object_list(self):
        return selectors.usable_items(self.request.user, kind=self.item_kind).select_related("school", "subject")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("subject", label=_("Subject"), accessor=lambda i: i.subject.name if i.subject_id else "—"),
            Column("grade", label=_("Grade"), accessor=lambda i: i.grade or "—"),
            Column("school", label=_("School"), accessor=lambda i: i.school.name if i.school_id else "—"),
        ]


class ChosenItemMixin:
    item_kind: str = ""

    def get_object(self, pk):
        return selectors.usable_items(self.request.user, kind=self.item_kind).get(pk=pk)

    def get_object_id(self, instance):
        return str(instance.uuid)

    def get_edit_item_url(self, instance):
        return reverse("library_admin:item", args=[instance.uuid])


class LibraryItemChooser(BaseChooser):
    """Its value is the item's UUID (what lesson blocks store), not the primary key."""

    item_kind: str = ""
    show_edit_link = True

    def get_instance(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, LibraryItem):
            return value
        item = selectors.get_item(value)
        return item if item is not None and item.kind == self.item_kind else None

    def get_value_data_from_instance(self, instance):
        return {
            "id": str(instance.uuid),
            "edit_url": reverse("library_admin:item", args=[instance.uuid]),
            "title": instance.title,
        }


class LibraryItemChooserViewSet(ChooserViewSet):
    model = LibraryItem
    register_widget = False  # lesson blocks ask the provider for it; no ForeignKey to items anywhere
    base_widget_class = LibraryItemChooser

    def __init__(self, name, *, item_kind: str, **kwargs):
        self.item_kind = item_kind
        mixins = {"item_kind": item_kind}
        self.choose_view_class = type("ChooseView", (UsableItemsMixin, chooser_views.ChooseView), dict(mixins))
        self.choose_results_view_class = type(
            "ChooseResultsView", (UsableItemsMixin, chooser_views.ChooseResultsView), dict(mixins)
        )
        self.chosen_view_class = type("ChosenView", (ChosenItemMixin, chooser_views.ChosenView), dict(mixins))
        super().__init__(name, **kwargs)

    @cached_property
    def widget_class(self):
        return type(
            f"{self.item_kind.title()}ItemChooserWidget",
            (ChooserViewSet.widget_class.func(self),),
            {"item_kind": self.item_kind},
        )


h5p_chooser_viewset = LibraryItemChooserViewSet(
    "library_h5p_chooser",
    item_kind=ItemKind.H5P,
    url_prefix="thu-vien/chon/h5p",
    icon="pick",
    choose_one_text=_("Choose an H5P activity"),
    choose_another_text=_("Choose another H5P activity"),
)
scorm_chooser_viewset = LibraryItemChooserViewSet(
    "library_scorm_chooser",
    item_kind=ItemKind.SCORM,
    url_prefix="thu-vien/chon/scorm",
    icon="folder-open-inverse",
    choose_one_text=_("Choose a SCORM package"),
    choose_another_text=_("Choose another SCORM package"),
)
document_chooser_viewset = LibraryItemChooserViewSet(
    "library_document_chooser",
    item_kind=ItemKind.DOCUMENT,
    url_prefix="thu-vien/chon/tai-lieu",
    icon="doc-full",
    choose_one_text=_("Choose a library document"),
    choose_another_text=_("Choose another library document"),
)
VIEWSETS = {
    ItemKind.H5P: h5p_chooser_viewset,
    ItemKind.SCORM: scorm_chooser_viewset,
    ItemKind.DOCUMENT: document_chooser_viewset,
}


def chooser_widget(item_kind: str):
    return VIEWSETS[item_kind].widget_class()
