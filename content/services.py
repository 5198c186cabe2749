"""Writes for the content repository."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Site

from content.models import HomePage


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
