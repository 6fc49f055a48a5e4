"""How words reach a reader: look-ups in app/i18n/words.py, and the Message machinery.

Labels are looked up with t(key, lang); errors and run messages are built as Message(key, **params) and
rendered in the reader's language at the edge (API handler, CLI); their English is the Message's str(),
so logs and English callers read English. Project names stay as the portfolio file spells them; category
and status words are translated when a translation is known and shown as given otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.i18n.words import CATEGORIES, FIELD_LABELS, LABELS, MESSAGES, NOUNS, STATUSES

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


UNCATEGORISED = "未分类"


def check_lang(lang: str) -> Lang:
    """Return lang if it is one we speak, else raise ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The label `key` in `lang`, with {placeholders} filled from values."""
    zh, en = _LABELS[key]
    text = en if check_lang(lang) == "en" else zh
    return text.format(**values) if values else text


def category_label(category: str, lang: str = "zh") -> str:
    """A category as shown: the portfolio's own word in Chinese, its translation (if known) in English."""
    if check_lang(lang) == "zh":
        return category
    return CATEGORIES.get(category, category)


def status_label(status: str | None, lang: str = "zh") -> str:
    """A status word as shown ('' when the file leaves it blank)."""
    if not status:
        return ""
    if check_lang(lang) == "zh":
        return status
    return STATUSES.get(status, status)


def money(amount: int | float, lang: str = "zh") -> str:
    """An amount in 万元 with thousands separators, e.g. '12,000'."""
    check_lang(lang)
    return f"{round(amount):,}"


_LABELS: dict[str, tuple[str, str]] = {**LABELS, **MESSAGES}  # one lookup, t(), for both
MESSAGE_KEYS: tuple[str, ...] = tuple(MESSAGES)
LIST_SEPARATOR = {"zh": "、", "en": ", "}


def field_label(name: str, lang: str = "zh") -> str:
    """A column or field as an error names it: zh '计划完工年份（planned_end）', en 'planned_end'."""
    label = FIELD_LABELS.get(name)
    if check_lang(lang) == "en" or label is None:
        return name
    return f"{label}（{name}）"


def noun(word: str, lang: str = "zh") -> str:
    """A thing a request names ('portfolio', 'run'…) in lang; unknown words are shown as given."""
    return NOUNS.get(word, word) if check_lang(lang) == "zh" else word


@dataclass(frozen=True, slots=True)
class Field:
    """A column/field name inside a Message: rendered as field_label() in the reader's language."""

    name: str

    def render(self, lang: str = "zh") -> str:
        return field_label(self.name, lang)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True, slots=True)
class Noun:
    """A thing's kind inside a Message ('project'): rendered as noun() in the reader's language."""

    word: str

    def render(self, lang: str = "zh") -> str:
        return noun(self.word, lang)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True, slots=True)
class Listing:
    """Several values inside a Message, joined with the reader's list separator (、 or ', ')."""

    items: tuple[object, ...]

    def render(self, lang: str = "zh") -> str:
        return LIST_SEPARATOR[check_lang(lang)].join(render(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True, slots=True, init=False)
class Message:
    """A user-facing sentence as a template key and its values; render(lang) writes it, str() in English.

    Values may themselves be Message, Field, Noun or Listing; they are rendered in the same language.
    """

    key: str
    params: tuple[tuple[str, object], ...]

    def __init__(self, key: str, /, **params: object) -> None:
        if key not in _LABELS:
            raise KeyError(f"no message {key!r} in app/i18n/words.py")
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(params.items()))

    def render(self, lang: str = "zh") -> str:
        return t(self.key, lang, **{name: render(value, lang) for name, value in self.params})

    def __str__(self) -> str:
        return self.render("en")


def render(text: object, lang: str = "zh") -> str:
    """Any user-facing value in lang: a Message/Field/Noun/Listing is rendered, anything else is str()."""
    renderer = getattr(text, "render", None)
    return renderer(lang) if callable(renderer) else str(text)


def lang_from_accept_language(header: str | None) -> Lang:
    """The reader's language from an Accept-Language header: English only when 'en' outranks 'zh';
    Chinese when the header is absent, empty, '*' or names neither."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, quality = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        try:
            q = float(quality.strip().removeprefix("q=")) if quality else 1.0
        except ValueError:
            q = 1.0
        ranked.append((-q, position, primary))
    return min(ranked)[2] if ranked else "zh"  # type: ignore[return-value]
