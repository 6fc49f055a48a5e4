"""Pure optimisation: Problem -> Solution (shared/docs/MODEL.md). Standard library + OR-Tools only."""
