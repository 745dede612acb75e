"""The Python API (sim.run, sim.compare_variants, sim.open_results, Results): its
doctests, its tables and figures, and its errors."""

import doctest
import os
from pathlib import Path

import pytest

import sim
import sim.api
import sim.app

ROOT = Path(__file__).resolve().parents[1]
BASE = "scenarios/yunnan_baseline.yaml"
SMALL = {"population.scale": 0.02, "calendar.end": "2026Q4"}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("module", [sim, sim.api, sim.app], ids=["sim", "sim.api", "sim.app"])
def test_doctests(module):
    r = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert r.attempted >= 5
    assert r.failed == 0


def test_calibration_doctests():
    import sim.studies.calibrate

    r = doctest.testmod(sim.studies.calibrate, optionflags=doctest.ELLIPSIS)
    assert r.attempted >= 1 and r.failed == 0  # the moments figure's: in sim.api


def test_run_in_memory_matches_folder_and_workers(tmp_path):
    a = sim.run(BASE, replicates=2, overrides=SMALL)
    b = sim.run(BASE, replicates=2, overrides=SMALL, workers=2, out=tmp_path / "r")
    assert (tmp_path / "r" / "manifest.json").exists()
    key = ["variant", "replicate", "quarter", "zone", "sector", "metric"]
    x = a.metrics.sort_values(key).reset_index(drop=True)
    y = b.metrics.sort_values(key).reset_index(drop=True)
    assert x[key].equals(y[key])
    assert (x["value"].fillna(-1) == y["value"].fillna(-1)).all()
    assert a.ledger.amount_wan.sum() == pytest.approx(b.ledger.amount_wan.sum())
    # the targets table has one row per target, the 2030 ones not evaluated here
    ids = [t.id for t in sim.load_scenario(BASE).model.targets]
    assert len(ids) >= 1 and set(a.targets["id"]) == set(ids)
    assert a.targets["probability"].isna().all()


def test_results_tables():
    res = sim.run(BASE, replicates=3, overrides=SMALL)
    s = res.series("hte", zone="kunming")
    assert list(s.index) == res.quarters and s.shape == (7, 3)
    summ = res.summary("revenue_wan")
    assert (summ.p05 <= summ["median"]).all() and (summ["median"] <= summ.p95).all()
    # a flow at a checkpoint is the sum of the four quarters ending there
    at = res.at("revenue_wan", "2026Q4")
    q = res.series("revenue_wan")["yunnan_baseline"].loc[["2026Q1", "2026Q2", "2026Q3",
                                                           "2026Q4"]].sum()
    assert at["yunnan_baseline"].to_numpy() == pytest.approx(q.to_numpy())
    c = res.cost("lever")
    assert c.loc["total", "yunnan_baseline"] == pytest.approx(
        res.ledger.amount_wan.sum() / 3)
    assert set(c.index) - {"total"} <= {f"A{i}" for i in range(1, 11)}


def test_compare_variants_pairs_and_draws(tmp_path):
    res = sim.compare_variants(BASE, {"no_a1": {"policy.rd_subsidy.enabled": False}},
                               replicates=2, overrides=SMALL)
    assert res.variants == ["yunnan_baseline", "no_a1"]
    d = res.differences
    assert {"hte", "awards_to_date_wan"} <= set(d.metric)
    # without the R&D award, no A1 is paid
    cost = res.cost("lever")
    assert cost.loc["A1", "yunnan_baseline"] > 0
    assert cost.get("no_a1", {}).get("A1", 0.0) == 0.0
    # the initial state is the same world in both (paired seeds)
    init = res.at("enterprises", res.quarters[0])
    assert (init["yunnan_baseline"] == init["no_a1"]).all()
    figs = [res.fan_chart("hte"), res.ladder(), res.comparison(), res.awards(),
            res.zones("hte", variant="no_a1")]
    for f in figs:
        assert f.axes and f.get_size_inches()[0] > 5
        f.savefig(tmp_path / "f.png", dpi=50)
        assert (tmp_path / "f.png").stat().st_size > 5000
    assert res.comparison().reading[1].startswith("no_a1 vs base")


def test_open_results_reads_a_compare_folder(tmp_path):
    out = tmp_path / "c"
    res = sim.compare_variants(BASE, ["scenarios/variants/rd_cap_500.yaml"], replicates=2,
                               overrides=SMALL, out=out)
    again = sim.open_results(out)
    assert again.variants == res.variants == ["yunnan_baseline", "rd_cap_500"]
    assert len(again.differences) == len(res.differences)
    n_targets = len(sim.load_scenario(BASE).model.targets)
    assert again.target_probabilities().shape == (n_targets, 2)


def test_errors_are_clear():
    with pytest.raises(sim.ScenarioError, match=r"--set policy.rd_subsidy.cap_wan: "
                       r"policy.rd_subsidy.cap_wan: -1 is out of range"):
        sim.run(BASE, overrides={"policy.rd_subsidy.cap_wan": -1})
    res = sim.run(BASE, replicates=1, overrides=SMALL)
    with pytest.raises(ValueError, match=r"unknown metric 'htes' \(valid: .*hte,"):
        res.fan_chart("htes")
    with pytest.raises(ValueError, match=r"unknown zone 'kunmin' \(valid: .*kunming"):
        res.series("hte", zone="kunmin")
    with pytest.raises(ValueError, match=r"unknown variant 'x' \(valid: yunnan_baseline\)"):
        res.ladder("x")
    with pytest.raises(ValueError, match="not a comparison"):
        res.comparison()
    with pytest.raises(TypeError, match="a scenario is a file path"):
        sim.run(42)


def test_file_line_in_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {ROOT / BASE}\npolicy:\n  rd_subsidy:\n    cap_wan: lots\n",
                   encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as e:
        sim.run(bad)
    assert f"{os.path.basename(bad)}:4: policy.rd_subsidy.cap_wan:" in str(e.value)
