"""`outputs` selects the lines of a summary and their evidence alike."""

from __future__ import annotations

import pytest

from tests.api.test_endpoints import TEXT


@pytest.mark.parametrize(
    ("outputs", "parts"),
    [
        (["headline", "bullets"], {"headline", "bullet"}),
        (["abstract"], {"abstract"}),
        (["headline", "abstract", "bullets"], {"headline", "abstract", "bullet"}),
    ],
)
def test_evidence_only_for_the_requested_outputs(client, outputs: list[str], parts: set[str]) -> None:
    body = client.post("/v1/summaries", json={"text": TEXT, "outputs": outputs}).json()
    assert {entry["part"] for entry in body["evidence"]} == parts
    if "bullet" in parts:
        assert sum(entry["part"] == "bullet" for entry in body["evidence"]) == len(body["bullets"])
    batch = client.post("/v1/summaries:batch", json={"documents": [{"id": "a", "text": TEXT}], "outputs": outputs})
    assert {entry["part"] for entry in batch.json()["results"][0]["result"]["evidence"]} == parts
