"""Light compression of extracted sentences: the output stays text of the source.

Each rule removes page furniture that an editor would delete by hand, never content words:
- `source_tag`: a dateline or source tag opening a sentence ("TCCS - ", "HÀ NỘI - ",
  "(Dân trí) - ", "VOV.VN - ");
- `photo_credit`: photo and video credits ("(Ảnh: TTXVN)", "Ảnh minh họa", "(Video: ...)");
- `attribution`: a parenthetical source at the end ("(theo VnExpress)", "(PV)", "(TTXVN)");
- `trailing_byline`: a signature glued after the last full stop ("... ./. Hà Phương").

Rules are named so evaluation can switch each one off (`RULES`); a rule is kept only when
it raises ROUGE on validation (see models/ext-vi/README.md). Removal is at the start or the
end of a sentence, so what remains is one contiguous span of the source: `compress` returns
its offsets, and evidence stays exact.

`headline_form` shortens a sentence into a headline: it also drops a leading time phrase
("Ngày 26-6-2024, ", "Sáng 5/7, ") and keeps the leading clauses within a syllable budget.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from summarizer.segment import official_ending_length, stripped_spans
from summarizer.tokens import has_syllable, syllables
from summarizer.units import COUNTING, ORDINALS, nesting_depth

_UPPER_TAG = r"[A-ZĐÀ-Ỹ0-9][A-ZĐÀ-Ỹ0-9.\s]{0,28}?"
_SOURCE_TAG = re.compile(
    rf"^(?:\([^()]{{1,30}}\)|{_UPPER_TAG}|[\wÀ-ỹ]+\.(?:vn|VN|com|net))\s*[-–—]\s*(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])"
)
_PHOTO = re.compile(
    r"\s*\((?:ảnh|video|clip|nguồn ảnh|ảnh minh họa)(?:\s*:[^()]{0,80})?\)"
    r"|\s*[-–]?\s*ảnh(?: minh họa)?\s*:\s*[^.]{1,60}\.?$",
    re.IGNORECASE,
)
# what every match of _PHOTO holds (it is slow to try at every position; this is not)
_PHOTO_HINT = re.compile(r"\((?:ảnh|video|clip|nguồn)|ảnh(?: minh họa)?\s*:", re.IGNORECASE)


def _without_credits(text: str) -> str:
    """`text` with its photo/video credits (`_PHOTO`) removed."""
    if "(" not in text and "ảnh" not in text.lower():  # what every hint holds (most texts: neither)
        return text
    return _PHOTO.sub("", text) if _PHOTO_HINT.search(text) else text


_ATTRIBUTION = re.compile(
    r"\s*\((?:theo|nguồn|pv|ptv|ctv|ttxvn|tttxvn|vtv|vov|tổng hợp)\b[^()]{0,60}\)(?=[.!?…\s]*$)",
    re.IGNORECASE,
)
_TRAILING_BYLINE = re.compile(r"(?<=[.!?…])(?:/\.)?\s+(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s?){1,4}$")
# a text ending in one of these has no trailing byline (its last character would be a letter or
# a space): most sentences, which end in a full stop, are not searched
_NO_BYLINE_END = frozenset('.!?…"”)')
_LEAD_TIME = re.compile(
    r"^(?:(?:sáng|trưa|chiều|tối|đêm|rạng sáng|ngày|hôm|trong ngày|vào)\s+(?:nay\s+)?(?:ngày\s+)?"
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|qua|nay|hôm qua)|(?:sáng|chiều|tối|trưa)\s+nay)"
    r"(?:\s*\([^()]{0,20}\))?\s*,\s*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:]\s|\s[-–]\s")
# a dash between two names is part of a name ("Bến Thành – Tham Lương"): no clause end
_NAME_DASH = re.compile(r"[A-ZĐÀ-Ỹ][^\W\d_]*\s[-–]\s[A-ZĐÀ-Ỹ]")
# nor is the dash of a compound of two lower-case words ("kinh tế - xã hội", "an ninh - quốc
# phòng"), unless what follows it opens a clause or an apposition ("nước ngoài - bao gồm …",
# "nữ ca sĩ - vốn là …"); matched at the dash itself
_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_CLAUSE_OPENERS = (
    "đã|đang|sẽ|là|vốn|bao|gồm|nhưng|và|cũng|có|được|bị|theo|khi|nơi|người|nhà|một|các|những|đây|đó|trong|với|cho"
)
_COMPOUND_DASH = re.compile(rf"(?<=[{_LOWER}])\s[-–]\s(?!(?:{_CLAUSE_OPENERS})\b)(?=[{_LOWER}])")
# where an adjunct starts: a headline may end before it ("… làm việc với tỉnh | về tình hình …");
# "khi" starts one, but not as the end of "sau khi" (cut before "sau") or of "trong khi", "mỗi
# khi", "từ khi", "ngay khi", "đến khi", "chỉ khi" (never split: "…, trong." says nothing)
_ADJUNCT = re.compile(
    r"\s(?=(?:về|nhằm|để|theo|sau khi|do|vì|bởi|nhờ)\s)"
    r"|(?<!\btrong)(?<!\bsau)(?<!\bmỗi)(?<!\btừ)(?<!\bngay)(?<!\bđến)(?<!\bchỉ)\s(?=khi\s)"
)
# The words that start a phrase of place, time, manner or purpose: a headline with no clause end
# to stop at ends before one ("… ngồi cạnh Tổng thống Donald Trump | trong một cuộc họp tại …").
# Each with the syllables before and after it that make it part of a word instead ("hiện tại",
# "thu hồi", "kể từ", "lý do"; "từ chối", "qua đời", "để lại"); "vào" and "hồi" start a phrase
# only before a time ("vào ngày …", "hồi tháng 8"), and "kể" before "từ".
_TIME_WORDS = "ngày|tháng|năm|lúc|sáng|chiều|tối|đêm|trưa|cuối|đầu|giữa|khoảng|dịp|hôm|tuần|mùa|quý|thời"
_PHRASE_WORDS: dict[str, tuple[tuple[str, ...], str]] = {
    "tại": (("hiện", "tồn"), "sao"),
    "trong": ((), "sạch|suốt|lành|trẻo|sáng|veo|vắt"),
    "ở": ((), "lại"),
    "vào": ((), f"(?=(?:{_TIME_WORDS})\\b)"),
    "hồi": ((), f"(?=(?:{_TIME_WORDS}|đó|ấy)\\b)"),
    "từ": (("kể",), "chối|chức|thiện|trần|bỏ|tốn|khóa|vựng|điển|trường|biệt|giã|ngữ"),
    "trên": (("nêu", "kể", "cấp", "bên", "phía"), ""),
    "với": (("đối", "so"), ""),
    "sau": (("phía", "đằng", "về"), ""),
    "trước": (("phía", "đằng", "mặt", "năm", "tháng", "tuần", "ngày", "hôm", "lâu", "giờ", "phút", "đi", "sớm"), ""),
    "khi": (("trong", "sau", "mỗi", "từ", "ngay", "đến", "chỉ"), ""),
    "lúc": (("đôi", "có", "mọi", "một"), "nào"),
    "nhằm": ((), ""),
    "để": ((), "lại|ý|dành|tâm|mặc"),
    "về": (("trở", "quay", "đi", "ra", "kéo", "dẫn", "gửi", "mang", "đưa", "trả", "chạy", "bay"), "sau|già"),
    "theo": (("tiếp", "đi", "làm", "kèm", "bám", "noi", "chạy", "mang", "kéo"), "dõi|đuổi"),
    "do": (("lý", "tự", "nguyên"), "dự|thám"),
    "vì": (("bởi",), ""),
    "bằng": (("công", "cân", "đồng", "san", "ngang", "bình", "văn"), "chứng|khen|cấp|lòng|phẳng|hữu|nhau"),
    "qua": (
        ("thông", "vượt", "trải", "bỏ", "đi", "lướt", "xuyên", "tuần", "hôm", "năm", "ngày", "tháng", "đêm"),
        "đời|lại",
    ),
    "giữa": ((), ""),
    "suốt": (("trong",), ""),
    "kể": ((), "(?=từ\\b)"),
}


def _phrase_start(word: str, before: tuple[str, ...], after: str) -> str:
    """The pattern of the space before `word` when it starts a phrase (see `_PHRASE_WORDS`):
    `after` is the words after it that make a compound, or a lookahead of its own ("(?=…")."""
    behind = "".join(rf"(?<!\b{b})" for b in before)
    ahead = after if after.startswith("(?") else (rf"(?!(?:{after})\b)" if after else "")
    return rf"{behind}\s(?={word}\s{ahead})"


_PHRASE = re.compile("|".join(_phrase_start(w, b, a) for w, (b, a) in _PHRASE_WORDS.items()))
# words that leave a phrase open: a headline or a line never ends on one ("… cho các", "… kể
# từ", "phía anh đang"); of two that make one word, the pair may end one ("tự do", "số một")
_OPEN_ENDINGS = frozenset(
    (
        "của",
        "và",
        "với",
        "các",
        "những",
        "là",
        "cho",
        "để",
        "nhằm",
        "hoặc",
        "nhưng",
        "mà",
        "thì",
        "rằng",
        "một",
        "từ",
        "kể",
        "khi",
        "do",
        "vì",
        "như",
        "đã",
        "sẽ",
        "đang",
        "nếu",
    )
)
_CLOSED_PAIRS = frozenset(("tự do", "lý do", "nguyên do", "số một", "hạng một", "lơ là"))
# a list's enumerator, a clause of its own, that announces an item ("…: một là", ", thứ hai"): a
# line never ends on it (a rank, "xếp thứ hai", is not one)
_ENUMERATOR_END = re.compile(rf"(?:^|[,:;]\s*)(?:thứ (?:{ORDINALS})(?: là)?|(?:{COUNTING}) là)\s*$", re.IGNORECASE)
_WORD_END = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+")  # the syllables of `tokens.syllables`, with their places

RULES = ("source_tag", "photo_credit", "attribution", "trailing_byline")
HEADLINE_MAX_SYLLABLES = 20
HEADLINE_MIN_SYLLABLES = 6
# a clause that ends this few syllables past the limit is kept whole rather than cut mid-phrase
HEADLINE_SLACK = 6
HEADLINE_MAX_CHARS = 200


@dataclass(frozen=True)
class Compressed:
    """A compressed sentence and where it lies in the original one.

    `start`/`end` are offsets into the original sentence: `sentence[start:end] == text` when
    only its start or end was removed; otherwise (a removal in the middle) they cover the
    whole sentence.
    """

    text: str
    start: int
    end: int


def compress(sentence: str, *, rules: tuple[str, ...] = RULES) -> Compressed:
    """Apply the enabled `rules` (see the module docstring) to one sentence."""
    text = sentence
    if "source_tag" in rules:
        match = _SOURCE_TAG.match(text)
        if match and len(syllables(text[match.end() :])) >= 4:
            text = text[match.end() :]
    if "trailing_byline" in rules and text[-1:] not in _NO_BYLINE_END:
        match = _TRAILING_BYLINE.search(text)
        if match and match.start() > 0:
            text = text[: match.start()]
    if "attribution" in rules and "(" in text:
        text = _ATTRIBUTION.sub("", text)
    if "photo_credit" in rules:
        removed = _without_credits(text)
        if has_syllable(removed):
            text = removed
    text = text.strip()
    start = sentence.find(text)
    if start < 0:
        return Compressed(text, 0, len(sentence))
    return Compressed(text, start, start + len(text))


@functools.lru_cache(maxsize=16384)
def is_photo_caption(sentence: str) -> bool:
    """A whole sentence that is only a photo/video credit ("Ảnh: TTXVN.", "(Ảnh minh họa)");
    cached: selection asks it of every sentence and unit."""
    return not has_syllable(_without_credits(sentence))


@functools.lru_cache(maxsize=1024)  # selection asks it of the same sentence more than once
def headline_form(sentence: str, *, max_syllables: int = HEADLINE_MAX_SYLLABLES) -> str:
    """A sentence shortened into a headline (see `headline_excerpt`), as text.

    >>> headline_form("TCCS - Ngày 26-6-2024, tỉnh Bắc Giang đạt tăng trưởng 14,14%, đứng đầu cả nước.")
    'Tỉnh Bắc Giang đạt tăng trưởng 14,14%, đứng đầu cả nước'
    """
    return headline_excerpt(sentence, 0, len(sentence), 0, max_syllables=max_syllables).text


# -- compression by deletion: lines made of units -------------------------------------------
#
# A unit (`summarizer.units`) is shortened by deleting words, never by adding or changing one,
# so the line stays source text and its evidence is the list of pieces that were kept. Rules:
# - `lead_phrase`: a ceremony, attribution or dateline opening ("Phát biểu kết luận, ", "Tại hội
#   nghị, ", "Theo Chủ tịch UBND tỉnh …, ", "Ngày 26-6-2024, tại tỉnh Bắc Giang, ") when what
#   follows stands alone;
# - `connective`: a discourse connective ("Trong đó, ", "Tuy nhiên, ") that ties the line to one
#   it no longer follows, before a rest of at least `MIN_REST_SYLLABLES` (also for a report's
#   abstract, which keeps its sentences' other words);
# - `title_chain`: a chain of titles before a name reduced to the last title and the name
#   ("Ủy viên Bộ Chính trị, Bí thư Trung ương Đảng, Trưởng Ban Tổ chức Trung ương Lê Minh
#   Hưng" → "Trưởng Ban Tổ chức Trung ương Lê Minh Hưng");
# - `speaker`: "<who> cho biết/nhấn mạnh/khẳng định, " (also "Chia sẻ về …, ông A, Phó Cục trưởng
#   …, cho biết, ") before a statement that has its own subject;
# - `parenthetical`: a bracketed aside without figures ("(Ủy ban Kinh tế)");
# - `enumeration`: a trailing "…" enumeration cut to its first two items (and the "…"); a
#   run of five or more short list items (up to 4 syllables each) cut to its first three;
# - `clause_cut`: a line still over `MAX_LINE_SYLLABLES` cut at its last place that fits where a
#   line may end (`_line_cuts`: a clause end or before an adjunct, not inside a list (`_in_list`),
#   a name range or a compound ("kinh tế - xã hội"), a quotation or a speaker's introduction,
#   nor on a list's colon or enumerator; when only a place inside brackets fits, the line ends
#   before the bracket opens).
# The sentence rules above (`RULES`) apply to units too.

UNIT_RULES = (
    *RULES,
    "lead_phrase",
    "connective",
    "title_chain",
    "speaker",
    "parenthetical",
    "enumeration",
    "clause_cut",
)
MAX_LINE_SYLLABLES = 45
MIN_REST_SYLLABLES = 8

_TITLE_HEAD = (
    r"(?:Ủy viên|Uỷ viên|Bí thư|Phó Bí thư|Thường trực|Trưởng|Phó|Chủ tịch|Chánh|Bộ trưởng|Thứ trưởng|Tổng"
    r"|Thủ tướng|Giám đốc|Chủ nhiệm|Đại sứ|Thống đốc|Viện trưởng|Cục trưởng|Vụ trưởng|Tư lệnh|Đại biểu"
    r"|Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Người phát ngôn)\b"
)
# a chain ends in a person's name: two or three capitalised syllables before a lower-case word
_NAME_AHEAD = r"[^,;:.()\"“”\d]{0,60}?[A-ZĐÀ-Ỹ][^\W\d_]*\s[A-ZĐÀ-Ỹ][^\W\d_]*(?:\s[A-ZĐÀ-Ỹ][^\W\d_]*)?\s+[a-zđà-ỹ]"
_TITLE_CHAIN = re.compile(
    rf"(?<![^\s,(])(?:{_TITLE_HEAD}[^,;:.()\"“”\d]{{0,60}}?,\s+){{1,6}}(?={_TITLE_HEAD}{_NAME_AHEAD})"
)
# "Ngày 26-6-2024, tại tỉnh Bắc Giang, ": when and where, before the statement
_DATELINE_PLACE = re.compile(
    r"^(?:ngày|sáng|chiều|tối|trưa) (?:ngày )?\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?(?:\s*,\s*tại [^,;]{1,50})?\s*,\s+",
    re.IGNORECASE,
)
_CEREMONY = re.compile(
    r"^(?:phát biểu(?: \w+){0,6}|tại (?:hội nghị|buổi làm việc|buổi tiếp|cuộc họp|phiên họp|buổi lễ|lễ|hội thảo|tọa đàm"
    r"|diễn đàn|sự kiện|phiên thảo luận|buổi gặp)(?: [^,;]{0,40})?|kết luận (?:hội nghị|buổi làm việc|cuộc họp)"
    r"|thay mặt [^,;]{1,60}|theo [^,;]{3,120})\s*,\s+",
    re.IGNORECASE,
)
# a list item's marker ("- ", "• ", "b) ", "2. "): a line reads without it
_LIST_MARKER = re.compile(r"^(?:[-•*+–—]\s*|\d{1,2}[.)]\s+|[a-zđ][.)]\s+)")
# discourse connectives that open a line and tie it to the one before it
_CONNECTIVE_OPENING = re.compile(
    r"^(?:trong đó|tuy nhiên|đồng thời|ngoài ra|bên cạnh đó|theo đó|cụ thể|do đó|vì vậy|chính vì vậy|mặt khác"
    r"|trước mắt|cùng với đó|nhìn chung|về cơ bản|như vậy|bởi vậy|qua đó|từ đó)\s*,\s+",
    re.IGNORECASE,
)
# the verbs that introduce what someone said ("… cho biết, …")
SPEECH_VERBS = r"(?:cho biết|nhấn mạnh|khẳng định|cho rằng|nêu rõ|chia sẻ|nhận định|lưu ý)"
_SPEAKER = re.compile(rf"^[A-ZĐÀ-Ỹ][^,;:.()]{{2,120}}?\s{SPEECH_VERBS}(?:\s+rằng)?\s*[,:]\s+")
# the same with commas in it, when it opens as an introduction does ("Chia sẻ về …, ông A, Phó
# Cục trưởng …, cho biết, "; "Ông A, Giám đốc Sở …, cho biết, "), without a figure
_SPEAKER_INTRO = re.compile(
    rf"^(?:(?:Chia sẻ|Trao đổi|Phát biểu|Trả lời|Bàn|Đánh giá)\s|(?:Ông|Bà)\s[A-ZĐÀ-Ỹ]|{_TITLE_HEAD})"
    rf"[^;:.()\d]{{0,200}}?\s{SPEECH_VERBS}(?:\s+rằng)?\s*[,:]\s+"
)
# a line never ends on who speaks, or before the verb that introduces what they said
_SPEAKER_END = re.compile(rf"\s{SPEECH_VERBS}(?:\s+rằng)?\s*$")
_SPEAKER_AHEAD = re.compile(rf"[^.;:!?]{{0,200}}?\s{SPEECH_VERBS}(?:\s+rằng)?\s*[,:]")
_SUBJECT_WORDS = ("các", "nhiều", "việc", "những", "một", "trong", "từ", "năm", "tổng", "mức", "tốc", "hiện", "đến")
_PAREN = re.compile(r"\s*\([^()\d]{1,80}\)")
_TRAILING_LIST = re.compile(r"(?P<intro>\b(?:như|gồm|là|:))\s+(?P<items>[^;:]+?)(?P<dots>\s*(?:\.\.\.|…))\.?$")
_COMMA = re.compile(r",\s+")
_DOTS = ("...", "…", "….")  # how a text with a trailing enumeration (`_TRAILING_LIST`) ends
# the last item of a list: at most three words, then "và"/"hoặc" ("phục hồi và phát triển")
_LAST_ITEM = re.compile(r"\s*(?:\S+\s+){1,3}?(?:và|hoặc)\s", re.IGNORECASE)
_CLAUSE_MARK = re.compile(r"[;:–-]")  # an item of a list holds none


@dataclass(frozen=True)
class Excerpt:
    """Source text chosen for one output line: pieces of `Document.text` kept in order.

    Attributes:
        pieces: (start, end) spans of the cleaned text that make up the line, in order;
            several when words were deleted between them.
        sentence: the sentence the excerpt comes from.
        text: the pieces joined by single spaces, first letter upper-cased (no end fix).
    """

    pieces: tuple[tuple[int, int], ...]
    sentence: int
    text: str

    @property
    def syllables(self) -> int:
        """Its length in syllables."""
        return len(syllables(self.text))


class _Editable:
    """A piece of text that only loses characters and knows where its kept ones come from:
    `runs` are the source spans of its characters, in order."""

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.runs = [(offset, offset + len(text))] if text else []

    def delete(self, start: int, end: int) -> None:
        """Delete `text[start:end]` (0 <= start: offsets into the current text)."""
        assert start >= 0, "offsets into the current text"
        if end <= start:
            return
        self.text = self.text[:start] + self.text[end:]
        runs, at = [], 0  # `at`: where the run starts in the text before this deletion
        for first, last in self.runs:
            low, high = max(start - at, 0), min(end - at, last - first)
            if low < high:  # the run loses [first + low, first + high)
                runs += [(first, first + low)] if low else []
                runs += [(first + high, last)] if first + high < last else []
            else:
                runs.append((first, last))
            at += last - first
        self.runs = runs

    def keep(self, start: int, end: int) -> None:
        self.delete(end, len(self.text))
        self.delete(0, start)

    def pieces(self) -> tuple[tuple[int, int], ...]:
        """The kept characters as (start, end) spans of the source, one per run of adjacent ones."""
        merged: list[tuple[int, int]] = []
        for first, last in self.runs:
            if merged and merged[-1][1] == first:
                merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return tuple(merged)


def _rest_stands_alone(rest: str) -> bool:
    """True when `rest` can be a line of its own: long enough and opening with a subject."""
    if len(syllables(rest)) < MIN_REST_SYLLABLES:
        return False
    first = rest.lstrip('"“(')[:1]
    if first.isupper() or first.isdigit():
        return True
    word = rest.split(" ", 1)[0].lower()
    return word in _SUBJECT_WORDS


def _lead_phrase(edit: _Editable) -> None:
    match = _LIST_MARKER.match(edit.text)
    if match and len(syllables(edit.text[match.end() :])) >= HEADLINE_MIN_SYLLABLES:
        edit.delete(0, match.end())
    match = _DATELINE_PLACE.match(edit.text)
    if match and len(syllables(edit.text[match.end() :])) >= MIN_REST_SYLLABLES:
        edit.delete(0, match.end())
    match = _CEREMONY.match(edit.text)
    if match and _rest_stands_alone(edit.text[match.end() :]):
        edit.delete(0, match.end())


def _connective(edit: _Editable) -> None:
    match = _CONNECTIVE_OPENING.match(edit.text)
    if match and len(syllables(edit.text[match.end() :])) >= MIN_REST_SYLLABLES:
        edit.delete(0, match.end())


def _title_chain(edit: _Editable) -> None:
    if "," not in edit.text:  # a chain's titles are separated by commas
        return
    for match in reversed(list(_TITLE_CHAIN.finditer(edit.text))):
        edit.delete(match.start(), match.end())


def _speaker(edit: _Editable) -> None:
    match = _SPEAKER.match(edit.text) or _SPEAKER_INTRO.match(edit.text)
    if match and _rest_stands_alone(edit.text[match.end() :]):
        edit.delete(0, match.end())


def _parenthetical(edit: _Editable) -> None:
    if "(" not in edit.text:
        return
    for match in reversed(list(_PAREN.finditer(edit.text))):
        if match.start() > 0 and len(syllables(match.group())) <= 15:
            edit.delete(match.start(), match.end())


def _enumeration(edit: _Editable) -> None:
    # a trailing enumeration ends in "..." or "…" (and maybe a full stop): only then searched
    match = _TRAILING_LIST.search(edit.text) if edit.text.rstrip("\n").endswith(_DOTS) else None
    if match:
        commas = list(_COMMA.finditer(edit.text, match.start("items"), match.end("items")))
        if len(commas) >= 2:  # three or more items: keep two and the "…"
            edit.delete(commas[1].start(), match.start("dots"))
            return
    _short_list(edit)


def _short_list(edit: _Editable, *, min_items: int = 5, keep: int = 3, item_syllables: int = 4) -> None:
    """Cut a run of at least `min_items` short comma-separated items after its first `keep`."""
    if edit.text.count(",") < min_items:  # a run's items each follow a comma
        return
    commas = list(_COMMA.finditer(edit.text))
    if len(commas) < min_items:
        return
    bounds = [0, *(m.end() for m in commas)]
    starts = [m.start() for m in commas] + [len(edit.text)]
    items = [(a, b) for a, b in zip(bounds, starts, strict=True)]
    run: list[tuple[int, int]] = []
    for a, b in [*items, (len(edit.text), len(edit.text))]:
        if 0 < len(syllables(edit.text[a:b])) <= item_syllables and a > 0:
            run.append((a, b))
            continue
        if run and run[-1][1] >= len(edit.text.rstrip(" .…")):
            run = run[:-1]  # the text's last item closes the sentence: kept
        if len(run) >= min_items:
            # drop the items after the first `keep`, with the separator before each
            edit.delete(run[keep - 1][1], run[-1][1])
            return
        run = []


def _clause_cut(edit: _Editable) -> None:
    text = edit.text
    if len(syllables(text)) <= MAX_LINE_SYLLABLES:
        return
    count = _syllables_before(text)
    places = _headline_cuts(text)
    # the last place that fits: one a line may end at (`_line_cuts`); else one inside a quotation
    # or a speaker's introduction; else any clause end (a line over the limit is never a bullet)
    passes = (
        lambda: _line_cuts(text, places),
        lambda: _before_asides(text, _line_cuts(text, places, strict=False)),
        lambda: _before_asides(text, [m.start() for m in _CLAUSE_END.finditer(text)]),
    )
    for cuts in passes:
        fitting = [
            c for c in cuts() if HEADLINE_MIN_SYLLABLES <= count(c) <= MAX_LINE_SYLLABLES and not _ends_open(text[:c])
        ]
        if fitting:
            edit.delete(fitting[-1], len(text))
            return
    # a run without any punctuation is left whole: over the limit, it is never a line (cut by its
    # length, it would end mid-phrase or say less than its source: "… khiến thiệt hại từ.")


def _before_asides(text: str, cuts: list[int]) -> list[int]:
    """`cuts` with each one inside brackets moved to where its outermost bracket opens: a line
    never ends inside an aside it opened ("… 230 tác phẩm (trong đó ảnh về Việt Nam có 50 ảnh
    và ảnh." ends "… 230 tác phẩm.")."""
    if "(" not in text and "[" not in text:
        return cuts
    opened = []  # where the outermost bracket open before each character starts; -1: none
    outer, depth = -1, 0
    for i, ch in enumerate(text):
        opened.append(outer if depth else -1)
        if ch in "([":
            outer = i if depth == 0 else outer
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
    return sorted({opened[c] if opened[c] >= 0 else c for c in cuts})


def _syllables_before(text: str) -> Callable[[int], int]:
    """A function giving `len(syllables(text[:at]))` for a place `at` between two syllables."""
    lowered = text.lower()
    if len(lowered) != len(text):  # lower-casing moved the places ("İ"): count each one anew
        return lambda at: len(syllables(text[:at]))
    starts = [m.start() for m in _WORD_END.finditer(lowered)]
    return lambda at: bisect.bisect_left(starts, at)


def _line_cuts(text: str, places: list[int], *, strict: bool = True) -> list[int]:
    """Which of a headline's `places` (`_headline_cuts`: not inside a list of short items or a
    name, or before an adjunct) a line may end at: not at or right after a colon that opens a
    list, nor after an enumerator ("… có 2 ý nghĩa: một là"), whose items would be cut off.
    `strict`: nor inside quotation marks or brackets, nor in or right after a speaker's
    introduction ("Chia sẻ về …, ông A, Phó Cục trưởng …, cho biết, …"), whose words would be
    cut off."""
    depth = nesting_depth(text) if strict else []
    cuts = []
    for at in places:
        before = text[:at]
        if text[at] == ":" or before.rstrip().endswith(":") or _ENUMERATOR_END.search(before):
            continue
        if strict and (depth[at] > 0 or _SPEAKER_END.search(before) or _SPEAKER_AHEAD.match(text, at)):
            continue
        cuts.append(at)
    return cuts


def _unmatched_quotes(edit: _Editable) -> None:
    """Delete the quotation marks that open or close nothing in the text (a quotation that began
    in the sentence before, or was cut off): "“Tôi cho rằng, hành vi …" reads "Tôi cho rằng, …"."""
    text = edit.text
    if "“" not in text and "”" not in text and '"' not in text:  # most lines: nothing to read
        return
    opened: list[int] = []
    unmatched: list[int] = []
    for i, ch in enumerate(text):
        if ch == "“":
            opened.append(i)
        elif ch == "”":
            if opened:
                opened.pop()
            else:
                unmatched.append(i)
    unmatched += opened
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2:  # the one at the start when there is one, else the last
        unmatched.append(straight[0] if not text[: straight[0]].strip() else straight[-1])
    for i in sorted(unmatched, reverse=True):
        edit.delete(i, i + 1)


def _cut_words(edit: _Editable, n: int, *, max_chars: int = 0) -> None:
    """Keep the first `n` syllables (and at most `max_chars` characters, when set)."""
    tokens = list(_WORD_END.finditer(edit.text))
    if len(tokens) > n:
        edit.delete(tokens[n - 1].end(), len(edit.text))
    if max_chars and len(edit.text) > max_chars:
        space = edit.text.rfind(" ", 0, max_chars)
        edit.delete(space if space > 0 else max_chars, len(edit.text))


def _cut_at_phrase(edit: _Editable, n: int, *, slack: int = 0) -> None:
    """Keep at most `n` syllables, ending before the last phrase of place, time, manner or purpose
    that fits (`_PHRASE`), after a word that closes what it says (`_closes`), else before the first
    one within `slack` more; else after the first `n` syllables, less the words that would leave
    its last phrase open (`_OPEN_ENDINGS`)."""
    text = edit.text
    count = _syllables_before(text)
    sized = [(m.start(), count(m.start())) for m in _PHRASE.finditer(text)]
    places = [(at, size) for at, size in sized if HEADLINE_MIN_SYLLABLES <= size <= n + slack and _closes(text[:at])]
    fitting = [at for at, size in places if size <= n]
    if fitting or places:
        edit.delete(fitting[-1] if fitting else places[0][0], len(edit.text))
        return
    _cut_words(edit, n)
    words = list(_WORD_END.finditer(edit.text))
    keep = len(words)
    while keep > HEADLINE_MIN_SYLLABLES and words[keep - 1].group().lower() in _OPEN_ENDINGS:
        keep -= 1
    if keep < len(words):
        edit.delete(words[keep - 1].end(), len(edit.text))


def _ends_open(before: str) -> bool:
    """True when text ending as `before` does ends on a word that leaves its phrase open
    (`_OPEN_ENDINGS`: "… sống cần kiệm và", "… một gia tài hội họa mà"; not "… tự do"): no line
    ends there."""
    words = [w.lower() for w in _WORD_END.findall(before[-40:])]
    return bool(words) and words[-1] in _OPEN_ENDINGS and " ".join(words[-2:]) not in _CLOSED_PAIRS


def _closes(before: str) -> bool:
    """True when text ending as `before` does can end a headline: not on an open word
    (`_ends_open`), nor on a verb that introduces what someone said ("… cho rằng")."""
    return not _ends_open(before) and not _SPEAKER_END.search(before)


def _ends(edit: _Editable, rules: tuple[str, ...]) -> None:
    """The sentence rules (`compress`), which only trim a unit's start and end (credits anywhere)."""
    kept = compress(edit.text, rules=rules)
    if kept.text != edit.text[kept.start : kept.end]:  # a credit removed in the middle
        for match in reversed(list(_PHOTO.finditer(edit.text))):
            if syllables(edit.text[: match.start()] + edit.text[match.end() :]):
                edit.delete(match.start(), match.end())
        kept = compress(edit.text, rules=tuple(r for r in rules if r != "photo_credit"))
    edit.keep(kept.start, kept.end)


_LINE_TRIM = " ,;:-–"  # what a line never starts or ends with after a deletion
_UNIT_RULE_STEPS = (
    ("lead_phrase", _lead_phrase),
    ("connective", _connective),
    ("title_chain", _title_chain),
    ("speaker", _speaker),
    ("parenthetical", _parenthetical),
    ("enumeration", _enumeration),
    ("clause_cut", _clause_cut),
)


def excerpt(
    text: str, start: int, end: int, sentence: int, *, rules: tuple[str, ...] = UNIT_RULES, capitalize: bool = False
) -> Excerpt:
    """`text[start:end]` (a unit or a sentence) compressed by deletion with the enabled `rules`,
    without quotation marks that open or close nothing in it (a quotation that began in the
    sentence before, or was cut off).

    The first letter is upper-cased when words were deleted at the start, or with `capitalize`
    (a unit that does not open its sentence).

    >>> s = "Phát biểu kết luận, Ủy viên Bộ Chính trị, Thường trực Ban Bí thư Lương Cường đề nghị tỉnh làm."
    >>> excerpt(s, 0, len(s), 0).text
    'Thường trực Ban Bí thư Lương Cường đề nghị tỉnh làm.'
    """
    edit = _Editable(text[start:end], start)
    _ends(edit, tuple(r for r in rules if r in RULES))
    edit.keep(0, len(edit.text) - official_ending_length(edit.text))  # "./." ends a line as "."
    for name, step in _UNIT_RULE_STEPS:
        if name in rules:
            step(edit)
            if edit.text[:1] in _LINE_TRIM or edit.text[-1:] in _LINE_TRIM:  # "" too: nothing to keep
                edit.keep(len(edit.text) - len(edit.text.lstrip(_LINE_TRIM)), len(edit.text.rstrip(_LINE_TRIM)))
    _unmatched_quotes(edit)
    pieces = stripped_spans(text, edit.pieces()) or stripped_spans(text, ((start, end),))
    joined = _join(text, pieces)
    if capitalize or (pieces and pieces[0][0] != start):
        joined = joined[:1].upper() + joined[1:]
    return Excerpt(pieces=pieces, sentence=sentence, text=joined)


def _join(text: str, pieces: tuple[tuple[int, int], ...]) -> str:
    """The pieces as one line: a space between them unless the next opens with punctuation."""
    out = ""
    for a, b in pieces:
        piece = text[a:b]
        out = out + piece if not out or piece[:1] in ",.;:…)" else f"{out} {piece}"
    return out


def _headline_cuts(text: str) -> list[int]:
    """Where a headline may end: at a clause end that is not inside a list (`_in_list`), a name
    range or a compound ("kinh tế - xã hội"), or before an adjunct."""
    cuts = []
    for match in _CLAUSE_END.finditer(text):
        at = match.start()
        if match.group().strip() in "-–" and (
            _NAME_DASH.search(text, max(0, at - 30), match.end() + 2) or _COMPOUND_DASH.match(text, at)
        ):
            continue
        _, earlier_comma, before = text[:at].rpartition(",")
        after = text[match.end() :].split(",", 1)
        if match.group()[0] == "," and _in_list(before, after, middle=bool(earlier_comma)):
            continue  # inside a list of short items ("mục tiêu, nhiệm vụ, giải pháp")
        cuts.append(at)
    cuts += [m.start() for m in _ADJUNCT.finditer(text)]
    return sorted(set(cuts))


def _in_list(before: str, after: list[str], *, middle: bool) -> bool:
    """True for a comma between the items of a list: `before` is the text since the comma
    before it (`middle`: there is one), `after` the rest split at the next comma. Short items
    on both sides ("mục tiêu, nhiệm vụ, giải pháp"); a one-word item ("thu, chi ngân sách"); or
    a short item after another comma and before the last one's "và"/"hoặc" ("tháo gỡ khó khăn,
    thúc đẩy, phục hồi và phát triển kinh tế")."""
    size = len(syllables(before))
    if len(after) > 1 and min(size, len(syllables(after[0]))) <= 3:
        return True
    if any(c.isdigit() for c in before) or _CLAUSE_MARK.search(before):  # "…, tăng 5%": a clause
        return False
    return size <= 1 or (middle and size <= 3 and _LAST_ITEM.match(after[0]) is not None)


def headline_excerpt(
    text: str, start: int, end: int, sentence: int, *, max_syllables: int = HEADLINE_MAX_SYLLABLES
) -> Excerpt:
    """`text[start:end]` (a sentence) shortened by deletion into a headline of about
    `max_syllables` syllables (at most `HEADLINE_SLACK` more, to end at a clause) that keeps
    its subject, without quotation marks that open or close nothing in it.

    Deleted: source tags and credits (`RULES`), a leading time phrase, ceremony and attribution
    openings, chains of titles before a name, asides (`UNIT_RULES`); then, when still too long,
    everything after the last clause end or adjunct that fits (`_headline_cuts`: never inside a
    list, a "Name – Name" range or a compound, nor after an open word or a speech verb:
    `_closes`), else after the first one within `HEADLINE_SLACK` more syllables; with no such
    place, before the last phrase of place, time, manner or purpose that fits, else after
    `max_syllables` syllables less any open word at the end (`_cut_at_phrase`). No final full stop.
    """
    edit = _Editable(text[start:end], start)
    _ends(edit, RULES)
    edit.keep(0, len(edit.text) - official_ending_length(edit.text))
    for name, step in _UNIT_RULE_STEPS:
        if name not in ("enumeration", "clause_cut"):
            step(edit)
    match = _LEAD_TIME.match(edit.text)
    if match and len(syllables(edit.text[match.end() :])) >= HEADLINE_MIN_SYLLABLES:
        edit.delete(0, match.end())
    if len(syllables(edit.text)) > max_syllables:
        cuts = [c for c in _headline_cuts(edit.text) if _closes(edit.text[:c])]
        sizes = [len(syllables(edit.text[:c])) for c in cuts]
        fitting = [c for c, n in zip(cuts, sizes, strict=True) if HEADLINE_MIN_SYLLABLES <= n <= max_syllables]
        nearly = [c for c, n in zip(cuts, sizes, strict=True) if max_syllables < n <= max_syllables + HEADLINE_SLACK]
        if fitting or nearly:
            edit.delete((fitting or nearly)[-1 if fitting else 0], len(edit.text))
        else:  # no clause end anywhere near: before a phrase that fits, else after whole words
            _cut_at_phrase(edit, max_syllables, slack=HEADLINE_SLACK)
    _cut_words(edit, max_syllables + HEADLINE_SLACK, max_chars=HEADLINE_MAX_CHARS)  # accents, symbols
    _unmatched_quotes(edit)
    edit.keep(len(edit.text) - len(edit.text.lstrip(" ,;:-–")), len(edit.text.rstrip(" .,;:-–")))
    pieces = stripped_spans(text, edit.pieces()) or stripped_spans(text, ((start, end),))
    joined = _join(text, pieces)
    return Excerpt(pieces=pieces, sentence=sentence, text=joined[:1].upper() + joined[1:])
