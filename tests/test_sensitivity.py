"""Sensitivity (Morris, Sobol) and robust levers (probabilities, cost, regret, PRIM):
small worlds (scale 0.02, calendar to 2026Q4), few trajectories and worlds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.robust import prim

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
VARIANTS = ROOT / "scenarios" / "variants"
# a target the small world meets about half the time (ALL 高企 at 2026Q4: ~77 firms at
# scale 0.02; the threshold is scaled by population.scale: 3850 x 0.02 = 77)
SMALL_SET = """set:
  population.scale: 0.02
  calendar.end: 2026Q4
  calendar.checkpoints: [2026Q4]
  targets: [{id: hte_2026, metric: hte, zone: ALL, by: 2026Q4, op: ">=", threshold: 1150, source: planner}]
"""

SENS = f"""name: small_sensitivity
base: {BASE}
{SMALL_SET}
# hte_apply_prob moves 高企 counts at once; rank_noise only reshuffles the national
# ranking (lever A8 pays once a year on it), which cannot reach 高企 counts by 2026Q4
parameters: [hte_apply_prob, rank_noise, listing_prob, hte_expert_sd]
outcomes:
  - {{id: hte_2026, metric: hte, quarter: 2026Q4}}
  - {{id: revenue_2026, metric: revenue_wan, quarter: 2026Q4}}
replicates: 2
morris: {{trajectories: 4}}
sobol: {{samples: 32, parameters: 2}}
"""

ROBUST = f"""name: small_robust
base: {BASE}
{SMALL_SET}
settings:
  plan: {{}}
  no_rd_awards: {{file: {VARIANTS / 'off_a1_rd_subsidy.yaml'}}}
  cap_5000: {{set: {{policy.rd_subsidy.cap_wan: 5000}}}}
uncertain: [hte_apply_prob, hte_expert_sd, rank_noise]
samples: 16
replicates: 2
outcomes:
  - {{id: hte_2026, metric: hte, quarter: 2026Q4}}
