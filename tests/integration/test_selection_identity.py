"""ext-vi's output on a fixed sample is what it was when the fixture was written (speed work
must not change it): `tests/selections.py`."""

from __future__ import annotations

import json

import pytest

from tests.selections import FIXTURE, SHARED, selections


def test_ext_vi_selections_are_unchanged_on_the_fixed_sample() -> None:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"{SHARED}/data is absent (../shared is only beside the project checkout)")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    actual = selections()
    assert actual.keys() == expected.keys()
    changed = [doc for doc in expected if actual[doc] != expected[doc]]
    assert not changed, f"{len(changed)} of {len(expected)} summaries changed, e.g. {changed[:5]}"
