"""Scaled runs stay meaningful: a target's threshold on a count or a sum of money is
compared, in a world shrunk by ``population.scale``, with threshold x scale (one rule,
:func:`sim.core.metrics.scaled_threshold`, in run, compare, sweep, sensitivity and
robust); ratios, shares and ranks are not scaled. targets.json and the report say so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis.targets import evaluate_targets, meets, target_values
from sim.core.calendar import q_index
from sim.core.metrics import UNSCALED, scaled_threshold
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"


def test_the_rule_scales_counts_and_money_not_ratios():
    assert scaled_threshold("hte", 40, 0.25) == 10
    assert scaled_threshold("revenue_wan", 400000, 0.5) == 200000
    assert scaled_threshold("gazelles", 8, 1.0) == 8
    for m in UNSCALED:
        assert scaled_threshold(m, 0.03, 0.25) == 0.03
    with pytest.raises(ValueError, match="0 < scale <= 1"):
        scaled_threshold("hte", 40, 0)


def test_evaluate_targets_compares_with_the_scaled_threshold():
    rng = np.random.default_rng(3)
    vals = rng.integers(5, 15, size=40).astype(float)
    m = pd.DataFrame({"variant": "v", "replicate": np.arange(40), "quarter": "2026Q4",
                      "zone": "ALL", "sector": "ALL", "metric": "hte", "value": vals})
    t = {"id": "a", "metric": "hte", "zone": "ALL", "sector": "ALL", "by": "2026Q4",
         "op": ">=", "threshold": 40, "source": "planner"}
    start, end = q_index("2025Q3"), q_index("2026Q4")
    (r,) = evaluate_targets([t], m, ["v"], start, end, scale=0.25)
    assert r["threshold"] == 40 and r["threshold_scaled"] == 10 and r["population_scale"] == 0.25
    assert r["probability"] == pytest.approx(float((vals >= 10).mean()))
    assert 0 < r["probability"] < 1  # the test can tell 10 from 40
    (r1,) = evaluate_targets([t], m, ["v"], start, end)
    assert r1["probability"] == 0.0 and r1["threshold_scaled"] == 40


@pytest.fixture(scope="module")
def quarter_run(tmp_path_factory):
    """The tiny scenario at population scale 0.25, one replicate, written to a folder."""
    out = tmp_path_factory.mktemp("scaled") / "run"
    L = sim.load_scenario(TINY, ["population.scale=0.25"])
    sim.run_scenario(L, replicates=2, out=out, sample_behaviour=False)
    return out, L


def test_a_run_at_a_quarter_scale_evaluates_counts_against_a_quarter(quarter_run):
    out, L = quarter_run
    targets = {t["id"]: t for t in json.loads((out / "targets.json").read_text("utf-8"))}
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    assert m["population_scale"] == 0.25
    metrics = pd.read_parquet(out / "metrics.parquet")
    for t in L.resolved["targets"]:
        r = targets[t["id"]]
        assert r["population_scale"] == 0.25
        assert r["threshold"] == t["threshold"]  # as written
        assert r["threshold_scaled"] == pytest.approx(0.25 * t["threshold"])
        x = target_values(metrics, L.model.name, t, q_index(L.model.calendar.start))
        assert r["probability"] == float(meets(x, t["op"], 0.25 * t["threshold"]).mean())


def test_the_report_states_the_scale_and_the_scaled_threshold(quarter_run):
    from sim.report import write_report

    out, L = quarter_run
    html = write_report(out, lang="en").read_text(encoding="utf-8")
    t = next(t for t in L.resolved["targets"] if t["metric"] == "hte")
    scaled = f"{0.25 * t['threshold']:,.0f}"
    assert f"× population scale 0.25" in html
    assert f"{t['id']}: &gt;= {t['threshold']:,.0f} × 0.25 = {scaled}" in html
    table = (out / "data" / "targets.csv").read_text(encoding="utf-8-sig")
    assert "threshold_scaled" in table and "population_scale" in table


def test_a_sweep_scales_its_probabilities_with_the_point(tmp_path):
    from sim.studies.sweep import run_sweep

    f = tmp_path / "sw.yaml"
    f.write_text(yaml.safe_dump({
        "name": "sw", "base": str(TINY), "replicates": 2,
        "set": {"population.scale": 0.25, "calendar.end": "2026Q4"},
        "levers": {"policy.rd_subsidy.cap_wan": [500, 1000]}}), encoding="utf-8")
    out = tmp_path / "out"
    m = run_sweep(f, out=out)
    assert m["population_scale"] == 0.25
    p = pd.read_csv(out / "probabilities.csv", encoding="utf-8-sig")
    oc = pd.read_parquet(out / "outcomes.parquet")
    base = load(TINY)
    for t in base.resolved["targets"]:
        rows = p[p.target == t["id"]]
        assert (rows.threshold_scaled == 0.25 * t["threshold"]).all()
        for _, r in rows.iterrows():
            x = oc[(oc.point == r.point) & (oc.outcome == f"target:{t['id']}")]["value"]
            assert r.probability == pytest.approx(
                float(meets(x, t["op"], 0.25 * t["threshold"]).mean()))


def test_shipped_sweeps_hold_the_plans_values():
    """The plan's values are points of the shipped grids: the A1 cap 1000万元 and the
    referral split 0.4 (so a sweep's response passes through the plan)."""
    cap = referral = 0
    for f in sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")):
        sw = yaml.safe_load(f.read_text(encoding="utf-8"))
        lv = sw.get("levers") or {}
        rg = (sw.get("sample") or {}).get("ranges") or {}
        if "policy.rd_subsidy.cap_wan" in lv:
            assert 1000 in lv["policy.rd_subsidy.cap_wan"], f.name
            cap += 1
        if "policy.referral.referrer_share" in lv:
            assert 0.4 in lv["policy.referral.referrer_share"], f.name
            referral += 1
        for k, (lo, hi) in rg.items():
            if k == "policy.rd_subsidy.cap_wan":
                assert lo <= 1000 <= hi, f.name
            if k == "policy.referral.referrer_share":
                assert lo <= 0.4 <= hi, f.name
    assert cap and referral
