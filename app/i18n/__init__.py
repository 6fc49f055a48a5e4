"""Chinese first, English on request: every word a reader sees (words.py) and how it is rendered (core.py);
the solver's diagnostics rendered from their keys (solver.py)."""

from __future__ import annotations

from app.i18n.core import (
    LANGS,
    LIST_SEPARATOR,
    MESSAGE_KEYS,
    UNCATEGORISED,
    Field,
    Lang,
    Listing,
    Message,
    Noun,
    category_label,
    check_lang,
    field_label,
    lang_from_accept_language,
    money,
    noun,
    render,
    status_label,
    t,
)

__all__ = [
    "LANGS",
    "LIST_SEPARATOR",
    "MESSAGE_KEYS",
    "UNCATEGORISED",
    "Field",
    "Lang",
    "Listing",
    "Message",
    "Noun",
    "category_label",
    "check_lang",
    "field_label",
    "lang_from_accept_language",
    "money",
    "noun",
    "render",
    "status_label",
    "t",
]
