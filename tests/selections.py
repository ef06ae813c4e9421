"""ext-vi's selections on a fixed sample, to check that speed work leaves outputs unchanged.

`python -m tests.selections` writes `tests/fixtures/ext_vi_selections.json` from the code as it
is; `tests/integration/test_selection_identity.py` compares today's output with it. The file
holds, per document, the evidence spans of every line and a hash of the lines: no article text.
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
# news (short), 2022 articles (some long) and the long sample report
SOURCES = (
    ("data/vietnews/validation.jsonl.xz", 300),
    ("data/abmusu/docs-validation.jsonl.xz", 60),
)
SEED = 0


def sample(shared: Path = SHARED) -> Iterator[tuple[str, str]]:
    """(id, text) of the fixed sample: seeded records of each source, then the sample report."""
    for name, count in SOURCES:
        with lzma.open(shared / name, "rt", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        for record in random.Random(SEED).sample(records, count):
            yield record["id"], record["text"]
    report = shared / "samples" / "bac-giang-working-session.txt"
    yield report.name, report.read_text(encoding="utf-8")


def fingerprint(summary: object) -> dict[str, object]:
    """What must not change: each line's evidence spans, and a hash of the lines themselves."""
    lines = [summary.headline, summary.abstract, *summary.bullets]  # type: ignore[attr-defined]
    digest = hashlib.sha1(json.dumps(lines, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    spans = [[e.part, [[s.start, s.end] for s in e.sources]] for e in summary.evidence]  # type: ignore[attr-defined]
    return {"lines": digest, "evidence": spans}


def selections(shared: Path = SHARED) -> dict[str, dict[str, object]]:
    """The fingerprint of ext-vi's default summary of every document of the sample."""
    from summarizer import Summarizer

    system = Summarizer.from_pretrained("ext-vi")
    ids, texts = zip(*sample(shared), strict=True)
    return {i: fingerprint(s) for i, s in zip(ids, system.summarize_many(list(texts)), strict=True)}


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(selections(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
