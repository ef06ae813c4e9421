"""ext-vi's selections on a fixed sample, to check that speed work leaves outputs unchanged.

`python -m tests.selections` writes `tests/fixtures/ext_vi_selections.json` from the code as it
is; `tests/integration/test_selection_identity.py` compares today's output with it. The file
holds, per document, the evidence spans of every line and a hash of the lines (no article
text), and the CPU that wrote it.
Rewrite it only on purpose, when a change is meant to alter ext-vi's output (say so in the
commit).
"""

from __future__ import annotations

import hashlib
import json
import lzma
import random
from collections.abc import Iterator
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "ext_vi_selections.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# news (short; the last 100 with their titles given), 2022 articles (some long), the sample report
SOURCES = (
    ("data/vietnews/validation.jsonl.xz", 300, 100),
    ("data/abmusu/docs-validation.jsonl.xz", 60, 0),
)
SEED = 0


def sample(shared: Path = SHARED) -> Iterator[tuple[str, str, str | None]]:
    """(id, text, title) of the fixed sample: seeded records of each source (the title given to
    the last of them, as the source says), then the sample report."""
    for name, count, titled in SOURCES:
        with lzma.open(shared / name, "rt", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        for i, record in enumerate(random.Random(SEED).sample(records, count)):
            title = record.get("title") or None if i >= count - titled else None
            yield record["id"] + (":titled" if title else ""), record["text"], title
    report = shared / "samples" / "bac-giang-working-session.txt"
    yield report.name, report.read_text(encoding="utf-8"), None


def fingerprint(summary: object) -> dict[str, object]:
    """What must not change: each line's evidence spans, and a hash of the lines themselves."""
    lines = [summary.headline, summary.abstract, *summary.bullets]  # type: ignore[attr-defined]
    digest = hashlib.sha1(json.dumps(lines, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    spans = [[e.part, [[s.start, s.end] for s in e.sources]] for e in summary.evidence]  # type: ignore[attr-defined]
    return {"lines": digest, "evidence": spans}


def cpu() -> str:
    """The CPU's vendor, family/model and SIMD flags: numpy's and OpenBLAS's kernels (and so the
    last bits of a float sum) depend on them."""
    from evaluation.machine import cpu_info

    try:
        info = cpu_info(Path("/proc/cpuinfo").read_text(encoding="utf-8"))
    except OSError:
        return "unknown"
    return f"{info.get('cpu_family', '?')} {' '.join(info['cpu_flags'])}"


def selections(shared: Path = SHARED) -> dict[str, dict[str, object]]:
    """The fingerprint of ext-vi's default summary of every document of the sample."""
    from summarizer import Summarizer

    system = Summarizer.from_pretrained("ext-vi")
    ids, texts, titles = zip(*sample(shared), strict=True)
    summaries = system.summarize_many(list(texts), titles=list(titles))
    return {i: fingerprint(s) for i, s in zip(ids, summaries, strict=True)}


if __name__ == "__main__":
    fixture = {"cpu": cpu(), "documents": selections()}
    FIXTURE.write_text(json.dumps(fixture, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
