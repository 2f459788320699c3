"""pytest's own hooks only; shared helpers live in `tests/helpers.py`, which tests import."""
