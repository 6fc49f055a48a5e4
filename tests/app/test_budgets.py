"""Budget arguments a finance officer types: flat caps, per-year specs, scaling, horizons."""

from __future__ import annotations

import pytest

from app.rules.budgets import BudgetSpecError, flat_budget, parse_budget, parse_years, scale_budget


def test_parse_years_reads_a_range() -> None:
    assert parse_years("2021-2030") == (2021, 2030)


def test_parse_years_rejects_a_reversed_range_in_words() -> None:
    with pytest.raises(BudgetSpecError, match="the last year 2020 is before the first year 2025"):
        parse_years("2025-2020")


def test_flat_budget_gives_every_year_the_same_cap() -> None:
    assert flat_budget(2021, 2023, 12000) == {2021: 12000, 2022: 12000, 2023: 12000}


def test_parse_budget_reads_every_year_of_the_horizon() -> None:
    assert parse_budget("2021=100, 2022=0", 2021, 2022) == {2021: 100, 2022: 0}


def test_parse_budget_names_the_missing_year() -> None:
    with pytest.raises(BudgetSpecError, match="no cap for 2022"):
        parse_budget("2021=100,2023=5", 2021, 2023)


def test_parse_budget_names_a_year_outside_the_horizon() -> None:
    with pytest.raises(BudgetSpecError, match="2024 outside the horizon 2021-2022"):
        parse_budget("2021=1,2022=1,2024=1", 2021, 2022)


def test_parse_budget_rejects_an_amount_that_is_not_a_number() -> None:
    with pytest.raises(BudgetSpecError, match="'12k' is not a whole number"):
        parse_budget("2021=12k", 2021, 2021)


def test_parse_budget_rejects_a_negative_cap() -> None:
    with pytest.raises(BudgetSpecError, match="cannot be negative"):
        parse_budget("2021=-5", 2021, 2021)


def test_parse_budget_rejects_a_year_given_twice() -> None:
    with pytest.raises(BudgetSpecError, match="year 2021 is given twice"):
        parse_budget("2021=5,2021=6", 2021, 2021)


def test_scale_budget_rounds_down_to_whole_wan() -> None:
    assert scale_budget({2021: 999, 2022: 1000}, 0.5) == {2021: 499, 2022: 500}
