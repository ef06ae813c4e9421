"""The editors' page and the docs pages work under their Content-Security-Policy, in a real browser
(issue #22 item 6): nothing is blocked, and the page still summarizes.

Skipped, with the reason, where Playwright or a Chromium executable is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.servers import TEXT, server

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
from tests.api.test_page import ARGS, CHROMIUM  # noqa: E402  (skips the module without Chromium)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with server(tmp_path_factory.mktemp("csp"), "--model", "lead") as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, address: str) -> tuple[object, list[str]]:
    """A page at `address`, with the list that collects every CSP violation it reports."""
    page = browser.new_page()
    violations: list[str] = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.goto(address)
    return page, violations


def test_the_page_summarizes_under_its_policy_with_nothing_blocked(browser, url: str) -> None:
    page, violations = open_page(browser, url)
    try:
        assert "frame-ancestors 'none'" in page.evaluate(
            "() => fetch('/').then(r => r.headers.get('content-security-policy'))"
        )
        page.wait_for_selector("#model option", state="attached")
        page.fill("#text", TEXT)
        page.click("#submit")
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#headline").strip()
        assert violations == []
    finally:
        page.close()


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .opblock"), ("/redoc", "[data-section-id]")])
def test_the_docs_pages_render_under_their_policy(browser, url: str, path: str, ready: str) -> None:
    page, violations = open_page(browser, url + path)
    try:
        page.wait_for_selector(ready, timeout=30_000)
        # ReDoc's footer shows Redocly's logo from their CDN: blocked, as anything from elsewhere is
        assert [v for v in violations if v != "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"] == []
    finally:
        page.close()
