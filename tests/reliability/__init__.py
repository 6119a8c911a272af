"""Crash safety and race tests: real processes, real SQLite and PostgreSQL, real HTTP."""
