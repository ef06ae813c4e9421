"""Faithfulness guard: numbers and names in generated text must occur in the source.

Rule: every number, percentage or date in a generated sentence is reduced to a canonical
key and looked up among the keys of the source document. Canonical keys:
- spaces before "%"/"‰" removed ("14,14 %" ≡ "14,14%");
- date separators unified ("26-6-2024" ≡ "26/6/2024" ≡ "26.6.2024"), leading zeros dropped
  ("06/08" ≡ "6/8"), and every leading part of a source date is allowed too ("26/6" from
  "26/6/2024");
- a grouped number also matches its digits alone ("1.000" ≡ "1000").
A sentence is unfaithful when one of its numbers has no key in the source.

Names: a run of two or more capitalized words ("Nguyễn Văn Thể", "Ban Bí thư" gives
"Ban Bí") must occur in the source, compared case-insensitively after normalization; a run
that starts a sentence may also match without its first word ("Ông Lê Minh Hưng" is
supported by "Lê Minh Hưng"). Single capitalized words are not checked (every sentence
starts with one), nor are ordinary words: that needs a model, not a rule.
"""

from __future__ import annotations

import functools
import re

_NUMBER = re.compile(
    r"(?<![\w])(\d+(?:[.,/-]\d+)*)(\s?[%‰])?(?![\w])",
)
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_DATE_LIKE = re.compile(r"^\d{1,4}(?:[/-]\d{1,4}){1,2}$|^\d{1,2}\.\d{1,2}\.\d{4}$")


def _keys(token: str, unit: str | None) -> set[str]:
    unit = (unit or "").strip()
    if _DATE_LIKE.match(token):
        parts = [p.lstrip("0") or "0" for p in re.split(r"[/.-]", token)]
        # "26/6/2024" also vouches for "26/6" and "6/2024"
        keys = {"/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
        return {k + unit for k in keys}
    keys = {token + unit}
    if _GROUPED.match(token):
        keys.add(re.sub(r"[.,]", "", token) + unit)
    return keys


def number_keys(text: str) -> set[str]:
    """All canonical keys of the numbers in `text` (see the module docstring)."""
    keys: set[str] = set()
    for match in _NUMBER.finditer(text):
        keys |= _keys(match.group(1), match.group(2))
    return keys


def invented_numbers(generated: str, source_keys: set[str]) -> list[str]:
    """Numbers of `generated` that the source does not contain, as written."""
    missing = []
    for match in _NUMBER.finditer(generated):
        keys = _keys(match.group(1), match.group(2))
        if not keys & source_keys:
            missing.append(match.group(0).strip())
    return missing


_WORD = re.compile(r"[^\W\d_]+")


def _name_key(text: str) -> str:
    return " ".join(text.lower().split())


def name_runs(text: str) -> list[str]:
    """Runs of two or more capitalized words separated only by spaces."""
    runs: list[list[str]] = []
    previous_end = -1
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[0].isupper():
            previous_end = -1
            continue
        if runs and previous_end >= 0 and text[previous_end : match.start()].isspace():
            runs[-1].append(word)
        else:
            runs.append([word])
        previous_end = match.end()
    return [" ".join(run) for run in runs if len(run) >= 2]


# `count_name_runs` as one regex, for text whose characters all lie below this code point: the
# capital letters there are few enough to list (built once, on first use)
_FAST_BELOW = 0x3000


@functools.cache
def _runs_pattern() -> re.Pattern[str]:
    capitals = "".join(c for c in map(chr, range(_FAST_BELOW)) if c.isupper() and _WORD.fullmatch(c))
    word = rf"[{re.escape(capitals)}][^\W\d_]*"
    return re.compile(rf"(?<![^\W\d_]){word}(?:\s+(?<![^\W\d_]){word})+")


def count_name_runs(text: str) -> int:
    """`len(name_runs(text))`, about twice as fast (sentence features ask it of every
    sentence and unit)."""
    if not text or max(text) >= chr(_FAST_BELOW):
        return len(name_runs(text))
    return len(_runs_pattern().findall(text))  # the pattern has no groups: one string per run


def invented_names(generated: str, source: str) -> list[str]:
    """Runs of capitalized words in `generated` that the source does not contain."""
    haystack = _name_key(source)
    missing = []
    for run in name_runs(generated):
        words = run.split()
        candidates = [run] + ([" ".join(words[1:])] if len(words) > 2 else [])
        if not any(_name_key(c) in haystack for c in candidates):
            missing.append(run)
    return missing


def unsupported(text: str, source_keys: set[str], source: str) -> list[str]:
    """Numbers and names of a generated text that the source does not contain.

    `source_keys` is `number_keys(source)`, computed once per source by the caller.
    """
    return invented_numbers(text, source_keys) + invented_names(text, source)


ALL_DROPPED = "no bullets: the faithfulness guard dropped the bullets the model wrote"
"""The warning of a summary left with no bullet after the guard dropped some (the rest repeated the headline)."""


def select(
    candidates: list[str], source_keys: set[str], source: str, *, policy: str = "drop"
) -> tuple[list[str], list[str]]:
    """The generated sentences to keep, and a warning for each that names what the source lacks.

    `policy` "drop" leaves such sentences out; "flag" keeps them and only warns.
    """
    kept: list[str] = []
    warnings: list[str] = []
    for sentence in candidates:
        invented = unsupported(sentence, source_keys, source)
        if invented and policy == "drop":
            warnings.append(f"bullet dropped: not in the source: {', '.join(invented)}")
            continue
        if invented:
            warnings.append(f"bullet has what is not in the source: {', '.join(invented)}")
        kept.append(sentence)
    return kept, warnings
