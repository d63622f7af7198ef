"""Helpers shared by tests and benchmarks (synthetic test data, no application logic)."""
