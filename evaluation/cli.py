"""`tomtat eval`, `tomtat compare` and `tomtat bench` (registered through entry points)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# evaluation/digest_baselines.py's names (kept here so the parser imports nothing heavy)
DIGEST_BASELINE_NAMES = ("lead-round-robin", "first-last", "lexrank-mmr", "oracle")


def add_eval_command(sub: Any) -> None:
    from summarizer.cli import add_model_arguments

    p = sub.add_parser("eval", help="score a model on a data set (ROUGE, speed, report)")
    p.add_argument(
        "--task",
        choices=["rouge", "keyfacts", "digest", "grouping"],
        default="rouge",
        help="rouge (default): ROUGE against references; keyfacts: key facts of long reports covered, words "
        "(evaluation/keyfacts/README.md); digest: one digest per AbMuSu cluster, its abstract against the "
        "cluster summary (evaluation/digest_eval.py); grouping: the articles of a clusters file shuffled and "
        "grouped into stories, adjusted Rand index against the clusters",
    )
    p.add_argument(
        "--data",
        help="JSONL(.xz/.gz) with text/summary/title; with --task keyfacts a key-fact file "
        "(default evaluation/keyfacts/reports.json)",
    )
    p.add_argument(
        "--shared",
        default="../shared",
        help="--task keyfacts: the shared data folder the reports' sources are read from (default ../shared)",
    )
    p.add_argument(
        "--predictions",
        help="instead of running a model: score this predictions.jsonl (e.g. written on a GPU machine)",
    )
    p.add_argument("--out", required=True, help="run folder: predictions.jsonl, metrics.json, report.md")
    p.add_argument("--limit", type=int, help="the first N records in file order (biased on grouped files)")
    p.add_argument("--sample", type=int, help="a seeded random N records (after --dedup): use it for subset figures")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument(
        "--with-title",
        action="store_true",
        help="give each record's title for the abstract and bullets (the headline is still from the body alone)",
    )
    p.add_argument("--dedup", help="VietNews duplicates.tsv: leave out the ids it lists")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--bootstrap-samples", type=int, default=1000)
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="TASK.OPTION=VALUE",
        help="override a decoding setting, e.g. headline.max_source_tokens=0 or summary.num_beams=4; "
        "or an extractive one, e.g. extractive.compression='[\"source_tag\"]' (a rule ablation)",
    )
    p.add_argument(
        "--baseline",
        choices=["lead-1", "lead-2", "lead-3", "textrank", *DIGEST_BASELINE_NAMES],
        help="score a textbook baseline (evaluation/baselines.py; with --task digest: "
        f"{', '.join(DIGEST_BASELINE_NAMES)}, evaluation/digest_baselines.py) instead of --model",
    )
    p.add_argument(
        "--speed-reference",
        choices=["lead-2", "none"],
        default="lead-2",
        help="with --model (task rouge): also time this baseline on the same batches, interleaved batch by batch, "
        "for a docs/s ratio free of machine noise (speed.reference in metrics.json); none: skip it (default lead-2)",
    )
    add_model_arguments(p)
    p.set_defaults(func=_cmd_eval)


def parse_settings(items: list[str]) -> dict[str, dict[str, Any]]:
    """`["headline.max_source_tokens=0"]` → `{"headline": {"max_source_tokens": 0}}` (JSON values)."""
    from summarizer.errors import InvalidInputError

    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        task, dot, option = key.partition(".")
        if not (sep and dot and task and option):
            raise InvalidInputError(f"--set {item!r}: write TASK.OPTION=VALUE, e.g. headline.max_source_tokens=0")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        out.setdefault(task, {})[option] = value
    return out


def _cmd_eval(args: argparse.Namespace) -> int:
    from evaluation.runner import EvalConfig, run_eval
    from summarizer.cli import load_options
    from summarizer.errors import InvalidInputError

    if args.baseline and args.model:
        raise InvalidInputError("give --model or --baseline, not both")
    if args.task == "keyfacts":
        return _cmd_keyfacts(args)
    if args.task in ("digest", "grouping"):
        return _cmd_digest(args)
    if args.baseline in DIGEST_BASELINE_NAMES:
        raise InvalidInputError(f"--baseline {args.baseline} is a digest baseline: use it with --task digest")
    if args.predictions:
        return _rescore(args)
    if not args.data:
        raise InvalidInputError("give --data (a data set to run the model on) or --predictions (to score)")
    for path in filter(None, (args.data, args.dedup)):
        if not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path}")
    cfg = EvalConfig(
        data=args.data,
        out=args.out,
        model=args.model,
        baseline=args.baseline,
        limit=args.limit,
        sample=args.sample,
        seed=args.seed,
        with_title=args.with_title,
        dedup=args.dedup,
        load=load_options(args, batch_size=args.batch_size),
        bootstrap_samples=args.bootstrap_samples,
        generation=parse_settings(args.settings),
        speed_reference=None if args.baseline or args.speed_reference == "none" else args.speed_reference,
    )
    metrics = run_eval(cfg)
    summary = {o: metrics["scores"][o]["syllable"] for o in metrics["scores"]}
    print(
        json.dumps(
            {
                "n": metrics["n"],
                "syllable": summary,
                "speed_docs_per_s": metrics["speed"]["docs_per_s"],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"report: {Path(args.out) / 'report.md'}", file=sys.stderr)
    return 0


def _cmd_keyfacts(args: argparse.Namespace) -> int:
    """`tomtat eval --task keyfacts`: key facts covered on long reports (evaluation/keyfacts.py)."""
    from evaluation.keyfacts import DEFAULT_REPORTS, render_table, run_keyfacts
    from summarizer.errors import InvalidInputError

    unused = [
        flag
        for flag, value in (
            ("--predictions", args.predictions),
            ("--limit", args.limit),
            ("--sample", args.sample),
            ("--dedup", args.dedup),
            ("--with-title", args.with_title),
        )
        if value
    ]
    if unused:
        raise InvalidInputError(f"--task keyfacts runs every report, without a title: {', '.join(unused)} not allowed")
    if not Path(args.shared).is_dir():
        raise InvalidInputError(f"no such folder: {args.shared} (give --shared, the shared data folder)")
    if args.baseline:
        from evaluation.baselines import Baseline

        summarizer = Baseline(args.baseline)
    else:
        from summarizer.cli import load_summarizer

        summarizer = load_summarizer(args, batch_size=args.batch_size)
    metrics = run_keyfacts(
        summarizer,
        args.out,
        data=args.data or DEFAULT_REPORTS,
        shared=args.shared,
        generation=parse_settings(args.settings),
        threads=args.threads,
    )
    sys.stdout.write(render_table(metrics["per_report"], metrics["scores"]["keyfacts"]))
    if metrics["skipped"]:
        print(f"skipped (source absent under {args.shared}): {', '.join(metrics['skipped'])}", file=sys.stderr)
    print(f"report: {Path(args.out) / 'report.md'}", file=sys.stderr)
    return 0


def _cmd_digest(args: argparse.Namespace) -> int:
    """`tomtat eval --task digest|grouping` on an AbMuSu clusters file (evaluation/digest_eval.py)."""
    from summarizer.errors import InvalidInputError

    unused = [
        flag
        for flag, value in (
            ("--predictions", args.predictions),
            ("--sample", args.sample),
            ("--dedup", args.dedup),
            ("--with-title", args.with_title),
            ("--set", args.settings),
        )
        if value
    ]
    if unused:
        raise InvalidInputError(f"--task {args.task} reads titles from the clusters: {', '.join(unused)} not allowed")
    if not args.data:
        raise InvalidInputError(f"--task {args.task} needs --data, an AbMuSu clusters-*.jsonl.xz file")
    if not Path(args.data).is_file():
        raise InvalidInputError(f"no such file: {args.data}")
    if args.task == "grouping":
        from evaluation.grouping_eval import run_grouping_eval

        if args.baseline or args.model:
            raise InvalidInputError("--task grouping scores summarizer.grouping: no --model or --baseline")
        metrics = run_grouping_eval(args.data, args.out, limit=args.limit, seed=args.seed)
        print(json.dumps({"n": metrics["n"], "grouping": metrics["scores"]["grouping"]}, indent=2))
        return 0
    from evaluation.digest_eval import DigestEvalConfig, run_digest_eval
    from summarizer.cli import load_options

    if args.baseline and args.baseline not in DIGEST_BASELINE_NAMES:
        raise InvalidInputError(f"--task digest baselines are {', '.join(DIGEST_BASELINE_NAMES)}")
    cfg = DigestEvalConfig(
        data=args.data,
        out=args.out,
        model=None if args.baseline else args.model,
        baseline=args.baseline,
        limit=args.limit,
        load=load_options(args, batch_size=args.batch_size),
        bootstrap_samples=args.bootstrap_samples,
    )
    metrics = run_digest_eval(cfg)
    print(
        json.dumps(
            {
                "n": metrics["n"],
                "digest": metrics["scores"]["digest"],
                "speed_clusters_per_s": metrics["speed"]["docs_per_s"],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"report: {Path(args.out) / 'report.md'}", file=sys.stderr)
    return 0


def _rescore(args: argparse.Namespace) -> int:
    from evaluation.rescore import rescore
    from summarizer.errors import InvalidInputError

    for path in filter(None, (args.predictions, args.dedup)):
        if not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path}")
    metrics = rescore(args.predictions, args.out, dedup=args.dedup, samples=args.bootstrap_samples)
    summary = {o: metrics["scores"][o]["syllable"] for o in metrics["scores"]}
    print(json.dumps({"n": metrics["n"], "syllable": summary}, ensure_ascii=False, indent=2))
    return 0


def add_compare_command(sub: Any) -> None:
    p = sub.add_parser("compare", help="side-by-side Markdown table of eval runs (+ published numbers)")
    p.add_argument("runs", nargs="+", help="run folders written by tomtat eval")
    p.add_argument("--no-published", action="store_true", help="leave out the published reference rows")
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from evaluation.report import compare
    from summarizer.errors import InvalidInputError

    runs = [Path(r) for r in args.runs]
    missing = [str(r) for r in runs if not (r / "metrics.json").is_file()]
    if missing:
        raise InvalidInputError(f"not an eval run folder (no metrics.json): {', '.join(missing)}")
    sys.stdout.write(compare(runs, include_published=not args.no_published))
    return 0


def add_bench_command(sub: Any) -> None:
    from evaluation.benchmark import add_bench_arguments

    p = sub.add_parser("bench", help="speed of backends × batch sizes on fixed inputs")
    add_bench_arguments(p)
    p.set_defaults(func=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    from evaluation.benchmark import bench_from_args, render

    sys.stdout.write(render(bench_from_args(args)))
    return 0
