"""The sourced baseline, the no-plan counterfactual, calibration and realism checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from sim.analysis import realism as rl
from sim.report import write_calibration_report
from sim.studies import calibrate as cb
from sim.scenario.loader import ScenarioError, load

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=dict(os.environ))


# ------------------------------------------------------------------- baseline and no plan


def test_baseline_first_quarter_matches_published_totals():
    """At full scale the initial stocks (2025Q2) are the published / stated inputs."""
    from sim.model import HighTechZoneModel

    L = load(BASE)
    m = HighTechZoneModel(L.model, replicate=0)
    from sim.core.metrics import M

    assert m.quarters[0] == "2025Q2"
    f = m.firms
    n = f.n
    for i, z in enumerate(L.model.zones):
        assert m.out[0, i, M["enterprises"]] == z.firms.total, z.id
        assert m.out[0, i, M["hte"]] == z.firms.hte, z.id
        assert m.out[0, i, M["specialised"]] == z.firms.specialised, z.id
        rev = f.rev4[:n][f.zone[:n] == i].sum()
        assert rev == pytest.approx(z.firms.revenue_wan, rel=1e-9), z.id
    # the last quarter runs at about the published year's pace: young firms are not
    # given a whole year's revenue in their few quarters
    total = sum(z.firms.revenue_wan for z in L.model.zones)
    assert 1.0 < 4 * f.rev[:n].sum() / total < 1.08
    # Kunming zone: 28,700 firms [V/D]; 740 高企, the zone's own (not the city's 2,400)
    assert m.out[0, 0, M["enterprises"]] == 28700 and m.out[0, 0, M["hte"]] == 740


def test_baseline_uses_the_stored_calibration():
    cal = cb.load_calibration()
    L = load(BASE)
    for name, p in cal["parameters"].items():
        assert getattr(L.model.behaviour, name) == pytest.approx(p["value"], abs=5e-5), name
        assert p["range"][0] <= p["value"] <= p["range"][1]
        assert p["p05"] <= p["value"] <= p["p95"]
    assert cb.fitted_behaviour() == {k: v["value"] for k, v in cal["parameters"].items()}
    assert len(cal["moments"]) > len(cal["parameters"])
    for mo in cal["moments"]:
        assert {"target", "se", "fitted", "z", "source"} <= set(mo)


def test_no_action_plan_has_only_pre_plan_rules():
    """Every lever at its pre-plan setting all run long (the full check, quarter by
    quarter, is tests/test_plan_date.py): new levers off, the province's 高企 award on
    without the zones' match."""
    from sim.core.calendar import q_index
    from sim.scenario.levers import BY_KEY, in_force, start_of

    base = load(BASE).model
    L = load(ROOT / "scenarios" / "no_action_plan.yaml")
    pol = L.model.policy
    t = q_index("2030Q4")
    for key, lv in BY_KEY.items():
        assert start_of(pol, key) is None, key
        if key == "hte_matching":  # the province's existing award stays, no zone match
            assert in_force(pol, "hte_matching.enabled", t) is True
            assert in_force(pol, "hte_matching.ratio", t) == 0.0
            assert in_force(pol, "hte_matching.provincial_award_wan", t) > 0
        elif lv.status == "new":
            assert in_force(pol, f"{key}.enabled", t) is False, key
    # the national rules that predate the plan are constants, on in both
    assert L.model.constants.hte_tax_rate == 0.15
    assert L.model.constants.rd_super_deduction == base.constants.rd_super_deduction == 1.0
    # the same province
    assert [z.id for z in L.model.zones] == [z.id for z in base.zones]


def test_no_action_plan_pays_only_the_pre_plan_award():
    from sim.api import run_scenario

    L = load(ROOT / "scenarios" / "no_action_plan.yaml",
             {"population.scale": 0.03, "calendar.end": "2026Q4"})
    res = run_scenario(L, replicates=1)
    led = res.ledger
    assert len(led) > 0
    assert set(led.lever) == {"A5"} and set(led.payer) == {"province"}