"""


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600, **kw)


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def sens(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sens")
    f = write(tmp, "sens.yaml", SENS)
    r = cli("sensitivity", f, "--out", tmp / "out", "--quiet")
    assert r.returncode == 0, r.stderr
    return f, tmp / "out", r


@pytest.fixture(scope="module")
def robust(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("robust")
    f = write(tmp, "robust.yaml", ROBUST)
    r = cli("robust", f, "--out", tmp / "out", "--quiet", "--no-report")
    assert r.returncode == 0, r.stderr
    return tmp / "out"


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


def test_morris_ranks_a_strong_parameter_above_an_inert_one(sens):
    _, out, r = sens
    mt = _csv(out / "morris.csv")
    h = mt[mt.outcome == "hte_2026"].set_index("parameter")
    assert set(h.index) == {"hte_apply_prob", "rank_noise", "listing_prob", "hte_expert_sd"}
    strong, inert = h.loc["hte_apply_prob"], h.loc["rank_noise"]
    # the strong effect's lower 95% bound is above the inert one's upper bound
    assert strong.mu_star - strong.mu_star_conf > inert.mu_star + inert.mu_star_conf
    assert strong["rank"] < inert["rank"]
    assert h["rank"].min() == 1
    # the probability of the target is an outcome too, with values in [0, 1]
    assert "target:hte_2026" in set(mt.outcome)
    pts = _csv(out / "points.csv")
    assert (pts.stage == "morris").sum() == 4 * (4 + 1)
    assert "hte_2026:" in r.stdout and "report:" in r.stdout


def test_sobol_indices_lie_within_their_intervals_of_0_to_1(sens):
    _, out, _ = sens
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    st = _csv(out / "sobol.csv")
    # the two parameters Morris ranked first go on to Sobol
    mt = _csv(out / "morris.csv")
    assert "hte_apply_prob" in m["sobol_parameters"] and len(m["sobol_parameters"]) == 2
    assert m["sobol_points"] == 32 * (2 + 2)
    assert set(st.parameter) == set(m["sobol_parameters"])
    g = st.dropna(subset=["S1"])
    assert not g.empty
    # 32 samples (8 gave intervals wider than the unit interval itself, and estimates
    # outside it by chance): the strong parameter explains more of the 高企 variance
    h = g[g.outcome == "hte_2026"].set_index("parameter")
    weak = h.drop("hte_apply_prob").iloc[0]
    assert h.loc["hte_apply_prob", "S1"] - h.loc["hte_apply_prob", "S1_conf"] > weak.S1
    for idx in ("S1", "ST"):
        assert (g[idx] >= -g[f"{idx}_conf"] - 1e-9).all(), g
        assert (g[idx] <= 1 + g[f"{idx}_conf"] + 1e-9).all(), g
        assert (g[f"{idx}_conf"] >= 0).all()
    summ = _csv(out / "sensitivity.csv")
    assert len(summ) == len(mt)
    assert summ.dropna(subset=["ST"]).parameter.isin(m["sobol_parameters"]).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Morris" in html and "Sobol" in html and "data:image/png;base64" in html


def test_resume_after_a_kill_gives_identical_results(sens, tmp_path):
    f, full, _ = sens
    cut = tmp_path / "cut"
    p = subprocess.Popen([sys.executable, "-m", "sim.cli", "sensitivity", str(f), "--out",
                          str(cut), "--quiet", "--no-report"], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        done = list((cut / "parts").glob("*.done")) if (cut / "parts").exists() else []
        if len(done) >= 10:
            break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert not (cut / "manifest.json").exists()  # killed before the end
    victim = sorted((cut / "parts").glob("*.outcomes.parquet"))[0]
    victim.write_bytes(b"not parquet")  # a damaged part runs again
    r = cli("sensitivity", f, "--out", cut, "--resume", "--quiet", "--no-report",
            "--workers", "2")
    assert r.returncode == 0, r.stderr
    for name in ("morris.csv", "sobol.csv", "sensitivity.csv", "points.csv"):
        pd.testing.assert_frame_equal(_csv(full / name), _csv(cut / name))
    pd.testing.assert_frame_equal(pd.read_parquet(full / "outcomes.parquet"),
                                  pd.read_parquet(cut / "outcomes.parquet"))
    # resuming a folder with a different study is refused
    other = write(tmp_path, "other.yaml", SENS.replace("trajectories: 4", "trajectories: 5"))
    r = cli("sensitivity", other, "--out", cut, "--resume", "--quiet", "--no-report")
    assert r.returncode == 2 and "different study" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("edit, words", [
    (("hte_expert_sd]", "hte_expert_s]"), ["parameters.3", "unknown behaviour parameter",
                                           "hte_expert_s", "valid"]),
    (("samples: 32", "samples: 30"), ["sobol.samples", "power of 2"]),
    (("metric: hte, quarter", "metric: htee, quarter"), ["outcomes.0.metric", "htee",
                                                         "valid"]),
    (("quarter: 2026Q4}", "quarter: 2029Q4}"), ["outcomes.0.quarter", "2025Q3..2026Q4"]),
    (("replicates: 2", "replicates: 0"), ["replicates"]),
    (("morris: {trajectories: 4}", "morris: {trajectories: 4, levels: x}"), ["morris.levels"]),
    ((f"base: {BASE}", "base: nowhere.yaml"), ["base", "no such file", "nowhere.yaml"]),
    (("population.scale: 0.02", "population.scale: 2"), ["population.scale"]),
])
def test_bad_sensitivity_files_exit_2_naming_file_and_key(tmp_path, edit, words):
    text = SENS
    assert edit[0] in text, edit
    f = write(tmp_path, "bad.yaml", text.replace(edit[0], edit[1], 1))
    r = cli("sensitivity", f, "--out", tmp_path / "o", "--quiet")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "bad.yaml" in r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert not (tmp_path / "o").exists()


def test_bad_flags_exit_2(tmp_path):
    r = cli("sensitivity", tmp_path / "missing.yaml")
    assert r.returncode == 2 and "missing.yaml" in r.stderr and "Traceback" not in r.stderr
    r = cli("robust", BASE, "--workers", "0")
    assert r.returncode == 2 and "--workers" in r.stderr


def test_robust_levers_probabilities_cost_and_regret(robust):
    out = robust
    rb = _csv(out / "robust.csv")
    assert list(dict.fromkeys(rb.setting)) == ["plan", "no_rd_awards", "cap_5000"]
    p = rb[rb.outcome == "target:hte_2026"].set_index("setting")["value"]
    assert ((p >= 0) & (p <= 1)).all() and 0 < p.mean() < 1
    cost = rb[rb.outcome == "cost_wan"].set_index("setting")["value"]
    # direction of effect: without the R&D award (A1) less is paid
    assert cost["no_rd_awards"] < cost["plan"]
    rg = _csv(out / "regret.csv")
    assert (rg.regret >= -1e-9).all()
    # in every world some setting is the best (regret 0), and regret = best - value
    for (_, o), g in rg.groupby(["world", "outcome"]):
        assert g.regret.min() == pytest.approx(0.0, abs=1e-9)
        sense = -1 if o == "cost_wan" else 1
        np.testing.assert_allclose(g.regret, sense * (g.best - g.value), atol=1e-9)
    # settings are paired: world j runs the same behaviour and replicates in each setting
    oc = pd.read_parquet(out / "outcomes.parquet")
    reps = oc.groupby("setting")["replicate"].apply(lambda s: tuple(sorted(set(s))))
    assert reps.nunique() == 1 and len(reps.iloc[0]) == 16 * 2
    w = _csv(out / "worlds.csv")
    assert len(w) == 16 and (w.hte_apply_prob.between(0.3, 0.9)).all()
    pr = _csv(out / "prim.csv")
    assert set(pr.setting) == {"plan", "no_rd_awards", "cap_5000"}
    assert set(pr.target) == {"target:hte_2026"}


def test_robust_bad_input_exits_2(tmp_path):
    for old, new, words in [
        ("  cap_5000: {set: {policy.rd_subsidy.cap_wan: 5000}}\n",
         "  cap_5000: {set: {policy.rd_subsidy.cap_wan: -5}}\n",
         ["settings.cap_5000", "policy.rd_subsidy.cap_wan"]),
        (f"{VARIANTS / 'off_a1_rd_subsidy.yaml'}", "missing.yaml",
         ["settings.no_rd_awards.file", "no such file"]),
        ("uncertain: [hte_apply_prob,", "uncertain: [nonsense,", ["uncertain.0", "nonsense"]),
        ("samples: 16", "samples: 1", ["samples"]),
        # outcomes are checked against the metric catalogue and the base's calendar
        # (ending 2026Q4 here) when the file is read: exit 2, never NaN outcomes
        ("metric: hte, quarter: 2026Q4}", "metric: htes, quarter: 2026Q4}",
         ["bad.yaml:17", "outcomes.0.metric", "'htes' is not valid", "did you mean 'hte'?",
          "valid: a metric of docs/interface.md"]),
        ("metric: hte, quarter: 2026Q4}", "metric: hte, quarter: 2027Q1}",
         ["bad.yaml:17", "outcomes.0.quarter", "'2027Q1' is not valid", "2025Q3..2026Q4"]),
    ]:
        assert old in ROBUST
        f = write(tmp_path, "bad.yaml", ROBUST.replace(old, new))
        r = cli("robust", f, "--out", tmp_path / "o", "--quiet")
        assert r.returncode == 2, (old, r.stderr)
        assert "Traceback" not in r.stderr and "bad.yaml" in r.stderr
        for w in words:
            assert w in r.stderr, (w, r.stderr)


def test_prim_finds_the_box_where_failure_lives():
    rng = np.random.default_rng(3)
    X = rng.random((400, 4))
    y = ((X[:, 1] > 0.6) & (X[:, 3] < 0.5)).astype(float)  # fails there, nowhere else
    box = prim(X, y, min_coverage=0.8)
    assert sorted(box["restricted"]) == [1, 3]
    assert box["low"][1] == pytest.approx(0.6, abs=0.08)
    assert box["high"][3] == pytest.approx(0.5, abs=0.08)
    assert box["density"] > 0.8 and box["coverage"] >= 0.8
    assert prim(X, np.zeros(400)) is None  # nothing fails: no box


def test_sobol_parameters_are_chosen_on_mean_outcomes_not_coarse_probabilities():
    from sim.analysis.sensitivity import choose_sobol

    mt = pd.DataFrame([
        {"outcome": "hte", "quantity": "mean", "parameter": "a", "mu_star_relative": 1.0},
        {"outcome": "hte", "quantity": "mean", "parameter": "b", "mu_star_relative": 0.2},
        {"outcome": "hte", "quantity": "mean", "parameter": "c", "mu_star_relative": 0.5},
        {"outcome": "target:x", "quantity": "probability", "parameter": "a",
         "mu_star_relative": 0.0},
        {"outcome": "target:x", "quantity": "probability", "parameter": "b",
         "mu_star_relative": 1.0},
        {"outcome": "target:x", "quantity": "probability", "parameter": "c",
         "mu_star_relative": 0.1},
    ])
    assert choose_sobol(mt, ["a", "b", "c"], 2) == ["a", "c"]
    assert choose_sobol(mt[mt.quantity == "probability"], ["a", "b", "c"], 2) == ["b", "c"]


def test_robust_on_a_loopback_dask_cluster_gives_the_serial_tables(robust, tmp_path):
    distributed = pytest.importorskip("distributed")
    from sim.studies.robust import run_robust

    f = write(tmp_path, "robust.yaml", ROBUST)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        m = run_robust(f, out=tmp_path / "d", scheduler=cluster.scheduler_address)
    assert m["status"] == "complete"
    for name in ("robust.csv", "regret.csv", "prim.csv", "worlds.csv"):
        pd.testing.assert_frame_equal(_csv(robust / name), _csv(tmp_path / "d" / name))


def test_robust_takes_the_points_of_a_sweep_file_as_settings(tmp_path):
    from sim.studies.robust import load_robust

    sweep = write(tmp_path, "sweep.yaml", f"""name: tiny
