"""Money per firm does not depend on ``population.scale`` (issue 15 item 7).

At scale s the ledger serves awards outside the non-stacking groups in round(1/s)
instalments and scales the awards to zones whose events do not become rarer (A2, A7,
A8), so a scaled run's queue is the full-scale queue in miniature. The test has power:
it fails if the Monte Carlo error of either mean exceeds 10% of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim.api import run_scenario

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
N = {1.0: 20, 0.25: 40}  # replicates: a quarter-size run is noisier and cheaper


def _per_firm(scale: float) -> tuple[np.ndarray, np.ndarray]:
    res = run_scenario(sim.load_scenario(BASE, {
        "population.scale": scale, "calendar.end": "2026Q4", "calendar.checkpoints": [],
        "policy.effective": "2025Q3",  # the plan from the start, and budgets that bind:
        "policy.budget.province_wan_per_year": 20000,  # arrears to compare by 2026
        "policy.budget.zone_wan_per_year": 2000,
        "targets": []}), replicates=N[scale], workers=2, sample_behaviour=False)
    m = res.metrics
    m = m[(m.zone == "ALL") & (m.sector == "ALL")]
    firms = m[m.metric == "enterprises"].groupby("replicate")["value"].mean()
    earned = m[m.metric == "awards_earned_wan"].groupby("replicate")["value"].sum()
    last = m.quarter.max()
    waiting = m[(m.metric == "awards_waiting_wan") & (m.quarter == last)] \
        .set_index("replicate")["value"]
    return (earned / firms).to_numpy(), (waiting / firms).to_numpy()


def test_awards_earned_and_arrears_per_firm_do_not_depend_on_the_scale():
    full, quarter = _per_firm(1.0), _per_firm(0.25)
    assert full[0].size == 20 and quarter[0].size == 40
    for (a, b), what in zip(zip(full, quarter, strict=True), ("earned", "arrears"),
                            strict=True):
        se_a, se_b = a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size)
        assert se_a < 0.1 * a.mean() and se_b < 0.1 * b.mean(), what  # the test has power
        gap = abs(a.mean() - b.mean())
        assert gap < 3 * np.hypot(se_a, se_b), (what, a.mean(), b.mean(), se_a, se_b)
