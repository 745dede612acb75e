"""When the plan acts and what existed before it: the plan's date (``policy.effective``,
``policy.<lever>.effective``), the one function that reads a lever in a quarter
(``sim.scenario.levers.in_force``) and the pre-plan levels no_action_plan keeps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.core.calendar import q_index
from sim.model import HighTechZoneModel
from sim.scenario import levers
from sim.scenario.loader import ScenarioError, load
from sim.studies.attribute import coalition, with_dates

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
NOPLAN = ROOT / "scenarios" / "no_action_plan.yaml"
# a small baseline to 2027Q4, the plan taking effect mid-run
DATE = "2026Q3"
SMALL = {"population.scale": 0.03, "calendar.end": "2027Q4",
         "calendar.checkpoints": ["2027Q4"], "targets": [], "policy.effective": DATE}


def test_in_force_reads_the_pre_plan_setting_before_the_date_and_the_scenario_after():
    pol = load(BASE, {"policy.effective": "2026Q3",
                      "policy.rd_subsidy.cap_wan": {"2025Q3": 1000, "2027Q1": 2000},
                      "policy.land.effective": "2027Q1"}).model.policy
    q = q_index
    assert levers.in_force(pol, "rd_subsidy.enabled", q("2026Q2")) is False
    assert levers.in_force(pol, "rd_subsidy.enabled", q("2026Q3")) is True
    # a setting the registry does not name keeps the scenario's (dated) value
    assert levers.in_force(pol, "rd_subsidy.cap_wan", q("2026Q4")) == 1000
    assert levers.in_force(pol, "rd_subsidy.cap_wan", q("2027Q1")) == 2000
    # practice before the plan: its pre-plan level, then the plan's
    assert levers.in_force(pol, "ladder.level", q("2026Q2")) == levers.BY_CODE["B6"].pre_plan["level"]
    assert levers.in_force(pol, "ladder.level", q("2026Q3")) == 1.0
    assert levers.in_force(pol, "hte_matching.ratio", q("2026Q2")) == 0.0
    assert levers.in_force(pol, "hte_matching.provincial_award_wan", q("2026Q2")) == 20.0
    # a lever's own date wins over the plan's
    assert levers.in_force(pol, "land.enabled", q("2026Q4")) is False
    assert levers.in_force(pol, "land.enabled", q("2027Q1")) is True
    assert levers.starts(pol)["land"] == q("2027Q1")
    # the model reads levers through it, with the dates computed once
    m = HighTechZoneModel(load(BASE, {"policy.effective": "2026Q3",
                                      "population.scale": 0.01}).model)
    assert m.level("ladder", q("2026Q2")) == 0.5 and m.level("ladder", q("2026Q3")) == 1.0
    assert not m.on("scenario_pilot", q("2026Q2")) and m.on("scenario_pilot", q("2026Q3"))


def test_a_bad_date_is_a_clear_error():
    for key, value in (("policy.effective", "2026Q5"), ("policy.ladder.effective", "soon")):
        with pytest.raises(ScenarioError) as e:
            load(BASE, {key: value})
        msg = str(e.value)
        assert key in msg and "like 2026Q1 or 'never'" in msg, msg


def test_no_action_plan_keeps_each_pre_plan_practice_at_its_level():
    L = load(NOPLAN)
    pol = L.model.policy
    start, end = q_index(L.model.calendar.start), q_index(L.model.calendar.end)
    for lv in levers.LEVERS:
        assert levers.start_of(pol, lv.key) is None, lv.code  # the plan never acts
        for t in range(start, end + 1):
            for setting, value in lv.pre_plan.items():
                assert levers.in_force(pol, f"{lv.key}.{setting}", t) == value, (lv.code, t)
            if lv.status == "practice":  # the practice is on, at its level
                assert levers.in_force(pol, f"{lv.key}.enabled", t) is True, lv.code
    m = HighTechZoneModel(load(NOPLAN, {"population.scale": 0.01}).model)
    t = q_index("2030Q4")
    assert m.level("ladder", t) == 0.5 and m.level("specialised_pool", t) == 0.5
    assert m.level("innovation_points", t) == 0.3
    assert m.lever("hte_matching.provincial_award_wan", t) == 20.0
    assert m.lever("hte_matching.ratio", t) == 0.0 and m.on("hte_matching", t)
    assert m.lever("researcher_leave.extension_years", t) == 0 and m.on("researcher_leave", t)
    assert not m.on("rd_subsidy", t) and not m.on("operating_model", t)
    # the baseline differs from it only in the levers' dates
    b = load(BASE).resolved["policy"]
    c = L.resolved["policy"]
    assert {k: {s: v for s, v in c[k].items() if s != "effective"} for k in levers.BY_KEY} == {
        k: {s: v for s, v in b[k].items() if s != "effective"} for k in levers.BY_KEY}


def test_before_the_plans_date_every_metric_is_the_same_with_and_without_the_plan():
    runs = {p.stem: sim.run_scenario(sim.load_scenario(p, SMALL), replicates=2)
            for p in (BASE, NOPLAN)}
    a, b = runs["yunnan_baseline"].metrics, runs["no_action_plan"].metrics
    key = ["replicate", "quarter", "zone", "sector", "metric"]
    m = a.merge(b, on=key, suffixes=("_plan", "_none"), how="outer", validate="1:1")
    assert len(m) == len(a) == len(b)
    same = (m.value_plan == m.value_none) | (m.value_plan.isna() & m.value_none.isna())
    before = m.quarter.map(q_index) < q_index(DATE)
    assert before.sum() > 0 and same[before].all(), m[before & ~same].head()
    # after it the plan shows: some metric differs in its first quarter already
    assert not same[m.quarter == DATE].all()
    assert not same[m.quarter == "2027Q4"].all()
    # and no award of the plan is paid before its date
    la, lb = runs["yunnan_baseline"].ledger, runs["no_action_plan"].ledger
    early = [led[led.quarter.map(q_index) < q_index(DATE)].drop(columns="variant")
             .reset_index(drop=True) for led in (la, lb)]
    pd.testing.assert_frame_equal(early[0], early[1])
    assert not (la.lever.isin(["A1", "A3"]) & (la.quarter.map(q_index) < q_index(DATE))).any()


def test_coalitions_carry_each_levers_date_from_its_scenario():
    b = load(BASE, {"policy.effective": "2026Q3"}).resolved
    c = load(BASE, {"policy.effective": "never"}).resolved
    full = coalition(b, c, 2 ** len(levers.ATTRIBUTION_GROUPS) - 1, "n")["policy"]
    none = coalition(b, c, 0, "n")["policy"]
    assert full == {**with_dates(b["policy"]), "effective": "never"}
    assert none == with_dates(c["policy"])
    only_rd = coalition(b, c, 1, "n")["policy"]
    assert only_rd["rd_subsidy"]["effective"] == "2026Q3"
    assert only_rd["referral"]["effective"] == "never"