base: {BASE}
levers:
  policy.rd_subsidy.cap_wan: [500, 2000]
  policy.referral.referrer_share: [0.3]
outcomes: [{{id: h, metric: hte, quarter: 2026Q4}}]
""")
    f = write(tmp_path, "r.yaml", ROBUST.replace("settings:\n", "sweep: sweep.yaml\nsettings:\n"))
    _, _, _, settings, _ = load_robust(f)
    assert list(settings)[3:] == ["rd_subsidy.cap_wan=500, referral.referrer_share=0.3",
                                  "rd_subsidy.cap_wan=2000, referral.referrer_share=0.3"]
    L = settings["rd_subsidy.cap_wan=2000, referral.referrer_share=0.3"]
    assert L.resolved["policy"]["rd_subsidy"]["cap_wan"] == 2000
    assert L.model.population.scale == 0.02  # the robust file's `set` applies too
    assert sweep.exists()


def test_a_failing_point_makes_a_partial_study_that_resume_completes(tmp_path, monkeypatch):
    import sim.engine.ensemble
    from sim.studies.sensitivity import run_sensitivity

    real = sim.engine.ensemble.run_replicate

    def flaky(resolved, variant, replicate, seed, snapshots=False):
        if replicate == 1 and resolved["behaviour"]["hte_apply_prob"] > 0.85:
            resolved = {**resolved, "calendar": "broken"}  # fails inside, as a model would
        return real(resolved, variant, replicate, seed, snapshots)

    f = write(tmp_path, "s.yaml", SENS.replace("trajectories: 4", "trajectories: 2"))
    monkeypatch.setattr(sim.engine.ensemble, "run_replicate", flaky)
    m = run_sensitivity(f, out=tmp_path / "o")
    assert m["status"] == "partial" and m["failed"]
    assert all(x["replicate"] == 1 for x in m["failed"])
    assert not (tmp_path / "o" / "sensitivity.csv").read_text(encoding="utf-8-sig").strip()
    monkeypatch.setattr(sim.engine.ensemble, "run_replicate", real)
    m = run_sensitivity(f, out=tmp_path / "o", resume=True)
    assert m["status"] == "complete" and not m["failed"]
    assert len(_csv(tmp_path / "o" / "morris.csv")) > 0


def test_settings_at_almost_the_same_spot_share_one_label():
    from sim.report.robust import nearby as _nearby

    names = ["plan", "rd_cap_500", "rd_cap_5000", "budget_half", "off_all_money"]
    x = pd.Series({"plan": 17.12, "rd_cap_500": 17.05, "rd_cap_5000": 17.12,
                   "budget_half": 8.84, "off_all_money": 0.0})
    y = pd.Series({"plan": 40.0, "rd_cap_500": 40.0, "rd_cap_5000": 40.0,
                   "budget_half": 38.8, "off_all_money": 31.2})
    assert _nearby(names, x, y) == [["plan", "rd_cap_500", "rd_cap_5000"], ["budget_half"],
                                    ["off_all_money"]]
    # apart on either axis: apart
    y2 = y.copy()
    y2["rd_cap_500"] = 35.0
    assert ["rd_cap_500"] in _nearby(names, x, y2)
    # all at one point (no span): one label
    same = pd.Series(1.0, index=names)
    assert _nearby(names, same, same) == [names]


def test_sobol_notes_an_outcome_whose_driver_was_left_out():
    from SALib.sample import sobol as sobol_sample

    from sim.analysis.sensitivity import problem_of, sobol_table

    names = ["drift_base", "startup_rate"]
    X = sobol_sample.sample(problem_of(names), 64, calc_second_order=False, seed=1)
    Y = pd.DataFrame({"rev": 100 * X[:, 0] + X[:, 1], "spec": 1e-3 * X[:, 1]})
    outcomes = [{"id": "rev", "metric": "revenue_wan"}, {"id": "spec", "metric": "specialised"}]
    mt = pd.DataFrame([
        {"outcome": "rev", "parameter": "drift_base", "mu_star": 2.0, "mu_star_relative": 1.0},
        {"outcome": "rev", "parameter": "startup_rate", "mu_star": 0.1,
         "mu_star_relative": 0.05},
        {"outcome": "spec", "parameter": "specialised_prob", "mu_star": 1.0,
         "mu_star_relative": 1.0},
        {"outcome": "spec", "parameter": "startup_rate", "mu_star": 0.2,
         "mu_star_relative": 0.2}])
    st = sobol_table(Y, names, outcomes, seed=2, mt=mt)
    assert (st[st.outcome == "rev"].note == "").all()
    assert st[st.outcome == "rev"].set_index("parameter").loc["drift_base", "ST"] > 0.9
    spec = st[st.outcome == "spec"]
    assert spec.note.str.contains("specialised_prob").all()
    assert spec.note.str.contains("not among the Sobol parameters").all()
