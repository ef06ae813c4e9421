"""Document files made on the fly for the format tests: a report as .docx, .pdf and .html.

Each holds the same report (examples/bao-cao-mau.txt: its title and paragraphs) wrapped in
the furniture of its format: a Word header and footer with page numbers; a multi-page PDF
with a running header and "Trang N/M" footers; a news page with navigation, a share bar, a
byline, related links, a footer, a script and a style sheet. `FURNITURE` lists that text,
which must never reach a summary.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
REPORT_TXT = REPO / "examples" / "bao-cao-mau.txt"

RUNNING_HEADER = "Sở NN&PTNT Lâm Hà — Lưu hành nội bộ"
FURNITURE = (
    "lưu hành nội bộ",
    "Trang ",
    "Chia sẻ",
    "Tin liên quan",
    "Giấy phép",
    "Chuyên mục",
    "quảng cáo",
    "font-family",
    "Đăng nhập",
)
# facts of the report that a good summary of it states (matched on the summary's text)
KEY_FACTS = (
    "5-7-2024",
    "32%",
    "45 km",
    "12.400 ha",
    "3.150 ha",
    "1.080 ha",
    "86 cống",
    "214 km",
    "2.600 ha",
    "148,5 tỷ",
    "62%",
    "55%",
    "Trần Văn Hòa",
)


def report() -> tuple[str, list[str]]:
    """The report's title and its paragraphs (without the page trailer of the .txt)."""
    lines = [line for line in REPORT_TXT.read_text(encoding="utf-8").splitlines() if line.strip()]
    end = lines.index("Minh Khoa")
    return lines[0], lines[1:end]


def unicode_font() -> Path:
    """A TTF with Vietnamese glyphs: DejaVu Sans, shipped inside matplotlib (a dependency)."""
    import matplotlib

    candidates = [
        Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf",
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian's fonts-dejavu-core
    ]
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip("no TTF font with Vietnamese glyphs (DejaVuSans.ttf) to make PDF fixtures with")
    raise AssertionError  # unreachable


def docx_bytes(title: str, paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    """A Word file: the title as Title, the paragraphs, a header and a footer on every page."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Microsoft Word - bao-cao.docx"
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    section.footer.paragraphs[0].text = "Trang 1"
    document.add_heading(title, level=0)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    document.add_paragraph("Minh Khoa")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(
    title: str | None,
    paragraphs: list[str],
    *,
    page_format: tuple[float, float] = (105, 148),  # A6 (mm): the report takes several pages
    header: str | None = RUNNING_HEADER,
    lines: list[str] | None = None,
    **encryption: Any,
) -> bytes:
    """A PDF: running header and "Trang N/M" footer on each page, the title in a large font,
    justified paragraphs (or the given `lines`, one cell each, as they are)."""
    from fpdf import FPDF

    font = unicode_font()

    class Report(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("dejavu", size=8)
                self.cell(0, 6, header, align="C")
                self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("dejavu", size=8)
            self.cell(0, 8, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Report(format=page_format)
    pdf.add_font("dejavu", fname=str(font))
    pdf.alias_nb_pages()
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.add_page()
    if title:
        pdf.set_font("dejavu", size=16)
        pdf.multi_cell(0, 8, title)
        pdf.ln(4)
    pdf.set_font("dejavu", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 5.5, paragraph, align="J")
        pdf.ln(3)
    for line in lines or []:
        pdf.cell(0, 5.5, line)
        pdf.ln(5.5)
    return bytes(pdf.output())


def blank_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF with drawings and page numbers but no text layer (what a scan looks like)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=str(unicode_font()))
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.rect(20, 20, 170, 250, style="F")
        pdf.set_font("dejavu", size=9)
        pdf.set_y(-15)
        pdf.cell(0, 10, str(number), align="C")
    return bytes(pdf.output())


def html_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A news page: the article inside navigation, a share bar, a byline, related links and a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} | Báo Lâm Hà điện tử</title>
<style>body {{ font-family: sans-serif }} .share {{ color: red }}</style>
<script>var banner = "Đặt quảng cáo tại đây"; window.tracking = true;</script>
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/kt">Chuyên mục Kinh tế</a></li>
<li><a href="/login">Đăng nhập</a></li></ul></nav></header>
<main><article>
<h1>{title}</h1>
<div class="byline">Minh Khoa - 05/07/2024 10:30</div>
<div class="share"><a href="#">Chia sẻ Facebook</a> <a href="#">Chia sẻ Zalo</a></div>
{body}
<script>document.write("Khung quảng cáo giữa bài");</script>
<p class="author">Minh Khoa</p>
</article>
<aside class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/a">Lâm Hà: Chủ động phòng, chống thiên tai mùa mưa bão năm 2024</a></li>
<li><a href="/b">Nông dân ven biển chuyển đổi cây trồng thích ứng biến đổi khí hậu</a></li></ul></aside>
</main>
<footer><p>Báo Lâm Hà điện tử. Giấy phép số 123/GP-BTTTT. Chia sẻ lại phải ghi nguồn.</p></footer>
</body></html>"""
    return page.encode("utf-8")


# the editors' file formats, each with the function that writes a document of it
MAKERS = {"docx": docx_bytes, "pdf": pdf_bytes, "html": html_bytes}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
