"""report.md and scores.png for one run; the side-by-side table of `tomtat compare`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.machine import format_cpu, format_load_avg
from evaluation.rouge import TOKENIZERS
from summarizer.generation import BACKENDS

PUBLISHED = Path(__file__).with_name("published.csv")


def _cell(metrics: dict[str, Any], output: str, tokenizer: str, metric: str, *, ci: bool = True) -> str:
    value = metrics["scores"].get(output, {}).get(tokenizer, {}).get(metric)
    if value is None:
        return "–"
    if not ci:
        return f"{value:.2f}"
    low, high = metrics["intervals"][output][tokenizer][metric]
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def scores_table(metrics: dict[str, Any]) -> list[str]:
    lines = [
        "| output | tokenizer | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum | n |",
        "|---|---|---|---|---|---|---:|",
    ]
    for output in metrics["scores"]:
        for tokenizer, label in TOKENIZERS.items():
            cells = " | ".join(
                _cell(metrics, output, tokenizer, m) for m in ("rouge1", "rouge2", "rougeL", "rougeLsum")
            )
            lines.append(f"| {output} | {tokenizer}: {label} | {cells} | {metrics['n_scored'][output]} |")
    return lines


# one look per output, widest first, so identical series (abstract and bullets of an extractive
# model) both show: a thinner line drawn inside a wider one of another colour
_SERIES_STYLES = (
    {"linewidth": 4.0, "linestyle": "-", "alpha": 0.5},
    {"linewidth": 2.5, "linestyle": "-", "alpha": 0.8},
    {"linewidth": 1.2, "linestyle": "--"},
)


def score_figure(per_doc: dict[str, np.ndarray], rows: list[dict[str, Any]], subject: str) -> Any:
    """The matplotlib figure of scores.png: per-document ROUGE-1 histograms, abstract length vs score.

    `subject` ("MODEL on DATA") ends both titles. Every output is a step histogram with its
    own line width and style, so no series hides another, even where they are identical.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    series = [(output, values) for output, values in per_doc.items() if len(values)]
    for i, (output, values) in enumerate(series):
        style = _SERIES_STYLES[i % len(_SERIES_STYLES)]
        left.hist(values, bins=20, range=(0, 100), histtype="step", label=output, **style)
    left.set(title=f"Syllable ROUGE-1 F1 per document\n{subject}", xlabel="ROUGE-1 F1 × 100", ylabel="documents")
    if series:
        left.legend()
    abstract = per_doc.get("abstract", np.array([]))
    lengths = [len(r["abstract"].split()) for r in rows if r["references"].get("summary")]
    if len(abstract) == len(lengths) and lengths:
        right.scatter(lengths, abstract, s=4, alpha=0.4)
    right.set(
        title=f"Abstract length vs ROUGE-1\n{subject}",
        xlabel="abstract length (syllables)",
        ylabel="ROUGE-1 F1 × 100",
    )
    fig.tight_layout()
    return fig


def _plot(out: Path, per_doc: dict[str, np.ndarray], rows: list[dict[str, Any]], subject: str) -> str:
    import matplotlib.pyplot as plt

    fig = score_figure(per_doc, rows, subject)
    path = out / "scores.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


def _selection(data: dict[str, Any]) -> str:
    if data.get("sample"):
        return f"seeded random sample of {data['sample']}, seed {data['seed']}"
    return f"first {data['limit']} in file order" if data["limit"] else "all records"


def _input(data: dict[str, Any]) -> str:
    if data.get("with_title"):
        return "body + title for the abstract and bullets; the headline from the body alone"
    return "body only"


def _generation_backend(model: dict[str, Any], speed: dict[str, Any]) -> str | None:
    """The generation backend that ran (the speed record's), else the card's; None for extractive models."""
    return next((b for b in (speed.get("backend"), model.get("backend")) if b in BACKENDS), None)


def model_line(model: dict[str, Any], speed: dict[str, Any]) -> str:
    """The model line of report.md, e.g. "ext-vi (extractive)" or "vit5 (seq2seq, ct2 backend), revision `abc`"."""
    details = [model.get("kind") or "kind unknown"]
    backend = _generation_backend(model, speed)
    if backend:
        details.append(f"{backend} backend")
    line = f"{model['name']} ({', '.join(details)})"
    return line + (f", revision `{model['revision']}`" if model.get("revision") else "")


def reference_line(reference: dict[str, Any]) -> str:
    """The Speed section's sentence on speed["reference"]: the baseline timed on the same batches."""
    from evaluation.baselines import BASELINES

    name = reference["baseline"]
    label = BASELINES[name][2].partition(":")[0] if name in BASELINES else name
    docs_per_s, ratio = reference["docs_per_s"], reference["ratio"]
    throughput = f"{docs_per_s:.2f} documents/s" if docs_per_s else "no documents timed"
    multiple = f"this model does {ratio:.2f}× its throughput" if ratio else "no throughput ratio"
    return (
        f"Speed reference: {label} ({name}, evaluation/baselines.py) on the same documents, timed batch by batch "
        f"in this run right after the model (one untimed warm-up each): {throughput}; {multiple}."
    )


def reference_lines(speed: dict[str, Any]) -> list[str]:
    """report.md lines for speed["reference"], none when the run has no speed reference."""
    reference = speed.get("reference")
    return [reference_line(reference), ""] if reference else []


