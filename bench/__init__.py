"""Benchmarks that print figures (not tests): python -m bench.solver, python -m bench.mknap FILE…"""
