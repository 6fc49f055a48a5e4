"""The part of OR-Tools' CP-SAT Python API that capsched uses, on OR-Tools' own compiled layer.

`ortools.sat.python.cp_model` imports pandas at its top, for `*_series` helpers capsched never calls:
~0.17 s of `capsched solve data/projects.csv`, a one-second command (`python -X importtime`). Its model,
solver and callback classes are thin Python shells over `ortools.sat.python.cp_model_helper`, the compiled
module that builds the model proto, evaluates linear expressions and runs the solver; this module is the
same shells for the calls solver/cpmodel.py and solver/cpsat.py make, without pandas (numpy still loads:
the compiled layer needs it, and this module imports it first, see below). The same calls build the same proto, so a solve is
the same search (tests/solver/test_sat.py builds and solves models both ways and compares). pyproject.toml
pins OR-Tools to one minor release (`>=9.15,<9.16`): this module relies on the helper's interface, which
OR-Tools does not promise to keep.
"""

from __future__ import annotations

import threading

import numpy  # noqa: F401  # (see below)
from ortools.sat.python import cp_model_helper as _cmh
from ortools.util.python.sorted_interval_list import Domain

# The compiled layer imports numpy itself when the first model is made, from inside a compiled call on
# whichever thread makes it (a Dask worker's task thread). Imported here instead, with this module, so that
# the import never runs inside a compiled call: in one CI run a risk analysis's Dask worker stopped
# answering right after this layer replaced cp_model (which imports numpy at its top); not reproduced in
# 40 tries of eight threads making their first models at once, so a precaution, not a proven fix.

IntVar = _cmh.IntVar
LinearExpr = _cmh.LinearExpr
BoundedLinearExpression = _cmh.BoundedLinearExpression
Constraint = _cmh.Constraint
CpSolverStatus = _cmh.CpSolverStatus
CpSolverResponse = _cmh.CpSolverResponse
SatParameters = _cmh.SatParameters

UNKNOWN = _cmh.CpSolverStatus.UNKNOWN
MODEL_INVALID = _cmh.CpSolverStatus.MODEL_INVALID
FEASIBLE = _cmh.CpSolverStatus.FEASIBLE
INFEASIBLE = _cmh.CpSolverStatus.INFEASIBLE
OPTIMAL = _cmh.CpSolverStatus.OPTIMAL


class CpModel(_cmh.CpBaseModel):
    """A model: integer and Boolean variables, linear constraints, a linear objective to minimise and a
    solution hint."""

    def __init__(self) -> None:
        _cmh.CpBaseModel.__init__(self, None)

    def new_int_var(self, lb: int, ub: int, name: str) -> IntVar:
        return IntVar(self.model_proto).with_name(name).with_domain(Domain(lb, ub))

    def new_bool_var(self, name: str) -> IntVar:
        return self.new_int_var(0, 1, name)

    def add(self, ct: BoundedLinearExpression | bool) -> Constraint:
        """A linear constraint (`expr <= value`, `a == b`…); True adds nothing that binds, False makes the
        model infeasible, as in cp_model."""
        # (the base's adders are compiled methods its stubs leave out; cp_model calls them the same way)
        if isinstance(ct, BoundedLinearExpression):
            return self._add_bounded_linear_expression(ct)  # type: ignore[attr-defined]
        if isinstance(ct, bool):
            clause = [True] if ct else []
            return self._add_bool_argument_constraint(  # type: ignore[attr-defined]
                _cmh.BoolArgumentConstraint.bool_or, clause
            )
        raise TypeError(f"not supported: CpModel.add({type(ct).__name__!r})")

    def minimize(self, objective: LinearExpr | int) -> None:
        """The objective (integer coefficients only: every objective of capsched is)."""
        proto = self.model_proto
        proto.clear_objective()
        proto.clear_floating_point_objective()
        proto.objective.scaling_factor = 1.0
        if isinstance(objective, int):
            proto.objective.offset = objective
            return
        if not objective.is_integer():
            raise TypeError("the objective must have integer coefficients")
        flat = _cmh.FlatIntExpr(objective)
        proto.objective.vars.extend(v.index for v in flat.vars)
        proto.objective.coeffs.extend(flat.coeffs)
        proto.objective.offset = flat.offset

    def add_hint(self, var: IntVar, value: int) -> None:
        hint = self.model_proto.solution_hint
        if var.index >= 0:
            hint.vars.append(var.index)
            hint.values.append(int(value))
        else:  # a negated literal: hint its variable with the opposite value
            hint.vars.append(-var.index - 1)
            hint.values.append(int(not value))

    def clear_hints(self) -> None:
        self.model_proto.clear_solution_hint()

    def get_int_var_from_proto_index(self, index: int) -> IntVar:
        if index < 0 or index >= len(self.model_proto.variables):
            raise ValueError(f"no variable {index} in the model")
        return IntVar(self.model_proto, index)

    @property
    def proto(self) -> _cmh.CpModelProto:
        return self.model_proto


class CpSolverSolutionCallback(_cmh.SolutionCallback):
    """Called by the solver with each improving solution: override `on_solution_callback`."""

    def OnSolutionCallback(self) -> None:  # the helper calls this name
        self.on_solution_callback()

    def on_solution_callback(self) -> None:
        """Each solution (nothing by default)."""

    def stop_search(self) -> None:
        self.StopSearch()

    @property
    def objective_value(self) -> float:
        return float(self.ObjectiveValue())

    @property
    def best_objective_bound(self) -> float:
        return float(self.BestObjectiveBound())

    @property
    def deterministic_time(self) -> float:
        return float(self.DeterministicTime())


class CpSolver:
    """Solves a model with `parameters`; after `solve`, the response's figures and values. `stop_search`
    may be called from another thread while it runs."""

    def __init__(self) -> None:
        self.parameters = SatParameters()
        self._response: CpSolverResponse | None = None
        self._wrapper: _cmh.SolveWrapper | None = None
        self._lock = threading.Lock()

    def solve(self, model: CpModel, callback: CpSolverSolutionCallback | None = None) -> CpSolverStatus:
        with self._lock:
            self._wrapper = wrapper = _cmh.SolveWrapper()
        wrapper.set_parameters(self.parameters)
        if callback is not None:
            wrapper.add_solution_callback(callback)
        try:
            self._response = wrapper.solve(model.model_proto)
        finally:
            if callback is not None:
                wrapper.clear_solution_callback(callback)
            with self._lock:
                self._wrapper = None
        return self._response.status

    def stop_search(self) -> None:
        with self._lock:
            if self._wrapper is not None:
                self._wrapper.stop_search()

    @property
    def response_proto(self) -> CpSolverResponse:
        if self._response is None:
            raise RuntimeError("solve() has not been called")
        return self._response

    def value(self, expression: LinearExpr | int) -> int:
        return int(_cmh.ResponseHelper.value(self.response_proto, expression))

    @property
    def objective_value(self) -> float:
        return float(self.response_proto.objective_value)

    @property
    def best_objective_bound(self) -> float:
        return float(self.response_proto.best_objective_bound)

    @property
    def deterministic_time(self) -> float:
        return float(self.response_proto.deterministic_time)