def test_baseline_keeps_only_published_goals():
    """Issue 14 item 6: the baseline's targets are published goals, each with its
    reference; the planner's own targets live in yunnan_planner_example.yaml."""
    L = load(BASE)
    assert [t["id"] for t in L.resolved["targets"]] == ["specialised_2027"]
    for t in L.resolved["targets"]:
        assert t["source"].startswith("published: ") and "云政办发〔2025〕27号" in t["source"]
    # the carry: the goal's factor 3,000 / 1,543 on the zones' 专精特新 at the start
    start = sum(z.firms.specialised for z in L.model.zones)
    t = L.resolved["targets"][0]
    assert t["threshold"] == round(start * 3000 / 1543)


def test_planner_example_is_the_baseline_with_sourced_example_targets():
    base, ex = load(BASE), load(ROOT / "scenarios" / "yunnan_planner_example.yaml")
    strip = lambda r: {k: v for k, v in r.items() if k not in ("name", "description",  # noqa: E731
                                                               "targets")}
    assert strip(ex.resolved) == strip(base.resolved)  # the same model numbers
    published = [t for t in ex.resolved["targets"] if t["source"] != "planner"]
    assert published == base.resolved["targets"]  # the published goal, repeated unchanged
    planner = {t["id"] for t in ex.resolved["targets"] if t["source"] == "planner"}
    assert planner == {"hte_2028", "hte_2030", "kunming_hte_2030", "revenue_2030",
                       "gazelles_2028"}
    # every example is argued in a comment of the file
    text = (ROOT / "scenarios" / "yunnan_planner_example.yaml").read_text(encoding="utf-8")
    for tid in planner:
        assert f"({tid}" in text or f"{tid})" in text or f"{tid}," in text, tid


# ------------------------------------------------------------------- calibration


def _history(tmp_path: Path) -> Path:
    p = tmp_path / "tiny_history.yaml"
    p.write_text(f"extends: {TINY}\nname: tiny_history\ncalendar: {{start: 2026Q1, end: "
                 "2027Q4, checkpoints: [2027Q4]}\n", encoding="utf-8")
    return p


def _spec(tmp_path: Path, targets=(0.1, 0.1), prior=0.0, evals=30, extra="") -> Path:
    hist = _history(tmp_path)
    p = tmp_path / "cal.yaml"
    p.write_text(f"""name: tiny_cal
scenario: {hist.name}
scale: 1.0
replicates: 4
seed: 7
max_evaluations: {evals}
prior_weight: {prior}
parameters:
  - {{name: drift_base, low: 0.0, high: 0.03}}
moments:
  - {{id: g2026, kind: growth, metric: revenue_wan, zone: ALL, years: [2026], target: {targets[0]}, se: 0.01, source: synthetic}}
  - {{id: g2027, kind: growth, metric: revenue_wan, zone: ALL, years: [2027], target: {targets[1]}, se: 0.01, source: synthetic}}
{extra}""", encoding="utf-8")
    return p


def test_calibrate_recovers_a_parameter_from_synthetic_moments(tmp_path):
    """Moments made by the model at a known value (same replicates and seed as the fit,
    so the only error is the optimiser's): the fit finds the value from the default."""
    truth = 0.02
    cal = cb.load_spec(_spec(tmp_path))
    synth = cb.simulate(cal, {"drift_base": truth}).mean(axis=0)
    cal = cb.load_spec(_spec(tmp_path, targets=tuple(float(x) for x in synth)))
    res = cb.calibrate(cal)
    fit = res["parameters"]["drift_base"]
    start = fit["default"]
    assert start == 0.008
    assert abs(fit["value"] - truth) < 0.0015  # from 0.012 away to within 0.0015
    assert fit["p05"] <= truth <= fit["p95"]
    assert fit["se"] < 0.01
    assert res["objective"]["at_optimum"] < res["objective"]["at_default"]
    assert all(abs(m["z"]) < 2 for m in res["moments"])
    # the moments respond to the parameter in the expected direction
    assert res["moments"][0]["sensitivity"]["drift_base"] > 0
    # outputs: folder, stored calibration, reader
    out = tmp_path / "res"
    cb.write_results(res, out)
    report = write_calibration_report(out, lang=("en",))
    assert report.is_file() and (out / "moments.csv").is_file()
    assert (out / "figures" / "calibration_moments.png").is_file()
    mom = pd.read_csv(out / "moments.csv")
    assert list(mom.id) == ["g2026", "g2027"]
    cb.store(res, tmp_path / "stored.json")
    back = cb.load_calibration(tmp_path / "stored.json")
    assert back["parameters"]["drift_base"]["value"] == fit["value"]
    assert "trace" not in back


