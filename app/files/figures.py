"""Figures as files: JSON, self-contained HTML, PNG/SVG/PDF (kaleido driving a Chromium on the machine).

HTML is self-contained (plotly.js inline) and needs nothing else. PNG/SVG/PDF are drawn by kaleido in a
Chromium found on the machine (`CAPSCHED_CHROMIUM`, `BROWSER_PATH`, or `chromium` on PATH); one browser
is started on first use and kept for later exports, because starting it costs about two seconds.
Without a browser these raise ExportUnavailable, whose message says how to install one.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from app.files import documents
from app.files.unavailable import ExportUnavailable
from app.i18n import Message, t

__all__ = ["ExportError", "ExportUnavailable", "figure_bytes", "figures_html", "figures_pdf", "write_figures"]

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
_START_TIMEOUT_S = 60.0


_PNG_SCALE = 2  # report-grade: twice the layout's pixels


_log = logging.getLogger(__name__)


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
    """Several figures as one PDF, one page per figure sized to its chart: kaleido draws each as SVG and
    WeasyPrint lays it out, so the text layer holds the characters as written (Chromium's own PDF maps
    目/金/特 to Kangxi radicals and searching 项目 found nothing)."""
    title = re.sub(r"<[^>]+>", "", (figs[0].layout.title.text or "") if figs else "")
    charts = [(_RENDERER.render(fig, "svg"), *_size_px(fig)) for fig in figs]
    return documents.charts_pdf(charts, title=title or "capsched")


def _size_px(fig: go.Figure) -> tuple[int, int]:
    return int(fig.layout.width or 1100), int(fig.layout.height or 500)


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
    """kaleido's own sync server (one Chromium for the process, started on first use) behind a lock: its
    calls are not safe from several threads at once, and a call that never returns (a browser that died
    or did not start) is bounded by a timeout, after which the server is restarted once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = False

    def render(self, fig: go.Figure, fmt: str) -> bytes:
        with self._lock:
            try:
                return self._render(fig, fmt)
            except ExportUnavailable:
                raise
            except Exception:  # the browser may have died since the last export: start afresh, once
                self._stop()
                return self._render(fig, fmt)

    def _render(self, fig: go.Figure, fmt: str) -> bytes:
        import kaleido

        self._start()
        opts = {"format": fmt, "scale": _PNG_SCALE if fmt == "png" else 1}
        return _bounded(lambda: kaleido.calc_fig_sync(fig, opts=opts), _RENDER_TIMEOUT_S)

    def _start(self) -> None:
        if self._running:
            return
        import kaleido

        path = find_chromium()
        if path is None:
            raise ExportUnavailable(Message("export_needs_browser"))
        kaleido.start_sync_server(path=path, mathjax=False, n=1, silence_warnings=True)
        self._running = True
        try:  # a browser that cannot start leaves the server's calls waiting: find out now, bounded
            _bounded(lambda: kaleido.calc_fig_sync(go.Figure(), opts={"format": "svg"}), _START_TIMEOUT_S)
        except Exception as exc:
            self._stop()
            advice = Message("export_needs_browser")
            raise ExportUnavailable(
                Message("export_browser_failed", path=path, reason=exc, advice=advice)
            ) from None

    def _stop(self) -> None:
        if not self._running:
            return
        import kaleido

        self._running = False
        try:
            kaleido.stop_sync_server(silence_warnings=True)
        except Exception:  # stopping a dead browser fails; nothing is left to release
            _log.debug("kaleido server was already gone", exc_info=True)

    def close(self) -> None:
        with self._lock:
            self._stop()


def _bounded(call: Callable[[], Any], seconds: float) -> Any:
    """`call()` on a daemon thread, waited for at most `seconds` (TimeoutError after that; a call that never
    returns must not keep the process from exiting)."""
    done: list[Any] = []
    failed: list[BaseException] = []

    def target() -> None:
        try:
            done.append(call())
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=target, name="capsched-kaleido-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if failed:
        raise failed[0]
    if not done:
        raise TimeoutError(f"no answer from the browser in {seconds:g} s")
    return done[0]


_RENDERER = _StaticRenderer()


def close_static_renderer() -> None:
    """Stop the shared browser (the next static export starts a new one)."""
    _RENDERER.close()
