"""Persian text handling: what is stored, what is searched, how digits are shown.

Stored text keeps what the user typed except Arabic yeh and kaf, which become
their Persian forms (a keyboard layout artefact, never a spelling choice).
Search uses a separate key built by ``search_key``: there, the joiners and the
space after the verb prefixes mi/nemi are dropped, digits are ASCII, diacritics
are removed and Latin letters are lower case, so every common way of typing one
word produces one key.
"""

from __future__ import annotations

import re
import unicodedata

ARABIC_YEH = "\u064a"
ARABIC_KAF = "\u0643"
PERSIAN_YEH = "\u06cc"
PERSIAN_KAF = "\u06a9"
ZWNJ = "\u200c"
ZWJ = "\u200d"

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)
_STORED_FORMS = str.maketrans({ARABIC_YEH: PERSIAN_YEH, ARABIC_KAF: PERSIAN_KAF, "\u0649": PERSIAN_YEH})

# Letters with the same reading that users type interchangeably; the search key folds them.
_SEARCH_FOLDS = str.maketrans(
    {
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06c0": "\u0647",  # heh with yeh above -> heh
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u0626": PERSIAN_YEH,  # yeh with hamza -> yeh
        "\u0640": None,  # tatweel (kashida) is decoration
        "\u200e": None,  # left-to-right mark
        "\u200f": None,  # right-to-left mark
        "\u00a0": " ",
    }
)
_JOINERS = re.compile(f"[{ZWNJ}{ZWJ}]")
# The verb prefixes می and نمی are written joined, with a ZWNJ or with a space; the key joins them.
_VERB_PREFIX_SPACE = re.compile(r"(?<!\w)(ن?می)[ \t]+(?=\w)")
_SPACES = re.compile(r"\s+")


def to_ascii_digits(value: str) -> str:
    return value.translate(_TO_ASCII_DIGITS)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN_DIGITS)


def normalize_stored(value: str) -> str:
    """Return ``value`` as Sarv stores it: Arabic yeh and kaf replaced, everything else as typed."""
    return value.translate(_STORED_FORMS)


def normalize_identifier(value: str) -> str:
    """Return an identifier (record number, letter number, property number) with ASCII digits and no padding."""
    return to_ascii_digits(normalize_stored(value)).strip()


def _strip_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(value: str | None) -> str:
    """Return the normalised form of ``value`` used for search and uniqueness, never for display."""
    if not value:
        return ""
    text = normalize_stored(value)
    text = _strip_marks(text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_SEARCH_FOLDS)
    text = normalize_stored(text)
    text = to_ascii_digits(text)
    text = _JOINERS.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _VERB_PREFIX_SPACE.sub(r"\1", text)
    return text.casefold().strip()


def search_terms(query: str) -> list[str]:
    """Split a search query into normalised terms; a term keeps its mi/nemi prefix joined."""
    key = search_key(query)
    return [term for term in key.split(" ") if term]


PERSIAN_ALPHABET = "آاءأإؤئبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_COLLATION_RANK = {ch: index for index, ch in enumerate(PERSIAN_ALPHABET)}


def persian_sort_key(value: str) -> tuple[tuple[int, int], ...]:
    """Return a key that orders strings by the Persian alphabet, then digits and Latin letters.

    Code-point order puts پ چ ژ ک گ ی after the Arabic letters. This key uses the
    alphabet order that Iranian users expect, and ignores joiners.
    """
    text = search_key(value)
    key: list[tuple[int, int]] = []
    for ch in text:
        rank = _COLLATION_RANK.get(ch)
        if rank is not None:
            key.append((2, rank))
        elif ch == " ":
            key.append((0, 0))
        else:
            key.append((1, ord(ch)))
    return tuple(key)