def test_common_random_numbers_same_point_same_moments(tmp_path):
    cal = cb.load_spec(_spec(tmp_path))
    a = cb.simulate(cal, {"drift_base": 0.01}, replicates=2)
    b = cb.simulate(cal, {"drift_base": 0.01}, replicates=2)
    c = cb.simulate(cal, {"drift_base": 0.012}, replicates=2)
    assert np.array_equal(a, b)
    assert np.all(c[:, 0] > a[:, 0])  # same seeds: higher drift, higher growth each replicate


@pytest.mark.parametrize("extra,fragment", [
    ("  - {id: x, kind: growth, metric: nonsense, years: [2026], target: 1, se: 1, source: s}",
     "unknown metric 'nonsense'"),
    ("  - {id: x, kind: growth, metric: hte, years: [2031], target: 1, se: 1, source: s}",
     "2031"),
    ("  - {id: x, kind: ratio, metric: hte, target: 1, se: 1, source: s}",
     "needs denominator and quarter"),
    ("  - {id: x, kind: growth, metric: hte, years: [2026], target: 1, se: 0, source: s}",
     "moments.2.se"),
])
def test_calibrate_bad_file_exit_2(tmp_path, extra, fragment):
    p = _spec(tmp_path, extra=extra)
    r = cli("calibrate", p, "--out", tmp_path / "o", "--no-store")
    assert r.returncode == 2, r.stderr
    assert fragment in r.stderr and "cal.yaml" in r.stderr and "Traceback" not in r.stderr


