"""The acceptance command: ``manage.py import_questions PATH [--format …] --dry-run --json``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path("../shared/fixtures")
QUESTION_KEYS = {"number", "type", "stem", "choices", "answer", "statements", "points", "level"}


def run(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "import_questions", *args], capture_output=True, text=True, check=False
    )


def test_dry_run_json_on_a_vnhsge_docx_exits_0_with_the_exact_keys():
    proc = run(str(FIXTURES / "docx/vnhsge/MET_Phy_IE_2023.docx"), "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert set(payload) == {"format", "questions", "errors"}
    assert payload["format"] == "docx" and payload["errors"] == []
    assert len(payload["questions"]) == 40
    first = payload["questions"][0]
    assert set(first) == QUESTION_KEYS
    assert first["number"] == 1 and first["type"] == "single_choice"
    assert [set(c) for c in first["choices"]] == [{"label", "text", "correct"}] * 4
    assert [c["label"] for c in first["choices"] if c["correct"]] == ["C"]


def test_errors_give_exit_code_1_and_question_numbers(tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text("Q1{=a ~b}\n\nQ2{~a ~b}\n", encoding="utf-8")
    proc = run(str(path), "--format", "gift", "--dry-run", "--json")
    assert proc.returncode == 1
    payload = json.loads(proc.stdout)
    assert [e["question"] for e in payload["errors"]] == [2]
    assert set(payload["errors"][0]) >= {"question", "message"}


def test_statements_and_answers_in_the_json(tmp_path, capsys):
    from tests.assessments.test_importers import exam_2025

    path = tmp_path / "de.docx"
    path.write_bytes(exam_2025())
    call_command("import_questions", str(path), "--dry-run", "--json")
    payload = json.loads(capsys.readouterr().out)
    tf4 = next(q for q in payload["questions"] if q["type"] == "true_false_4")
    assert [(s["label"], s["true"]) for s in tf4["statements"]] == [
        ("a", True),
        ("b", False),
        ("c", True),
        ("d", False),
    ]
    numeric = [q["answer"] for q in payload["questions"] if q["type"] == "numeric"]
    assert numeric == ["-1,5", "75"]


@pytest.mark.parametrize(
    "path,fmt",
    [
        ("gift/moodle/questions.gift.txt", "gift"),
        ("aiken/moodle/questions.aiken.txt", "aiken"),
        ("moodlexml/moodle/nested_categories_with_questions.xml", "moodlexml"),
        ("qti/qti21/tao_Basic.zip", "qti"),
        ("qti/qti30/citolab_sample-package.zip", "qti"),
    ],
)
def test_auto_detects_the_format(path, fmt, capsys):
    try:
        call_command("import_questions", str(FIXTURES / path), "--dry-run", "--json")
        code = 0
    except SystemExit as exc:
        code = exc.code
    payload = json.loads(capsys.readouterr().out)
    assert payload["format"] == fmt
    assert code == (1 if payload["errors"] else 0)
