"""Solver diagnostics in the reader's language: every solver template has Chinese words and round-trips."""

from __future__ import annotations

import re
from string import Formatter

import pytest

from app.i18n import MESSAGE_KEYS, Message, t
from app.solver_messages import (
    MONEY_PARAMS,
    i18n_key,
    message_from_json,
    message_json,
    run_messages,
    translate,
)
from solver import Problem, Project, solve
from solver.diagnostics import LIST_SEPARATOR, LISTED_PARAMS, MESSAGE_TEMPLATES, NESTED_PARAMS, WHOLE_MESSAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_WRITING = re.compile(r"[\u4e00-\u9fff\uff01-\uff5e]")  # characters or full-width punctuation


def _names(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def _samples(key: str, depth: int = 0) -> list[tuple[str, list[str]]]:
    """The template filled with sample values in every variant (each nested phrase from each of its
    templates; lists of two items), each with the plain values put in."""
    variants: list[tuple[dict[str, str], list[str]]] = [({}, [])]
    for n, name in enumerate(_names(MESSAGE_TEMPLATES[key])):
        if name in NESTED_PARAMS:
            choices = [s for inner in NESTED_PARAMS[name] for s in _samples(inner, depth + 1)]
        elif name in LISTED_PARAMS:
            a, b = _samples(LISTED_PARAMS[name], depth + 1)[0], _samples(LISTED_PARAMS[name], depth + 2)[0]
            choices = [(a[0] + LIST_SEPARATOR + b[0], a[1] + b[1])]
        elif name in ("project", "predecessor", "successor"):
            choices = [(f"WX-{depth}{n}", [f"WX-{depth}{n}"])]
        else:  # amounts read with thousands separators in Chinese
            value = 2021 + 7 * n + 100 * depth
            choices = [(str(value), [f"{value:,}" if name in MONEY_PARAMS else str(value)])]
        variants = [({**p, name: text}, v + values) for p, v in variants for text, values in choices]
    return [(MESSAGE_TEMPLATES[key].format(**p), v) for p, v in variants]


SAMPLES = [english for key in WHOLE_MESSAGES for english in _samples(key)]


def test_every_solver_template_has_chinese_words_with_the_same_values_and_the_solvers_english() -> None:
    for key, english in MESSAGE_TEMPLATES.items():
        assert i18n_key(key) in MESSAGE_KEYS, key
        zh = t(i18n_key(key), "zh")
        assert CHINESE_WRITING.search(zh), key
        assert sorted(_names(zh)) == sorted(_names(english)), key
        assert t(i18n_key(key), "en") == english, key


def test_the_samples_use_every_solver_template() -> None:
    used = {key for key, text in MESSAGE_TEMPLATES.items() if any(_matches(text, e) for e, _ in SAMPLES)}
    assert used == set(MESSAGE_TEMPLATES)


def _matches(template: str, english: str) -> bool:
    literal = [part for part, *_ in Formatter().parse(template) if part.strip(" :")]
    return all(part in english for part in literal) if literal else True


@pytest.mark.parametrize(("english", "values"), SAMPLES)
def test_each_solver_message_translates_to_chinese_keeping_its_values(
    english: str, values: list[str]
) -> None:
    chinese = translate(english, "zh")

    assert CJK.search(chinese), english
    assert all(value in chinese for value in values), (english, chinese)
    assert "cannot" not in chinese and "years" not in chinese, chinese
    assert translate(english, "en") == english


def test_a_message_no_template_words_passes_through_unchanged() -> None:
    for text in ("something the solver never says", "WX-01: a reason we have no words for", ""):
        assert translate(text, "zh") == text


def test_a_structural_reason_from_a_real_solve_reads_in_chinese() -> None:
    # 9000 at ≤ 2500 a year needs 4 years; the horizon has 3: no money helps
    problem = Problem(
        2021, 2023, {y: 10_000 for y in range(2021, 2024)}, (Project("WX-07", 9000, 2023, max_annual=2500),)
    )

    messages = solve(problem, time_limit=2.0, workers=1).diagnostics.messages

    assert messages[0] == "WX-07: cost 9000 cannot be drawn in at most 3 years at ≤ 2500 a year"
    assert [translate(m) for m in messages] == [
        "WX-07：总投资 9,000 万元无法在最多 3 年内、每年不超过 2,500 万元的条件下投完",
        "增加资金也无济于事：这些项目的日期和规则无法同时满足。",
    ]


def test_a_shortfall_from_a_real_solve_names_each_year_in_chinese() -> None:
    # one year, a 1000 cap and a project of 3000 that must be built in it: 2000 short in 2021, no less
    problem = Problem(2021, 2021, {2021: 1000}, (Project("A", 3000, 2021),))

    messages = solve(problem, time_limit=5.0, workers=1).diagnostics.messages

    assert [translate(m) for m in messages] == [
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
    result = {
        "diagnostics": {
            "messages": [
                str(flag),
                "No schedule fits the caps; the least extra money could not be worked out in time.",
            ]
        }
    }

    zh = run_messages(result, {"flags": [message_json(flag)]}, "zh")
    en = run_messages(result, {"flags": [message_json(flag)]}, "en")

    assert stored == flag
    assert zh == [flag.render("zh"), "在预算上限内排不出方案；限时内未能算出最少还需增加多少资金。"]
    assert zh[0].startswith("T-02：到 2024 年底已支出 300 万元") and zh[0].endswith(
        "本次重新排程不再要求其按期完工"
    )
    assert en == result["diagnostics"]["messages"]
