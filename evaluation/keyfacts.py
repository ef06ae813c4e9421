"""Key-fact coverage of long reports: does a summary keep what an editor would keep?

The benchmark (`evaluation/keyfacts/reports.json`, made as `evaluation/keyfacts/README.md`
says) lists long reports by where their text lives in the shared data, never the text
itself, and for each report five facts an editor would keep. A fact is a list of acceptable
substrings; a summary covers it when its headline + abstract + bullets contain any of them,
both sides in NFC and case-folded. Coverage only means something next to length (a summary
that says everything covers everything), so every score comes with the summary's words
(whitespace tokens: Vietnamese syllables) and its bullets' lengths.

`score_keyfacts` is the pure scorer; `run_keyfacts` summarizes every report whose source is
present and writes predictions.jsonl, metrics.json (`scores.keyfacts`) and report.md.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import statistics
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import InvalidInputError
from summarizer.tokens import syllables

logger = logging.getLogger(__name__)

DEFAULT_REPORTS = Path(__file__).resolve().parent / "keyfacts" / "reports.json"
DEFAULT_SHARED = Path("../shared")
SCHEMA_VERSION = 1


def normalize(text: str) -> str:
    """The form both sides are matched in: Unicode NFC, then case-folded."""
    return unicodedata.normalize("NFC", text).casefold()


def word_count(text: str) -> int:
    """Whitespace tokens: for Vietnamese text, its syllables."""
    return len(text.split())


@dataclass(frozen=True)
class KeyFactScore:
    """How many of a report's facts one summary states, and how long the summary is."""

    covered: tuple[bool, ...]
    # per fact, the first of its substrings found (None where the fact is not covered)
    matched: tuple[str | None, ...]
    words: int

    @property
    def n_covered(self) -> int:
        return sum(self.covered)

    @property
    def n_facts(self) -> int:
        return len(self.covered)


def score_keyfacts(parts: Sequence[str], facts: Sequence[Sequence[str]]) -> KeyFactScore:
    """Which `facts` the summary `parts` (headline, abstract, bullets...) state.

    A fact is covered when any of its substrings occurs in any part, both sides in NFC and
    case-folded. A substring is never matched across two parts. `words` counts the
    whitespace tokens of all parts together.
    """
    texts = [normalize(part) for part in parts]
    matched: list[str | None] = []
    for fact in facts:
        found = next((s for s in fact if any(normalize(s) in text for text in texts)), None)
        matched.append(found)
    return KeyFactScore(
        covered=tuple(m is not None for m in matched),
        matched=tuple(matched),
        words=sum(word_count(part) for part in parts),
    )


@dataclass(frozen=True)
class Report:
    """One report of the benchmark: where its text is and the facts to find in a summary."""

    id: str
    # path of the source, relative to the shared data folder (e.g. data/abmusu/docs-train.jsonl.xz)
    path: str
    # id of the record in a JSONL source; None for a plain-text file read whole
    record: str | None
    topic: str
    description: str
    labels: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]
    # which set of the benchmark it belongs to (its "set" field; "first" when absent): the sets
    # were written apart and are reported apart
    set: str = "first"


def _report(item: Any, where: str) -> Report:
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where}: a report must be an object")
    source = item.get("source")
    facts = item.get("facts")
    if not isinstance(item.get("id"), str) or not isinstance(source, dict) or not isinstance(source.get("path"), str):
        raise InvalidInputError(f"{where}: a report needs an 'id' and a 'source' with a 'path'")
    if (
        not isinstance(facts, list)
        or not facts
        or not all(isinstance(f, list) and f and all(isinstance(s, str) and s.strip() for s in f) for f in facts)
    ):
        raise InvalidInputError(f"{where} ({item['id']}): 'facts' must be a non-empty list of lists of substrings")
    labels = item.get("labels") or [""] * len(facts)
    if len(labels) != len(facts):
        raise InvalidInputError(f"{where} ({item['id']}): 'labels' must have one entry per fact")
    return Report(
        id=item["id"],
        path=source["path"],
        record=source.get("record"),
        topic=str(item.get("topic", "")),
        description=str(item.get("description", "")),
        labels=tuple(str(label) for label in labels),
        facts=tuple(tuple(fact) for fact in facts),
        set=str(item.get("set") or "first"),
    )


