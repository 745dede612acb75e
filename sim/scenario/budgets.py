"""The one budget rule: a payer's budget for a calendar year.

Each payer (the province, and each zone) has a budget for each calendar year: the value
of its dated yearly budget (``policy.budget.province_wan_per_year``,
``zone_wan_per_year`` or the zone's own ``budget_wan_per_year``, in 万元 per year) in
force in the year's first simulated quarter, times ``population.scale``. A calendar
that starts mid-year gets the rest of its first year only: the quarters from the start
to the year's end, out of four, whether or not the calendar runs to that year's end
(the budget is opened for the year, not for the quarters simulated).

Used by the ledger (:class:`sim.model.ledger.Treasury`), which pays awards out of it,
and by the report, which draws it beside what was paid. Pure: no pandas.
"""

from __future__ import annotations

from typing import Any

from sim.core.calendar import value_at


def payer_budget(spec: Any, year: int, start_quarter: int, scale: float) -> float:
    """A payer's budget (万元) for calendar ``year``.

    ``spec``: the payer's yearly budget, a plain or dated value (万元 per year);
    ``start_quarter``: the quarter index of the calendar's first simulated quarter;
    ``scale``: ``population.scale``.

    >>> from sim.core.calendar import q_index
    >>> payer_budget(1000, 2025, q_index("2025Q3"), 0.5)  # half a year, half the firms
    250.0
    >>> payer_budget({"2025Q1": 1000, "2026Q1": 2000}, 2026, q_index("2025Q3"), 1.0)
    2000.0
    """
    first_q = max(start_quarter, year * 4)
    part = (4 - start_quarter % 4) / 4.0 if year == start_quarter // 4 else 1.0
    return float(value_at(spec, first_q)) * scale * part


def zone_budget_spec(zone_spec: Any, default: Any) -> Any:
    """A zone's yearly budget: its own ``budget_wan_per_year`` when set, else
    ``policy.budget.zone_wan_per_year`` (``default``)."""
    return zone_spec if zone_spec is not None else default
