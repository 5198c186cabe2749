"""The database search backend's index (``search.backends.database``).

One :class:`SearchEntry` per searchable document: the original text (for excerpts and highlights), its folded and
exact (lower-case, diacritics kept) forms, the facet values and the access list. The full-text index itself is
vendor-specific and created by the migrations: on PostgreSQL two generated ``tsvector`` columns over the folded and
the exact text with GIN indexes; on SQLite an FTS5 table kept in step by triggers. :class:`SearchTerm` is the
vocabulary of folded words, against which typing slips are corrected.

Nothing here is read by other apps; they go through ``search.api``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    source = models.CharField(_("source"), max_length=40)
    key = models.CharField(_("key"), max_length=100)
    object_id = models.CharField(_("object"), max_length=64)
    title = models.TextField(_("title"))
    url = models.CharField(_("address"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    title_folded = models.TextField(blank=True)
    text_folded = models.TextField(blank=True)
    title_exact = models.TextField(blank=True)
    text_exact = models.TextField(blank=True)
    kind = models.CharField(_("type"), max_length=40, blank=True)
    question_type = models.CharField(_("question type"), max_length=40, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=40, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    level = models.CharField(_("cognitive level"), max_length=20, blank=True)
    school = models.IntegerField(_("school"), null=True, blank=True)
    sharing = models.CharField(_("shared with"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    # The access list and the YCCĐ codes again, space-separated, for PostgreSQL's array operators and GIN indexes
    # (see search/backends/database.py); SearchAccess and SearchTag hold them as rows for every database.
    access_list = models.TextField(blank=True)
    outcomes_list = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="search_entry_unique_key")]
        indexes = [
            models.Index(fields=["source", "object_id"], name="search_entry_object"),
            models.Index(fields=["updated_at"], name="search_entry_updated"),
            models.Index(fields=["title_folded"], name="search_entry_title"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key} {self.title}"


class SearchAccess(models.Model):
    """One principal allowed to see an entry (``public``, ``school:3``, ``org:1``, ``group:7``, ``user:42``)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="access")
    principal = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "entry"], name="search_access_unique")]

    def __str__(self) -> str:
        return self.principal


class SearchTag(models.Model):
    """A value of a multi-valued facet (``outcomes``: the YCCĐ codes)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)
    value = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["name", "value"], name="search_tag_value")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class SearchTerm(models.Model):
    """A folded word that occurs (or occurred) in the index."""

    term = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.term