def load_reports(path: str | Path = DEFAULT_REPORTS) -> list[Report]:
    """The reports of a benchmark file (format: evaluation/keyfacts/README.md).

    Raises:
        InvalidInputError: the file is missing, not JSON, or not in the format (what is wrong is named).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path}: not a key-fact file (not UTF-8 JSON: {exc})") from None
    items = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidInputError(f"{path}: not a key-fact file (no 'reports' list)")
    reports = [_report(item, f"{path}: report {i + 1}") for i, item in enumerate(items)]
    seen: set[str] = set()
    for report in reports:
        if report.id in seen:
            raise InvalidInputError(f"{path}: report id {report.id!r} is repeated")
        seen.add(report.id)
    return reports


def editor_paste(title: str, sapo: str, body: str) -> str:
    """A news record as an editor pastes it: title line, sapo line, body (empty parts left out)."""
    return "\n".join(part.strip() for part in (title, sapo, body) if part and part.strip())


def load_texts(reports: Iterable[Report], shared: str | Path = DEFAULT_SHARED) -> dict[str, str | None]:
    """Each report's text, read from the shared data; None (with the reason logged) where absent.

    A JSONL source gives `editor_paste(title, summary, text)` of its record (AbMuSu docs:
    title, sapo, body); any other file is read whole, as it is.
    """
    from evaluation.datasets import read_records

    shared = Path(shared)
    texts: dict[str, str | None] = {}
    wanted: dict[Path, dict[str, str]] = {}  # JSONL file -> record id -> report id
    for report in reports:
        path = shared / report.path
        texts[report.id] = None
        if not path.is_file():
            logger.warning("%s: source %s is absent, skipped", report.id, path)
        elif report.record is None:
            texts[report.id] = path.read_text(encoding="utf-8")
        else:
            wanted.setdefault(path, {})[report.record] = report.id
    for path, records in wanted.items():
        for record in read_records(path, require_summary=False):
            if record.id in records:
                texts[records.pop(record.id)] = editor_paste(record.title, record.summary, record.text)
        for record_id, report_id in records.items():
            logger.warning("%s: record %s is not in %s, skipped", report_id, record_id, path)
    return texts


def facts_not_in_text(report: Report, text: str) -> list[str]:
    """The substrings of `report` that its own text does not contain (empty: all is well).

    Spacing variants are allowed ("6,8-7,1%" where the text has "6,8 - 7,1%": whitespace is
    ignored), but each fact needs at least one substring that occurs exactly, so that a
    summary made of the report's own words can cover it.
    """
    exact = normalize(text)
    spaceless = "".join(exact.split())
    problems = []
    for fact in report.facts:
        if not any(normalize(s) in exact for s in fact):
            problems.append(f"{report.id}: no substring of {list(fact)} occurs in the text")
        problems += [
            f"{report.id}: {s!r} does not occur in the text"
            for s in fact
            if "".join(normalize(s).split()) not in spaceless
        ]
    return problems


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def summary_row(report: Report, summary: Any, seconds: float) -> dict[str, Any]:
    """One predictions.jsonl row: the summary, its key-fact score and its lengths."""
    bullets = list(summary.bullets)
    score = score_keyfacts([summary.headline, summary.abstract, *bullets], report.facts)
    # syllables as the summarizer counts them: a " - " or a "…" between words is none
    bullet_syllables = [len(syllables(b)) for b in bullets]
    return {
        "id": report.id,
        "headline": summary.headline,
        "abstract": summary.abstract,
        "bullets": bullets,
        "warnings": list(summary.info.warnings),
        "facts": score.n_facts,
        "covered": score.n_covered,
        "covered_facts": list(score.covered),
        "matched": list(score.matched),
        "words": score.words,
        "n_bullets": len(bullets),
        "bullet_syllables": bullet_syllables,
        "seconds": round(seconds, 4),
    }


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The totals of `summary_row` rows (`scores.keyfacts` of metrics.json)."""
    facts = sum(r["facts"] for r in rows)
    covered = sum(r["covered"] for r in rows)
    words = [r["words"] for r in rows]
    bullet_lengths = [s for r in rows for s in r["bullet_syllables"]]
    seconds = [r["seconds"] for r in rows]
    return {
        "reports": len(rows),
        "facts": facts,
        "covered": covered,
        "coverage_pct": round(100 * covered / facts, 1) if facts else None,
        "words_mean": round(statistics.fmean(words), 1) if words else None,
        "words_median": _median(words),
        "words_max": max(words, default=None),
        "bullets": sum(r["n_bullets"] for r in rows),
        "bullets_per_report_mean": round(statistics.fmean(r["n_bullets"] for r in rows), 2) if rows else None,
        "bullet_syllables_median": _median(bullet_lengths),
        "bullet_syllables_max": max(bullet_lengths, default=None),
        "seconds_total": round(sum(seconds), 3),
        "seconds_max": max(seconds, default=None),
    }


