"""Random-weight T5 models of a preset shape, loadable by every backend (for `tomtat bench`)."""

from __future__ import annotations

import tempfile
from pathlib import Path


def build_random_model(preset: str, folder: Path) -> Path:
    """Save a random-weight T5 of `preset`'s shape with a placeholder tokenizer into `folder`.

    Presets without a vocabulary of their own get compact-vi's size (16,000). The folder
    loads with `summarizer.registry.resolve_model` and converts to CTranslate2 like a
    trained model; its outputs are meaningless, its speed is the shape's.

    Raises:
        ValueError: an unknown preset (the message lists the known ones).
    """
    from summarizer.generation.architectures import PRESETS, random_t5
    from summarizer.generation.model_files import write_tokenizer_files

    model = random_t5(preset, vocab_size=PRESETS.get(preset, {}).get("vocab_size", 16000))
    model.save_pretrained(folder)
    with tempfile.TemporaryDirectory(prefix="tomtat-spm-") as tmp:
        write_tokenizer_files(placeholder_spiece(Path(tmp), model.config.vocab_size), folder)
    return folder


def placeholder_spiece(workdir: Path, vocab_size: int) -> Path:
    """A SentencePiece model whose vocabulary has exactly `vocab_size` pieces ("w0", "w1", ...).

    CTranslate2 needs a vocabulary matching the model's embedding size; a random-weight
    benchmark model only needs the piece strings, not a linguistically trained vocabulary.
    Ids 0, 1, 2 are <pad>, </s>, <unk>, as in T5.
    """
    import sentencepiece as spm

    workdir.mkdir(parents=True, exist_ok=True)
    words = [f"w{i}" for i in range(vocab_size)]
    prefix = workdir / "placeholder"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([" ".join(words[i : i + 50]) for i in range(0, len(words), 50)]),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="word",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        minloglevel=2,
        hard_vocab_limit=False,
        split_by_whitespace=True,
    )
    return prefix.with_suffix(".model")
