"""The ledger of closes: an SQLite file of runs, lines, audit and carried state."""
