"""The data of a compact-vi training run: articles → tokenizer → tokenized (source, target) pairs.

Used by `models.train`; the articles themselves come from `models.data.read_articles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.data import Article, read_articles
from models.tokenizer import save_tokenizer_json, train_sentencepiece
from models.train_config import TrainConfig
from models.train_loop import Pair
from summarizer.errors import InvalidInputError
from summarizer.generation.model_files import write_tokenizer_files
from summarizer.registry import known_models
from summarizer.segment import split_sentences

MODEL_NAME = "compact-vi"


@dataclass(frozen=True)
class TrainingData:
    """The tokenized train and held-out examples, and the tokenizer they were made with."""

    tokenizer_folder: Path
    tokenizer: Any
    articles: int
    pairs: list[Pair]
    heldout: list[Pair]


def _examples(articles: list[Article], tokenizer: Any, cfg: TrainConfig) -> list[Pair]:
    """Tokenized (source, target) pairs for both tasks, source truncated to the model limit."""
    prefixes = known_models()[MODEL_NAME].prefixes
    pairs: list[Pair] = []
    for task, attr in (("headline", "title"), ("summary", "summary")):
        rows = [a for a in articles if getattr(a, attr)]
        sources = tokenizer([prefixes[task] + a.body for a in rows], max_length=cfg.max_source_tokens, truncation=True)[
            "input_ids"
        ]
        targets = tokenizer([getattr(a, attr) for a in rows], max_length=cfg.max_target_tokens[task], truncation=True)[
            "input_ids"
        ]
        pairs.extend(zip(sources, targets, strict=True))
    return pairs


def _load_tokenizer(folder: Path) -> Any:
    """The run's tokenizer; from tokenizer.json when there is one.

    Older transformers (seen: 5.17 on the GPU machine) cannot convert an identity-normalized
    spiece.model ("Cannot parse precompiled_charsmap"), so a tokenizer.json made where the
    conversion works is loaded directly instead.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    if (folder / "tokenizer.json").is_file():
        return PreTrainedTokenizerFast(
            tokenizer_file=str(folder / "tokenizer.json"), pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
        )
    return AutoTokenizer.from_pretrained(folder, local_files_only=True)


def _prepare_tokenizer(cfg: TrainConfig, articles: list[Article], out: Path) -> Path:
    """A folder holding this run's tokenizer: spiece.model, tokenizer_config.json and, where
    one was made beside the given spiece.model (or the vocabulary is trained here), tokenizer.json."""
    folder = out / "tokenizer"
    if cfg.init:
        spiece = Path(cfg.init) / "spiece.model"
    elif cfg.tokenizer:
        spiece = Path(cfg.tokenizer)
    elif (folder / "spiece.model").is_file():
        spiece = folder / "spiece.model"
    else:
        # one sentence per line: SentencePiece skips lines over 4,192 bytes (a whole body)
        lines = [s for a in articles for s in (a.title, a.summary, *split_sentences(a.body)) if s]
        spiece = train_sentencepiece(lines, folder, vocab_size=cfg.vocab_size)
        write_tokenizer_files(spiece, folder)
        save_tokenizer_json(folder)  # converted here, so a GPU machine's older transformers needs no conversion
        return folder
    write_tokenizer_files(spiece, folder)
    return folder


def check_inputs(cfg: TrainConfig) -> None:
    """Fail before any work when a path the user gave does not hold what it should."""
    if not Path(cfg.data).is_file():
        raise InvalidInputError(f"no such file: {cfg.data} (--data: VietNews JSONL(.xz) or a prepared shard)")
    if cfg.tokenizer and not Path(cfg.tokenizer).is_file():
        raise InvalidInputError(f"no such file: {cfg.tokenizer} (--tokenizer: a SentencePiece spiece.model)")
    if cfg.init and not (Path(cfg.init) / "spiece.model").is_file():
        raise InvalidInputError(f"--init {cfg.init}: not a compact-vi model folder (no spiece.model in it)")


def load_data(cfg: TrainConfig, out: Path) -> TrainingData:
    """Read the articles, prepare the tokenizer and tokenize train and held-out examples."""
    articles = list(read_articles(cfg.data, max_words=cfg.max_words, limit=cfg.limit, workers=cfg.workers))
    if len(articles) <= cfg.heldout:
        raise InvalidInputError(
            f"{cfg.data}: {len(articles)} usable articles (with a body and a title or sapo), but the "
            f"held-out set alone takes {cfg.heldout}: give more data, or a larger --limit"
        )
    folder = _prepare_tokenizer(cfg, articles, out)
    tokenizer = _load_tokenizer(folder)
    heldout, articles = articles[: cfg.heldout], articles[cfg.heldout :]
    return TrainingData(
        folder, tokenizer, len(articles), _examples(articles, tokenizer, cfg), _examples(heldout, tokenizer, cfg)
    )
