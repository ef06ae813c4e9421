"""tomtat's model registry (registry.toml), bundled weights and training/export recipes.

Importing this package has no side effects: the recipes import torch lazily.
"""
