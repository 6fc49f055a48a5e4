"""What a file export needs from the machine and may not find: a browser for static charts, Pango for
documents. One exception, so the API answers 503 with the advice in the reader's language."""

from __future__ import annotations

from app.i18n import Message, render


class ExportUnavailable(RuntimeError):
    """A static chart format cannot be made on this machine (no browser); the message says what to do.

    `str()` is English (the CLI's words); `render(lang)` writes the same advice in the reader's language.
    """

    def __init__(self, message: str | Message = Message("export_needs_browser")) -> None:
        self.text = message
        super().__init__(str(message))

    def render(self, lang: str = "zh") -> str:
        return render(self.text, lang)
