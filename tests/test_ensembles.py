"""Ensembles: parts, resume after a kill, failures, Dask, pairing, sweeps, targets."""

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

import sim
from sim.analysis.targets import value_at_checkpoint
from sim.studies.compare import compare
from sim.analysis.targets import evaluate_targets

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
SMALL = ["population.scale=0.02", "calendar.end=2026Q4", "calendar.checkpoints=[2026Q4]"]
SETS = [x for s in SMALL for x in ("--set", s)]


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600, **kw)


def test_resume_after_sigkill_gives_the_uninterrupted_tables(tmp_path):
    full, cut = tmp_path / "full", tmp_path / "cut"
    args = ["run", BASE, "-n", "10", "--quiet", "--set", "population.scale=0.03",
            "--set", "calendar.end=2027Q4", "--set", "calendar.checkpoints=[2027Q4]"]
    assert cli(*args, "--out", full).returncode == 0
    p = subprocess.Popen([sys.executable, "-m", "sim.cli", *map(str, args), "--out", str(cut)],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        done = list((cut / "parts").glob("*.done")) if (cut / "parts").exists() else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert not (cut / "manifest.json").exists()  # killed before the end
    # a damaged part is run again
    victim = sorted((cut / "parts").glob("*.metrics.parquet"))[0]
    victim.write_bytes(b"not parquet")
    r = cli(*args, "--out", cut, "--resume")
    assert r.returncode == 0, r.stderr
    for name in ("metrics.parquet", "ledger.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(full / name), pd.read_parquet(cut / name))
    assert json.loads((cut / "manifest.json").read_text())["status"] == "complete"


def test_a_failing_replicate_is_recorded_and_the_others_finish(tmp_path, monkeypatch):
    import sim.model.mechanisms.exit

    real = sim.model.mechanisms.exit.step

    def boom(model, t, j, rng):
        if model.replicate == 1 and j == 3:
            raise RuntimeError("injected failure")
        return real(model, t, j, rng)

    monkeypatch.setattr(sim.model.mechanisms.exit, "step", boom)
    L = sim.load_scenario(BASE, SMALL)
    res = sim.run_scenario(L, replicates=3, out=tmp_path / "o")
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert man["status"] == "partial"
    # replicate 1 fails in the headline set and in the luck-only set beside it
    assert [(f["replicate"], f.get("set")) for f in man["failed"]] == [(1, None),
                                                                       (1, "luck only")]
    assert "injected failure" in man["failed"][0]["error"]
    m = pd.read_parquet(tmp_path / "o" / "metrics.parquet")
    assert sorted(m.replicate.unique()) == [0, 2]
    assert res.manifest["status"] == "partial"
    # resuming without the fault finishes the missing replicate
    monkeypatch.setattr(sim.model.mechanisms.exit, "step", real)
    sim.run_scenario(L, replicates=3, out=tmp_path / "o", resume=True)
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert man["status"] == "complete"
    m = pd.read_parquet(tmp_path / "o" / "metrics.parquet")
    assert sorted(m.replicate.unique()) == [0, 1, 2]


def test_serial_two_workers_and_a_loopback_dask_cluster_agree(tmp_path):
    distributed = pytest.importorskip("distributed")
    L = sim.load_scenario(BASE, SMALL)
    serial = sim.run_scenario(L, replicates=4, out=tmp_path / "s")
    sim.run_scenario(L, replicates=4, workers=2, out=tmp_path / "w")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        sim.run_scenario(L, replicates=4, out=tmp_path / "d",
                         scheduler=cluster.scheduler_address)
    for name in ("metrics.parquet", "ledger.parquet"):
        a = pd.read_parquet(tmp_path / "s" / name)
        pd.testing.assert_frame_equal(a, pd.read_parquet(tmp_path / "w" / name))
        pd.testing.assert_frame_equal(a, pd.read_parquet(tmp_path / "d" / name))
    assert serial.manifest["status"] == "complete"


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    r = cli("run", BASE, "-n", "1", "--out", tmp_path / "x", "--quiet", *SETS,
            "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2
    assert "cannot reach a Dask scheduler" in r.stderr and "Traceback" not in r.stderr


def test_paired_differences_vary_less_than_unpaired():
    ov = SMALL[:2] + ["calendar.end=2027Q4", "calendar.checkpoints=[2027Q4]",
                      "population.scale=0.05"]
    var = ROOT / "scenarios" / "variants" / "off_b6_ladder.yaml"
    res = compare(sim.load_scenario(BASE, ov), [sim.load_scenario(var, ov)], replicates=8,
                  workers=2)
    t = value_at_checkpoint(res.metrics, "hte", "2027Q4", 0)
    b, v = t["yunnan_baseline"].to_numpy(), t["off_b6_ladder"].to_numpy()
    paired = np.var(v - b)
    unpaired = np.var(np.roll(v, 1) - b)  # the same runs, mismatched seeds
    assert paired < unpaired


def test_target_probabilities_on_a_hand_made_table():
    rows = []
    for r, (stock, flows) in enumerate([(10, [1, 1, 1, 1]), (20, [2, 2, 2, 2]),
                                        (30, [3, 3, 3, 3]), (40, [4, 4, 4, 4])]):
        rows.append(("v", r, "2026Q4", "ALL", "ALL", "hte", stock))
        for q, f in zip(["2026Q1", "2026Q2", "2026Q3", "2026Q4"], flows, strict=True):
            rows.append(("v", r, q, "ALL", "ALL", "births", f))
    m = pd.DataFrame(rows, columns=["variant", "replicate", "quarter", "zone", "sector",
                                    "metric", "value"])
    targets = [
        {"id": "a", "metric": "hte", "zone": "ALL", "sector": "ALL", "by": "2026Q4",
         "op": ">=", "threshold": 25},
        {"id": "b", "metric": "births", "zone": "ALL", "sector": "ALL", "by": "2026Q4",
         "op": "<=", "threshold": 8},
        {"id": "c", "metric": "hte", "zone": "ALL", "sector": "ALL", "by": "2031Q4",
         "op": ">=", "threshold": 1},
    ]
    from sim.core.calendar import q_index

    out = {t["id"]: t for t in evaluate_targets(targets, m, ["v"], q_index("2025Q3"),
                                                q_index("2030Q4"))}
    assert out["a"]["probability"] == 0.5 and out["a"]["median"] == 25.0
    assert out["b"]["probability"] == 0.5 and out["b"]["median"] == 10.0  # 4 + 8 | 12 + 16
    assert out["c"]["probability"] is None and "not evaluated" in out["c"]["note"]


def test_sample_behaviour_draws_per_replicate_the_same_across_variants(tmp_path):
    var = ROOT / "scenarios" / "variants" / "rd_cap_500.yaml"
    res = compare(sim.load_scenario(BASE, SMALL), [sim.load_scenario(var, SMALL)],
                  replicates=3, sample_behaviour=True, out=tmp_path / "c")
    beh = pd.read_parquet(tmp_path / "c" / "behaviour.parquet")
    assert len(beh) == 6
    a = beh[beh.variant == "yunnan_baseline"].drop(columns="variant").reset_index(drop=True)
    b = beh[beh.variant == "rd_cap_500"].drop(columns="variant").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert a["rd_price_elasticity"].nunique() == 3
    assert "behaviour" in res.manifest["probability_kind"]


def test_sweep_grid_with_resume_and_probabilities(tmp_path):
    f = tmp_path / "sw.yaml"
    f.write_text(f"""name: tiny_sweep
base: {BASE}
set: {{population.scale: 0.02, calendar.end: 2026Q4, calendar.checkpoints: [2026Q4],
      targets: [{{id: hte_26, metric: hte, by: 2026Q4, threshold: 100, source: planner}}]}}
levers:
  policy.rd_subsidy.cap_wan: [500, 2000]
  policy.referral.referrer_share: [0.0, 0.5]
behaviour: [rd_price_elasticity]
replicates: 2
outcomes:
  - {{id: landed, metric: projects_landed, quarter: 2026Q4}}
""", encoding="utf-8")
    r = cli("sweep", f, "--out", tmp_path / "o", "--quiet", "--workers", "2")
    assert r.returncode == 0, r.stderr
    pts = pd.read_csv(tmp_path / "o" / "points.csv", encoding="utf-8-sig")
    assert len(pts) == 4
    oc = pd.read_parquet(tmp_path / "o" / "outcomes.parquet")
    assert len(oc) == 4 * 2 * 2  # points x replicates x (outcome + target)
    assert set(oc.outcome) == {"landed", "target:hte_26"}
    pr = pd.read_csv(tmp_path / "o" / "probabilities.csv", encoding="utf-8-sig")
    assert len(pr) == 4 and pr.probability.between(0, 1).all()
    # share 0 refers nothing: fewer or equal projects land than at share 0.5 (paired)
    landed = oc[oc.outcome == "landed"].pivot_table(
        index=["policy.rd_subsidy.cap_wan", "replicate"],
        columns="policy.referral.referrer_share", values="value")
    assert (landed[0.5] >= landed[0.0]).all()
    again = cli("sweep", f, "--out", tmp_path / "o", "--quiet", "--resume")
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(oc, pd.read_parquet(tmp_path / "o" / "outcomes.parquet"))


def test_bad_sweep_file_names_file_line_and_key(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(f"name: bad\nbase: {BASE}\nlevers:\n  policy.rd_subsidy.cap_wan: [500]\n"
                 "replicate: 3\n", encoding="utf-8")
    r = cli("sweep", f, "--out", tmp_path / "o")
    assert r.returncode == 2
    assert "bad.yaml:5: replicate: unknown key" in r.stderr and "replicates" in r.stderr


@pytest.mark.parametrize("outcome, words", [
    ("{id: landed, metric: projects_landedd, quarter: 2026Q4}",
     ["bad.yaml:8", "outcomes.0.metric", "projects_landedd", "did you mean",
      "'projects_landed'", "valid: a metric of docs/interface.md"]),
    ("{id: landed, metric: projects_landed, quarter: 2030Q4}",
     ["bad.yaml:8", "outcomes.0.quarter", "'2030Q4' is not valid", "2025Q3..2026Q4"]),
])
def test_sweep_outcome_not_in_the_catalogue_or_calendar_exits_2(tmp_path, outcome, words):
    """An outcome the base cannot measure (unknown metric, quarter after the calendar's
    end: set here to 2026Q4) stops the sweep at load with exit 2, before any run, instead
    of NaN outcomes."""
    f = tmp_path / "bad.yaml"
    f.write_text(f"""name: bad
base: {BASE}
set: {{population.scale: 0.02, calendar.end: 2026Q4, calendar.checkpoints: [2026Q4]}}
levers:
  policy.rd_subsidy.cap_wan: [500]
replicates: 1
outcomes:
  - {outcome}
""", encoding="utf-8")
    r = cli("sweep", f, "--out", tmp_path / "o", "--quiet")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert not (tmp_path / "o").exists()


def test_progress_bar_without_a_terminal_or_unicode(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    r = cli("run", BASE, "-n", "2", "--out", tmp_path / "p", *SETS, env=env)
    assert r.returncode == 0, r.stderr
    assert "replicate" in r.stderr  # the bar, in ASCII, on a pipe
