"""Streamed exports of the history: rows read in keyset batches (`read`), the fields of an
event (`fields`), and one writer per format (`csv_log`, `xes`, `stream` for JSON Lines and dispatch)."""
