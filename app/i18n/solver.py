"""A run's messages in the reader's language: the solver's diagnostics and the re-plan's flags.

The solver gives each diagnostic as a key and its values beside the English (solver/messages.py Phrase;
`message_keys` in the Solution JSON). Each key has words in app/i18n/words.py (`diag_<key>`), so a message is
rendered from its key and values — nested phrases and per-year lists included — never parsed back from
its English. A stored solution without keys (written before they existed) keeps its English. Re-plan
flags are stored as Messages (key and values, see `message_json`) beside the run, and rendered the same
way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.i18n.core import Field, Listing, Message, Noun
from solver.messages import MONEY_PARAMS, Phrase


@dataclass(frozen=True, slots=True)
class Money:
    """An amount inside a solver message: '10,488' for Chinese readers, the solver's '10488' in English."""

    amount: int

    def render(self, lang: str = "zh") -> str:
        return f"{self.amount:,}" if lang == "zh" else str(self.amount)


def i18n_key(solver_key: str) -> str:
    """The app/i18n key holding the words of a solver template."""
    return f"diag_{solver_key}"


def phrase_message(phrase: Phrase | Mapping[str, Any]) -> Message:
    """A solver Phrase (or its JSON form) as a Message of app/i18n, nested phrases and lists in turn."""
    data = phrase.to_json() if isinstance(phrase, Phrase) else phrase
    params: dict[str, object] = {}
    for name, value in data["params"].items():
        if isinstance(value, Mapping):
            params[name] = phrase_message(value)
        elif isinstance(value, list):
            params[name] = Listing(tuple(phrase_message(item) for item in value))
        elif name in MONEY_PARAMS and isinstance(value, int):
            params[name] = Money(value)
        else:
            params[name] = value
    return Message(i18n_key(data["key"]), **params)


def solver_messages(diagnostics: Mapping[str, Any] | None, lang: str = "zh") -> list[str]:
    """The messages of a MODEL.md Solution JSON's `diagnostics` in `lang`: from their keys when the
    solution carries them (one per message), else the stored English."""
    diagnostics = diagnostics or {}
    english = list(diagnostics.get("messages") or [])
    keys = list(diagnostics.get("message_keys") or [])
    if len(keys) != len(english):
        return english
    return [phrase_message(key).render(lang) for key in keys]


def message_json(message: Message) -> dict[str, Any]:
    """A Message as JSON to store: nested Messages, Fields, Nouns and Listings as tagged objects (so
    they render in the reader's language when read back), plain values as they are."""
    return {"key": message.key, "params": {name: _value_json(value) for name, value in message.params}}


def _value_json(value: object) -> object:
    if isinstance(value, Message):
        return message_json(value)
    if isinstance(value, Listing):
        return {"list": [_value_json(item) for item in value.items]}
    if isinstance(value, Field):
        return {"field": value.name}
    if isinstance(value, Noun):
        return {"noun": value.word}
    if isinstance(value, Money):
        return value.amount
    return value


def message_from_json(data: Mapping[str, Any]) -> Message:
    """The Message `message_json` stored."""
    return Message(data["key"], **{name: _value_from_json(value) for name, value in data["params"].items()})


def _value_from_json(value: object) -> object:
    if not isinstance(value, Mapping):
        return value
    if "key" in value:
        return message_from_json(value)
    if "list" in value:
        return Listing(tuple(_value_from_json(item) for item in value["list"]))
    if "field" in value:
        return Field(value["field"])
    if "noun" in value:
        return Noun(value["noun"])
    return value


def run_messages(
    result: Mapping[str, Any] | None, replan: Mapping[str, Any] | None, lang: str = "zh"
) -> list[str]:
    """The messages of a run's result in `lang`: the re-plan's flags (stored first among the messages, see
    app.rules.problem.merge_past) rendered from their stored Messages, then the solver's from their keys."""
    diagnostics = dict((result or {}).get("diagnostics") or {})
    stored: Sequence[str] = list(diagnostics.get("messages") or [])
    try:
        flags = [message_from_json(flag) for flag in (replan or {}).get("flags") or []]
    except KeyError:  # a flag whose words app/i18n no longer has: show the stored English
        flags = []
    if flags and [str(flag) for flag in flags] == list(stored[: len(flags)]):
        rest = {**diagnostics, "messages": list(stored[len(flags) :])}
        return [flag.render(lang) for flag in flags] + solver_messages(rest, lang)
    return solver_messages(diagnostics, lang)
