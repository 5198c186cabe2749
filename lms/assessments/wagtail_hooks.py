"""A link to the question bank (its own pages, /ngan-hang-cau-hoi/) in the Wagtail admin menu."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def register_question_bank_menu_item():
    return MenuItem(_("Question bank"), reverse("assessments:banks"), icon_name="help", order=250)
