"""Vietnamese accent and case folding for keyword search, and the words of a text or a query.

A report is searched by its words (syllables): "ổ gà" finds "ổ gà" and "O GA" but not "ngã
ba" — a word never matches inside another word. Two forms of a report's text are kept:
the folded words ("o ga duong tranh"), which the full-text index holds, and the case-folded
words with their accents (" ổ gà đường tránh "), which narrow a match when the person typed
accents ("gà" finds "gà", not "ga" nor "gạ").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# NFD splits "ổ" into "o" + marks, but "đ"/"Đ" are letters of their own and never decompose.
_STROKED = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r"[\"“”„«»]([^\"“”„«»]*)[\"“”„«»]?")
_PHONE_CHARS = re.compile(r"[\s.()+-]")


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` ("Đường Tránh" -> "duong tranh")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", bare.casefold()).strip()


def words(text: str | None) -> list[str]:
    """The case-folded words of ``text``, accents kept (composed): "Ổ gà, đường" → ổ gà đường."""
    if not text:
        return []
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def search_terms(query: str | None) -> list[str]:
    """The folded words of a text or query ("Ổ  GÀ, đường" → o ga duong)."""
    return _WORD.findall(fold(query))


def phone_digits(phone: str | None) -> str | None:
    """A Vietnamese phone number as the digits of its national form (+84 905… → 0905…)."""
    if not phone:
        return None
    digits = _PHONE_CHARS.sub("", phone)
    if not digits.isdigit() or len(digits) < 9:
        return None
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


# The reporter's words are kept in the folded form with this mark ("zqnguyen", "zq0905…"), so
# that the staff's search finds them and the public portal's does not (reporter data is never
# public). No folded Vietnamese word starts with "zq".
REPORTER_MARK = "zq"
# Each unit the report was ever distributed to is a word of the folded form ("zu12"): a unit's
# search asks the full-text index for its mark with the words, and gets the few reports of its
# scope that match straight from the index, where filtering the province's matches by scope
# reads every one of them (a unit's "cây xanh": 32,000 read for 36 kept).
UNIT_MARK = "zu"
_MARK = re.compile(rf"^(?:{REPORTER_MARK}|{UNIT_MARK}\d)")


def unit_word(unit_id: int) -> str:
    return f"{UNIT_MARK}{unit_id}"


def search_document(*parts: str | None, reporter: str | None = None,
                    phone: str | None = None, units=()) -> tuple[str, str]:
    """(folded words, " accented words ") of a report's searchable parts; the reporter's name
    and phone digits, and the ``units`` of its scope, are marked words of the folded form."""
    folded = search_terms(" ".join(p for p in parts if p))
    folded += [REPORTER_MARK + w for w in search_terms(reporter)]
    digits = phone_digits(phone)
    if digits:
        folded.append(REPORTER_MARK + digits)
    folded += [unit_word(u) for u in sorted(set(units))]
    text = " ".join(p for p in (*parts, reporter) if p)
    return " ".join(folded), " " + " ".join(words(text)) + " "


@dataclass
class Term:
    """A word or a quoted phrase of a query: its folded words, and its accented words when the
    person typed accents (they then narrow the match)."""

    folded: list[str]
    accented: list[str] | None = None


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    phrases: list[Term] = field(default_factory=list)
    report_id: int | None = None  # "123" or "#123": also the report of that number
    marked: bool = False  # a typed word was a mark: no report has it as typed (``_term``)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases or self.report_id)


def _term(text: str) -> Term:
    """A word or phrase as typed, without marked words: what a person types never matches a
    reporter's or a unit's mark (the marks are asked for by the search itself)."""
    pairs = [(a, f) for a, f in zip(words(text), search_terms(text)) if not _MARK.match(f)]
    accented, folded = [a for a, _ in pairs], [f for _, f in pairs]
    return Term(folded, accented if accented != folded else None)


def parse_query(query: str | None) -> Query:
    """Words, quoted phrases, a phone number or a report's number in what the person typed."""
    result = Query()
    if not query or not query.strip():
        return result
    raw = query.strip()
    number = raw.removeprefix("#").strip()
    if number.isdigit() and len(number) <= 9:
        result.report_id = int(number)
    digits = phone_digits(raw)
    if digits:
        result.terms.append(Term([digits]))
        return result
    result.marked = any(_MARK.match(word) for word in search_terms(raw))
    for phrase in _PHRASE.findall(raw):
        term = _term(phrase)
        if len(term.folded) > 1:
            result.phrases.append(term)
        elif term.folded:
            result.terms.append(term)
    rest = _PHRASE.sub(" ", raw)
    for word in words(rest):
        term = _term(word)
        if term.folded:
            result.terms.append(term)
    return result
