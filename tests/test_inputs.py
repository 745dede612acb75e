"""Input uncertainty: the scenario's ``inputs:`` section and ``--sample-inputs``.

The section's checks (file, line, key, what is valid), inheritance through
``extends:``, the per-replicate draw (same seed -> same draws on any number of workers,
paired across variants, a variant's own change kept), what the results folder records
(``inputs_sampled`` in the manifest and each part's identity, ``inputs.parquet``) and
a resume that would mix sampled and unsampled parts. Small: the tiny scenario (about
450 firms, 6 quarters)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.targets import probability_kind, uncertainty_counted
from sim.engine.ensemble import INPUTS_STREAM, sample_inputs
from sim.scenario.loader import ScenarioError, load
from sim.studies.compare import compare
from sim.studies.run import run_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
SHORT = {"calendar.end": "2026Q2", "calendar.checkpoints": ["2026Q2"]}

# tiny.yaml: province budget 20000万元, zone alpha's 高企 25
ROWS = """inputs:
  - {key: policy.budget.province_wan_per_year, low: 10000, high: 40000, source: "test: assumption"}
  - {key: zones.alpha.firms.hte, low: 20, high: 30, source: "test"}
"""


def write(tmp: Path, name: str, body: str, extends: Path = TINY) -> Path:
    p = tmp / f"{name}.yaml"
    p.write_text(f"extends: {extends}\nname: {name}\n{body}", encoding="utf-8")
    return p


@pytest.fixture()
def with_inputs(tmp_path) -> Path:
    return write(tmp_path, "tiny_inputs", ROWS)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def _error(path, overrides=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(path, overrides)
    return info.value


# ------------------------------------------------------------------------- the section


def test_the_loader_fills_central_from_the_declaring_scenario(with_inputs):
    rows = load(with_inputs).resolved["inputs"]
    assert [r["key"] for r in rows] == ["policy.budget.province_wan_per_year",
                                        "zones.alpha.firms.hte"]
    assert [r["central"] for r in rows] == [20000.0, 25.0]


def test_a_bad_key_names_file_line_and_what_is_valid(tmp_path):
    p = write(tmp_path, "bad", "inputs:\n  - {key: policy.budget.province_wan_per_yr, "
              "low: 1, high: 2, source: x}\n")
    (prob,) = _error(p).problems
    assert prob.file.endswith("bad.yaml") and prob.line == 4 and prob.path == "inputs.0.key"
    assert "no such key" in prob.message and "province_wan_per_year" in prob.message
    assert "did you mean 'province_wan_per_year'" in prob.message


def test_a_bad_zone_id_lists_the_zones(tmp_path):
    p = write(tmp_path, "bad", "inputs:\n  - {key: zones.gamma.firms.hte, low: 1, high: 2, "
              "source: x}\n")
    (prob,) = _error(p).problems
    assert "zones.gamma" in prob.message and "alpha, beta" in prob.message


def test_the_scenarios_value_outside_the_range_is_an_error(tmp_path):
    p = write(tmp_path, "bad", "inputs:\n  - {key: policy.budget.province_wan_per_year, "
              "low: 50000, high: 90000, source: x}\n")
    (prob,) = _error(p).problems
    assert prob.line == 4 and prob.path == "inputs.0"
    assert "20000" in prob.message and "outside [low, high]" in prob.message


@pytest.mark.parametrize("key, says", [
    ("policy.budget.on_exhausted", "'defer' (a string), not a number"),
    ("policy.budget", "a mapping, not a number"),
    ("zones.alpha.name_en", "not a number"),
    ("behaviour.notch_reach", "--sample-behaviour"),
    ("population.scale", "a setting of the run"),
])
def test_a_key_that_is_not_a_number_is_an_error(tmp_path, key, says):
    p = write(tmp_path, "bad", f"inputs:\n  - {{key: {key}, low: 0, high: 1, source: x}}\n")
    (prob,) = _error(p).problems
    assert prob.line == 4 and prob.path == "inputs.0.key" and says in prob.message


def test_non_numeric_bounds_low_above_high_and_central_written_are_errors(tmp_path):
    p = write(tmp_path, "bad", "inputs:\n"
              "  - {key: policy.budget.province_wan_per_year, low: a, high: 30000, source: x}\n")
    assert "inputs.0.low" in str(_error(p)) and "expected a number" in str(_error(p))
    p = write(tmp_path, "bad2", "inputs:\n"
              "  - {key: policy.budget.province_wan_per_year, low: 30000, high: 10000, "
              "source: x}\n")
    assert "inputs.0.high: 10000 is below low 30000" in str(_error(p))
    p = write(tmp_path, "bad3", "inputs:\n"
              "  - {key: policy.budget.province_wan_per_year, low: 1, high: 30000, "
              "source: x, central: 5}\n")
    assert "inputs.0.central: is set by the loader" in str(_error(p))
    p = write(tmp_path, "bad4", "inputs:\n"
              "  - {key: policy.budget.province_wan_per_year, low: 1, high: 30000}\n")
    assert "inputs.0.source: required key is missing" in str(_error(p))


def test_a_default_key_not_written_in_the_file_can_be_an_input(tmp_path):
    # tiny.yaml does not write policy.scenario_pilot.cap_wan: the schema's 2000 applies
    p = write(tmp_path, "dflt", "inputs:\n  - {key: policy.scenario_pilot.cap_wan, "
              "low: 1000, high: 3000, source: x}\n")
    assert load(p).resolved["inputs"][0]["central"] == 2000.0


def test_inputs_are_inherited_and_a_child_keeps_the_parents_central(tmp_path, with_inputs):
    child = write(tmp_path, "child", "policy:\n  budget: {province_wan_per_year: 5000}\n",
                  extends=with_inputs)
    L = load(child)
    assert L.resolved["inputs"] == load(with_inputs).resolved["inputs"]
    assert L.resolved["policy"]["budget"]["province_wan_per_year"] == 5000.0
    # a child that declares a row of the same key replaces it (checked against its value)
    again = write(tmp_path, "again", "policy:\n  budget: {province_wan_per_year: 5000}\n"
                  "inputs:\n  - {key: policy.budget.province_wan_per_year, low: 1000, "
                  "high: 9000, source: y}\n", extends=with_inputs)
    rows = load(again).resolved["inputs"]
    assert [r["key"] for r in rows] == ["policy.budget.province_wan_per_year",
                                        "zones.alpha.firms.hte"]
    assert rows[0]["central"] == 5000.0 and rows[0]["high"] == 9000.0


def test_a_scenario_without_inputs_keeps_its_hash(tmp_path):
    assert "inputs" not in load(TINY).resolved


def test_the_baselines_budgets_are_named_inputs():
    L = load(BASE)
    rows = {r["key"]: r for r in L.resolved["inputs"]}
    prov, zone = (rows["policy.budget.province_wan_per_year"],
                  rows["policy.budget.zone_wan_per_year"])
    assert (prov["low"], prov["central"], prov["high"]) == (50000, 100000, 200000)
    assert (zone["low"], zone["central"], zone["high"]) == (3000, 10000, 30000)
    assert "assumption" in prov["source"] and "assumption" in zone["source"]


# ------------------------------------------------------------------------- the draw


def test_the_draw_is_uniform_on_the_range_from_its_own_stream(with_inputs):
    r = load(with_inputs).resolved
    new, drawn = sample_inputs(r, 7, 3)
    u = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(3, INPUTS_STREAM))).random(2)
    assert drawn["policy.budget.province_wan_per_year"] == pytest.approx(10000 + u[0] * 30000)
    assert drawn["zones.alpha.firms.hte"] == round(20 + u[1] * 10)
    assert isinstance(drawn["zones.alpha.firms.hte"], int)
    assert new["policy"]["budget"]["province_wan_per_year"] == pytest.approx(
        drawn["policy.budget.province_wan_per_year"])
    assert new["zones"][0]["firms"]["hte"] == drawn["zones.alpha.firms.hte"]
    assert r["zones"][0]["firms"]["hte"] == 25  # the loaded scenario is not changed
    assert sample_inputs(r, 7, 3)[1] == drawn and sample_inputs(r, 7, 4)[1] != drawn


def test_a_variant_that_changes_a_sampled_key_keeps_its_change(tmp_path, with_inputs):
    base = load(with_inputs).resolved
    var = write(tmp_path, "double", "policy:\n  budget: {province_wan_per_year: 40000}\n"
                "zones:\n  - {id: alpha, firms: {hte: 27}}\n", extends=with_inputs)
    v = load(var).resolved
    dated = load(with_inputs, {"policy.budget.province_wan_per_year":
                               {"2025Q3": 20000, "2026Q1": 30000}}).resolved
    for rep in range(5):
        b, d = sample_inputs(base, 11, rep)
        w, dw = sample_inputs(v, 11, rep)
        assert dw == d  # the same draw: paired
        p = d["policy.budget.province_wan_per_year"]
        assert b["policy"]["budget"]["province_wan_per_year"] == pytest.approx(p)
        assert w["policy"]["budget"]["province_wan_per_year"] == pytest.approx(p * 2)
        h = 20 + np.random.default_rng(np.random.SeedSequence(
            11, spawn_key=(rep, INPUTS_STREAM))).random(2)[1] * 10
        assert w["zones"][0]["firms"]["hte"] == round(27 * h / 25)
        x = sample_inputs(dated, 11, rep)[0]["policy"]["budget"]["province_wan_per_year"]
        assert x == {"2025Q3": pytest.approx(p), "2026Q1": pytest.approx(p * 1.5)}


def test_same_seed_same_draws_and_tables_on_one_and_two_workers(tmp_path, with_inputs):
    L = load(with_inputs, SHORT)
    for w in (1, 2):
        run_scenario(L, replicates=3, seed=5, workers=w, sample_inputs=True,
                     out=tmp_path / f"w{w}")
    a, b = tmp_path / "w1", tmp_path / "w2"
    pd.testing.assert_frame_equal(pd.read_parquet(a / "inputs.parquet"),
                                  pd.read_parquet(b / "inputs.parquet"), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(a / "metrics.parquet"),
                                  pd.read_parquet(b / "metrics.parquet"), check_exact=True)
    d = pd.read_parquet(a / "inputs.parquet")
    assert list(d.columns) == ["variant", "replicate", "policy.budget.province_wan_per_year",
                               "zones.alpha.firms.hte"]
    assert d["policy.budget.province_wan_per_year"].between(10000, 40000).all()
    assert d["policy.budget.province_wan_per_year"].nunique() == 3


def test_the_draw_is_paired_across_variants_and_moves_the_numbers(tmp_path, with_inputs):
    var = write(tmp_path, "cap_500", "policy:\n  rd_subsidy: {cap_wan: 500}\n",
                extends=with_inputs)
    # behaviour at the scenario's values, so the inputs alone are drawn
    res = compare(load(with_inputs, SHORT), [load(var, SHORT)], replicates=3, seed=5,
                  sample_inputs=True, sample_behaviour=False, out=tmp_path / "c")
    d = pd.read_parquet(tmp_path / "c" / "inputs.parquet")
    a = d[d.variant == "tiny_inputs"].drop(columns="variant").reset_index(drop=True)
    b = d[d.variant == "cap_500"].drop(columns="variant").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert res.manifest["inputs_sampled"] is True
    assert res.manifest["uncertainty"] == ["luck", "inputs"]
    assert "input uncertainty" in res.manifest["probability_kind"]
    # the sampled start differs from the unsampled one (alpha's 高企 drawn on [20, 30])
    plain = compare(load(with_inputs, SHORT), [load(var, SHORT)], replicates=3, seed=5,
                    sample_behaviour=False)
    m = res.metrics
    hte0 = m[(m.metric == "hte") & (m.zone == "alpha") & (m.sector == "ALL")
             & (m.quarter == "2025Q2") & (m.variant == "tiny_inputs")]
    pm = plain.metrics
    p0 = pm[(pm.metric == "hte") & (pm.zone == "alpha") & (pm.sector == "ALL")
            & (pm.quarter == "2025Q2") & (pm.variant == "tiny_inputs")]
    assert p0["value"].nunique() == 1
    assert hte0["value"].tolist() != p0["value"].tolist()
    assert plain.manifest["inputs_sampled"] is False
    assert plain.manifest["uncertainty"] == ["luck"]


def test_variants_with_other_inputs_are_refused(tmp_path, with_inputs):
    other = write(tmp_path, "other", "inputs:\n  - {key: policy.rd_subsidy.cap_wan, low: 500, "
                  "high: 2000, source: x}\n")
    with pytest.raises(ScenarioError) as info:
        compare(load(with_inputs, SHORT), [load(other, SHORT)], replicates=1,
                sample_inputs=True)
    assert "same inputs: rows" in str(info.value)


def test_sample_inputs_without_an_inputs_section_is_exit_2(tmp_path):
    r = cli("run", TINY, "-n", "1", "--sample-inputs", "--quiet", "--no-report", "--out",
            tmp_path / "o")
    assert r.returncode == 2 and "declares no inputs" in r.stderr
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------------- the folder


def test_manifest_identity_and_a_resume_that_would_mix_is_refused(tmp_path, with_inputs):
    out = tmp_path / "run"
    args = ["run", with_inputs, "-n", "2", "--quiet", "--no-report", "--out", out,
            "--set", "calendar.end=2026Q2", "--set", "calendar.checkpoints=[2026Q2]",
            "--luck-only"]
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["inputs_sampled"] is False and man["made_by"]["inputs_sampled"] == [False]
    assert man["probability_kind"].startswith("luck only")
    ident = json.loads((out / "parts" / "tiny_inputs--r000001.done").read_text())["identity"]
    assert ident["inputs_sampled"] is False
    assert not (out / "inputs.parquet").exists()
    before = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    r = cli(*args, "--resume", "--sample-inputs")
    assert r.returncode == 2
    assert "--resume would mix results" in r.stderr and "input sampling" in r.stderr
    assert "Traceback" not in r.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()} == before
    r = cli(*args, "--overwrite", "--sample-inputs")
    assert r.returncode == 0, r.stderr
    man = json.loads((out / "manifest.json").read_text())
    # the headline set's parts drew the inputs; the luck-only set beside it did not
    assert man["inputs_sampled"] is True and man["made_by"]["inputs_sampled"] == [False, True]
    meta = json.loads((out / "parts" / "tiny_inputs--r000001.done").read_text())
    assert meta["identity"]["inputs_sampled"] is True
    assert set(meta["inputs"]) == {"policy.budget.province_wan_per_year",
                                   "zones.alpha.firms.hte"}
    assert len(pd.read_parquet(out / "inputs.parquet")) == 2
    assert "input uncertainty" in r.stdout


def test_the_api_takes_sample_inputs(with_inputs):
    res = sim.run(with_inputs, replicates=2, overrides=SHORT, sample_inputs=True)
    assert res.manifest["inputs_sampled"] is True
    assert res.manifest["sampled_inputs"] == ["policy.budget.province_wan_per_year",
                                              "zones.alpha.firms.hte"]


def test_probability_kind_says_what_is_counted():
    assert uncertainty_counted(True, ["k"]) == ["luck", "behaviour", "inputs"]
    assert probability_kind(False).startswith("luck only")
    assert probability_kind(True).startswith("luck and behaviour uncertainty")
    assert probability_kind(False, ["k"]).startswith("luck and input uncertainty")
    assert "k" in probability_kind(False, ["k"])
    assert probability_kind(["a"], ["k"]).startswith(
        "luck, behaviour uncertainty and input uncertainty")


def test_the_report_says_what_its_probabilities_count():
    from sim.report.lang import uncertainty_text

    m = {"probability_kind": probability_kind(False, ["k"]),
         "uncertainty": uncertainty_counted(False, ["k"])}
    zh, en = uncertainty_text(m)
    assert "输入不确定性" in zh and "未计入行为不确定性" in zh
    assert en.startswith("These probabilities count luck and input uncertainty")
    assert "behaviour uncertainty is not counted" in en
    zh, en = uncertainty_text({"probability_kind": probability_kind(False)})
    assert "luck only" in en and "只计运气" in zh
