"""Turning plain rows into output: Rich on a terminal, TSV on a pipe, JSON/NDJSON/CSV on request."""
