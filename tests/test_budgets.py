"""One budget rule (sim/scenario/budgets.py) for the ledger and the report, also for a
calendar that ends inside its first year."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.summaries import budgets
from sim.core import metrics as met
from sim.core.calendar import q_index
from sim.model import HighTechZoneModel
from sim.scenario.budgets import payer_budget

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"


def test_payer_budget_first_year_is_the_rest_of_the_year():
    start = q_index("2025Q3")
    assert payer_budget(1000.0, 2025, start, 1.0) == 500.0  # Q3 and Q4 of 2025
    assert payer_budget(1000.0, 2026, start, 0.5) == 500.0  # a whole year, half the firms
    dated = {"2025Q3": 1000.0, "2026Q1": 4000.0}
    assert payer_budget(dated, 2026, start, 1.0) == 4000.0  # the value in force in 2026Q1
    assert payer_budget(dated, 2025, q_index("2025Q4"), 1.0) == 250.0  # one quarter left


@pytest.mark.parametrize("end", ["2025Q3", "2026Q2"])
def test_report_budgets_equal_the_ledger_budgets(end):
    """A calendar from 2025Q3 to ``end``: the report's budget per year and payer is what
    the ledger opened (2025Q3 only: the report used to count one quarter, the ledger
    two)."""
    L = sim.load_scenario(TINY, {"calendar.end": end})
    m = HighTechZoneModel(L.model)
    start = q_index(L.model.calendar.start)
    flow_qs = [f"{q // 4}Q{q % 4 + 1}" for q in range(start, q_index(end) + 1)]
    for q in range(start, q_index(end) + 1):
        m.flows[:] = 0.0
        m.treasury.settle(q, m.flows, met.M)
    opened = {}
    for year, payer, _, amount in m.treasury.budgets:
        opened[(year, payer)] = opened.get((year, payer), 0.0) + amount
    resolved = L.model.model_dump(mode="json")
    table = budgets(resolved, L.model.population.scale, flow_qs).set_index("year")
    assert list(table.index) == sorted({y for y, _ in opened})
    for (year, payer), amount in opened.items():
        assert table.loc[year, payer] == pytest.approx(amount, rel=1e-12)
    first = table.loc[2025, "province"]
    assert first > 0 and first == pytest.approx(
        L.model.policy.budget.province_wan_per_year * L.model.population.scale / 2)
