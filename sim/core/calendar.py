"""Quarters: labels like ``2025Q3``, their integer index, and dated values.

A quarter's index is ``year * 4 + (q - 1)``, so consecutive quarters differ by 1.
A *dated value* is a plain value, or a mapping ``{quarter: value}`` whose value in
force in a quarter is the one with the latest key at or before it (keys before the
calendar's start apply from the start); see docs/scenario.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def is_quarter(text: Any) -> bool:
    """True if ``text`` is a quarter label such as ``2025Q3``."""
    return isinstance(text, str) and _QUARTER.match(text) is not None


def q_index(label: str) -> int:
    """Index of a quarter label: ``q_index('2025Q3') == 2025 * 4 + 2``."""
    m = _QUARTER.match(label)
    if m is None:
        raise ValueError(f"not a quarter: {label!r} (expected e.g. 2025Q3)")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def q_label(index: int) -> str:
    """Label of a quarter index: ``q_label(q_index('2025Q3')) == '2025Q3'``."""
    return f"{index // 4}Q{index % 4 + 1}"


def q_of_year(index: int) -> int:
    """1..4: the quarter of the year."""
    return index % 4 + 1


def value_at(value: Any, quarter: int) -> Any:
    """The value in force in quarter index ``quarter`` of a plain or dated value.

    >>> value_at({"2025Q3": 0, "2027Q1": 1000}, q_index("2026Q4"))
    0
    >>> value_at({"2025Q3": 0, "2027Q1": 1000}, q_index("2027Q1"))
    1000
    >>> value_at(0.2, q_index("2030Q4"))
    0.2
    """
    if not isinstance(value, Mapping):
        return value
    current = None
    first = True
    for key, v in value.items():  # keys validated to be in order
        if first or q_index(key) <= quarter:
            current = v
            first = False
        else:
            break
    return current
