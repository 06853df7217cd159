"""What the ledger refuses, as exceptions with plain messages (exit code 3)."""

from __future__ import annotations


class LedgerRefusedError(Exception):
    """The ledger refuses the action (locked or out-of-order period, or a ledger file
    it cannot use); exit code 3."""


class LedgerBusyError(LedgerRefusedError):
    """Another close holds the ledger."""


class LedgerDamagedError(LedgerRefusedError):
    """The ledger file cannot be read as a PartnerClose ledger."""


class LedgerTooNewError(LedgerRefusedError):
    """The ledger was written by a newer release."""
