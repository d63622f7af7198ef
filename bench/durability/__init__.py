"""Durability under `kill -9`: acknowledged scans survive, `next_scanned_at` stays true, a
killed import re-runs to exactly its file. `run.py` is the script; tests/e2e/test_durability.py
runs the same code, bounded, in the test suite."""
