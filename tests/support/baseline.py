"""Wagtail's migration-created rows (root page, root collection, default site) and our home page and role groups.

Transactional tests (live server, browser) end with a flush that empties every table, migration data included.
Rather than serialising the whole database for each such test, they call ``ensure_site_baseline`` to put back what
the migrations would have created.
"""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site

from content.api import HomePage
from lms.schools import api as schools_api


def ensure_site_baseline() -> Site:
    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    root = Page.objects.filter(depth=1).first() or Page.add_root(title="Root", slug="root", locale=locale)
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="Trang chủ",
                slug="trang-chu",
                locale=locale,
                intro="Kho học liệu và lớp học trực tuyến của nhà trường.",
            )
        )
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Kho học liệu"
    )
    schools_api.ensure_role_groups()
    return site
