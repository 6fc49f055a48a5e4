"""Figures as files: JSON, self-contained HTML, PNG/SVG/PDF (kaleido driving a Chromium on the machine).

HTML is self-contained (plotly.js inline) and needs nothing else. PNG/SVG/PDF are drawn by kaleido in a
Chromium found on the machine (`CAPSCHED_CHROMIUM`, `BROWSER_PATH`, or `chromium` on PATH); one browser
is started on first use and kept for later exports, because starting it costs about two seconds.
Without a browser these raise ExportUnavailable, whose message says how to install one.
"""

from __future__ import annotations

import asyncio
import atexit
import io
import logging
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from app.i18n import Message, render, t

FIGURE_FORMATS: tuple[str, ...] = ("json", "html", "png", "svg", "pdf")


STATIC_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")


SCHEDULE_FORMATS: tuple[str, ...] = ("csv", "xlsx")


MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


INSTALL_ADVICE = t("export_needs_browser", "en")  # the CLI's words; over HTTP in the reader's language


_TYPICAL_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


_RENDER_TIMEOUT_S = 180.0


_PNG_SCALE = 2  # report-grade: twice the layout's pixels


_log = logging.getLogger(__name__)


class ExportUnavailable(RuntimeError):
    """A static chart format cannot be made on this machine (no browser); the message says what to do.

    `str()` is English (the CLI's words); `render(lang)` writes the same advice in the reader's language.
    """

    def __init__(self, message: str | Message = Message("export_needs_browser")) -> None:
        self.text = message
        super().__init__(str(message))

    def render(self, lang: str = "zh") -> str:
        return render(self.text, lang)


class ExportError(ValueError):
    """A request for a file we cannot make (unknown format or suffix); the message names the choices."""


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    """One figure as json, html (self-contained), png, svg or pdf bytes."""
    if fmt == "json":
        return fig.to_json().encode("utf-8")
    if fmt == "html":
        return figures_html([fig])
    if fmt == "pdf":
        return figures_pdf([fig])
    if fmt in STATIC_FORMATS:
        return _RENDERER.render(fig, fmt)
    raise ExportError(f"unknown chart format {fmt!r}: use one of {', '.join(FIGURE_FORMATS)}")


def figures_html(figs: Sequence[go.Figure], *, title: str = "capsched") -> bytes:
    """Several figures in one offline HTML page (plotly.js inlined once)."""
    parts = [
        fig.to_html(
            full_html=False,
            include_plotlyjs=(i == 0),
            config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": _PNG_SCALE}},
        )
        for i, fig in enumerate(figs)
    ]
    body = "\n".join(f'<section style="margin:0 auto 32px;width:max-content">{p}</section>' for p in parts)
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{title}</title></head>\n<body style="margin:16px;background:#fff">\n{body}\n</body></html>\n'
    )
    return page.encode("utf-8")


def figures_pdf(figs: Sequence[go.Figure]) -> bytes:
    """Several figures as one PDF, one page per figure (each page sized to its chart)."""
    from pypdf import PdfWriter  # only PDF reports need it

    writer = PdfWriter()
    for fig in figs:
        writer.append(io.BytesIO(_RENDERER.render(fig, "pdf")))
    title = re.sub(r"<[^>]+>", "", (figs[0].layout.title.text or "") if figs else "")
    writer.add_metadata({"/Title": title or "capsched", "/Creator": "capsched"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_figures(path: Path, figs: Sequence[go.Figure]) -> list[Path]:
    """Write figures to `path` by its suffix: one HTML or PDF holding all; PNG/SVG one file per figure
    (the second as name-2.png, …). Returns the files written."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "html":
        path.write_bytes(figures_html(figs))
        return [path]
    if fmt == "pdf":
        path.write_bytes(figures_pdf(figs))
        return [path]
    if fmt in ("png", "svg", "json"):
        written = []
        for i, fig in enumerate(figs, start=1):
            target = path if i == 1 else path.with_name(f"{path.stem}-{i}{path.suffix}")
            target.write_bytes(figure_bytes(fig, fmt))
            written.append(target)
        return written
    raise ExportError(f"{path.name}: a chart file must end in .html, .png, .svg or .pdf")


def find_chromium() -> str | None:
    """The browser kaleido should drive: CAPSCHED_CHROMIUM, else what choreographer finds (it honours
    BROWSER_PATH and looks for chromium/chrome on PATH), else a Debian/Ubuntu default path."""
    configured = os.environ.get("CAPSCHED_CHROMIUM")  # TODO: move to app.settings.Settings.chromium
    if configured:
        return configured if _is_executable(configured) else None
    from choreographer.browsers.chromium import Chromium

    found = Chromium.find_browser(skip_local=False)
    if found and _is_executable(found):
        return found
    return next((p for p in _TYPICAL_BROWSERS if _is_executable(p)), None)


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


class _StaticRenderer:
    """One kaleido browser in a background event loop, shared by every export in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None

    def render(self, fig: go.Figure, fmt: str) -> bytes:
        with self._lock:
            try:
                return self._render(fig, fmt)
            except (ExportUnavailable, FutureTimeout):
                raise
            except Exception:  # the browser may have died since the last export: start afresh, once
                self._close()
                return self._render(fig, fmt)

    def _render(self, fig: go.Figure, fmt: str) -> bytes:
        self._open()
        opts = {"format": fmt, "scale": _PNG_SCALE if fmt == "png" else 1}
        job = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig, opts=opts), self._loop)
        return job.result(timeout=_RENDER_TIMEOUT_S)

    def _open(self) -> None:
        if self._kaleido is not None:
            return
        path = find_chromium()
        if path is None:
            raise ExportUnavailable(Message("export_needs_browser"))
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="capsched-kaleido", daemon=True).start()

        async def start() -> Any:
            import kaleido

            k = kaleido.Kaleido(path=path, mathjax=False, n=1)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=60)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            advice = Message("export_needs_browser")
            words = Message("export_browser_failed", path=path, reason=exc, advice=advice)
            raise ExportUnavailable(words) from None
        self._loop = loop
        # Registered after the browser's temporary profile exists, so it runs before that profile's own
        # clean-up at exit (atexit is last-in, first-out) and Chromium is gone when the folder is removed.
        atexit.register(self.close)

    def _close(self) -> None:
        if self._kaleido is None or self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(timeout=20)
        except Exception:  # closing a dead browser fails; nothing is left to release
            _log.debug("kaleido browser was already gone", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._kaleido, self._loop = None, None

    def close(self) -> None:
        with self._lock:
            self._close()


_RENDERER = _StaticRenderer()


def close_static_renderer() -> None:
    """Stop the shared browser (the next static export starts a new one)."""
    _RENDERER.close()