def render_table(rows: Sequence[dict[str, Any]], totals: dict[str, Any]) -> str:
    """A compact Markdown table: per report and in total."""
    lines = [
        "| report | facts | words | bullets | bullet syll. median/max | s |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        syll = r["bullet_syllables"]
        med = f"{statistics.median(syll):g}/{max(syll)}" if syll else "-"
        cells = [r["id"], f"{r['covered']}/{r['facts']}", r["words"], r["n_bullets"], med, f"{r['seconds']:.2f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    t = totals
    med = "-" if t["bullets"] == 0 else f"{t['bullet_syllables_median']:g}/{t['bullet_syllables_max']}"
    lines.append(
        f"| **total ({t['reports']} reports)** | **{t['covered']}/{t['facts']} = {t['coverage_pct']}%** "
        f"| mean {t['words_mean']}, max {t['words_max']} | {t['bullets']} | {med} | {t['seconds_total']:.2f} |"
    )
    return "\n".join(lines) + "\n"


def run_keyfacts(
    summarizer: Any,
    out: str | Path,
    *,
    data: str | Path = DEFAULT_REPORTS,
    shared: str | Path = DEFAULT_SHARED,
    generation: dict[str, dict[str, Any]] | None = None,
    threads: int = 0,
) -> dict[str, Any]:
    """Summarize every report whose source is present, score it, write the run folder.

    Writes predictions.jsonl, metrics.json (`scores.keyfacts`, `per_report`, `skipped`) and
    report.md into `out`; returns metrics.json's content. One warm-up call on the first
    report is made before the timed ones. Each report is summarized without a title, from
    the text an editor would paste.

    Raises:
        InvalidInputError: the data file is not usable, or no report's source is present.
    """
    from evaluation.machine import machine_info
    from evaluation.runner import git_commit, sha256_file

    reports = load_reports(data)
    texts = load_texts(reports, shared)
    present = [r for r in reports if texts[r.id] is not None]
    skipped = [r.id for r in reports if texts[r.id] is None]
    if not present:
        raise InvalidInputError(
            f"none of the {len(reports)} reports' sources is under {shared}: give --shared (the shared data folder)"
        )
    generation = dict(generation or {})
    if "extractive" in generation:  # e.g. extractive.compression=[] for a rule ablation, as in `tomtat eval`
        settings = {**summarizer.spec.extractive, **generation.pop("extractive")}
        summarizer.spec = dataclasses.replace(summarizer.spec, extractive=settings)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summarizer.summarize(texts[present[0].id], generation=generation)  # warm-up, not timed
    rows = []
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for report in present:
            t0 = time.perf_counter()
            summary = summarizer.summarize(texts[report.id], generation=generation)
            row = summary_row(report, summary, time.perf_counter() - t0)
            rows.append(row)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    totals = aggregate(rows)
    sets = {report.id: report.set for report in present}
    by_set = {name: aggregate([r for r in rows if sets[r["id"]] == name]) for name in dict.fromkeys(sets.values())}
    metrics = {
        "schema_version": SCHEMA_VERSION,
        "task": "keyfacts",
        "n": len(rows),
        "scores": {"keyfacts": totals, "keyfacts_by_set": by_set},
        "per_report": [
            {k: r[k] for k in ("id", "facts", "covered", "words", "n_bullets", "bullet_syllables", "seconds")}
            for r in rows
        ],
        "skipped": skipped,
        "model": {**summarizer.spec.card(), **summarizer.info.as_dict()},
        "options": {"generation": generation},
        "data": {"path": str(data), "sha256": sha256_file(data), "shared": str(shared)},
        "git_commit": git_commit(),
        "machine": machine_info(summarizer.info.device, threads),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(render_report(metrics, rows, reports), encoding="utf-8")
    return metrics


def render_report(metrics: dict[str, Any], rows: Sequence[dict[str, Any]], reports: Sequence[Report]) -> str:
    """report.md: the table, then per report the facts missed (by their labels)."""
    from evaluation.machine import format_load_avg

    by_id = {r.id: r for r in reports}
    model = metrics["model"]
    lines = [
        f"# Key facts: {model.get('name', '?')}",
        "",
        f"Data: `{metrics['data']['path']}` (sha256 {metrics['data']['sha256'][:12]}), "
        f"commit {metrics['git_commit'][:12]}, {metrics['created']}. Machine: {metrics['machine'].get('cpu', '?')}, "
        f"load {format_load_avg(metrics['machine'].get('load_avg'))}.",
        "",
        "A fact is covered when headline + abstract + bullets contain one of its substrings (NFC, case-folded); "
        "words are whitespace tokens, bullet syllables as the summarizer counts them.",
        "",
        render_table(rows, metrics["scores"]["keyfacts"]),
    ]
    by_set = metrics["scores"].get("keyfacts_by_set", {})
    if len(by_set) > 1:
        lines += [
            "By set: "
            + "; ".join(f"{name} {t['covered']}/{t['facts']} = {t['coverage_pct']}%" for name, t in by_set.items()),
            "",
        ]
    if metrics["skipped"]:
        lines += [f"Skipped (source absent): {', '.join(metrics['skipped'])}", ""]
    lines += ["## Facts missed", ""]
    for row in rows:
        report = by_id[row["id"]]
        missed = [
            report.labels[i] or " / ".join(report.facts[i]) for i, ok in enumerate(row["covered_facts"]) if not ok
        ]
        lines.append(f"- {row['id']}: {'; '.join(missed) if missed else 'none'}")
    return "\n".join(lines) + "\n"
