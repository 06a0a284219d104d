"""CSV lines that spreadsheets open safely. Pure: stdlib only.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula;
such a text cell is written with a leading apostrophe, which they show as text (OWASP "CSV
Injection"). A number is written as it is: `-1.5` is a number to a spreadsheet, not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def line(cells: Sequence[object]) -> str:
    """One CSV line (RFC 4180: CRLF, quoted where needed) of `cells`, each made safe."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
