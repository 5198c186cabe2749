"""The questions source: a question's text, Vietnamese folding, who finds ready questions and drafts (staff only:
the bank has no questions meant for students), a new draft version after an edit, deletion, ``reindex``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.api import SharingScope
from curriculum.api import get_outcomes, get_subject
from lms.assessments import api as bank_api
from lms.assessments.ir import Choice
from lms.schools import api as schools_api
from lms.schools.api import Role
from search import api as search_api
from search.questions import SOURCE, QuestionSource
from tests.support.factories import UserFactory
from tests.support.people import make_school_people

STEM = "Tính đạo hàm của hàm số \\(y = x^3 - 3x^2 + 2\\) tại điểm \\(x_0 = 1\\)."


def found(user, text="", **kwargs):
    return {(hit.key, hit.status) for hit in search_api.search_documents(user, text, **kwargs).hits}


def fresh(user):
    """The same person without cached principals (a new request)."""
    return type(user).objects.get(pk=user.pk) if user.is_authenticated else AnonymousUser()


def single(stem=STEM, solution="Ta có \\(y' = 3x^2 - 6x\\), nên \\(y'(1) = -3\\)."):
    return bank_api.QuestionContent(
        type=bank_api.QType.SINGLE,
        stem=f"<p>{stem}</p>",
        choices=[
            Choice("A", "\\(-3\\)", True),
            Choice("B", "\\(3\\)", False),
            Choice("C", "<b>Không xác định</b>", False),
            Choice("D", "\\(0\\)", False),
        ],
        solution=solution,
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block and then what it queued for after the commit (the Celery reindexing, eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def bank(people, commit):
    with commit():
        return bank_api.create_bank(subject_group=people.group, name="Ngân hàng Toán 11")


@pytest.fixture
def make_question(people, bank, commit):
    def make(content=None, *, author=None, approve=True, target=None, topic="Đạo hàm"):
        author = author or people.teacher
        with commit():
            version = bank_api.create_question(
                bank=target or bank,
                author=author,
                content=content or single(),
                subject=get_subject("toan"),
                grade=10,
                topic=topic,
                level="hieu",
                tags=["thpt2025"],
                outcomes=list(get_outcomes(subject=get_subject("toan"), grade=10)[:1]),
            )
        if approve:
            with commit():
                bank_api.submit_for_review(version=version, user=author)
            with commit():
                version = bank_api.review_version(version=version, user=people.group_head, action="approve")
        return version

    return make


def test_the_source_is_registered():
    assert isinstance(search_api.get_source(SOURCE), QuestionSource)


def test_a_ready_question_is_indexed_with_its_text_and_facets(people, make_question):
    version = make_question()
    q = version.question
    [hit] = search_api.search_documents(people.teacher, "đạo hàm").hits
    assert (hit.key, hit.kind, hit.status) == (str(q.pk), "question", "published")
    assert hit.url == f"/ngan-hang-cau-hoi/cau-hoi/{q.pk}/?v=1"
    assert (hit.subject, hit.grade, hit.level, hit.school, hit.sharing) == (
        "toan",
        10,
        "hieu",
        people.school.pk,
        "school",
    )
    [code] = [o.code for o in q.outcomes.all()]
    assert found(people.teacher, "", filters={"outcomes": [code]}) == {(str(q.pk), "published")}
    assert hit.title.startswith("Tính đạo hàm của hàm số")
    # Stem, options and solution, HTML removed, LaTeX as typed.
    assert found(people.teacher, "khong xac dinh") == {(str(q.pk), "published")}
    assert found(people.teacher, "3x^2 - 6x") == {(str(q.pk), "published")}
    assert found(people.teacher, "x^3 - 3x^2") == {(str(q.pk), "published")}
    doc = search_api.get_source(SOURCE).documents_for(str(q.pk))[0]
    assert "<b>" not in doc.body and "<p>" not in doc.body
    assert "C. Không xác định" in doc.body and "\\(y' = 3x^2 - 6x\\)" in doc.body
    assert doc.summary == f"{q.get_type_display()} · Đạo hàm · thpt2025"
    facets = search_api.search_documents(people.teacher, "", facets=["kind", "subject", "level", "status"]).facets
    assert [(v.value, v.count, v.label) for v in facets["kind"]] == [("question", 1, "Câu hỏi")]
    assert [v.value for v in facets["status"]] == ["published"]
    assert [h.key for h in search_api.search_documents(people.teacher, "", filters={"grade": ["11"]}).hits] == []
    assert [h.key for h in search_api.search_documents(people.teacher, "", filters={"grade": ["10"]}).hits] == [
        str(q.pk)
    ]


def test_folding_finds_vietnamese_text_typed_without_diacritics(people, make_question):
    q = make_question().question
    for text in ("dao ham", "ĐẠO HÀM", "đạo hàm", "daoham", "ddaoj hafm"):
        assert found(fresh(people.teacher), text) == {(str(q.pk), "published")}, text


def test_drafts_and_reviews_belong_to_the_author_and_the_subject_group(people, make_question, commit):
    version = make_question(approve=False)
    q = version.question
    draft = {(f"{q.pk}:draft", "draft")}
    colleague = UserFactory(username="gv.tin")
    schools_api.assign_role(user=colleague, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=people.group, user=colleague)
    other_group_teacher = UserFactory(username="gv.van")
    schools_api.assign_role(user=other_group_teacher, school=people.school, role=Role.TEACHER)
    literature = schools_api.create_subject_group(school=people.school, name="Tổ Ngữ văn", code="van", subjects=[])
    schools_api.add_group_member(group=literature, user=other_group_teacher)
    stranger = make_school_people(prefix="khac.")

    assert found(people.teacher, "dao ham") == draft  # the author
    assert found(fresh(colleague), "dao ham") == draft  # a colleague of the subject group
    assert found(fresh(people.group_head), "dao ham") == draft
    nobody = (other_group_teacher, people.student, people.parent, people.principal, people.school_admin)
    for other in (*nobody, stranger.teacher, stranger.group_head, AnonymousUser()):
        assert found(fresh(other), "dao ham") == set(), getattr(other, "username", "anonymous")
    assert search_api.autocomplete(fresh(people.student), "dao h") == []

    with commit():
        bank_api.submit_for_review(version=version, user=people.teacher)
    review = {(f"{q.pk}:draft", "review")}
    assert found(fresh(people.teacher), "dao ham") == review
    assert found(fresh(colleague), "dao ham") == review
    # The school's leadership (BGH) sees its school's questions under review, as the bank shows them to it.
    assert found(fresh(people.principal), "dao ham") == review
    for other in (*[o for o in nobody if o != people.principal], stranger.teacher, stranger.principal):
        assert found(fresh(other), "dao ham") == set(), other.username

    with commit():
        bank_api.review_version(version=version, user=people.group_head, action="approve")
    ready = {(str(q.pk), "published")}
    assert found(fresh(people.teacher), "dao ham") == ready  # the draft document is gone
    assert found(fresh(other_group_teacher), "dao ham") == ready  # staff of the school (school sharing)
    assert found(fresh(people.principal), "dao ham") == ready  # its leadership, in no subject group
    for other in (people.student, people.parent, stranger.teacher, stranger.principal, stranger.student):
        assert found(fresh(other), "dao ham") == set(), other.username
    for other in (AnonymousUser(),):
        assert found(fresh(other), "dao ham") == set()


def test_a_version_the_head_wrote_is_found_by_the_principal_reviewing_it(people, make_question, commit):
    version = make_question(author=people.group_head, approve=False)
    with commit():
        bank_api.submit_for_review(version=version, user=people.group_head)
    assert bank_api.reviewer_for(version)[0] == people.principal
    assert found(fresh(people.principal), "dao ham") == {(f"{version.question_id}:draft", "review")}
    assert found(fresh(people.school_admin), "dao ham") == set()
    with commit():
        bank_api.review_version(version=version, user=people.principal, action="approve")
    assert found(fresh(people.principal), "dao ham") == {(str(version.question_id), "published")}


@pytest.mark.parametrize("scope", [SharingScope.SCHOOL, SharingScope.DISTRICT, SharingScope.PUBLIC])
def test_ready_questions_follow_the_banks_sharing_scope_for_staff_only(people, make_question, commit, scope):
    with commit():
        shared = bank_api.create_bank(subject_group=people.group, name="Ngân hàng chung", sharing=scope)
    neighbour = make_school_people(prefix="lg.")  # another school …
    neighbour.school.organisation = people.school.organisation  # … of the same education authority
    neighbour.school.save()
    stranger = make_school_people(prefix="xa.")  # a school of another authority
    q = make_question(target=shared).question
    superuser = UserFactory(username="sieu", is_superuser=True)
    ready = (str(q.pk), "published")

    def finds(user):
        return ready in found(fresh(user), "dao ham")

    assert finds(people.teacher) and finds(people.group_head) and finds(superuser)
    assert finds(neighbour.teacher) == (scope in (SharingScope.DISTRICT, SharingScope.PUBLIC))
    assert finds(stranger.teacher) == (scope == SharingScope.PUBLIC)
    # The leadership (BGH) of the schools reached, in no subject group, like their teachers.
    assert finds(people.principal)
    assert finds(neighbour.principal) == (scope in (SharingScope.DISTRICT, SharingScope.PUBLIC))
    assert finds(stranger.principal) == (scope == SharingScope.PUBLIC)
    assert not finds(people.school_admin) and not finds(neighbour.school_admin)
    students_and_parents = [people.student, people.parent, neighbour.student, stranger.student, stranger.parent]
    for user in [*students_and_parents, AnonymousUser(), UserFactory(username="khong-vai-tro")]:
        assert not finds(user), (getattr(user, "username", "anonymous"), scope)


def test_the_question_type_is_a_facet_and_a_filter(people, make_question):
    from lms.assessments.ir import Statement

    single_type, tf4_type = bank_api.QuestionType.SINGLE.value, bank_api.QuestionType.TF4.value
    single_choice = make_question().question
    true_false = make_question(
        bank_api.QuestionContent(
            type=bank_api.QType.TF4,
            stem="Cho hàm số \\(y = x^2\\). Xét đạo hàm của nó.",
            statements=[
                Statement("a", "Đạo hàm bằng 2x.", True),
                Statement("b", "Nghịch biến trên R.", False),
                Statement("c", "Đồng biến trên khoảng (0; +∞).", True),
                Statement("d", "Có hai cực trị.", False),
            ],
        )
    ).question
    results = search_api.search_documents(people.teacher, "dao ham", facets=["question_type"])
    assert {(v.value, v.count, v.label) for v in results.facets["question_type"]} == {
        (single_type, 1, str(bank_api.QuestionType.SINGLE.label)),
        (tf4_type, 1, str(bank_api.QuestionType.TF4.label)),
    }
    assert {h.question_type for h in results.hits} == {single_type, tf4_type}
    only_tf4 = found(people.teacher, "dao ham", filters={"question_type": [tf4_type]})
    assert only_tf4 == {(str(true_false.pk), "published")}
    filtered = search_api.search_documents(
        people.teacher, "dao ham", filters={"question_type": [single_type]}, facets=["question_type"]
    )
    assert [h.object_id for h in filtered.hits] == [str(single_choice.pk)]
    # The type facet still offers the other type, to switch to it.
    assert {(v.value, v.selected) for v in filtered.facets["question_type"]} == {(single_type, True), (tf4_type, False)}
    # Students find no question, so no type either.
    assert search_api.search_documents(people.student, "dao ham", facets=["question_type"]).facets == {
        "question_type": []
    }


def test_a_new_subject_group_finds_the_questions_shared_with_its_school(people, make_question, commit):
    q = make_question().question
    teacher = UserFactory(username="gv.su")
    schools_api.assign_role(user=teacher, school=people.school, role=Role.TEACHER)
    assert found(teacher, "dao ham") == set()  # in no subject group yet
    with commit():
        history = schools_api.create_subject_group(school=people.school, name="Tổ Sử – Địa", code="su-dia")
    schools_api.add_group_member(group=history, user=teacher)
    assert found(fresh(teacher), "dao ham") == {(str(q.pk), "published")}


def test_changing_the_banks_sharing_scope_reindexes_its_questions(people, bank, make_question, commit):
    stranger = make_school_people(prefix="xa.")
    q = make_question().question
    assert found(stranger.teacher, "dao ham") == set()
    with commit():
        bank.sharing = SharingScope.PUBLIC
        bank.save()
    assert found(fresh(stranger.teacher), "dao ham") == {(str(q.pk), "published")}


def test_an_edit_of_a_ready_question_is_a_new_draft_version(people, make_question, commit):
    colleague_elsewhere = UserFactory(username="gv.van")
    schools_api.assign_role(user=colleague_elsewhere, school=people.school, role=Role.TEACHER)
    literature = schools_api.create_subject_group(school=people.school, name="Tổ Ngữ văn", code="van")
    schools_api.add_group_member(group=literature, user=colleague_elsewhere)
    version = make_question()
    q = version.question
    with commit():
        new = bank_api.edit_question(
            question=q,
            user=people.teacher,
            content=single("Tính đạo hàm cấp hai của hàm số \\(y = \\sin 2x\\)."),
            subject=get_subject("toan"),
            grade=10,
        )
    assert (new.number, new.status) == (2, bank_api.VersionStatus.DRAFT)
    # The author and the group see both: the ready version 1 and the draft version 2.
    assert found(fresh(people.teacher), "dao ham") == {(str(q.pk), "published"), (f"{q.pk}:draft", "draft")}
    assert found(fresh(people.teacher), "sin 2x") == {(f"{q.pk}:draft", "draft")}
    [hit] = search_api.search_documents(fresh(people.teacher), "sin 2x").hits
    assert hit.url.endswith("?v=2")
    # Other staff of the school see only the ready version.
    assert found(fresh(colleague_elsewhere), "sin 2x") == set()
    assert found(fresh(colleague_elsewhere), "x^3 - 3x^2") == {(str(q.pk), "published")}
    # Editing the draft again changes it in place.
    with commit():
        bank_api.edit_question(question=q, user=people.teacher, content=single("Tính giới hạn của dãy số \\(u_n\\)."))
    assert found(fresh(people.teacher), "sin 2x") == set()
    assert found(fresh(people.teacher), "gioi han day so") == {(f"{q.pk}:draft", "draft")}


def test_deleting_a_question_removes_its_documents(people, make_question, commit):
    q = make_question(approve=False).question
    other = make_question(single("Tìm nguyên hàm của \\(f(x) = 2x\\)."), approve=False, topic="Nguyên hàm").question
    assert search_api.get_backend().count(SOURCE) == 2
    with commit():
        bank_api.Question.objects.get(pk=q.pk).delete()
    assert found(fresh(people.teacher)) == {(f"{other.pk}:draft", "draft")}
    assert found(fresh(people.teacher), "nguyen ham") == {(f"{other.pk}:draft", "draft")}
    assert search_api.get_backend().count(SOURCE) == 1


def test_reindex_command_rebuilds_the_questions(people, make_question):
    ready = make_question().question
    draft = make_question(single("Tìm nguyên hàm của \\(f(x) = 2x\\)."), approve=False, topic="Nguyên hàm").question
    search_api.get_backend().clear()
    assert found(people.teacher, "dao ham") == set()
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex", "--source", SOURCE, stdout=out, stderr=err)
    assert f"{SOURCE}: 2 documents indexed" in out.getvalue()
    assert "100% 2/2 objects" in err.getvalue()
    assert found(fresh(people.teacher), "dao ham") == {(str(ready.pk), "published")}
    assert found(fresh(people.teacher), "nguyen ham") == {(f"{draft.pk}:draft", "draft")}
    assert found(fresh(people.student), "") == set()


def test_documents_of_many_questions_take_a_few_queries(people, make_question, bank):
    ids = [str(make_question(single(f"Câu {n}: tính đạo hàm."), approve=n % 2 == 0).question_id) for n in range(6)]
    source = search_api.get_source(SOURCE)
    with CaptureQueriesContext(connection) as queries:
        batched = dict(source.documents_for_many([*ids, "999999", "x"]))
    assert len(queries) <= 6, [q["sql"] for q in queries]
    assert batched["999999"] == [] and batched["x"] == []
    for object_id in ids:
        assert batched[object_id] == source.documents_for(object_id)


def test_every_part_of_a_question_is_text_for_the_index():
    from lms.assessments.ir import Pair, Statement, TextAnswer
    from search.questions import content_texts

    group = bank_api.QuestionContent(
        type=bank_api.QType.GROUP,
        stem="<p>Đọc đoạn văn sau và trả lời.</p>",
        parts=[
            bank_api.QuestionContent(
                type=bank_api.QType.TF4,
                stem="Cho hàm số \\(y=x^2\\).",
                statements=[Statement("a", "Xác định trên &#8477;.", True), Statement("b", "Nghịch biến.", False)],
            ),
            bank_api.QuestionContent(
                type=bank_api.QType.SHORT, stem="Thủ đô?", answers=[TextAnswer("Hà Nội")], solution="Hà Nội."
            ),
            bank_api.QuestionContent(
                type=bank_api.QType.MATCHING, stem="Nối.", pairs=[Pair("\\(\\sin\\)", "\\(\\cos\\)")]
            ),
        ],
        solution="<i>Lời giải</i> chung",
    )
    assert content_texts(group) == [
        "Đọc đoạn văn sau và trả lời.",
        "Cho hàm số \\(y=x^2\\).",
        "a) Xác định trên ℝ.",
        "b) Nghịch biến.",
        "Thủ đô?",
        "Hà Nội",
        "Hà Nội.",
        "Nối.",
        "\\(\\sin\\)",
        "\\(\\cos\\)",
        "Lời giải chung",
    ]


# ------------------------------------------------------------------ imports (bulk_create: no post_save)
IMPORT_FORMATS = {
    "gift": b"::Q1:: Thu do cua Viet Nam la gi? {=Ha Noi ~Hue ~Da Nang}\n\n::Q2:: Song Hong chay qua {=Ha Noi ~Hue}\n",
    "aiken": b"Thu do cua Viet Nam la gi?\nA. Ha Noi\nB. Hue\nANSWER: A\n",
}


@pytest.mark.parametrize("fmt", [*IMPORT_FORMATS, "docx", "moodlexml", "qti"])
def test_an_imported_question_is_found_right_after_the_import(people, bank, commit, fmt):
    from tests.assessments.docx_builder import docx, line, p, r

    if fmt in IMPORT_FORMATS:
        data = IMPORT_FORMATS[fmt]
    else:
        gift = bank_api.import_bytes(IMPORT_FORMATS["gift"], fmt="gift").questions
        data = (
            docx(line("Câu 1. Thủ đô của Việt Nam là gì?"), p(r("A.", u=True), r(" Hà Nội")), line("B. Huế"))
            if fmt == "docx"
            else bank_api.export_ir(gift, fmt)
        )
    result = bank_api.import_bytes(data, fmt=fmt)
    assert not result.errors
    with commit():
        saved = bank_api.save_import(result, bank=bank, author=people.teacher)
    q = saved[0].question
    assert (f"{q.pk}:draft", "draft") in found(fresh(people.teacher), "thu do viet nam")
    assert found(fresh(people.student), "thu do viet nam") == set()


def test_a_rolled_back_import_indexes_nothing_and_a_large_one_is_indexed_in_batches(people, bank, commit):
    from django.db import transaction

    from search import tasks

    lines = "\n\n".join(f"Cau hoi so {i} ve phuong trinh bac hai? {{=dung ~sai}}" for i in range(450))
    with commit() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                bank_api.save_import(
                    bank_api.import_bytes(lines.encode(), fmt="gift"), bank=bank, author=people.teacher
                )
                raise RuntimeError("the request failed after the import")
        except RuntimeError:
            pass
    assert callbacks == [] and found(fresh(people.teacher), "phuong trinh bac hai") == set()

    calls = []
    original = tasks.update_objects_task.delay
    tasks.update_objects_task.delay = lambda source, ids: calls.append(len(ids)) or original(source, ids)
    try:
        with commit():
            report = bank_api.save_import_stream(lines.encode(), bank=bank, author=people.teacher, fmt="gift")
    finally:
        tasks.update_objects_task.delay = original
    assert report.saved == 450
    assert sorted(calls) == [50, 200, 200]  # the stream saves 500 a batch; search reads 200 a task
    hits = search_api.search_documents(fresh(people.teacher), "phuong trinh bac hai", per_page=50)
    assert hits.total == 450


def test_the_background_import_task_indexes_what_it_saved(people, bank, commit):
    from django.core.files.base import ContentFile

    from lms.assessments.models import ImportJob
    from lms.assessments.tasks import import_questions_task

    job = ImportJob(bank=bank, user=people.teacher, file_name="a.gift", format="gift")
    job.upload.save("a.gift", ContentFile(IMPORT_FORMATS["gift"]), save=False)
    job.save()
    with commit():
        import_questions_task.delay(job.pk).get()
    assert len(found(fresh(people.teacher), "thu do viet nam")) == 1
    assert len(found(fresh(people.teacher), "song hong")) == 1
