"""The editors' page with a .docx, .pdf or .html file picked: the server reads it (multipart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_page import browser, page, url  # noqa: F401  (fixtures; skips without Chromium)
from tests.document_files import FURNITURE, MAKERS, blank_pdf_bytes, report


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_picked_file_is_summarized_by_the_server(page, url: str, tmp_path: Path, kind: str) -> None:  # noqa: F811
    title, paragraphs = report()
    path = tmp_path / f"bao-cao.{kind}"
    path.write_bytes(MAKERS[kind](title, paragraphs))
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.set_input_files("#file", str(path))
    assert "bao-cao." + kind in page.inner_text("#file-note")
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    assert page.inner_text("#headline").strip() == title
    shown = page.inner_text("#result")
    assert not [f for f in FURNITURE if f.casefold() in shown.casefold()]


def test_a_scanned_pdf_gets_the_ocr_message(page, url: str, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf_bytes())
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.set_input_files("#file", str(path))
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "OCR" in page.inner_text("#error")


def test_typing_drops_the_picked_file(page, url: str, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf_bytes())
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.set_input_files("#file", str(path))
    page.fill("#text", "Hà Nội mưa lớn suốt đêm qua. Nhiều tuyến phố ngập sâu. Giao thông ùn tắc đến trưa.")
    assert page.locator("#file-note").is_hidden()
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    assert "Hà Nội" in page.inner_text("#result")
