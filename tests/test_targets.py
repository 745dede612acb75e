"""Targets with an origin and a headline that counts what we do not know (issues 14
item 6 and 16 item 3): each target's ``source``; probabilities counting luck and
behaviour uncertainty with the luck-only figure beside, each with its Monte Carlo
standard error; the manifest's ``behaviour_sampled``; the report's headline."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.targets import (evaluate_targets, max_probability_se, meets,
                                  probability_se, target_values)
from sim.core.calendar import q_index
from sim.scenario.loader import ScenarioError, load
from sim.scenario.schema import DEFAULT_REPLICATES

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
TINY_VARIANT = ROOT / "tests" / "scenarios" / "tiny_variant.yaml"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)


# ------------------------------------------------------------------------- sources


def test_a_target_without_source_is_refused_with_file_line_and_key(tmp_path):
    f = tmp_path / "no_source.yaml"
    f.write_text(f"extends: {TINY}\ntargets:\n"
                 "  - {id: a, metric: hte, by: 2026Q4, threshold: 1, source: planner}\n"
                 "  - {id: b, metric: hte, by: 2026Q4, threshold: 1}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load(f)
    (p,) = e.value.problems
    assert p.file.endswith("no_source.yaml") and p.line == 4 and p.path == "targets.1.source"
    assert "required key is missing" in p.message
    assert "planner" in p.message and "published: <the goal and its reference>" in p.message
    # the command line says the same, without a traceback, exit 2
    r = cli("validate", f)
    assert r.returncode == 2 and "targets.1.source" in r.stderr and ":4:" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("value, ok", [
    ("planner", True), ("published: 云政办发〔2025〕27号", True), ("published:", False),
    ("the model's median", False), ("Planner", False), (3, False)])
def test_valid_sources(value, ok):
    over = {"targets": [{"id": "a", "metric": "hte", "by": "2026Q4", "threshold": 1,
                         "source": value}]}
    if ok:
        t = load(TINY, over).resolved["targets"][0]
        assert t["source"] == value
    else:
        with pytest.raises(ScenarioError, match="targets.0.source"):
            load(TINY, over)


# ------------------------------------------------------------------------- analysis


def test_standard_error_and_the_default_replicates():
    assert probability_se(0.5, 100) == pytest.approx(0.05)
    assert probability_se(0.2, 400) == pytest.approx(0.02)
    assert probability_se(0.0, 10) == 0.0 and probability_se(1.0, 10) == 0.0
    # the default keeps the largest standard error (p = 0.5) at most 3 points, and no
    # fewer replicates would
    assert max_probability_se(DEFAULT_REPLICATES) <= 0.03
    assert max_probability_se(277) > 0.03
    f = load({k: v for k, v in load(TINY).resolved.items() if k != "replicates"})
    assert f.model.replicates == DEFAULT_REPLICATES == 280  # a scenario that does not say
    assert load(ROOT / "scenarios" / "yunnan_baseline.yaml").model.replicates == 280


def _metrics(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(v, r, "2026Q4", "ALL", "ALL", "hte", x) for v, xs in values.items()
            for r, x in enumerate(xs)]
    return pd.DataFrame(rows, columns=["variant", "replicate", "quarter", "zone", "sector",
                                       "metric", "value"])


def test_evaluate_targets_gives_both_probabilities_with_their_errors_and_the_source():
    t = {"id": "a", "metric": "hte", "zone": "ALL", "sector": "ALL", "by": "2026Q4",
         "op": ">=", "threshold": 10, "source": "planner"}
    head = _metrics({"v": [5, 12, 15, 8]})          # 2 of 4 meet it
    luck = _metrics({"v": [11, 12, 13, 9]})         # 3 of 4 meet it
    start, end = q_index("2025Q3"), q_index("2030Q4")
    (r,) = evaluate_targets([t], head, ["v"], start, end, luck)
    assert r["source"] == "planner"
    assert r["probability"] == 0.5 and r["probability_se"] == pytest.approx(0.25)
    assert r["probability_luck_only"] == 0.75
    assert r["probability_luck_only_se"] == pytest.approx(math.sqrt(0.75 * 0.25 / 4))
    assert r["median"] == 10.0  # of the headline set
    # without a luck-only set the headline is itself luck only: both the same
    (r,) = evaluate_targets([t], head, ["v"], start, end)
    assert r["probability_luck_only"] == r["probability"] == 0.5
    assert r["probability_luck_only_se"] == r["probability_se"]
    # "is the target met" is the one rule
    x = target_values(luck, "v", t, start)
    assert r["probability"] == float(meets(head.value, ">=", 10).mean())
    assert list(x) == [11, 12, 13, 9]


# ------------------------------------------------------------------------- run, compare


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("targets")
    head, luck = d / "head", d / "luck"
    r1 = cli("run", TINY, "-n", "3", "--out", head, "--quiet", "--no-report")
    r2 = cli("run", TINY, "-n", "3", "--luck-only", "--out", luck, "--quiet", "--no-report")
    assert r1.returncode == 0, r1.stderr
    assert r2.returncode == 0, r2.stderr
    return head, luck, r1.stdout


def test_run_counts_behaviour_with_luck_only_beside(runs):
    head, luck, stdout = runs
    man = json.loads((head / "manifest.json").read_text(encoding="utf-8"))
    assert man["behaviour_sampled"] is True and man["sample_behaviour"] is True
    assert "behaviour" in man["probability_kind"]
    assert man["probability_luck_only_kind"].startswith("luck only")
    assert man["probability_se_max"] == pytest.approx(0.5 / math.sqrt(3))
    targets = json.loads((head / "targets.json").read_text(encoding="utf-8"))
    lm = pd.read_parquet(head / "luck_only" / "metrics.parquet")
    hm = pd.read_parquet(head / "metrics.parquet")
    start = q_index("2025Q3")
    for t in targets:
        assert t["source"] == "planner"
        for k in ("probability", "probability_se", "probability_luck_only",
                  "probability_luck_only_se"):
            assert k in t
        if t["probability"] is None:
            continue
        n = t["replicates"]
        assert t["probability_se"] == pytest.approx(
            math.sqrt(t["probability"] * (1 - t["probability"]) / n))
        lo = target_values(lm, "tiny", t, start)
        assert t["probability_luck_only"] == pytest.approx(
            float(meets(lo, t["op"], t["threshold"]).mean()))
        hi = target_values(hm, "tiny", t, start)
        assert t["median"] == pytest.approx(float(np.median(hi)))
    # the headline and the luck-only set differ (behaviour drawn), and both are printed
    assert not hm.sort_values(list(hm.columns[:-1])).value.reset_index(drop=True).equals(
        lm.sort_values(list(lm.columns[:-1])).value.reset_index(drop=True))
    assert "luck only" in stdout and "± " in stdout


def test_the_luck_only_set_is_a_luck_only_run(runs):
    head, luck, _ = runs
    man = json.loads((luck / "manifest.json").read_text(encoding="utf-8"))
    assert man["behaviour_sampled"] is False and man["sample_behaviour"] is False
    assert man["probability_kind"].startswith("luck only")
    assert not (luck / "luck_only").exists() and not (luck / "behaviour.parquet").exists()
    # paired: the luck-only set beside the headline is the --luck-only run, number for number
    a = pd.read_parquet(head / "luck_only" / "metrics.parquet")
    b = pd.read_parquet(luck / "metrics.parquet")
    pd.testing.assert_frame_equal(a, b)
    for t in json.loads((luck / "targets.json").read_text(encoding="utf-8")):
        assert t["probability_luck_only"] == t["probability"]
        assert t["probability_luck_only_se"] == t["probability_se"]


def test_the_compare_report_headline_names_both_figures(tmp_path):
    out = tmp_path / "cmp"
    r = cli("compare", TINY, TINY_VARIANT, "-n", "2", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    d = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    lo = pd.read_csv(out / "luck_only" / "comparison.csv", encoding="utf-8-sig")
    row = d[(d.metric == "hte")].iloc[-1]
    match = lo[(lo.metric == "hte") & (lo.checkpoint == row.checkpoint)].iloc[0]
    assert row.luck_only_diff_mean == pytest.approx(match.diff_mean)
    assert row.luck_only_diff_p95 == pytest.approx(match.diff_p95)
    html = (out / "report.html").read_text(encoding="utf-8")
    i = html.rindex("Headline: each variant against the base")  # the section, not the contents
    j = html.rindex("Targets: probability of meeting them")
    head = html[i:j]
    assert "Headline (luck and behaviour uncertainty)" in head and "Luck only" in head
    tgt = html[j:]
    assert "Probability (luck and behaviour)" in tgt and "Luck only" in tgt
    assert "planner (not a published goal)" in tgt
    assert "fewer than the default 280 replicates" in tgt  # -n 2: the report says so


def test_study_reports_name_each_targets_source(tmp_path):
    """Sensitivity and robust reports list the targets they evaluate with their origin
    (from outcomes.json, where the study writes each target's source)."""
    from sim.report.lang import Lang
    from sim.report.page import Page
    from sim.report.sensitivity import target_sources
    from sim.scenario.studies import study_outcomes

    base = load(ROOT / "scenarios" / "yunnan_planner_example.yaml")
    recs = study_outcomes(tmp_path / "f.yaml", {}, [], base, True)
    assert {r["id"]: r["source"] for r in recs}["target:hte_2030"] == "planner"
    assert recs[0]["source"].startswith("published: ")
    (tmp_path / "outcomes.json").write_text(json.dumps(recs, ensure_ascii=False), "utf-8")
    R = Page(tmp_path, Lang(("en",)))
    target_sources(R)
    t = pd.read_csv(tmp_path / "tables" / "target_sources.csv", encoding="utf-8-sig")
    assert list(t["Target"]) == [r["id"][7:] for r in recs]
    assert (t["Source"] == "planner (not a published goal)").sum() == 5
