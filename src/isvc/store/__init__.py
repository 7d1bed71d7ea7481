"""The only code that speaks SQL. Everything above it sees functions and dataclasses.

Hot read paths use plain ``sqlite3``; ``sqlite_utils`` is imported only to migrate, so
`isvc queue` does not pay for it at start-up.
"""
