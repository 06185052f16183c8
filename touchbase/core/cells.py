"""Spreadsheet cells that are safe to open: every export (lead lists, reports) writes through here.

A spreadsheet runs a cell that starts with = + - @ tab or CR as a formula
(OWASP "CSV injection"); a leading apostrophe makes it plain text.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that would run as a formula gets a leading apostrophe; numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
