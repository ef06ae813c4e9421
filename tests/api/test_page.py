"""The editors' page in a real browser (Playwright driving Debian's Chromium) against `tomtat serve`.

Skipped, with the reason, where Playwright or a Chromium executable is missing. A failing test
leaves a screenshot under test-output/ at the repository root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
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
    # a line cut from inside a sentence starts with a capital its source does not have
    assert highlighted and bullet_text.rstrip(".")[:40].lower() in highlighted.lower()
    page.click("#copy-md")
    copied = page.input_value("#copy-buffer")
    assert copied.startswith(f"# {headline}\n") and f"- {bullet_text}" in copied


def test_ctrl_enter_submits_and_warnings_are_shown(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.fill("#text", article())
    page.press("#text", "Control+Enter")
    page.wait_for_selector("#result:not([hidden])")
    notes = page.inner_text("#model-note")
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


# -- a phone, the model line, notes, errors, the file button, the icon ------------------------

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def until(page, expression: str, timeout_s: float = 10.0) -> None:
    """Wait until `expression` is true in the page (polled from here: the page's CSP forbids the
    in-page eval that Playwright's wait_for_function uses)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.05)


def summarized(page, url: str, text: str | None = None) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.fill("#text", text or article())
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")


def test_on_a_phone_the_result_is_scrolled_into_view(phone, url: str) -> None:
    summarized(phone, url)
    until(phone, "Math.abs(document.getElementById('result').getBoundingClientRect().top) < 40")


def test_the_source_hint_speaks_of_touch_on_a_phone_and_of_the_mouse_on_a_desktop(phone, page, url: str) -> None:
    hint = "#result h3:has(.hint-touch)"
    summarized(phone, url)
    on_phone = phone.inner_text(hint).lower()  # the heading is upper-cased by its style
    assert "di chuột" not in on_phone and "chạm" in on_phone
    summarized(page, url)
    on_desktop = page.inner_text(hint).lower()
    assert "di chuột" in on_desktop and "chạm" not in on_desktop


def test_the_model_is_described_in_vietnamese_and_a_preview_is_marked(page, url: str) -> None:
    from summarizer.registry import known_models

    models = known_models()
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    line = page.inner_text("#model-line")
    assert models["ext-vi"].description_vi in line and models["ext-vi"].description not in line
    assert "preview" not in (page.get_attribute("#model-line", "class") or "")
    # a service running a preview model (its /v1/models answer, as the service gives it)
    preview = {"name": "compact-vi", "model": models["compact-vi"].card()}
    page.route("**/v1/models", lambda route: route.fulfill(json=preview))
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    assert "chưa dùng được" in page.inner_text("#model-line") and "thử nghiệm" in page.inner_text("#model")
    assert "preview" in page.get_attribute("#model-line", "class")


def test_the_extractive_note_is_a_note_not_a_bullet(page, url: str) -> None:
    summarized(page, url)
    assert "trích xuất" in page.inner_text("#model-note")
    assert "trích xuất" not in page.inner_text("#warnings") + page.inner_text("#bullet-list")
    assert page.locator("#model-note").evaluate("e => getComputedStyle(e).display") != "list-item"


def test_an_error_greys_the_previous_result(page, url: str) -> None:
    summarized(page, url)
    assert not page.is_visible("#stale")
    page.fill("#text", "")
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert page.is_visible("#stale") and "stale" in page.get_attribute("#result", "class")
    assert float(page.locator("#headline").evaluate("e => getComputedStyle(e).opacity")) < 0.6
    page.fill("#text", article())
    page.click("#submit")
    page.wait_for_selector("#stale", state="hidden")
    assert float(page.locator("#headline").evaluate("e => getComputedStyle(e).opacity")) == 1


def test_the_file_button_is_in_vietnamese_and_opens_the_picker(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    assert page.inner_text("#file-button") == "Chọn tệp…" and page.inner_text("#file-name") == "Chưa chọn tệp"
    with page.expect_file_chooser() as chooser:
        page.click("#file-button")
    chooser.value.set_files(files=[{"name": "bai.txt", "mimeType": "text/plain", "buffer": article().encode()}])
    until(page, "document.getElementById('text').value.length > 100")
    assert page.inner_text("#file-name") == "bai.txt"


def test_the_page_has_an_icon_and_nothing_it_loads_fails(page, url: str) -> None:
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    summarized(page, url)
    icon = page.get_attribute("link[rel=icon]", "href")
    assert icon and page.request.get(url + icon).ok
    assert page.request.get(url + "/favicon.ico").ok
    assert not failed, failed


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".swagger-ui .info .title"), ("/redoc", ".api-content h1")])
def test_the_api_docs_render_with_no_network(page, url: str, path: str, rendered: str) -> None:
    elsewhere: list[str] = []

    def offline(route) -> None:  # anything not from the service itself fails, as with no network
        if route.request.url.startswith(url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(url + path)
    page.wait_for_selector(rendered, timeout=20_000)
    assert "tomtat" in page.inner_text(rendered) and not elsewhere, elsewhere
