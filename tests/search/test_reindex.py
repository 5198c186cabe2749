"""``manage.py reindex`` and the registry of document sources (the extension point for library items and
questions)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from search import api as search_api
from search.sources import DocumentSource, register_source, unregister_source
from tests.search.conftest import make_doc


class QuestionSourceStandIn(DocumentSource):
    """What lms.assessments' source will look like (search/questions.py at merge): objects, documents, signals."""

    name = "question"
    label = "Question"

    def __init__(self, questions):
        self.questions = questions
        self.connected = 0

    def object_ids(self):
        return iter(self.questions)

    def documents_for(self, object_id):
        text = self.questions.get(object_id)
        if text is None:
            return []
        return [
            make_doc(
                object_id,
                text,
                source="question",
                kind="question",
                body="A. $x=1$ B. $x=2$ Lời giải: $\\Delta = b^2 - 4ac$",
            )
        ]

    def connect(self):
        self.connected += 1

    def disconnect(self):
        self.connected -= 1


@pytest.fixture
def questions(db):
    source = QuestionSourceStandIn({"q1": "Giải phương trình bậc hai x^2 - 3x + 2 = 0", "q2": "Tính đạo hàm của sin x"})
    register_source(source)
    yield source
    unregister_source("question")


def test_a_registered_source_is_connected_indexed_and_searchable(questions):
    assert questions.connected == 1
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex", "--source", "question", stdout=out, stderr=err)
    assert "question: 2 documents indexed" in out.getvalue()
    assert "100% 2/2 objects" in err.getvalue()
    results = search_api.search_documents(None, "phuong trinh bac hai")
    assert [h.key for h in results.hits] == ["q1"] and results.hits[0].kind == "question"
    assert [h.key for h in search_api.search_documents(None, "Delta b^2 4ac", sort="title").hits] == ["q1", "q2"]
    kind = search_api.search_documents(None, "", facets=["kind"]).facets["kind"]
    assert [(v.value, v.count, v.label) for v in kind] == [("question", 2, "Question")]


def test_object_changed_follows_the_source(questions, django_capture_on_commit_callbacks):
    call_command("reindex", "--source", "question", "--no-progress", stdout=io.StringIO())
    questions.questions["q1"] = "Giải hệ phương trình"
    del questions.questions["q2"]
    with django_capture_on_commit_callbacks(execute=True):
        search_api.object_changed("question", "q1")
        search_api.object_changed("question", "q2")
    assert search_api.get_backend().count("question") == 1
    assert [h.title for h in search_api.search_documents(None, "he phuong trinh").hits] == ["Giải hệ phương trình"]


def test_unregistering_disconnects(questions):
    unregister_source("question")
    assert questions.connected == 0
    with pytest.raises(LookupError, match="No search source 'question'"):
        search_api.get_source("question")
    register_source(questions)


def test_reindex_refuses_an_unknown_source(db):
    with pytest.raises(CommandError, match="Unknown source"):
        call_command("reindex", "--source", "nothing", stdout=io.StringIO())


def test_reindex_keep_updates_in_place(questions):
    backend = search_api.get_backend()
    backend.index([make_doc("other", "Tài liệu khác", source="document", kind="document")])
    call_command("reindex", "--source", "question", "--keep", "--no-progress", stdout=io.StringIO())
    assert backend.count() == 3
    call_command("reindex", "--no-progress", stdout=io.StringIO())
    assert backend.count("document") == 1  # a source that is not registered is not touched
