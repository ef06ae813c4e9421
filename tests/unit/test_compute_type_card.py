"""A model's measured cost of a faster compute type (registry `compute_types`) is in its card and `tomtat models`."""

from __future__ import annotations

from summarizer.cli import main
from summarizer.registry import known_models


def test_the_int8_cost_of_compact_vi_is_in_the_card_and_the_models_table(capsys) -> None:
    models = known_models()
    cost = models["compact-vi"].compute_types["int8"]
    assert "R1" in cost and "EPYC" in cost  # a ROUGE change and the CPU its speed was measured on
    assert models["compact-vi"].card()["compute_types"] == {"int8": cost}
    assert models["ext-vi"].card()["compute_types"] == {}  # nothing measured: nothing claimed
    assert main(["models"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert sum(line.strip() == f"--compute-type int8: {cost}" for line in printed) == 1
    assert sum("--compute-type" in line for line in printed) == len(
        [1 for spec in models.values() for _ in spec.compute_types]
    )
