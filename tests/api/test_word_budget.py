"""The word budget and the note on fewer bullets reach the API (JSON, form, batch)."""

from __future__ import annotations

import pytest

from summarizer import Summarizer
from tests.integration.test_key_points import long_report


@pytest.fixture
def ext_vi_client(make_client):  # type: ignore[no-untyped-def]
    return make_client(Summarizer.from_pretrained("ext-vi"))


def _words(body: dict) -> int:
    return sum(len(p.split()) for p in [body["headline"], body["abstract"], *body["bullets"]])


def test_max_words_bounds_the_summary_and_the_note_says_why(ext_vi_client) -> None:  # type: ignore[no-untyped-def]
    response = ext_vi_client.post("/v1/summaries", json={"text": long_report(), "max_words": 80, "max_bullets": 8})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _words(body) <= 80
    assert any("max_words 80" in w for w in body["warnings"])


def test_max_words_in_a_form_and_a_batch(ext_vi_client) -> None:  # type: ignore[no-untyped-def]
    form = ext_vi_client.post(
        "/v1/summaries", files={"file": ("r.txt", long_report().encode())}, data={"max_words": "80"}
    )
    assert form.status_code == 200, form.text
    assert _words(form.json()) <= 80
    batch = ext_vi_client.post(
        "/v1/summaries:batch", json={"documents": [{"id": "a", "text": long_report()}], "max_words": 60}
    )
    assert batch.status_code == 200, batch.text
    assert _words(batch.json()["results"][0]["result"]) <= 60


@pytest.mark.parametrize("bad", [10, 5000, "80", True, 80.5])
def test_a_bad_max_words_is_422(ext_vi_client, bad) -> None:  # type: ignore[no-untyped-def]
    response = ext_vi_client.post("/v1/summaries", json={"text": "Hà Nội mưa lớn.", "max_words": bad})
    assert response.status_code == 422
    assert response.json()["error"]["code"]
