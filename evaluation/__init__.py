"""Evaluation of tomtat models: Vietnamese ROUGE, datasets, benchmarks and reports."""
