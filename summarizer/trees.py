"""Prediction with a LightGBM model from its text file: numpy first, LightGBM's own code once it pays.

Why two paths: importing `lightgbm` costs 0.6–1.4 s on the project's 2-core machines (it pulls
in SciPy and scikit-learn), more than the rest of a `tomtat summarize` process, whose target is
under 1 s; but LightGBM's compiled predictor is ~15x faster per row than the numpy walk, which
is most of ext-vi's cost in a batch. So an ensemble predicts in numpy until it has scored
`COMPILED_AFTER_ROWS` rows in this process (a few hundred news articles), then loads the same
text file into `lightgbm.Booster` (when LightGBM is installed) and uses it from then on. Both
paths give the same regression scores, float for float (the trees' outputs are added in the
file's order, as LightGBM adds them; a test checks equality on the bundled models), so a
document scores the same before and after the switch. A caller about to score many documents
(a batch job, the service, an evaluation) switches at once with `TreeEnsemble.compile()`
(`Summarizer.warm_up()`), so no document of a long run is scored by the slow walk. Training uses LightGBM itself
(`models/train_extractor.py`); the text model files are read without pickle.

Supported: what `tomtat train-extractor` writes, i.e. numerical splits (categorical splits
are refused with a clear error), missing-value handling of the decision type, and the
"regression" and "binary" objectives.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.errors import ModelLoadError

_ZERO = 1e-35  # LightGBM's kZeroThreshold
# rows scored in numpy before an ensemble switches to LightGBM's compiled predictor: past this,
# the one-off import (~1 s) costs less than the numpy walk would on the rows still to come
COMPILED_AFTER_ROWS = 3000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Tree:
    feature: np.ndarray
    threshold: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray  # 0 none, 1 zero, 2 NaN
    left: np.ndarray
    right: np.ndarray
    leaf_value: np.ndarray


class TreeEnsemble:
    """The trees of one LightGBM text model; `predict(x)` is `Booster.predict(x)`.

    All trees are packed into flat arrays and walked together, one level per step, so a
    numpy prediction costs about (tree depth) numpy operations whatever the number of trees.
    `compiled_after` rows into a process (None: never), predictions come from LightGBM's
    compiled predictor over the same model text instead (see the module docstring).
    """

    def __init__(
        self,
        trees: list[_Tree],
        *,
        sigmoid: float | None,
        num_features: int,
        text: str | None = None,
        compiled_after: int | None = COMPILED_AFTER_ROWS,
    ) -> None:
        self.sigmoid = sigmoid
        self.num_features = num_features
        self._text = text
        self._compiled_after = compiled_after if text is not None and _lightgbm_installed() else None
        self._rows = 0
        self._compiled: Any = None
        self._lock = threading.Lock()
        # trees' outputs are added in the file's order, as LightGBM adds them (the same floats):
        # a one-leaf tree's constant in its place, the others' leaves where the walk ends
        self._constants = np.array([t.leaf_value[0] if not len(t.feature) else 0.0 for t in trees])
        self._walked = np.array([i for i, t in enumerate(trees) if len(t.feature)], dtype=np.int64)
        split = [t for t in trees if len(t.feature)]
        node_offsets = np.cumsum([0] + [len(t.feature) for t in split])
        leaf_offsets = np.cumsum([0] + [len(t.leaf_value) for t in split])

        def children(side: str) -> np.ndarray:
            parts = []
            for tree, nodes, leaves in zip(split, node_offsets, leaf_offsets, strict=False):
                local = getattr(tree, side)
                parts.append(np.where(local >= 0, local + nodes, ~(~local + leaves)))
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        def packed(name: str) -> np.ndarray:
            values = [getattr(t, name) for t in split]
            return np.concatenate(values) if values else np.zeros(0)

        self.roots = node_offsets[:-1].astype(np.int64)
        self.feature, self.threshold = packed("feature"), packed("threshold")
        self.default_left, self.missing = packed("default_left").astype(bool), packed("missing")
        self.left, self.right = children("left"), children("right")
        self.leaf_value = packed("leaf_value")

    @classmethod
    def load(cls, path: str | Path, *, compiled_after: int | None = COMPILED_AFTER_ROWS) -> TreeEnsemble:
        """Read a LightGBM text model file; `compiled_after`: see the class docstring.

        Raises:
            ModelLoadError: not a LightGBM text model, or one with categorical splits.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
            lines = text.splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"cannot read {path}: {exc}") from exc
        if not lines or lines[0].strip() != "tree":
            raise ModelLoadError(f"{path} is not a LightGBM text model (it should start with 'tree')")
        header: dict[str, str] = {}
        blocks: list[dict[str, str]] = []
        for line in lines[1:]:
            if line.startswith("end of trees"):
                break
            key, sep, value = line.partition("=")
            if not sep:
                continue
            if key == "Tree":
                blocks.append({})
            elif blocks:
                blocks[-1][key] = value
            else:
                header[key] = value
        objective = header.get("objective", "regression").split()
        sigmoid = None
        if objective[0] == "binary":
            sigmoid = float(next((p.split(":")[1] for p in objective[1:] if p.startswith("sigmoid:")), "1"))
        elif objective[0] != "regression":
            raise ModelLoadError(f"{path}: objective {objective[0]!r} is not supported; use regression or binary")
        try:
            trees = [_tree(block) for block in blocks]
            num_features = int(header["max_feature_idx"]) + 1
        except (KeyError, ValueError) as exc:
            raise ModelLoadError(f"{path}: malformed LightGBM model ({exc})") from exc
        if not trees:
            raise ModelLoadError(f"{path} holds no trees")
        return cls(trees, sigmoid=sigmoid, num_features=num_features, text=text, compiled_after=compiled_after)

    @property
    def compiled(self) -> bool:
        """True once predictions come from LightGBM's compiled predictor."""
        return self._compiled is not None

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Raw scores (regression) or probabilities (binary) for the rows of `x`."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"expected rows of {self.num_features} features, got shape {x.shape}")
        compiled = self._compiled if self._compiled is not None else self._compile_when_due(len(x))
        if compiled is not None:
            # one thread: callers run in threads or worker processes of their own (service, Ray)
            return np.asarray(compiled.predict(x, num_threads=1), dtype=np.float64)
        return self._walk(x)

    def compile(self) -> bool:
        """Switch to LightGBM's compiled predictor now, instead of after `compiled_after` rows
        (a long run pays the import once, up front). Returns whether predictions now come from
        it: False when LightGBM is not installed, or this ensemble was built without its text
        or with `compiled_after=None`."""
        with self._lock:
            if self._compiled is None and self._compiled_after is not None:
                self._load_compiled()
            return self._compiled is not None

    def _load_compiled(self) -> None:
        import lightgbm  # deferred: see the module docstring

        self._compiled = lightgbm.Booster(model_str=self._text)
        log.info("tree ensemble: %d rows scored, now predicting with LightGBM's compiled code", self._rows)

    def _compile_when_due(self, rows: int) -> Any:
        """LightGBM's predictor for this model once `compiled_after` rows have been scored, else None."""
        with self._lock:
            self._rows += rows
            if self._compiled is None and self._compiled_after is not None and self._rows > self._compiled_after:
                self._load_compiled()
            return self._compiled

    def _walk(self, x: np.ndarray) -> np.ndarray:
        """The numpy prediction: every tree walked at once, a level per step."""
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.broadcast_to(np.arange(len(x))[:, None], node.shape)
        active = node >= 0
        while active.any():
            at = node[active]
            value = x[rows[active], self.feature[at]]
            missing = self.missing[at]
            nan = np.isnan(value)
            value = np.where(nan & (missing != 2), 0.0, value)
            is_missing = ((missing == 2) & nan) | ((missing == 1) & (np.abs(value) <= _ZERO))
            go_left = np.where(is_missing, self.default_left[at], value <= self.threshold[at])
            node[active] = np.where(go_left, self.left[at], self.right[at])
            active = node >= 0
        outputs = np.broadcast_to(self._constants, (len(x), len(self._constants))).copy()
        outputs[:, self._walked] = self.leaf_value[~node]
        total = np.cumsum(outputs, axis=1)[:, -1]  # one tree after the other, as LightGBM sums
        if self.sigmoid is not None:
            return 1.0 / (1.0 + np.exp(-self.sigmoid * total))
        return total


def _lightgbm_installed() -> bool:
    return importlib.util.find_spec("lightgbm") is not None


def _ints(block: dict[str, str], key: str) -> np.ndarray:
    return np.array(block[key].split(), dtype=np.int64) if block.get(key) else np.zeros(0, dtype=np.int64)


def _tree(block: dict[str, str]) -> _Tree:
    leaf_value = np.array(block["leaf_value"].split(), dtype=np.float64)
    if int(block["num_leaves"]) == 1:
        empty = np.zeros(0, dtype=np.int64)
        return _Tree(empty, np.zeros(0), empty.astype(bool), empty, empty, empty, leaf_value)
    decision = _ints(block, "decision_type")
    if (decision & 1).any():
        raise ValueError("categorical splits are not supported")
    return _Tree(
        feature=_ints(block, "split_feature"),
        threshold=np.array(block["threshold"].split(), dtype=np.float64),
        default_left=(decision & 2).astype(bool),
        missing=(decision >> 2) & 3,
        left=_ints(block, "left_child"),
        right=_ints(block, "right_child"),
        leaf_value=leaf_value,
    )
