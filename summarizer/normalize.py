"""Text normalization for Vietnamese input and output.

Two levels:
- `normalize_text` works character by character and is safe on any text (model input,
  model output, ROUGE references): NFC, one tone-mark placement, compatibility characters,
  invisible characters, whitespace.
- `clean_document` prepares a whole submitted document: HTML remnants, `normalize_text`,
  then the trailer that scraped pages carry (byline, related links, menus), see `strip_trailer`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Invisible characters that only break tokenization: zero-width space/joiners, word joiner,
# BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# Characters the model vocabulary does not need to know: folded to a common equivalent.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201e": "\u201c",
        "\u201f": "\u201d",
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2015": "\u2014",  # horizontal bar: an em dash; en and em dashes themselves stay
        "\u2022": "-",
        "\u25cf": "-",
        "\u25aa": "-",
        "\u2219": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u3000": " ",
    }
)
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}

# A syllable ending in oa/oe/uy (no final consonant) whose tone sits on the last vowel:
# the old placement ("hoà", "khoẻ", "thuỷ"). The new placement, used here, puts it on the
# first vowel ("hòa", "khỏe", "thủy"). "qu" is a consonant, so "quý" is never touched. The
# vowel ends the syllable and bears no other mark: in "hoặc" (decomposed: o, a, dot below,
# breve) the dot belongs to "ă", and the syllable is already right.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_TONE = re.compile(rf"(?<![^\W\d_])([^\W\d_]*?)([oOuU])([aAeEyY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])")
# A tone on "o"/"u" before a vowel with a breve, circumflex or horn ("họăc", "thủơ", "múôn"): never
# Vietnamese, where such a vowel bears the tone ("hoặc", "thuở", "muốn"). Moving it repairs typing
# slips and what a model trained on the old misspelling writes (compact-vi: "họăc").
_MISPLACED_TONE = re.compile(rf"([oOuU])([{_TONES}])([aAeEoOuU][\u0302\u0306\u031b])")


def _move_tone(match: re.Match[str]) -> str:
    onset, first, second, tone = match.groups()
    pair = (first + second).lower()
    if pair not in ("oa", "oe", "uy") or onset.lower().endswith("q"):
        return match.group(0)
    if pair == "uy" and onset.lower().endswith("g"):  # "gu" + y does not occur; be safe
        return match.group(0)
    return onset + first + tone + second


def canonical_tones(text: str) -> str:
    """Put tone marks of oa/oe/uy syllables on the first vowel ("hoà" → "hòa", "thuỷ" → "thủy"),
    and a tone that an "o" or "u" bears before a vowel with a breve, circumflex or horn on that
    vowel ("họăc" → "hoặc", "thủơ" → "thuở"); every other syllable is left as it is ("hoặc",
    "quý", "hoàn"; also other misplacements, such as "đựơc").

    Applied to input, output and ROUGE references alike, so both spellings compare equal.
    The result is NFC.
    """
    decomposed = _MISPLACED_TONE.sub(r"\1\3\2", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", _OLD_TONE.sub(_move_tone, decomposed))


def normalize_text(text: str) -> str:
    """Normalize Vietnamese text character by character.

    NFC; canonical tone placement; full-width and typographic variants folded; zero-width
    and control characters removed; runs of spaces collapsed; line breaks kept (at most one
    blank line in a row); lines stripped.

    >>> normalize_text("Hoà  Bình\\u200b")
    'Hòa Bình'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_FULLWIDTH).translate(_FOLD)
    text = _INVISIBLE.sub("", text)
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs") else "" for ch in text
    )
    text = canonical_tones(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- HTML -------------------------------------------------------------------------------

_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|blockquote|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_HTML_DROP = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def strip_html(text: str) -> str:
    """Remove HTML tags (block tags become line breaks) and decode entities.

    Text without tags is only entity-decoded, so "a < b" survives.
    """
    if _HTML_TAG.search(text):
        text = _HTML_DROP.sub(" ", text)
        text = _HTML_BLOCK.sub("\n", text)
        text = _HTML_TAG.sub("", text)
    return html.unescape(text)


# --- Scraped trailers -----------------------------------------------------------------

_TERMINAL = re.compile(r"(?:[.!?…]|\./\.)[\"”’'»)\]]*$")
_DATED_LINK = re.compile(r"\(\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s+\d{1,2}:\d{2})?\s*\)\s*-?$")
_LIST_ITEM = re.compile(r"^[-•*»+]\s*")
_NAV_WORDS = re.compile(
    r"^(?:tin liên quan|bài liên quan|bài viết liên quan|tin cùng chuyên mục|xem thêm|đọc thêm|"
    r"tin khác|các tin khác|tags?|từ khóa|chia sẻ|bình luận|in bài|gửi bài|về đầu trang)\b",
    re.IGNORECASE,
)
_BYLINE_TAIL = re.compile(
    r"\((?:tổng hợp|theo [^)]*|lược dịch|dịch|biên dịch|tt[xv]n|ttxvn|nguồn[^)]*)\)\.?$",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^(?:theo|nguồn)\s*:?\s+\S.{0,60}$", re.IGNORECASE)


@dataclass(frozen=True)
class CleanDocument:
    """A document ready for sentence splitting, with what was removed as page trailer."""

    text: str
    trailer: tuple[str, ...] = ()


def _words(line: str) -> list[str]:
    return line.split()


def _is_byline(line: str) -> bool:
    """A short signature: "Hà Phương (tổng hợp)", "Theo TTXVN", "Minh Anh".

    Only names (every word capitalized) of at most six words, or a "Theo/Nguồn ..." source.
    """
    if _SOURCE_LINE.match(line) and len(_words(line)) <= 10:
        return True
    core = _BYLINE_TAIL.sub("", line).strip().rstrip(".")
    words = _words(core)
    return 0 < len(words) <= 6 and all(w[0].isupper() for w in words if w[0].isalpha())


def _is_body_line(line: str) -> bool:
    """A paragraph of running text: ends like a sentence and is more than a few words."""
    return bool(_TERMINAL.search(line)) and len(_words(line)) >= 6 and not _LIST_ITEM.match(line)


def _has_trailer_signal(line: str) -> bool:
    """Something only page furniture looks like."""
    return bool(
        _DATED_LINK.search(line)
        or _NAV_WORDS.match(line)
        or (_LIST_ITEM.match(line) and not _TERMINAL.search(line))
        or line.endswith(" -")
        or line in ("-", "|", "•")
        or _is_byline(line)
    )


def strip_trailer(text: str) -> CleanDocument:
    """Split off the trailer that scraped pages carry after the article.

    Rule: the body ends at the last line that reads as running text (ends with sentence
    punctuation such as ".", "?", "./." and has at least six words, not a list item). The
    lines after it are a trailer, and are removed, only when at least one of them shows a
    trailer signal (a byline, a "Theo ..." source line, a link with a date such as
    "(17/06/2024)", a bulleted link, "Tin liên quan"/"Xem thêm", a line ending in " -"), or
    all of them are short (at most eight words). Otherwise the tail is kept: a last paragraph
    that merely lacks its full stop is content, not furniture.
    """
    lines = text.split("\n")
    last_body = max((i for i, line in enumerate(lines) if _is_body_line(line)), default=-1)
    if last_body < 0:
        return CleanDocument(text=text)
    tail = [line for line in lines[last_body + 1 :] if line]
    if not tail:
        return CleanDocument(text=text)
    if any(_has_trailer_signal(line) for line in tail) or all(len(_words(line)) <= 8 for line in tail):
        body = "\n".join(lines[: last_body + 1]).strip()
        return CleanDocument(text=body, trailer=tuple(tail))
    return CleanDocument(text=text)


def clean_document(text: str) -> CleanDocument:
    """HTML remnants, character normalization, then the scraped trailer (see `strip_trailer`)."""
    return strip_trailer(normalize_text(strip_html(text)))
