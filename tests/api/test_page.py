"""The editors' page in a real browser (Playwright driving Debian's Chromium) against `tomtat serve`.

Skipped, with the reason, where Playwright or a Chromium executable is missing. A failing test
leaves a screenshot under test-output/ at the repository root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.servers import server
from tests.conftest import REPO, SAMPLE

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
CHROMIUM = os.environ.get("TOMTAT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("no Chromium executable (apt-get install chromium, or set TOMTAT_CHROMIUM)", allow_module_level=True)

SCREENSHOTS = REPO / "test-output"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def article() -> str:
    source = SAMPLE if SAMPLE.is_file() else REPO / "examples" / "bao-cao-mau.txt"
    return source.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with server(tmp_path_factory.mktemp("page")) as address:  # the default model
        yield address


def test_paste_summarize_see_evidence_and_copy_markdown(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.fill("#text", article())
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    headline = page.inner_text("#headline").strip()
    bullets = page.locator("#bullet-list li")
    assert headline and 2 <= bullets.count() <= 5
    assert "giây" in page.inner_text("#meta")
    # clicking a bullet highlights its source sentence in the text
    bullet_text = bullets.nth(1).inner_text().strip()
    bullets.nth(1).click()
    highlighted = " ".join(page.locator("#source .src.hl").all_inner_texts())
    assert highlighted and bullet_text.rstrip(".")[:40] in highlighted
    page.click("#copy-md")
    copied = page.input_value("#copy-buffer")
    assert copied.startswith(f"# {headline}\n") and f"- {bullet_text}" in copied


def test_ctrl_enter_submits_and_warnings_are_shown(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.fill("#text", article())
    page.press("#text", "Control+Enter")
    page.wait_for_selector("#result:not([hidden])")
    notes = page.inner_text("#warnings")
    assert "trích xuất" in notes and "copied" not in notes  # the extractive note, all in Vietnamese


def test_empty_text_shows_the_422_message(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "Văn bản trống" in page.inner_text("#error")


def test_a_file_that_is_not_utf8_gets_the_encoding_message(page, url: str, tmp_path: Path) -> None:
    latin = tmp_path / "bai.txt"
    latin.write_bytes("Báo cáo ở Hà Nội".encode("cp1258", errors="replace") + "Báo cáo".encode("latin-1"))
    page.goto(url)
    page.set_input_files("#file", str(latin))
    page.wait_for_selector("#error:not([hidden])")
    assert "UTF-8" in page.inner_text("#error") and "cp1258" in page.inner_text("#error")


def test_readable_on_a_phone(browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for control in ("#title", "#text", "#file", "#model", "#bullets"):
        assert page.locator(f"label[for={control[1:]}]").count() == 1  # every control is labelled
    context.close()


def test_a_key_protected_server_asks_for_the_key_once(page, tmp_path: Path) -> None:
    digest = hashlib.sha256(b"khoa-bi-mat").hexdigest()
    with server(tmp_path, "--model", "lead", env={"TOMTAT_API_KEYS": f'["{digest}"]'}) as address:
        page.goto(address)
        page.wait_for_selector("#key-dialog[open]")
        page.fill("#key", "khoa-bi-mat")
        page.click("#key-save")
        page.wait_for_selector("#model option", state="attached")
        page.fill("#text", "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông ùn tắc kéo dài đến tối.")
        page.click("#submit")
        page.wait_for_selector("#result:not([hidden])")
        assert page.evaluate("sessionStorage.getItem('tomtat-api-key')") == "khoa-bi-mat"
        assert page.evaluate("localStorage.length") == 0


def test_a_text_over_the_limit_shows_the_413_message(page, tmp_path: Path) -> None:
    with server(tmp_path, "--model", "lead", env={"TOMTAT_MAX_CHARS": "200"}) as address:
        page.goto(address)
        page.wait_for_selector("#model option", state="attached")
        page.fill("#text", "Hà Nội mưa lớn suốt đêm qua. " * 20)
        page.click("#submit")
        page.wait_for_selector("#error:not([hidden])")
        assert "quá dài" in page.inner_text("#error")
