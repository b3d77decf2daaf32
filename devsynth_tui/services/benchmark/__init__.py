"""Benchmarks: metric definitions, the runner, stored runs and reports."""
