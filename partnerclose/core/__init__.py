"""The calculation core: pure functions over immutable records.

Nothing here reads or writes files or knows a front end; import-linter checks it.
"""
