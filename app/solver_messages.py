"""A run's messages in the reader's language: the solver's diagnostics and the re-plan's flags.

The solver writes English (MODEL.md) from the named templates of solver/diagnostics.py. Each template
becomes a regex once; a message that matches is parsed back into an app/i18n.py Message (`diag_<key>`,
nested phrases and per-year lists included) and rendered in the reader's language. A message no template
matches passes through unchanged. Re-plan flags are stored as Messages (key and values, see
`message_json`) beside the run, so they are rendered directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any

from app.i18n import Listing, Message
from solver.diagnostics import LIST_SEPARATOR, LISTED_PARAMS, MESSAGE_TEMPLATES, NESTED_PARAMS, WHOLE_MESSAGES


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regex: literal text escaped, each {name} a named group of at least one character."""
    parts = []
    for literal, name, _, _ in Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


_PATTERNS: dict[str, re.Pattern[str]] = {key: _pattern(text) for key, text in MESSAGE_TEMPLATES.items()}

# Values in 万元 (shown with thousands separators in Chinese, as the page shows money); years stay bare.
MONEY_PARAMS = frozenset({"must", "total", "cost", "amount", "min_annual", "max_annual"})


@dataclass(frozen=True, slots=True)
class _Money:
    """An amount inside a solver message: '10,488' for Chinese readers, the solver's '10488' in English."""

    text: str

    def render(self, lang: str = "zh") -> str:
        return f"{int(self.text):,}" if lang == "zh" and self.text.isdigit() else self.text


def i18n_key(solver_key: str) -> str:
    """The app/i18n.py key holding the words of a solver template."""
    return f"diag_{solver_key}"


def parse(text: str, keys: Sequence[str] = WHOLE_MESSAGES) -> Message | None:
    """The Message that one of the templates `keys` words as `text`, or None if none does."""
    for key in keys:
        match = _PATTERNS[key].fullmatch(text)
        if match is None:
            continue
        params: dict[str, object] = {}
        for name, value in match.groupdict().items():
            params[name] = _value(name, value)
            if params[name] is None:
                break
        else:
            return Message(i18n_key(key), **params)
    return None


def _value(name: str, value: str) -> object | None:
    """A captured value: a nested phrase or list parsed in turn (None if it does not parse), else as is."""
    if name in NESTED_PARAMS:
        return parse(value, NESTED_PARAMS[name])
    if name in LISTED_PARAMS:
        items = [parse(item, (LISTED_PARAMS[name],)) for item in value.split(LIST_SEPARATOR)]
        return None if None in items else Listing(tuple(items))
    return _Money(value) if name in MONEY_PARAMS else value


def translate(message: str, lang: str = "zh") -> str:
    """A solver message in `lang`; a message no solver template words is returned unchanged."""
    parsed = parse(message)
    return message if parsed is None else parsed.render(lang)


def message_json(message: Message) -> dict[str, Any]:
    """A Message as JSON to store (values that are Messages nested, others as they are)."""
    params = {
        name: message_json(value) if isinstance(value, Message) else value for name, value in message.params
    }
    return {"key": message.key, "params": params}


def message_from_json(data: Mapping[str, Any]) -> Message:
    """The Message `message_json` stored."""
    params = {
        name: message_from_json(value) if isinstance(value, Mapping) and "key" in value else value
        for name, value in data["params"].items()
    }
    return Message(data["key"], **params)


def run_messages(
    result: Mapping[str, Any] | None, replan: Mapping[str, Any] | None, lang: str = "zh"
) -> list[str]:
    """The messages of a run's result in `lang`: the re-plan's flags (stored first among them, see
    app.problem_builder.merge_past) rendered from their stored Messages, the solver's translated."""
    stored = list(((result or {}).get("diagnostics") or {}).get("messages") or [])
    try:
        flags = [message_from_json(flag) for flag in (replan or {}).get("flags") or []]
    except KeyError:  # a flag whose words app/i18n.py no longer has: show the stored English
        flags = []
    if flags and [str(flag) for flag in flags] == stored[: len(flags)]:
        return [flag.render(lang) for flag in flags] + [translate(m, lang) for m in stored[len(flags) :]]
    return [translate(m, lang) for m in stored]
