"""Attribution of the plan's effect to groups of levers by Shapley values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.shapley import attribution_table, shapley, weights
from sim.scenario.levers import ATTRIBUTION_GROUPS, BY_CODE
from sim.scenario.loader import ScenarioError, load
from sim.studies.attribute import coalition, differing

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
NOPLAN = ROOT / "scenarios" / "no_action_plan.yaml"
SMALL = ["--set", "population.scale=0.02", "--set", "calendar.end=2026Q4",
         "--set", "calendar.checkpoints=[2026Q4]"]


def _masks(k):
    return np.arange(2 ** k)


def test_additive_game_gives_each_player_its_own_effect():
    a = np.array([3.0, -1.0, 0.5, 7.0])
    m = _masks(4)
    v = np.array([sum(a[i] for i in range(4) if x >> i & 1) for x in m]) + 10.0
    np.testing.assert_allclose(shapley(v), a)


def test_interaction_is_shared_and_values_add_up_to_the_effect():
    # v = 1 only when both players are on: each gets half
    v = np.array([0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(shapley(v), [0.5, 0.5])
    rng = np.random.default_rng(1)
    g = rng.normal(size=(5, 64))
    phi = shapley(g)
    np.testing.assert_allclose(phi.sum(axis=1), g[:, -1] - g[:, 0])
    assert weights(3).shape == (8, 3)
    with pytest.raises(ValueError):
        shapley(np.zeros(6))


def test_attribution_table_intervals_and_total():
    rows = []
    for rep in range(10):
        for m in range(4):
            rows.append({"coalition": m, "replicate": rep, "outcome": "x",
                         "value": 2.0 * (m & 1) + (3.0 + rep) * (m >> 1 & 1)})
    t = attribution_table(pd.DataFrame(rows), ["a", "b"]).set_index("group")
    assert t.loc["a", "mean"] == pytest.approx(2.0) and t.loc["a", "p05"] == 2.0
    assert t.loc["b", "mean"] == pytest.approx(7.5)
    assert t.loc["b", "p05"] < t.loc["b", "mean"] < t.loc["b", "p95"]
    assert t.loc["total", "mean"] == pytest.approx(9.5)
    assert t.loc["a", "share"] + t.loc["b", "share"] == pytest.approx(1.0)


def test_groups_cover_every_lever_once_and_coalitions_are_the_two_scenarios():
    codes = [c for g in ATTRIBUTION_GROUPS for c in g.codes]
    assert sorted(codes) == sorted(BY_CODE) and len(ATTRIBUTION_GROUPS) <= 6
    b, c = load(BASE).resolved, load(NOPLAN).resolved
    keys = differing(b, c, "x")
    assert "rd_subsidy" in keys and "hte_matching" in keys
    full = coalition(b, c, 2 ** len(ATTRIBUTION_GROUPS) - 1, "n")
    none = coalition(b, c, 0, "n")
    assert full["policy"] == b["policy"] and none["policy"] == c["policy"]
    only_rd = coalition(b, c, 1, "n")["policy"]
    assert only_rd["rd_subsidy"] == b["policy"]["rd_subsidy"]
    assert only_rd["referral"] == c["policy"]["referral"]


def test_a_difference_outside_the_levers_is_refused():
    b = load(BASE).resolved
    c = load(BASE, {"behaviour.startup_rate": 0.01}).resolved
    with pytest.raises(ScenarioError) as e:
        differing(b, c, "cf.yaml")
    assert "behaviour" in str(e.value.problems[0])


@pytest.mark.slow
def test_attribute_all_on_is_the_base_and_all_off_the_counterfactual(tmp_path):
    def cli(*a):
        return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, a)],
                              capture_output=True, text=True, cwd=ROOT, timeout=900)

    r = cli("attribute", BASE, NOPLAN, "-n", "2", "--workers", "2", "--quiet", *SMALL,
            "--out", tmp_path / "att")
    assert r.returncode == 0, r.stderr
    assert "Shapley value per group" in r.stdout
    html = (tmp_path / "att" / "report.html").read_text(encoding="utf-8")
    assert "Shapley" in html and "data:image/png;base64" in html
    assert (tmp_path / "att" / "tables" / "attribution.csv").exists()
    oc = pd.read_parquet(tmp_path / "att" / "outcomes.parquet")
    assert oc.coalition.nunique() == 64
    for scen, mask in ((BASE, 63), (NOPLAN, 0)):
        r = cli("run", scen, "-n", "2", "--quiet", "--no-report", "--luck-only", *SMALL,
                "--out", tmp_path / f"run{mask}")
        assert r.returncode == 0, r.stderr
        m = pd.read_parquet(tmp_path / f"run{mask}" / "metrics.parquet")
        hte = m[(m.metric == "hte") & (m.zone == "ALL") & (m.sector == "ALL")
                & (m.quarter == "2026Q4")].set_index("replicate")["value"].sort_index()
        got = oc[(oc.coalition == mask) & (oc.outcome == "hte@2026Q4")].set_index(
            "replicate")["value"].sort_index()
        pd.testing.assert_series_equal(got, hte, check_names=False)
    t = pd.read_csv(tmp_path / "att" / "attribution.csv", encoding="utf-8-sig")
    h = t[t.outcome == "hte@2026Q4"].set_index("group")
    groups = [g.id for g in ATTRIBUTION_GROUPS]
    assert h.loc[groups, "mean"].sum() == pytest.approx(h.loc["total", "mean"])
