"""Accent and case folding for keyword search."""
from app.domain.text import fold, search_terms


def test_fold_removes_accents_and_case():
    assert fold("Hiện tượng xuống cấp tại Đường tránh Huế") == "hien tuong xuong cap tai duong tranh hue"


def test_d_with_stroke_is_folded_explicitly():
    # "đ"/"Đ" do not decompose under NFD: without the explicit mapping "duong" would not match.
    assert fold("đường Đống Đa") == "duong dong da"


def test_query_words_are_folded_like_the_text():
    assert search_terms("  Ổ  GÀ đường ") == ["o", "ga", "duong"]
    assert search_terms("") == []


def test_decomposed_input_folds_like_composed_input():
    import unicodedata

    text = "Thừa Thiên Huế"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "thua thien hue"
