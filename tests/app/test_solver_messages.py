"""Solver diagnostics in the reader's language: every solver template has Chinese words, and each message
renders from its key and values (nested phrases and lists included), never from its English."""

from __future__ import annotations

import re
from string import Formatter

import pytest

from app.i18n import MESSAGE_KEYS, Message, t
from app.i18n.solver import (
    i18n_key,
    message_from_json,
    message_json,
    phrase_message,
    run_messages,
    solver_messages,
)
from solver import Phrase, Problem, Project, Solution, solve
from solver.messages import LISTED_PARAMS, MESSAGE_TEMPLATES, MONEY_PARAMS, NESTED_PARAMS, WHOLE_MESSAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_WRITING = re.compile(r"[\u4e00-\u9fff\uff01-\uff5e]")  # characters or full-width punctuation


def _names(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def _samples(key: str, depth: int = 0) -> list[tuple[Phrase, list[str]]]:
    """The template's Phrase with sample values in every variant (each nested phrase from each of its
    templates; lists of two items), each with the values a reader must find in it."""
    variants: list[tuple[dict[str, object], list[str]]] = [({}, [])]
    for n, name in enumerate(dict.fromkeys(_names(MESSAGE_TEMPLATES[key]))):  # a value named twice: once
        if name in NESTED_PARAMS:
            choices = [s for inner in NESTED_PARAMS[name] for s in _samples(inner, depth + 1)]
        elif name in LISTED_PARAMS:
            a, b = _samples(LISTED_PARAMS[name], depth + 1)[0], _samples(LISTED_PARAMS[name], depth + 2)[0]
            choices = [((a[0], b[0]), a[1] + b[1])]
        elif name in ("project", "predecessor", "successor", "source"):
            choices = [(f"WX-{depth}{n}", [f"WX-{depth}{n}"])]
        else:  # amounts read with thousands separators in Chinese
            value = 2021 + 7 * n + 100 * depth
            choices = [(value, [f"{value:,}" if name in MONEY_PARAMS else str(value)])]
        variants = [({**p, name: value}, v + values) for p, v in variants for value, values in choices]
    return [(Phrase(key, **p), v) for p, v in variants]


SAMPLES = [sample for key in WHOLE_MESSAGES for sample in _samples(key)]


def test_every_solver_template_has_chinese_words_with_the_same_values_and_the_solvers_english() -> None:
    for key, english in MESSAGE_TEMPLATES.items():
        assert i18n_key(key) in MESSAGE_KEYS, key
        zh = t(i18n_key(key), "zh")
        assert CHINESE_WRITING.search(zh), key
        assert sorted(_names(zh)) == sorted(_names(english)), key
        assert t(i18n_key(key), "en") == english, key


def test_the_samples_use_every_solver_template() -> None:
    def keys(phrase: Phrase) -> set[str]:
        found = {phrase.key}
        for _, value in phrase.params:
            for inner in value if isinstance(value, tuple) else (value,):
                if isinstance(inner, Phrase):
                    found |= keys(inner)
        return found

    used = set().union(*(keys(phrase) for phrase, _ in SAMPLES))
    internal = {"deferred_by_mip", "deferred_by_lp"}  # reasons of internal sub-models, never a message
    assert used == set(MESSAGE_TEMPLATES) - internal


@pytest.mark.parametrize(("phrase", "values"), SAMPLES, ids=lambda v: v.text if isinstance(v, Phrase) else "")
def test_each_solver_message_renders_in_chinese_keeping_its_values(phrase: Phrase, values: list[str]) -> None:
    chinese = phrase_message(phrase).render("zh")

    assert CJK.search(chinese), phrase.text
    assert all(value in chinese for value in values), (phrase.text, chinese)
    assert "cannot" not in chinese and "years" not in chinese, chinese
    assert phrase_message(phrase).render("en") == phrase.text
    assert phrase_message(Phrase.from_json(phrase.to_json())).render("zh") == chinese  # as stored


def test_a_stored_message_without_keys_passes_through_unchanged() -> None:
    """A solution written before messages carried keys keeps its English."""
    texts = ["something the solver never says", "WX-01: a reason we have no words for", ""]
    assert solver_messages({"messages": texts}, "zh") == texts


def test_a_structural_reason_from_a_real_solve_reads_in_chinese() -> None:
    # 9000 at ≤ 2500 a year needs 4 years; the horizon has 3: no money helps
    problem = Problem(
        2021, 2023, {y: 10_000 for y in range(2021, 2024)}, (Project("WX-07", 9000, 2023, max_annual=2500),)
    )

    solution = solve(problem, time_limit=2.0, workers=1)
    messages = solution.diagnostics.messages

    assert messages[0] == "WX-07: cost 9000 cannot be drawn in at most 3 years at ≤ 2500 a year"
    assert solver_messages(Solution.from_json(solution.to_json()).to_json()["diagnostics"]) == [
        "WX-07：总投资 9,000 万元无法在最多 3 年内、每年不超过 2,500 万元的条件下投完",
        "增加资金也无济于事：这些项目的日期和规则无法同时满足。",
    ]


def test_a_shortfall_from_a_real_solve_names_each_year_in_chinese() -> None:
    # one year, a 1000 cap and a project of 3000 that must be built in it: 2000 short in 2021, no less
    problem = Problem(2021, 2021, {2021: 1000}, (Project("A", 3000, 2021),))

    diagnostics = solve(problem, time_limit=5.0, workers=1).to_json()["diagnostics"]

    assert solver_messages(diagnostics) == [
        "不可暂缓的项目总投资共 3,000 万元，但 2021–2021 年的预算上限合计只有 1,000 万元。",
        "在预算上限内排不出方案。至少还需增加 2,000 万元（2021 年 2,000 万元），不能再少。",
    ]


def test_stored_replan_flags_render_in_either_language() -> None:
    flag = Message(
        "replan_deadline_lifted",
        flag=Message(
            "replan_too_slow",
            code="T-02",
            spent=300,
            cost=3000,
            last_year=2024,
            max_annual=1500,
            target=2025,
            earliest=2026,
        ),
    )
    stored = message_from_json(message_json(flag))
    unknown = Phrase("shortfall_not_worked_out")
    result = {"diagnostics": {"messages": [str(flag), unknown.text], "message_keys": [unknown.to_json()]}}

    zh = run_messages(result, {"flags": [message_json(flag)]}, "zh")
    en = run_messages(result, {"flags": [message_json(flag)]}, "en")

    assert stored == flag
    assert zh == [flag.render("zh"), "在预算上限内排不出方案；限时内未能算出最少还需增加多少资金。"]
    assert zh[0].startswith("T-02：到 2024 年底已支出 300 万元") and zh[0].endswith(
        "本次重新排程不再要求其按期完工"
    )
    assert en == result["diagnostics"]["messages"]
