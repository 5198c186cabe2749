"""Vietnamese folding, typing-slip readings and highlights (no database)."""

from __future__ import annotations

import unicodedata

import pytest

from search import folding


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đạo hàm của hàm số", "dao ham cua ham so"),
        ("ĐƯỜNG TRÒN", "duong tron"),
        ("Phương trình bậc hai", "phuong trinh bac hai"),
        ("Tiếng Việt, lớp 10!", "tieng viet lop 10"),
        ("ngữ văn – thơ ca", "ngu van tho ca"),
        ("Định lí côsin", "dinh li cosin"),
        ("x^2 + y^2 = r^2", "x 2 y 2 r 2"),
        ("", ""),
    ],
)
def test_fold_removes_diacritics_maps_d_and_lowercases(text, folded):
    assert folding.fold(text) == folded


def test_fold_is_the_same_for_decomposed_unicode():
    composed = "Nguyễn Đình Chiểu"
    assert folding.fold(unicodedata.normalize("NFD", composed)) == folding.fold(composed) == "nguyen dinh chieu"


def test_exact_keeps_diacritics_in_lower_case():
    assert folding.exact("Đường Tròn") == "đường tròn"
    assert folding.exact(unicodedata.normalize("NFD", "Đường")) == "đường"
    assert folding.has_diacritics("đường") and not folding.has_diacritics("duong")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("dduowngf", "duong"),
        ("hafm", "ham"),
        ("toans", "toan"),
        ("toasn", "toan"),
        ("phuwowng", "phuong"),
        ("trinhf", "trinh"),
        ("vieetj", "viet"),
        ("soos", "so"),
    ],
)
def test_telex_leftovers_are_read(typed, meant):
    assert folding.telex_to_folded(typed) == meant


def test_a_plain_word_has_no_telex_reading():
    assert folding.telex_to_folded("duong") is None
    assert folding.telex_to_folded("toan") is None


@pytest.mark.parametrize(("typed", "meant"), [("d9u7o7ng2", "duong"), ("to1an", "toan"), ("ha2m", "ham")])
def test_vni_leftovers_are_read(typed, meant):
    assert folding.vni_to_folded(typed) == meant


def test_vni_leaves_class_names_and_numbers_alone():
    assert folding.vni_to_folded("10a1") is None
    assert folding.vni_to_folded("2026") is None


def test_one_letter_slips():
    assert "duong" in folding.one_edit_variants("duongg")  # a letter too many
    assert "duong" in folding.one_edit_variants("duogn")  # swapped
    assert "tron" in folding.one_edit_variants("trpn")  # replaced
    assert "duong" in folding.one_edit_variants("dung") and "dung" in folding.one_edit_variants("duong")
    assert folding.one_edit_variants("hma") == {"mha", "ham"}  # three letters: swaps only
    assert folding.one_edit_variants("ab") == set()


def test_slip_variants_put_keyboard_readings_first():
    assert folding.slip_variants("dduowngf")[0] == "duong"


def test_splits_in_two():
    assert ("dao", "ham") in folding.splits_in_two("daoham")


def test_highlight_marks_folded_matches_in_the_original_text_and_escapes():
    html = folding.highlight("Đạo hàm <b>của</b> hàm số", {"ham"})
    assert html == "Đạo <mark>hàm</mark> &lt;b&gt;của&lt;/b&gt; <mark>hàm</mark> số"


def test_highlight_cuts_an_excerpt_around_the_first_match():
    text = "Mở đầu. " * 60 + "Đường tròn ngoại tiếp tam giác." + " Kết thúc." * 60
    html = folding.highlight(text, {"duong", "tron"}, size=120)
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>Đường</mark> <mark>tròn</mark>" in html
    assert len(html) < 250


def test_highlight_prefixes():
    assert folding.highlight("Đường tròn", set(), prefixes=["tr"]) == "Đường <mark>tròn</mark>"


def test_query_terms_fold_keep_the_typed_diacritics_and_mark_function_words():
    from search.query import SearchQuery, parse_terms

    terms = parse_terms("Phương trình CỦA đường tròn đường")
    assert [(t.folded, t.exact, t.optional) for t in terms] == [
        ("phuong", "phương", False),
        ("trinh", "trình", False),
        ("cua", "của", True),
        ("duong", "đường", False),
        ("tron", "tròn", False),
    ]
    assert [t.folded for t in SearchQuery(text="của và").required_terms] == ["cua", "va"]
