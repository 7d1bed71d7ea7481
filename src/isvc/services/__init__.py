"""Use cases: take a desk and plain values, enforce the rules, journal, return domain objects."""
