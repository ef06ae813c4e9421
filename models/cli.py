"""`tomtat train` and `tomtat export` sub-commands (registered through entry points)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_train_command(sub: Any) -> None:
    p = sub.add_parser("train", help="train compact-vi (the recipe in models/train.py)")
    p.add_argument("--data", required=True, help="VietNews JSONL(.xz) or a prepared shard")
    p.add_argument("--out", required=True, help="run folder (checkpoint/, model/, logs)")
    p.add_argument("--tokenizer", help="reuse this spiece.model instead of training one")
    p.add_argument("--init", help="continue training from these weights (e.g. models/compact-vi)")
    p.add_argument("--resume", action="store_true", help="resume OUT/checkpoint (optimizer too)")
    p.add_argument("--minutes", type=float, help="wall-clock budget of the training loop")
    p.add_argument("--max-steps", type=int)
    p.add_argument("--limit", type=int, help="use the first N articles only")
    p.add_argument("--offset", type=int, default=0, help="with --prepare-only: skip the first N articles")
    p.add_argument("--batch-tokens", type=int, default=65536)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--device", default="auto")
    p.add_argument("--export-dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--workers", type=int, default=1, help="processes for cleaning raw articles")
    p.add_argument(
        "--prepare-only",
        metavar="SHARD",
        help="only write the cleaned training shard (x/t/s fields) to SHARD and stop",
    )
    p.add_argument(
        "--prepare-pairs",
        metavar="SHARD",
        help="only write compact-vi v2's rewrite pairs (sapo sentence ← its 1-2 body sentences; "
        "title ← an opening sentence) to SHARD (.jsonl.xz) and stop; see models/rewrite_pairs.py",
    )
    p.add_argument("--dedup", help="with --prepare-pairs: VietNews duplicates.tsv, ids to leave out")
    p.add_argument(
        "--max-source-tokens", type=int, default=512, help="input tokens per example (a rewriter reads ~128)"
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="a few steps of a tiny model on CPU: checks the recipe end to end",
    )
    p.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    import logging
    from pathlib import Path

    from models.data import read_articles, write_shard
    from models.train import train
    from models.train_config import TrainConfig
    from summarizer.errors import InvalidInputError

    for flag, path in (("--data", args.data), ("--dedup", args.dedup)):
        if path and not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path} ({flag})")
    logging.getLogger("models").setLevel(logging.INFO)
    if args.prepare_pairs:
        from evaluation.datasets import read_duplicates, read_records
        from models.rewrite_pairs import write_pairs

        excluded = read_duplicates(args.dedup) if args.dedup else frozenset()
        records = read_records(args.data, limit=args.limit, exclude_ids=excluded)
        stats = write_pairs(records, Path(args.prepare_pairs))
        print(json.dumps(stats.as_dict(), indent=2))
        return 0
    if args.prepare_only:
        articles = read_articles(args.data, limit=args.limit, offset=args.offset, workers=args.workers)
        n = write_shard(articles, Path(args.prepare_only))
        print(f"wrote {n} articles to {args.prepare_only}")
        return 0
    cfg = TrainConfig(
        data=args.data,
        out=args.out,
        tokenizer=args.tokenizer,
        init=args.init,
        resume=args.resume,
        minutes=args.minutes,
        max_steps=args.max_steps,
        limit=args.limit,
        batch_tokens=args.batch_tokens,
        lr=args.lr,
        device=args.device,
        export_dtype=args.export_dtype,
        workers=args.workers,
        max_source_tokens=args.max_source_tokens,
    )
    summary = train(cfg.smoke() if args.smoke else cfg)
    json.dump({k: v for k, v in summary.items() if k != "config"}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def add_export_command(sub: Any) -> None:
    p = sub.add_parser("export", help="convert a model for CTranslate2 (fast CPU/GPU inference)")
    p.add_argument("model", help="registry name or local T5 folder")
    p.add_argument("out", help="output folder")
    p.add_argument("--format", default="ct2", choices=["ct2"])
    p.add_argument(
        "--quantization",
        default="int8",
        help="int8, int8_float32, int8_bfloat16, bfloat16, float32 (never float16 for T5)",
    )
    p.add_argument("--force", action="store_true", help="overwrite OUT")
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from models.export import export_ct2

    folder = export_ct2(args.model, args.out, quantization=args.quantization, force=args.force)
    print(f"wrote {folder}")
    return 0


def add_train_extractor_command(sub: Any) -> None:
    p = sub.add_parser(
        "train-extractor", help="train ext-vi, the learned extractive model, on CPU (models/train_extractor.py)"
    )
    p.add_argument("--data", required=True, help="training JSONL(.xz) with text, summary (sapo) and title")
    p.add_argument("--out", required=True, help="model folder to write (model.json, *.lgb.txt, idf.json)")
    p.add_argument("--validation", help="JSONL(.xz) to choose the abstract's length scale on")
    p.add_argument("--dedup", help="VietNews duplicates.tsv: leave out the ids it lists")
    p.add_argument("--limit", type=int, help="use the first N training articles only")
    p.add_argument("--rounds", type=int, default=400, help="boosting rounds of each LightGBM model")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2, help="processes for features and labels; LightGBM threads")
    p.add_argument("--cache-dir", help="where features and labels are cached (default OUT/cache)")
    p.add_argument("--smoke", action="store_true", help="a few hundred articles and 20 rounds: checks the recipe")
    p.set_defaults(func=_cmd_train_extractor)


def _cmd_train_extractor(args: argparse.Namespace) -> int:
    import logging
    from pathlib import Path

    from models.train_extractor import ExtractorConfig, train_extractor
    from summarizer.errors import InvalidInputError

    for path in filter(None, (args.data, args.validation, args.dedup)):
        if not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path}")
    logging.getLogger("models").setLevel(logging.INFO)
    common = {
        "validation": args.validation,
        "dedup": args.dedup,
        "seed": args.seed,
        "workers": args.workers,
        "cache_dir": args.cache_dir,
    }
    if args.smoke:
        cfg = ExtractorConfig.smoke(args.data, args.out, **common)
    else:
        cfg = ExtractorConfig(data=args.data, out=args.out, limit=args.limit, rounds=args.rounds, **common)
    summary = train_extractor(cfg)
    json.dump({k: v for k, v in summary.items() if k != "config"}, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def add_train_keypoints_command(sub: Any) -> None:
    p = sub.add_parser(
        "train-keypoints",
        help="train ext-vi's key-point scorer on AbMuSu cluster summaries, on CPU (models/train_keypoints.py)",
    )
    p.add_argument("--data", required=True, help="AbMuSu clusters JSONL(.xz): summary + documents")
    p.add_argument("--model", required=True, help="the ext-vi model folder to add keypoints.lgb.txt to")
    p.add_argument(
        "--facts",
        action="append",
        default=[],
        help="editors' key facts of long reports to learn from too (key-fact benchmark format, e.g. "
        "models/labels/keyfacts-vietnews-train.json; never the benchmark itself); repeat for several files",
    )
    p.add_argument("--shared", default="../shared", help="where the --facts reports' sources are")
    p.add_argument("--facts-weight", type=float, default=3.0, help="weight of a --facts line against an AbMuSu line")
    p.add_argument("--limit", type=int, help="use the first N clusters only")
    p.add_argument("--rounds", type=int, default=300, help="boosting rounds")
    p.add_argument("--seed", type=int, default=0, help="LightGBM's seed (no effect without --bagging)")
    p.add_argument(
        "--bagging", action="store_true", help="80%% row and feature bagging (off: the result does not hang on a seed)"
    )
    p.add_argument("--workers", type=int, default=2, help="LightGBM threads")
    p.add_argument(
        "--cv-folds",
        type=int,
        default=0,
        metavar="K",
        help="first judge the recipe on the --facts reports held out: K-fold key-fact coverage, recorded in "
        "model.json (keypoints.held_out); 0: none",
    )
    p.set_defaults(func=_cmd_train_keypoints)


def _cmd_train_keypoints(args: argparse.Namespace) -> int:
    import logging
    import math
    from pathlib import Path

    from models.train_keypoints import KeypointConfig, train_keypoints
    from summarizer.errors import InvalidInputError

    for path in (args.data, *args.facts):
        if not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path}")
    if not math.isfinite(args.facts_weight) or args.facts_weight <= 0:
        raise InvalidInputError(f"--facts-weight must be a positive number, not {args.facts_weight:g}")
    if args.facts and not Path(args.shared).is_dir():
        raise InvalidInputError(f"--shared {args.shared} is not a folder: it holds the --facts reports' sources")
    logging.getLogger("models").setLevel(logging.INFO)
    cfg = KeypointConfig(
        data=args.data,
        model=args.model,
        facts=tuple(args.facts),
        shared=args.shared,
        facts_weight=args.facts_weight,
        bagging=args.bagging,
        limit=args.limit,
        rounds=args.rounds,
        seed=args.seed,
        workers=args.workers,
        cv_folds=args.cv_folds,
    )
    record = train_keypoints(cfg)
    json.dump({k: v for k, v in record.items() if k != "features"}, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def add_train_digest_command(sub: Any) -> None:
    p = sub.add_parser(
        "train-digest",
        help="train ext-vi's digest scorer (several articles, one summary) on AbMuSu clusters, on CPU "
        "(models/train_digest.py)",
    )
    p.add_argument("--data", required=True, help="AbMuSu clusters JSONL(.xz) to train on: summary + documents")
    p.add_argument("--model", required=True, help="the ext-vi model folder to add digest.lgb.txt to")
    p.add_argument("--validation", help="AbMuSu clusters JSONL(.xz) to choose the selection settings on")
    p.add_argument("--limit", type=int, help="use the first N training clusters only")
    p.add_argument("--granularity", choices=["unit", "sentence"], default="unit", help="candidate lines")
    p.add_argument(
        "--compression", choices=["units", "sentence"], default="units", help="compression rules of the candidates"
    )
    p.add_argument("--rounds", type=int, default=300, help="boosting rounds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2, help="LightGBM threads")
    p.set_defaults(func=_cmd_train_digest)


def _cmd_train_digest(args: argparse.Namespace) -> int:
    import logging
    from pathlib import Path

    from models.train_digest import DigestConfig, train_digest
    from summarizer.errors import InvalidInputError

    for path in filter(None, (args.data, args.validation)):
        if not Path(path).is_file():
            raise InvalidInputError(f"no such file: {path}")
    logging.getLogger("models").setLevel(logging.INFO)
    cfg = DigestConfig(
        data=args.data,
        model=args.model,
        validation=args.validation,
        limit=args.limit,
        granularity=args.granularity,
        compression=args.compression,
        rounds=args.rounds,
        seed=args.seed,
        workers=args.workers,
    )
    record = train_digest(cfg)
    json.dump({k: v for k, v in record.items() if k != "features"}, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
