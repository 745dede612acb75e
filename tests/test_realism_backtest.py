"""check-realism's two kinds of checks (consistency, validation) and the backtest out of
sample (held-out moments of a calibration file)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import calibration as ca
from sim.analysis import realism as rl
from sim.report import write_calibration_report
from sim.scenario.loader import ScenarioError
from sim.studies import calibrate as cb

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"

CONSISTENCY = ("size_lognormal_ks", "growth_spread_beta", "exit_rate_age1", "exit_rate_age2",
               "rd_bunching", "specialised_growth", "hte_over_1yi_start", "revenue_growth",
               "growth_excess_kurtosis", "hte_ended_rate", "hte_pass_share")
VALIDATION = ("gazelle_share", "unicorn_share", "hte_growth", "hte_certified_rate",
              "hte_over_1yi", "size_zipf_slope")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=dict(os.environ))


# ------------------------------------------------------------------- kinds of checks


@pytest.fixture(scope="module")
def realism_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("realism") / "r"
    r = cli("check-realism", BASE, "--set", "population.scale=0.03", "--set",
            "calendar.end=2027Q4", "-n", "3", "--out", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    return out, r.stdout


def test_kind_column_labels_the_named_checks(realism_run):
    out, stdout = realism_run
    df = pd.read_csv(out / "realism.csv").set_index("id")
    assert set(df.kind) == {"consistency", "validation"}
    for k in CONSISTENCY:
        assert df.loc[k, "kind"] == "consistency", k
    for k in VALIDATION:
        assert df.loc[k, "kind"] == "validation", k
    v = df[df.kind == "validation"]
    assert (v.p05 <= v.value + 1e-12).all() and (v.value <= v.p95 + 1e-12).all()
    assert v.reference.notna().all() and not v.used_in_calibration.any()
    assert df[df.kind == "consistency"].p05.isna().all()
    # a validation verdict is the interval's: matches exactly when it meets the figure
    meets = (v.p05 <= v.band_high) & (v.p95 >= v.band_low)
    assert ((v.verdict == "matches") == meets).all()
    # the printed summary and the report give the two groups apart
    assert stdout.index("validation (") < stdout.index("consistency (")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Validation: published figures" in html and "Consistency: inputs" in html
    assert (out / "tables" / "realism_validation.csv").is_file()
    # every validation figure is in the register of docs/sources.md, marked validation
    reg = _register()
    for k in v.index:
        assert reg.get(k) == "validation", (k, reg.get(k))


def _register() -> dict[str, str]:
    """check id -> use, from the register table of docs/sources.md."""
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    sec = text[text.index("## Register of figures"):]
    sec = sec[:sec.index("\n## ", 5)] if "\n## " in sec[5:] else sec
    out = {}
    for line in sec.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[4] in {"input", "fitted", "validation"}:
            for cid in re.findall(r"`([a-z0-9_]+)`", cells[5]):
                out[cid] = cells[4]
    return out


def test_every_published_figure_is_registered_once_as_validation():
    reg = _register()
    for k in rl.PUBLISHED:
        assert reg.get(k) == "validation", k
    # no figure the calibration fits is a validation figure
    cal = json.loads((ROOT / "scenarios" / "calibration" / "yunnan.json").read_text(
        encoding="utf-8"))
    fitted = {m["id"] for m in cal["moments"]}
    assert not fitted & {k for k, u in reg.items() if u == "validation"}
    assert all(reg.get(m) == "fitted" for m in fitted), fitted


def test_a_validation_check_fails_when_the_figure_lies_outside_the_interval(
        realism_run, monkeypatch):
    out, _ = realism_run
    firms = pd.read_parquet(out / "firms.parquet")
    metrics = pd.read_parquet(out / "metrics.parquet")
    checks, _ = rl.compute_checks(firms, metrics)
    row = next(c for c in checks if c["id"] == "gazelle_share")
    inside = 0.5 * (row["p05"] + row["p95"])
    for figure, want in ((inside, "matches"), (row["p95"] * 1.5 + 0.01, "differs"),
                         (row["p05"] * 0.5 - 0.01, "differs")):
        monkeypatch.setitem(rl.PUBLISHED, "gazelle_share", (figure, figure, figure, "test"))
        got = next(c for c in rl.compute_checks(firms, metrics)[0]
                   if c["id"] == "gazelle_share")
        assert got["verdict"] == want, (figure, got)
        assert (got["if_differs"] != "") == (want == "differs")


def test_interval_and_validation_verdict():
    mean, lo, hi = rl.interval([1.0, 2.0, 3.0, np.nan])
    assert mean == 2.0 and lo == pytest.approx(1.1) and hi == pytest.approx(2.9)
    assert rl.validation_verdict(lo, hi, 2.5, 2.5) == "matches"
    assert rl.validation_verdict(lo, hi, 3.0, 3.0) == "differs"
    assert rl.validation_verdict(lo, hi, 2.95, 4.0) == "differs"
    assert rl.validation_verdict(lo, hi, 2.8, 4.0) == "matches"  # meets a published range
    assert rl.validation_verdict(*rl.interval([np.nan])[1:], 1.0, 1.0) == "context"


def test_hte_round_rates_on_a_hand_made_table():
    # 10 高企 at 2025Q4; in the 2026 round 3 renew (certified), 4 stay mid-certificate,
    # 3 lapse; 2 new firms certify: stock 9 at 2026Q4
    rows = [("2025Q4", f"a{i}", True, False, False) for i in range(10)]
    rows += [("2026Q4", f"a{i}", i < 7, i < 3, False) for i in range(10)]
    rows += [("2026Q4", f"n{i}", True, True, False) for i in range(2)]
    df = pd.DataFrame(rows, columns=["quarter", "enterprise", "hte_valid", "hte_certified",
                                     "exited"])
    r = rl.hte_round_rates(df)
    assert r["certified"] == pytest.approx(5 / 10)
    assert r["ended"] == pytest.approx((10 + 5 - 9) / 10)
    assert np.isnan(rl.hte_round_rates(df.drop(columns="hte_certified"))["certified"])


# ------------------------------------------------------------------- backtest


def _history(tmp_path: Path) -> Path:
    p = tmp_path / "tiny_history.yaml"
    p.write_text(f"extends: {TINY}\nname: tiny_history\ncalendar: {{start: 2026Q1, end: "
                 "2028Q4, checkpoints: [2028Q4]}\n", encoding="utf-8")
    return p


def _spec(tmp_path: Path, held=0.1, fit_until="2027", extra_fit="") -> Path:
    hist = _history(tmp_path)
    p = tmp_path / "bt.yaml"
    p.write_text(f"""name: tiny_backtest