def test_calibrate_unknown_parameter_names_the_line(tmp_path):
    p = _spec(tmp_path)
    p.write_text(p.read_text(encoding="utf-8").replace("drift_base, low", "drift_bsae, low"),
                 encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        cb.load_spec(p)
    text = str(e.value.problems[0])
    assert "cal.yaml:9" in text and "drift_bsae" in text and "drift_base" in text


def test_calibrate_cli_writes_results_and_store(tmp_path):
    p = _spec(tmp_path, evals=4, extra="")
    p.write_text(p.read_text(encoding="utf-8").replace("prior_weight", "store: fit.json\n"
                                                       "prior_weight"), encoding="utf-8")
    r = cli("calibrate", p, "--out", tmp_path / "o", "--quiet", "--replicates", "2")
    assert r.returncode == 0, r.stderr
    assert "drift_base" in r.stdout
    for f in ("calibration.json", "moments.csv", "parameters.csv", "trace.csv", "report.html"):
        assert (tmp_path / "o" / f).is_file(), f
    stored = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert stored["replicates"] == 2 and stored["objective"]["evaluations"] >= 4
    again = cli("calibrate", p, "--out", tmp_path / "o", "--quiet")
    assert again.returncode == 2 and "exists" in again.stderr


# ------------------------------------------------------------------- realism statistics


def test_zipf_slope_of_a_pareto_sample():
    rng = np.random.default_rng(1)
    s = (1.0 / rng.random(200000))  # Pareto with tail exponent 1
    z = rl.zipf_slope(s)
    assert z["zeta"] == pytest.approx(1.0, abs=0.1)
    s2 = (1.0 / rng.random(200000)) ** (1 / 2.0)  # exponent 2
    assert rl.zipf_slope(s2)["zeta"] == pytest.approx(2.0, abs=0.2)


def test_growth_shape_tells_laplace_from_normal():
    rng = np.random.default_rng(2)
    lap = rl.growth_shape(rng.laplace(0, 0.2, 50000))
    nor = rl.growth_shape(rng.normal(0, 0.2, 50000))
    assert lap["excess_kurtosis"] == pytest.approx(3.0, abs=0.5)
    assert abs(nor["excess_kurtosis"]) < 0.2
    assert lap["laplace_minus_normal_loglik"] > 0.02 > nor["laplace_minus_normal_loglik"]
    assert lap["laplace_scale"] == pytest.approx(0.2, rel=0.05)


def test_spread_by_size_recovers_beta():
    rng = np.random.default_rng(3)
    size = rng.normal(5, 2, 100000)  # log size
    g = rng.laplace(0, 1, size.size) * 0.3 * np.exp(-0.2 * (size - 5))
    fit, tab = rl.spread_by_size(pd.DataFrame({"size": size, "growth": g}))
    assert fit["beta"] == pytest.approx(0.2, abs=0.03)
    assert tab["sd"].is_monotonic_decreasing


def test_exit_by_age_on_a_hand_made_table():
    rows = []
    # 10 firms founded 2025Q1 (age 0 at 2025Q4), 3 exit in 2026; 4 firms founded 2022Q4
    # (age 3 full years at 2025Q4: "year 4"), 1 exits in 2026
    for i in range(10):
        rows.append(("2025Q4", f"a{i}", "2025Q1", False))
        if i < 3:
            rows.append(("2026Q2", f"a{i}", "2025Q1", True))
        else:
            rows.append(("2026Q4", f"a{i}", "2025Q1", False))
    for i in range(4):
        rows.append(("2025Q4", f"b{i}", "2022Q4", False))
        rows.append(("2026Q3" if i == 0 else "2026Q4", f"b{i}", "2022Q4", i == 0))
    df = pd.DataFrame(rows, columns=["quarter", "enterprise", "founded", "exited"])
    df["replicate"] = 0
    t = rl.exit_by_age(df).set_index("age_year")
    assert t.loc[1, "at_risk"] == 10 and t.loc[1, "rate"] == pytest.approx(0.3)
    assert t.loc[4, "at_risk"] == 4 and t.loc[4, "rate"] == pytest.approx(0.25)
    assert t.loc[1, "saic"] == 0.016


def test_check_realism_on_the_baseline(tmp_path):
    out = tmp_path / "real"
    r = cli("check-realism", BASE, "--set", "population.scale=0.05", "--set",
            "calendar.end=2027Q4", "--out", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    for f in ("realism.csv", "realism.json", "report.html", "firms.parquet",
              "initial_totals.csv", "figures/realism_size.png", "figures/realism_growth.png",
              "figures/realism_exit.png", "figures/realism_bunching.png"):
        assert (out / f).is_file(), f
    df = pd.read_csv(out / "realism.csv").set_index("id")
    for k in ("size_zipf_slope", "growth_excess_kurtosis", "growth_spread_beta",
              "exit_rate_age1", "exit_rate_age2", "gazelle_share", "rd_bunching",
              "hte_over_1yi_start"):
        assert k in df.index, k
    assert 0.3 < df.loc["size_zipf_slope", "value"] < 5
    assert df.loc["growth_excess_kurtosis", "value"] > 0.5  # fat-tailed, as the shocks are
    assert 0.0 < df.loc["growth_spread_beta", "value"] < 0.6  # spread falls with size
    assert 0.0 <= df.loc["exit_rate_age2", "value"] < 0.5
    assert 0.0 < df.loc["gazelle_share", "value"] < 0.1
    assert df.loc["rd_bunching", "value"] > 1.0  # more firms just above the notch
    assert set(df.verdict) <= {"matches", "differs", "context"}
    assert (df[df.verdict == "differs"].if_differs.str.len() > 0).all()
    init = pd.read_csv(out / "initial_totals.csv")
    counts = init[~init.metric.str.startswith("revenue")]
    assert (counts.model == counts.input).all()
    rev4 = init[init.metric == "revenue_wan (last 4 quarters)"]
    assert np.allclose(rev4.model, rev4.input, rtol=1e-6)
    pace = init[init.metric == "revenue_wan (first quarter x 4)"]
    # the first quarter runs at about the published year's pace (not a jump)
    assert pace.model.sum() == pytest.approx(pace.input.sum(), rel=0.1)


def test_check_realism_bad_input_exit_2(tmp_path):
    r = cli("check-realism", tmp_path / "missing.yaml")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = cli("check-realism", BASE, "--set", "population.scale=2")
    assert r.returncode == 2 and "population.scale" in r.stderr
    r = cli("check-realism", BASE, "--set", "calendar.end=2025Q4", "--out", tmp_path / "x")
    assert r.returncode == 2 and "two Q4s" in r.stderr and "calendar.end" in r.stderr
    r = cli("calibrate", tmp_path / "missing.yaml")
    assert r.returncode == 2 and "no such file" in r.stderr