def write_report(
    out: Path, metrics: dict[str, Any], rows: list[dict[str, Any]], per_doc: dict[str, np.ndarray]
) -> None:
    """Write report.md (scores, lengths, speed, examples) and scores.png into `out`."""
    model, data, speed, machine = metrics["model"], metrics["data"], metrics["speed"], metrics["machine"]
    dedup = f"yes, {data['dedup']}" if data["dedup"] else "no"
    backend = _generation_backend(model, speed)
    compute = f" ({speed.get('dtype')}, {backend})" if backend else ""
    speed_line = (
        f"{speed['docs_per_s'] or 0:.2f} documents/s; amortized latency p50 {speed['latency_p50_s'] or 0:.3f} s, "
        f"p95 {speed['latency_p95_s'] or 0:.3f} s; generated tokens/s {speed['generated_tokens_per_s'] or 0:.0f}; "
        f"peak memory {speed['peak_memory_mb']} MB; device {speed['device']}{compute}, "
        f"batch size {speed['batch_size']}, threads {machine['threads']}, "
        f"machine {machine.get('gpu') or format_cpu(machine)}, "
        f"load average {format_load_avg(machine.get('load_avg'))}."
    )
    lengths = [
        f"| {o} | {v['mean_syllables']} | {v['reference_mean_syllables']} |" for o, v in metrics["lengths"].items()
    ]
    lines = [
        f"# Evaluation: {model['name']} on {Path(data['path']).name}",
        "",
        f"- documents: {metrics['n']} ({_selection(data)}, de-duplicated: {dedup}; "
        f"skipped: {data['skipped'] or 'none'})",
        f"- input: {_input(data)}",
        f"- data sha256: `{data['sha256'][:16]}…`; git commit `{metrics['git_commit'][:12]}`",
        f"- model: {model_line(model, speed)}",
        "",
        "## Scores (F1 × 100, 95% bootstrap interval)",
        "",
        "`syllable` is the primary score. `paper` is only for comparison with published numbers, which were "
        "computed with rouge-score's default tokenizer (ASCII only, diacritics stripped).",
        "",
        *scores_table(metrics),
        "",
        "## Lengths (syllables, mean)",
        "",
        "| output | output length | reference length |",
        "|---|---:|---:|",
        *lengths,
        "",
        "## Speed",
        "",
        speed_line,
        "",
        *reference_lines(speed),
    ]
    plot = _plot(out, per_doc, rows, f"{model['name']} on {Path(data['path']).name}")
    lines += [f"![score distribution]({plot})", ""]
    lines += ["## Examples", ""]
    for row in rows[:3]:
        lines += [
            f"### {row['id']}",
            f"- headline: {row['headline']}",
            f"- reference title: {row['references']['title']}",
            f"- abstract: {row['abstract']}",
            f"- reference summary: {row['references']['summary']}",
            "",
        ]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def published_rows() -> list[dict[str, str]]:
    with PUBLISHED.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def compare(run_dirs: list[Path], *, include_published: bool = True) -> str:
    """One Markdown table: each run's abstract/headline scores side by side, plus published rows."""
    header = (
        "| system | n | abstract R1 (syllable) | abstract R2 (syllable) | abstract RL (syllable) | "
        "abstract R1/R2/RL (paper-compatible) | headline R1 (syllable) | headline RL (syllable) | docs/s |"
    )
    lines = [header, "|---|---:|---|---|---|---|---|---|---:|"]
    for run in run_dirs:
        metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
        # a digest run (`--task digest`) scores its digest abstract: shown in the abstract columns
        output = "digest" if "digest" in metrics["scores"] else "abstract"
        paper = "/".join(_cell(metrics, output, "paper", m, ci=False) for m in ("rouge1", "rouge2", "rougeL"))
        speed = metrics["speed"].get("docs_per_s") or 0
        abstract = " | ".join(_cell(metrics, output, "syllable", m) for m in ("rouge1", "rouge2", "rougeL"))
        headline = " | ".join(_cell(metrics, "headline", "syllable", m) for m in ("rouge1", "rougeL"))
        name = f"{metrics['model']['name']} ({run.name}{', digest' if output == 'digest' else ''})"
        lines.append(f"| {name} | {metrics['n']} | {abstract} | {paper} | {headline} | {speed:.2f} |")
    if include_published:
        for row in published_rows():
            name = f"{row['model']} — published, not measured here ({row['test_set']}; {row['source']})"
            paper = f"{row['rouge1']}/{row['rouge2']}/{row['rougeL']} ({row['tokenizer']})"
            lines.append(f"| {name} | – | – | – | – | {paper} | – | – | – |")
    notes = [
        "",
        "Syllable scores are tomtat's primary measure (Unicode syllables, NFC, canonical tone marks). "
        "Published rows were not measured here; they are comparable only with the paper-compatible column "
        "(rouge-score's default tokenizer: ASCII only, diacritics stripped), and only on the same test set. "
        "The VLSP 2022 AbMuSu rows (ROUGE-2 only, private test) are not comparable with any run here: their "
        "scorer's tokenization is not published.",
    ]
    return "\n".join(lines + notes) + "\n"
