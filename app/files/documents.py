"""HTML documents as PDF through WeasyPrint: A4 (default) or A3 landscape, a running header, the page
number "第 N 页 / 共 M 页" in the footer, table headers repeated on every page, and the Noto CJK font of
fonts-noto-cjk embedded.

Why WeasyPrint: its text layer keeps the characters it was given (项 stays U+9879, 目 stays U+76EE; a
Chromium PDF maps them to Kangxi radicals, so searching "项目" finds nothing), it embeds the OpenType/CFF
Noto CJK fonts (reportlab cannot load CFF outlines), and CSS paged media does page numbers and headers.
It needs Pango at run time; without it (or without the package) ExportUnavailable says what to install.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from app.files.unavailable import ExportUnavailable
from app.i18n import Message, check_lang, t

PAPERS: tuple[str, ...] = ("A4", "A3")
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", sans-serif'

# Printable area of a landscape page with the margins below (mm): used to size charts.
_MARGINS_MM = {"top": 16, "right": 12, "bottom": 14, "left": 12}
_PAGE_MM = {"A4": (297, 210), "A3": (420, 297)}


def check_paper(paper: str) -> str:
    """Return paper if it is A4 or A3 (any case), else raise ValueError naming the choices."""
    upper = paper.upper()
    if upper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}: use one of {', '.join(PAPERS)}")
    return upper


def frame_mm(paper: str) -> tuple[float, float]:
    """Width and height (mm) inside the margins of a landscape page."""
    width, height = _PAGE_MM[check_paper(paper)]
    return (
        width - _MARGINS_MM["left"] - _MARGINS_MM["right"],
        height - _MARGINS_MM["top"] - _MARGINS_MM["bottom"],
    )


def esc(value: Any) -> str:
    """Text for HTML (None is blank)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_counter(lang: str) -> str:
    """The footer's CSS `content`: the words of `doc_page_of` around counter(page) and counter(pages)."""
    template = t("doc_page_of", lang)
    parts: list[str] = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def page_css(*, paper: str, header: str, lang: str, title_page: bool = True) -> str:
    """@page rules (size, margins, running header, page numbers) and the house style of tables; with
    `title_page` the first page has no running header."""
    m = _MARGINS_MM
    first = (
        "@page :first { @top-left { content: none; } @top-right { content: none; } }" if title_page else ""
    )
    return f"""
@page {{
  size: {check_paper(paper)} landscape;
  margin: {m["top"]}mm {m["right"]}mm {m["bottom"]}mm {m["left"]}mm;
  @top-left {{ content: {_css_string(header)}; font-family: {FONT_STACK}; font-size: 8pt; color: #5B6475; }}
  @top-right {{ content: {_css_string(t("doc_made_by", lang))}; font-family: {FONT_STACK}; font-size: 8pt;
               color: #5B6475; }}
  @bottom-center {{ content: {_page_counter(lang)}; font-family: {FONT_STACK}; font-size: 8pt; color: #5B6475; }}
}}
{first}
html {{ font-family: {FONT_STACK}; font-size: 9.5pt; color: #1F2A44; }}
h1 {{ font-size: 20pt; margin: 0 0 4mm; }}
h2 {{ font-size: 13pt; margin: 0 0 3mm; }}
p {{ margin: 0 0 2mm; }}
.sub {{ color: #5B6475; }}
.note {{ color: #5B6475; font-size: 8.5pt; }}
.estimate {{ color: #8A5A00; }}
.page {{ break-after: page; }}
.page:last-child {{ break-after: auto; }}
table {{ border-collapse: collapse; width: 100%; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 0.4pt solid #9AA3B2; padding: 1.2mm 1.6mm; vertical-align: top; }}
th {{ background: #E8ECF3; font-weight: bold; text-align: center; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
td.center {{ text-align: center; }}
tr.subtotal td {{ background: #F3F5F9; font-weight: bold; }}
tr.total td {{ background: #E8ECF3; font-weight: bold; }}
tr.group td {{ background: #F7F8FB; font-weight: bold; }}
table.facts {{ width: auto; min-width: 60%; }}
table.facts th {{ text-align: left; width: 32mm; }}
.late {{ color: #D1362F; }}
.chart {{ text-align: center; }}
.chart img {{ max-width: 100%; }}
"""


def html_page(*, title: str, body: str, paper: str, header: str, lang: str, title_page: bool = True) -> str:
    """A whole HTML document: the page rules, then `body`."""
    check_lang(lang)
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{page_css(paper=paper, header=header, lang=lang, title_page=title_page)}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )


def table_html(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    row_classes: Sequence[str] | None = None,
    header_html: str | None = None,
) -> str:
    """A table (its header repeated on every page). `numeric` columns (0-based) align right with
    thousands separators; cells that are already HTML are passed as `Markup`."""
    right = set(numeric)
    head = header_html or "<tr>" + "".join(f"<th>{_cell(h, False)}</th>" for h in header) + "</tr>"
    lines = []
    for index, row in enumerate(rows):
        cls = row_classes[index] if row_classes else ""
        cells = "".join(
            f'<td class="num">{_cell(v, True)}</td>' if i in right else f"<td>{_cell(v, False)}</td>"
            for i, v in enumerate(row)
        )
        lines.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(lines)}</tbody></table>"


class Markup(str):
    """A cell value that is HTML already (not escaped)."""


def _cell(value: Any, number: bool) -> str:
    """Escaped text; whole numbers in a numeric column get thousands separators (years stay as given)."""
    if isinstance(value, Markup):
        return str(value)
    if number and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return esc(value)


def svg_image(svg: bytes, *, max_height_mm: float, css_class: str = "chart") -> str:
    """An SVG chart as an image (vector in the PDF, its text searchable), at most `max_height_mm` tall."""
    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<div class="{css_class}"><img style="max-height:{max_height_mm:.0f}mm" '
        f'src="data:image/svg+xml;base64,{data}"></div>'
    )


def charts_pdf(charts: Sequence[tuple[bytes, int, int]], *, title: str) -> bytes:
    """SVG charts as one PDF, one page each, every page the chart's own size (width, height in px)."""
    styles, pages = [], []
    for k, (svg, width, height) in enumerate(charts):
        styles.append(
            f"@page chart{k} {{ size: {width}px {height}px; margin: 0 }} .chart{k} {{ page: chart{k} }}"
        )
        data = base64.b64encode(svg).decode("ascii")
        pages.append(
            f'<div class="chart{k}"><img style="display:block;width:{width}px;height:{height}px" '
            f'src="data:image/svg+xml;base64,{data}"></div>'
        )
    document = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>body {{ margin: 0; font-family: {FONT_STACK} }} {' '.join(styles)}</style></head>"
        f"<body>{''.join(pages)}</body></html>"
    )
    return pdf_bytes(document)


def pdf_bytes(document: str) -> bytes:
    """The HTML document as PDF bytes (WeasyPrint); ExportUnavailable when WeasyPrint cannot run here."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise ExportUnavailable(Message("export_needs_pango", reason=exc)) from None
    return weasyprint.HTML(string=document).write_pdf()
