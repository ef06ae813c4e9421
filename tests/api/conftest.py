"""Fixtures for the service: an app on the lead model, a gate to hold the model thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from summarizer import Summarizer


class GatedSummarizer(Summarizer):
    """The lead model, whose model calls wait for `gate` to open (to hold the model busy)."""

    def __init__(self) -> None:
        lead = Summarizer.from_pretrained("lead")
        super().__init__(lead.spec)
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[int] = []

    def summarize_each(self, documents, **kwargs):  # summarize_many and summarize go through it too
        self.gate.wait(10)
        self.calls.append(len(documents))
        return super().summarize_each(documents, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the test item (the browser tests screenshot failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def wait_ready(client: TestClient) -> None:
    for _ in range(200):
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.02)
    raise AssertionError("the app never became ready")


@pytest.fixture
def make_client(tmp_path: Path):
    clients: list[TestClient] = []

    def make(summarizer: Summarizer | None = None, db: str | None = None, **overrides) -> TestClient:
        """A running app (ready) on the lead model or `summarizer`; its jobs DB is tmp_path / db."""
        settings = Settings(model="lead", jobs_db=tmp_path / (db or f"jobs{len(clients)}.db"), **overrides)
        load = (lambda: summarizer) if summarizer is not None else None
        client = TestClient(create_app(settings, load=load))
        client.__enter__()
        clients.append(client)
        wait_ready(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> Iterator[TestClient]:
    yield make_client()
