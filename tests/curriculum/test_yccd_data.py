"""The curated YCCĐ files in ``curriculum/data/yccd``: schema, stable codes and a few outcomes checked by hand.

Pure data tests: no database, no Django models.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "curriculum" / "data" / "yccd"
FILES = {"toan-10.json": ("toan", "Toán", "TOAN10"), "ngu-van-10.json": ("ngu-van", "Ngữ văn", "NV10")}

CODE_RE = re.compile(r"^(TOAN10|NV10)(\.[A-Z0-9]+)+\.\d+$")
KEY_RE = re.compile(r"^[A-Z0-9]+$")
LEVELS = {"biet", "hieu", "van_dung"}
OUTCOME_KEYS = {"code", "text", "level", "verified"}
OPTIONAL_OUTCOME_KEYS = {"optional"}
VIETNAMESE_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
)
# Column sizes of curriculum.Outcome, so the files load without truncation.
MAX_CODE, MAX_STRAND, MAX_TOPIC, MAX_SOURCE = 60, 200, 200, 300


def load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def outcomes(data: dict) -> list[tuple[dict, dict, dict]]:
    return [
        (strand, topic, item) for strand in data["strands"] for topic in strand["topics"] for item in topic["outcomes"]
    ]


@pytest.fixture(scope="module")
def datasets() -> dict[str, dict]:
    return {name: load(name) for name in FILES}


@pytest.mark.parametrize("name", sorted(FILES))
def test_top_level_schema(name):
    data = load(name)
    code, subject_name, _prefix = FILES[name]
    assert set(data) == {"subject", "grade", "source", "strands"}
    assert data["subject"] == {"code": code, "name": subject_name}
    assert data["grade"] == 10
    assert isinstance(data["source"], str)
    assert "32/2018/TT-BGDĐT" in data["source"]
    assert 0 < len(data["source"]) <= MAX_SOURCE
    assert isinstance(data["strands"], list)
    assert data["strands"]


@pytest.mark.parametrize("name", sorted(FILES))
def test_strand_topic_and_outcome_schema(name):
    data = load(name)
    strand_keys = [strand["key"] for strand in data["strands"]]
    assert len(strand_keys) == len(set(strand_keys)), "strand keys repeat"
    for strand in data["strands"]:
        assert set(strand) == {"key", "name", "topics"}
        assert KEY_RE.match(strand["key"]), strand["key"]
        assert isinstance(strand["name"], str)
        assert 0 < len(strand["name"]) <= MAX_STRAND
        assert isinstance(strand["topics"], list)
        assert strand["topics"]
        topic_keys = [topic["key"] for topic in strand["topics"]]
        assert len(topic_keys) == len(set(topic_keys)), f"topic keys repeat in {strand['key']}"
        for topic in strand["topics"]:
            assert set(topic) == {"key", "name", "outcomes"}
            assert KEY_RE.match(topic["key"]), topic["key"]
            assert isinstance(topic["name"], str)
            assert 0 < len(topic["name"]) <= MAX_TOPIC
            assert isinstance(topic["outcomes"], list)
            assert topic["outcomes"]
            for item in topic["outcomes"]:
                assert OUTCOME_KEYS <= set(item) <= OUTCOME_KEYS | OPTIONAL_OUTCOME_KEYS, item.get("code")
                assert isinstance(item["code"], str)
                assert isinstance(item["text"], str)
                assert isinstance(item["verified"], bool)
                assert item["level"] in LEVELS, item["code"]
                if "optional" in item:
                    assert item["optional"] is True, item["code"]


def test_codes_are_unique_across_files(datasets):
    codes = [item["code"] for data in datasets.values() for _strand, _topic, item in outcomes(data)]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    assert not duplicates


@pytest.mark.parametrize("name", sorted(FILES))
def test_codes_follow_the_scheme(name):
    data = load(name)
    prefix = FILES[name][2]
    for strand in data["strands"]:
        for topic in strand["topics"]:
            for number, item in enumerate(topic["outcomes"], start=1):
                code = item["code"]
                assert CODE_RE.match(code), code
                assert len(code) <= MAX_CODE, code
                assert code == f"{prefix}.{strand['key']}.{topic['key']}.{number}", code


@pytest.mark.parametrize("name", sorted(FILES))
def test_texts_are_vietnamese_sentences(name):
    for _strand, _topic, item in outcomes(load(name)):
        text = item["text"]
        assert text.strip() == text, item["code"]
        assert len(text) >= 15, item["code"]
        assert VIETNAMESE_LETTERS & set(text), item["code"]
        assert unicodedata.normalize("NFC", text) == text, f"{item['code']} is not NFC-normalised"


def test_enough_core_outcomes(datasets):
    def core(name: str) -> int:
        return sum(1 for _s, _t, item in outcomes(datasets[name]) if not item.get("optional"))

    assert core("toan-10.json") >= 40
    assert core("ngu-van-10.json") >= 30


def test_every_file_has_verified_entries(datasets):
    for name, data in datasets.items():
        assert any(item["verified"] for _s, _t, item in outcomes(data)), name


def _texts(data: dict) -> dict[str, str]:
    return {item["code"]: item["text"] for _s, _t, item in outcomes(data)}


def test_toan_spot_checks(datasets):
    texts = _texts(datasets["toan-10.json"])
    everything = "\n".join(texts.values())
    assert "định lí côsin" in texts["TOAN10.HH.HTLUONG.4"]
    assert "định lí sin" in texts["TOAN10.HH.HTLUONG.4"]
    assert "nhị thức Newton" in texts["TOAN10.DS.NHITHUC.1"]
    assert "phương trình đường tròn" in texts["TOAN10.HH.DUONGTRON.1"]
    assert "∀, ∃" in texts["TOAN10.DS.MENHDE.1"]
    assert "biểu đồ Ven" in texts["TOAN10.DS.TAPHOP.2"]
    assert "ba đường conic" in everything
    assert "nguyên lí xác suất bé" in texts["TOAN10.TKXS.XSCODIEN.1"]
    assert "phương sai, độ lệch chuẩn" in texts["TOAN10.TKXS.PHANTAN.1"]


def test_toan_optional_parts_are_marked(datasets):
    data = datasets["toan-10.json"]
    for strand, topic, item in outcomes(data):
        if strand["key"] in {"CD", "HDTH"} or topic["key"] == "PHANMEM":
            assert item.get("optional") is True, item["code"]
        else:
            assert "optional" not in item, item["code"]


def test_ngu_van_spot_checks(datasets):
    texts = _texts(datasets["ngu-van-10.json"])
    everything = "\n".join(texts.values())
    assert "văn bản nghị luận" in everything
    assert "thần thoại" in everything or "sử thi" in everything
    assert "chèo hoặc tuồng" in texts["NV10.DOC.VHVH.7"]
    assert "từ bỏ một thói quen hay một quan niệm" in texts["NV10.VIET.NGHILUAN.3"]
    assert "bản tin" in texts["NV10.DOC.VBTT.5"]
    strands = {strand["key"] for strand in datasets["ngu-van-10.json"]["strands"]}
    assert {"DOC", "VIET", "NOINGHE"} <= strands


def test_readme_describes_the_files():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        assert name in readme
