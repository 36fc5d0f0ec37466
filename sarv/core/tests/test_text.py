"""Persian text normalisation: what is stored and what search keys look like."""

import pytest

from sarv.core.search import normalize_record_number
from sarv.core.text import normalize_stored, persian_sort_key, search_key, search_terms, to_persian_digits


def test_stored_text_replaces_arabic_yeh_and_kaf_only():
    # given text typed on an Arabic keyboard layout, with a ZWNJ and Persian digits
    typed = "كامپيوتر من\u200cها ۱۲۳"
    # when it is normalised for storage
    stored = normalize_stored(typed)
    # then only yeh and kaf change
    assert stored == "کامپیوتر من\u200cها ۱۲۳"


@pytest.mark.parametrize(
    "variant",
    ["می\u200cخواهم", "میخواهم", "می خواهم", "مي خواهم", "می\u200dخواهم", "مى\u200cخواهم"],
)
def test_mi_prefix_variants_share_one_key(variant):
    assert search_key(variant) == "میخواهم"


@pytest.mark.parametrize("variant", ["نمی\u200cتوانم", "نمیتوانم", "نمی توانم", "نمي\u200cتوانم"])
def test_nemi_prefix_variants_share_one_key(variant):
    assert search_key(variant) == "نمیتوانم"


def test_arabic_letters_match_persian_search():
    assert search_key("كامپيوتر") == search_key("کامپیوتر")


def test_word_ending_in_mi_keeps_following_space():
    # «تمامی کارها» is not a verb prefix: the space stays.
    assert search_key("تمامی کارها") == "تمامی کارها"


def test_digits_become_ascii_in_key():
    assert search_key("INC-۱۴۰۵-٠٠٠١٢٣") == "inc-1405-000123"


def test_diacritics_and_kashida_are_ignored():
    assert search_key("مُدیـــر") == search_key("مدیر")


def test_search_terms_split_and_normalise():
    assert search_terms("  چاپگر   نمی کند ") == ["چاپگر", "نمیکند"]


def test_record_number_typed_with_persian_digits():
    assert normalize_record_number("inc-۱۴۰۵-۱۲۳") == "INC-1405-000123"
    assert normalize_record_number("چاپگر") is None


def test_persian_digits_for_display():
    assert to_persian_digits("INC-1405-000123") == "INC-۱۴۰۵-۰۰۰۱۲۳"


def test_persian_sort_order_puts_pe_after_be():
    names = ["گلی", "پرویز", "بهرام", "ژاله", "کاوه", "یاسمن", "زهرا", "چنگیز", "آرش"]
    expected = ["آرش", "بهرام", "پرویز", "چنگیز", "زهرا", "ژاله", "کاوه", "گلی", "یاسمن"]
    assert sorted(names, key=persian_sort_key) == expected
