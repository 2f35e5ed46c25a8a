"""Vietnamese accent and case folding for keyword search."""
import re
import unicodedata

# NFD splits "ổ" into "o" + marks, but "đ"/"Đ" are letters of their own and never decompose.
_STROKED = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` ("Đường Tránh" -> "duong tranh")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", bare.casefold()).strip()


def search_terms(query: str | None) -> list[str]:
    """The folded words of a keyword query; every word must appear in a match."""
    return [word for word in fold(query).split(" ") if word]
