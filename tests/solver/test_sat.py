"""solver/sat.py, the CP-SAT layer without pandas, against OR-Tools' own `cp_model`: the same calls build
the same model proto and solve to the same answer, callbacks and stops included."""

from __future__ import annotations

import random
import threading
from types import ModuleType
from typing import Any

import pytest
from ortools.sat.python import cp_model

from solver import sat


def _model(api: ModuleType, items: int = 12, seed: int = 3) -> tuple[Any, list[Any], Any]:
    """A small scheduling-like model through `api` (cp_model or sat): integer draws, Boolean choices, ≤ /
    == / ≥ constraints, a constant objective offset, a hint on a negated literal and a constraint that is
    plainly true."""
    rng = random.Random(seed)
    m = api.CpModel()
    chosen = [m.new_bool_var(f"x{i}") for i in range(items)]
    draws = [m.new_int_var(0, 40, f"d{i}") for i in range(items)]
    weights = [rng.randint(5, 30) for _ in range(items)]
    for x, d, w in zip(chosen, draws, weights, strict=True):
        m.add(d <= 40 * x)
        m.add(d >= w * x)
    m.add(api.LinearExpr.weighted_sum(draws, [1] * items) <= 7 * items)
    m.add(sum(chosen[:3]) == 2)
    m.add(True)
    gain = api.LinearExpr.weighted_sum(chosen, weights)
    m.minimize(3 * items * 30 - gain + api.LinearExpr.sum(draws[:2]) + 7)
    m.add_hint(~chosen[0], True)
    m.add_hint(draws[1], 12)
    return m, chosen + draws, gain


def _params(solver: Any, deterministic_limit: float | None = None) -> None:
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    solver.parameters.max_time_in_seconds = 60
    if deterministic_limit is not None:
        solver.parameters.max_deterministic_time = deterministic_limit


class _Seen:
    def __init__(self) -> None:
        self.objectives: list[float] = []
        self.bounds: list[float] = []


def _recorder(api: ModuleType, seen: _Seen, stop_after: int | None = None) -> Any:
    class Recorder(api.CpSolverSolutionCallback):  # type: ignore[name-defined, misc]
        def on_solution_callback(self) -> None:
            seen.objectives.append(self.objective_value)
            seen.bounds.append(self.best_objective_bound)
            assert self.deterministic_time >= 0
            if stop_after is not None and len(seen.objectives) >= stop_after:
                self.stop_search()

    return Recorder()


def test_the_same_calls_build_the_same_model_proto() -> None:
    ours, _, _ = _model(sat)
    theirs, _, _ = _model(cp_model)

    assert str(ours.proto) == str(theirs.proto)
    assert len(ours.proto.solution_hint.vars) == 2


def test_a_solve_gives_cp_model_s_status_objective_values_and_solutions_in_order() -> None:
    answers = []
    for api in (sat, cp_model):
        model, variables, gain = _model(api, items=30)
        solver = api.CpSolver()
        _params(solver)
        seen = _Seen()
        status = solver.solve(model, _recorder(api, seen))
        answers.append(
            (
                status.name,
                solver.objective_value,
                solver.best_objective_bound,
                [solver.value(v) for v in variables],
                solver.value(gain),
                list(solver.response_proto.solution),
                seen.objectives,
                round(solver.deterministic_time, 9),
            )
        )

    ours, theirs = answers
    assert ours[0] == "OPTIMAL"
    assert ours == theirs
    assert len(ours[6]) >= 1 and ours[6][-1] == ours[1]


def test_a_callback_stops_the_search_at_its_first_solution() -> None:
    model, _, _ = _model(sat, items=30)
    solver = sat.CpSolver()
    _params(solver)
    seen = _Seen()

    status = solver.solve(model, _recorder(sat, seen, stop_after=1))

    assert status == sat.FEASIBLE
    assert seen.objectives == [solver.objective_value]
    assert solver.best_objective_bound < solver.objective_value  # not proven: it stopped


def _hard(items: int = 200, knapsacks: int = 5, seed: int = 11) -> tuple[sat.CpModel, list[sat.IntVar]]:
    """A multi-dimensional knapsack whose proof takes CP-SAT far longer than a first solution."""
    rng = random.Random(seed)
    m = sat.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(items)]
    for _ in range(knapsacks):
        weights = [rng.randint(100, 1000) for _ in range(items)]
        m.add(sat.LinearExpr.weighted_sum(x, weights) <= sum(weights) // 2)
    m.minimize(-sat.LinearExpr.weighted_sum(x, [rng.randint(100, 1000) for _ in range(items)]))
    return m, x


def test_stop_search_from_another_thread_ends_a_running_solve() -> None:
    model, _ = _hard()
    solver = sat.CpSolver()
    _params(solver)
    first = threading.Event()

    class FirstSolution(sat.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            first.set()

    def stopper() -> None:
        first.wait(60)
        solver.stop_search()

    thread = threading.Thread(target=stopper)
    thread.start()
    status = solver.solve(model, FirstSolution())
    thread.join()

    assert first.is_set()
    assert status == sat.FEASIBLE  # stopped before the proof
    solver.stop_search()  # after the solve: nothing to stop, no error


def test_a_false_constraint_makes_the_model_infeasible_and_other_objects_are_refused() -> None:
    m = sat.CpModel()
    x = m.new_int_var(0, 5, "x")
    m.add(x >= 2)
    m.add(False)
    m.minimize(x)
    solver = sat.CpSolver()
    _params(solver)

    assert solver.solve(m) == sat.INFEASIBLE
    with pytest.raises(TypeError, match=r"CpModel\.add"):
        m.add("x >= 2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer coefficients"):
        m.minimize(0.5 * x)


def test_variables_are_found_by_proto_index_and_a_constant_objective_is_an_offset() -> None:
    m = sat.CpModel()
    x = m.new_int_var(3, 9, "x")
    assert m.get_int_var_from_proto_index(0).index == x.index
    with pytest.raises(ValueError, match="no variable 1"):
        m.get_int_var_from_proto_index(1)
    m.minimize(x)
    m.minimize(4)  # replaces the objective
    m.add_hint(x, 5)
    m.clear_hints()
    solver = sat.CpSolver()
    _params(solver)

    assert solver.solve(m) == sat.OPTIMAL
    assert solver.objective_value == 4
    assert not m.proto.solution_hint.vars
    with pytest.raises(RuntimeError, match="solve"):
        _ = sat.CpSolver().response_proto
