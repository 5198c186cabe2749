"""Shared by bench/search_quality.py and bench/search_latency.py: the VNHSGE question corpus, the judged queries, and
running Django against a database of the benchmark's own (never the development or CI one)."""

from __future__ import annotations

import glob
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "fixtures" / "datasets" / "vnhsge"
SUBJECTS = {
    "Bio": "sinh-hoc",
    "Chem": "hoa-hoc",
    "Civ": "gdktpl",
    "Eng": "tieng-anh",
    "Geo": "dia-li",
    "His": "lich-su",
    "Lit": "ngu-van",
    "Math": "toan",
    "Phy": "vat-li",
}

# (query as a person would type it, the phrase a relevant question contains — with its diacritics, as a whole-word
# match on the question's text and explanation). The judgement never looks at the folded text or the search engine:
# a question is relevant when it is about the phrase. 46 queries: 28 with diacritics, 15 typed without them and 3
# with Telex leftovers or a slip (18 of 46 without diacritics).
QUERIES: list[tuple[str, str]] = [
    ("chiến tranh đặc biệt", "chiến tranh đặc biệt"),
    ("khu giải phóng Việt Bắc", "khu giải phóng việt bắc"),
    ("Điện Biên Phủ", "điện biên phủ"),
    ("cách mạng tháng Tám", "cách mạng tháng tám"),
    ("hiệp định", "hiệp định"),
    ("nhiễm sắc thể", "nhiễm sắc thể"),
    ("đột biến", "đột biến"),
    ("axit amin", "axit amin"),
    ("đạo hàm", "đạo hàm"),
    ("số phức", "số phức"),
    ("sóng điện từ", "sóng điện từ"),
    ("con lắc lò xo", "con lắc lò xo"),
    ("điện áp xoay chiều", "điện áp xoay chiều"),
    ("polime", "polime"),
    ("glucozơ", "glucozơ"),
    ("chất béo", "chất béo"),
    ("bình đẳng", "bình đẳng"),
    ("kinh doanh", "kinh doanh"),
    ("trung du và miền núi Bắc Bộ", "trung du và miền núi bắc bộ"),
    ("quần thể", "quần thể"),
    ("Liên Xô", "liên xô"),
    ("bất phương trình", "bất phương trình"),
    ("mặt phẳng", "mặt phẳng"),
    ("xuất khẩu", "xuất khẩu"),
    ("đô thị", "đô thị"),
    ("hạt nhân", "hạt nhân"),
    ("tuổi trẻ", "tuổi trẻ"),
    ("vi phạm", "vi phạm"),
    # typed without diacritics
    ("quang hop", "quang hợp"),
    ("mat cau", "mặt cầu"),
    ("the tich", "thể tích"),
    ("dao dong dieu hoa", "dao động điều hòa"),
    ("giao thoa", "giao thoa"),
    ("tu dien", "tụ điện"),
    ("cuon cam", "cuộn cảm"),
    ("buoc song", "bước sóng"),
    ("kieu gen", "kiểu gen"),
    ("phep lai", "phép lai"),
    ("tay nguyen", "tây nguyên"),
    ("dong bang song cuu long", "đồng bằng sông cửu long"),
    ("quang dien", "quang điện"),
    ("dien tro", "điện trở"),
    ("chat beo", "chất béo"),
    # Telex leftovers and one-letter slips
    ("ddaoj hamf", "đạo hàm"),
    ("nhieemx sawcs theer", "nhiễm sắc thể"),
    ("dot bienn", "đột biến"),
]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def load_questions() -> list[dict]:
    """Every question of the VNHSGE JSON files: id, subject code, title, stem, options + explanation."""
    questions = []
    for path in sorted(glob.glob(str(DATASET / "*.json"))):
        name = Path(path).stem  # MET_His_IE_2023
        subject = SUBJECTS[name.split("_")[1]]
        for number, item in enumerate(json.loads(Path(path).read_text(encoding="utf-8")), start=1):
            if "ID" in item:
                qid, stem, explanation = item["ID"], item["Question"], item.get("Explanation", "")
            else:  # the literature essays: {"Câu hỏi", "Gợi ý trả lời", "Đáp án"}
                qid, stem, explanation = f"{name}_{number}", item["Câu hỏi"], item.get("Gợi ý trả lời", "")
            stem, explanation = _nfc(stem), _nfc(explanation)
            first_line = re.sub(r"^Câu\s*\d+\.\s*", "", stem.strip().split("\n")[0]).strip()
            title = first_line if len(first_line) <= 120 else first_line[:117].rsplit(" ", 1)[0] + "…"
            questions.append(
                {"id": qid, "subject": subject, "title": title or qid, "summary": stem, "body": explanation}
            )
    return questions


def judged_relevant(questions: list[dict], phrase: str) -> set[str]:
    pattern = re.compile(r"(?<!\w)" + re.escape(_nfc(phrase).lower()) + r"(?!\w)")
    return {q["id"] for q in questions if pattern.search((q["summary"] + "\n" + q["body"]).lower())}


def setup_django(database_url: str, *, settings: str = "config.settings.dev", env: dict | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    for key, value in (env or {}).items():
        os.environ[key] = value
    import django

    django.setup()
    from django.conf import settings as django_settings

    django_settings.DEBUG = False  # no query log growing during the run


def ensure_postgres_database(database_url: str) -> None:
    """Create the benchmark's PostgreSQL database if it does not exist (connecting to ``postgres``)."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _slash, name = database_url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres_database(database_url: str) -> None:
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _slash, name = database_url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def migrate_quietly() -> None:
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
