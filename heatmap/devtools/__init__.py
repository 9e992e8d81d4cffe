"""Helpers for developing and demonstrating Teplokarty, not for production paths.

:mod:`~heatmap.devtools.samples` (the bundled synthetic CRM export and its generator),
:mod:`~heatmap.devtools.samples_planted` (exports with known planted spots, for quality
benchmarks), :mod:`~heatmap.devtools.demo` (the whole flow on the samples, ``heatmap demo``),
:mod:`~heatmap.devtools.pgserver` (a throwaway PostgreSQL server for tests that restart it).
Assertions for users' own tests stay public in :mod:`heatmap.testing`.
"""
