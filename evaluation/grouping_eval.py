"""`tomtat eval --task grouping`: the articles of an AbMuSu clusters file, shuffled, grouped into
stories by `summarizer.grouping.group`, scored by adjusted Rand index against the true clusters.

`python -m evaluation.grouping_eval --choose DATA` prints, for each threshold of a grid, the
ARI on DATA's articles pooled and shuffled, and the share of `SMALL_SETS` small sets (the
articles of 1–3 random clusters, shuffled) grouped exactly (clusters-train chose
`summarizer.grouping.DEFAULT_THRESHOLD`).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from evaluation.digest_eval import read_clusters
from evaluation.machine import machine_info
from evaluation.runner import git_commit, sha256_file
from summarizer.document import Document, prepare_document
from summarizer.grouping import DEFAULT_THRESHOLD, group

THRESHOLD_GRID = tuple(round(0.02 + 0.02 * i, 2) for i in range(15))
SMALL_SETS = 150


def shuffled_articles(path: str | Path, *, seed: int = 0, limit: int | None = None) -> tuple[list[Document], list[int]]:
    """Every article of the clusters (title given, sapo + body) in a seeded random order, and
    the index of its true cluster."""
    articles: list[tuple[Document, int]] = []
    for number, cluster in enumerate(read_clusters(path, limit=limit)):
        for text, title in zip(cluster.texts, cluster.titles, strict=True):
            articles.append((prepare_document(text, title=title or None), number))
    random.Random(seed).shuffle(articles)
    return [d for d, _ in articles], [c for _, c in articles]


def adjusted_rand(stories: list[list[int]], truth: list[int]) -> float:
    """Adjusted Rand index of `stories` (lists of indices) against the true cluster of each index."""
    from sklearn.metrics import adjusted_rand_score

    predicted = [0] * len(truth)
    for label, story in enumerate(stories):
        for index in story:
            predicted[index] = label
    return float(adjusted_rand_score(truth, predicted))


def run_grouping_eval(
    data: str, out: str, *, limit: int | None = None, seed: int = 0, threshold: float | None = None
) -> dict[str, Any]:
    """Group the shuffled articles of `data`, write `out`/metrics.json and `out`/stories.json."""
    docs, truth = shuffled_articles(data, seed=seed, limit=limit)
    started = time.perf_counter()
    stories = group(docs, threshold=threshold)
    seconds = time.perf_counter() - started
    metrics = {
        "task": "grouping",
        "n": len(docs),
        "scores": {
            "grouping": {
                "adjusted_rand": round(adjusted_rand(stories, truth), 4),
                "stories": len(stories),
                "true_clusters": len(set(truth)),
                "threshold": DEFAULT_THRESHOLD if threshold is None else threshold,
            }
        },
        "data": {"path": str(data), "sha256": sha256_file(data), "limit": limit, "shuffle_seed": seed},
        "speed": {"seconds": round(seconds, 3), "articles_per_s": round(len(docs) / seconds, 1) if seconds else None},
        "git_commit": git_commit(),
        "machine": machine_info("cpu", 0),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "stories.json").write_text(json.dumps({"stories": stories, "truth": truth}), encoding="utf-8")
    return metrics


def small_sets(truth: list[int], *, seed: int = 0, count: int = SMALL_SETS) -> list[list[int]]:
    """`count` sets of article indices: all the articles of 1–3 random clusters, shuffled."""
    rng = random.Random(seed)
    members: dict[int, list[int]] = {}
    for index, cluster in enumerate(truth):
        members.setdefault(cluster, []).append(index)
    keys = sorted(members)
    out = []
    for _ in range(count):
        chosen = rng.sample(keys, min(rng.choice([1, 2, 3]), len(keys)))
        indices = [i for k in chosen for i in members[k]]
        rng.shuffle(indices)
        out.append(indices)
    return out


def choose_threshold(data: str, *, seed: int = 0) -> dict[float, dict[str, float]]:
    """For each threshold of `THRESHOLD_GRID`: the ARI on the shuffled articles of `data`, and
    the share of small sets (`small_sets`) grouped exactly."""
    docs, truth = shuffled_articles(data, seed=seed)
    sets = small_sets(truth, seed=seed)
    out = {}
    for t in THRESHOLD_GRID:
        exact = [adjusted_rand(group([docs[i] for i in s], threshold=t), [truth[i] for i in s]) >= 0.999 for s in sets]
        out[t] = {
            "adjusted_rand": round(adjusted_rand(group(docs, threshold=t), truth), 4),
            "small_sets_exact": round(sum(exact) / len(exact), 3),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--choose", required=True, help="AbMuSu clusters file to choose the threshold on")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scores = choose_threshold(args.choose, seed=args.seed)
    best = max(scores, key=lambda t: (scores[t]["adjusted_rand"], scores[t]["small_sets_exact"], -t))
    print(json.dumps({"by_threshold": scores, "best": best}, indent=2))


if __name__ == "__main__":
    main()