scenario: {hist.name}
scale: 1.0
replicates: 3
seed: 7
max_evaluations: 6
prior_weight: 1.0
fit_until: {fit_until}
parameters:
  - {{name: drift_base, low: 0.0, high: 0.03}}
moments:
  - {{id: g2026, kind: growth, metric: revenue_wan, zone: ALL, years: [2026], target: 0.1, se: 0.01, source: synthetic}}
  - {{id: g2027, kind: growth, metric: revenue_wan, zone: ALL, years: [2027], target: 0.1, se: 0.01, source: synthetic}}
{extra_fit}holdout:
  - {{id: g2028, kind: growth, metric: revenue_wan, zone: ALL, years: [2028], target: {held}, se: 0.01, source: synthetic}}
  - {{id: h2028, kind: growth, metric: hte, zone: ALL, years: [2028], target: 0.2, se: 0.05, source: synthetic}}
""", encoding="utf-8")
    return p


def test_held_out_moments_never_enter_the_fit(tmp_path):
    """Changing a held-out target moves neither the fitted parameters nor any point the
    optimiser evaluated; the held-out predictions are made and compared with it."""
    a = cb.calibrate(cb.load_spec(_spec(tmp_path, held=0.1)))
    b = cb.calibrate(cb.load_spec(_spec(tmp_path, held=0.9)))
    assert a["parameters"] == b["parameters"]
    assert [r["objective"] for r in a["trace"]] == [r["objective"] for r in b["trace"]]
    assert all(not k.startswith("m_g2028") and not k.startswith("m_h2028")
               for k in a["trace"][0])
    ha = {h["id"]: h for h in a["holdout"]}
    hb = {h["id"]: h for h in b["holdout"]}
    assert ha["g2028"]["predicted"] == hb["g2028"]["predicted"]
    assert ha["g2028"]["target"] == 0.1 and hb["g2028"]["target"] == 0.9
    assert len(ha["g2028"]["values"]) == 3
    assert ha["g2028"]["p05"] < ha["g2028"]["predicted"] < ha["g2028"]["p95"]
    assert ha["g2028"]["predictive_sd"] >= ha["g2028"]["replicate_sd"]
    ta, tb = ca.backtest_table(a), ca.backtest_table(b)
    assert list(ta.id) == ["g2028", "h2028"]
    assert ta.loc[0, "error"] == pytest.approx(ha["g2028"]["predicted"] - 0.1)
    assert tb.loc[0, "abs_error"] > ta.loc[0, "abs_error"]
    assert not tb.loc[0, "inside"]  # 0.9 a year lies outside any band of this model
    s = ca.backtest_summary(b)
    assert list(s.zone) == ["all points", "ALL"] and s.loc[0, "points"] == 2
    w = ca.parameter_widths(a)
    assert w.loc[0, "prior_low"] == 0.0 and w.loc[0, "prior_high"] == 0.03
    assert 0 < w.loc[0, "width_share"] <= 1.0
    bands = ca.moment_bands(a)
    assert set(bands.role) == {"fitted", "held out"} and (bands.p05 <= bands.p95).all()
    # the results folder and the report's section
    out = tmp_path / "res"
    cb.write_results(a, out)
    assert (out / "holdout.csv").is_file() and (out / "backtest_summary.csv").is_file()
    html = write_calibration_report(out, lang=("en",)).read_text(encoding="utf-8")
    assert "Backtest (out of sample)" in html
    assert (out / "figures" / "backtest_bands.png").is_file()


def test_fit_until_refuses_a_later_fitted_moment(tmp_path):
    extra = ("  - {id: late, kind: growth, metric: hte, zone: ALL, years: [2028], "
             "target: 0.2, se: 0.05, source: s}\n")
    with pytest.raises(ScenarioError) as e:
        cb.load_spec(_spec(tmp_path, extra_fit=extra))
    text = str(e.value.problems[0])
    assert "bt.yaml:14" in text and "fit_until 2027" in text and "holdout" in text
    dup = ("  - {id: g2028, kind: growth, metric: hte, zone: ALL, years: [2027], "
           "target: 0.2, se: 0.05, source: s}\n")
    with pytest.raises(ScenarioError) as e:
        cb.load_spec(_spec(tmp_path, extra_fit=dup))
    assert "duplicate id 'g2028'" in str(e.value)


def test_check_realism_reports_a_stored_backtest(tmp_path, realism_run):
    a = cb.calibrate(cb.load_spec(_spec(tmp_path)))
    cb.store(a, tmp_path / "bt.json")
    out = tmp_path / "r"
    r = cli("check-realism", TINY, "--set", "calendar.end=2027Q4", "-n", "2", "--out", out,
            "--lang", "en", "--backtest", tmp_path / "bt.json")
    assert r.returncode == 0, r.stderr
    assert "backtest (out of sample, tiny_backtest): 2 held-out point(s)" in r.stdout
    assert "Backtest (out of sample)" in (out / "report.html").read_text(encoding="utf-8")
    bt = pd.read_csv(out / "backtest.csv")
    assert list(bt.id) == ["g2028", "h2028"]
    doc = json.loads((out / "realism.json").read_text(encoding="utf-8"))
    assert doc["backtest"]["summary"][0]["points"] == 2
    bad = cli("check-realism", TINY, "--set", "calendar.end=2027Q4", "--out", tmp_path / "x",
              "--backtest", tmp_path / "missing.json")
    assert bad.returncode == 2 and "missing.json" in bad.stderr and "Traceback" not in bad.stderr
