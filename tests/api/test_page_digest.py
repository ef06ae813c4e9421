"""The editors' page in "Nhiều bài" mode: several articles (pasted with `---` lines, or .txt
files) give one digest whose every line names its articles and highlights its sentence in the
right one. Skipped, with the reason, where Playwright or a Chromium executable is missing."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_page import browser, page, url  # noqa: F401  (fixtures; skips without Chromium)
from tests.digest_articles import FUEL, PLANE_A, PLANE_B
from tests.document_files import blank_pdf_bytes, docx_bytes


def open_many(page, url: str) -> None:  # noqa: F811
    page.goto(url)
    page.wait_for_selector("#model option", state="attached")
    page.click("label[for=mode-many]")
    assert page.locator("#title-field").is_hidden() and page.locator("#many-hint").is_visible()


def test_pasted_articles_give_a_digest_linked_to_each_article(page, url: str) -> None:  # noqa: F811
    open_many(page, url)
    page.fill("#text", f"{PLANE_A}\n---\n{PLANE_B}\n")
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    assert "2 bài" in page.inner_text("#meta")
    assert page.locator("#source .article").count() == 2
    lines = page.locator("#abstract .line, #bullet-list .line")
    assert lines.count() >= 2
    for i in range(lines.count()):  # every line names its articles
        assert lines.nth(i).locator(".doc-mark").inner_text().startswith("[")
    # a line from the second article only highlights its sentence there, not in the first
    only_second = page.locator("#abstract .line", has=page.locator(".doc-mark", has_text="[2]"))
    line = only_second.first
    text = line.inner_text().replace(line.locator(".doc-mark").inner_text(), "").strip()
    line.click()
    highlighted = page.locator("#source .article[data-document='1'] .src.hl")
    assert highlighted.count() >= 1 and text[1:30] in " ".join(highlighted.all_inner_texts())
    assert page.locator("#source .article[data-document='0'] .src.hl").count() == 0
    warnings = page.inner_text("#warnings")
    assert "Số liệu khác nhau giữa các bài" in warnings and "(bài 1)" in warnings and "(bài 2)" in warnings


def test_one_article_in_many_mode_asks_for_another(page, url: str) -> None:  # noqa: F811
    open_many(page, url)
    page.fill("#text", PLANE_A)
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "Chỉ có một bài" in page.inner_text("#error")


def test_picked_txt_files_become_the_articles(page, url: str, tmp_path: Path) -> None:  # noqa: F811
    paths = []
    for name, text in (("a.txt", PLANE_A), ("b.txt", PLANE_B), ("c.txt", FUEL)):
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    open_many(page, url)
    page.set_input_files("#file", [str(p) for p in paths])
    for _ in range(100):  # the files are read asynchronously (no wait_for_function: the page's CSP has no eval)
        if "---" in page.input_value("#text"):
            break
        page.wait_for_timeout(50)
    assert page.input_value("#text").count("\n---\n") == 2 and page.locator("#file-note").is_hidden()
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#source .article").count() == 3 and "3 bài" in page.inner_text("#meta")


def test_picked_documents_are_read_by_the_server(page, url: str, tmp_path: Path) -> None:  # noqa: F811
    title, body = PLANE_B.split("\n", 1)
    (tmp_path / "a.txt").write_text(PLANE_A, encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(docx_bytes(title, [body]))
    (tmp_path / "scan.pdf").write_bytes(blank_pdf_bytes())
    open_many(page, url)
    page.set_input_files("#file", [str(tmp_path / "a.txt"), str(tmp_path / "b.docx")])
    page.wait_for_selector("#file-note:not([hidden])")
    assert "2 tệp" in page.inner_text("#file-note") and page.input_value("#text") == ""
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    labels = page.locator("#source .article-label").all_inner_texts()
    assert [label.casefold() for label in labels] == ["bài 1 · a.txt", "bài 2 · b.docx"]
    page.set_input_files("#file", [str(tmp_path / "a.txt"), str(tmp_path / "scan.pdf")])
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    error = page.inner_text("#error")
    assert "OCR" in error and "scan.pdf" in error  # which file, and what to do


def test_back_to_one_article_summarizes_one_text(page, url: str) -> None:  # noqa: F811
    open_many(page, url)
    page.click("label[for=mode-one]")
    assert page.locator("#title-field").is_visible()
    page.fill("#text", PLANE_A)
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#source .article").count() == 0 and page.locator(".doc-mark").count() == 0


def test_digest_mode_works_on_a_phone(browser, url: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    phone = context.new_page()
    open_many(phone, url)
    phone.fill("#text", f"{PLANE_A}\n---\n{PLANE_B}")
    phone.tap("#submit")
    phone.wait_for_selector("#result:not([hidden])")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator("#abstract .line").first.tap()
    assert phone.locator("#source .src.hl").count() >= 1
    context.close()
