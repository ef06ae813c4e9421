"""Greedy extractive oracle labels for training: defined in `evaluation.oracle` (the digest
evaluation's oracle baseline uses the same code), re-exported here for the training recipes."""

from evaluation.oracle import greedy_oracle, rouge12

__all__ = ["greedy_oracle", "rouge12"]
