"""Reports a planner can hand on: ``run --set`` names its overrides (manifest, title,
"what was run"); a compare report opens with the answer; wording that says what it
means (issue "The answer first")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sim
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
TINY_VARIANT = ROOT / "tests" / "scenarios" / "tiny_variant.yaml"


def _text(html: str) -> str:
    """The report's text without tags and images."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------------------- run --set


def test_load_records_the_overrides_in_order():
    L = load(TINY, ["policy.rd_subsidy.cap_wan=500", "policy.budget.on_exhausted=lapse"])
    assert L.overrides == [
        {"key": "policy.rd_subsidy.cap_wan", "value": 500, "source": "--set"},
        {"key": "policy.budget.on_exhausted", "value": "lapse", "source": "--set"}]
    assert load(TINY).overrides == []
    # a loaded scenario loaded again with more overrides keeps the first ones
    from sim.api import _loaded

    L2 = _loaded(sim.load_scenario(TINY, {"policy.rd_subsidy.cap_wan": 500}), {"seed": 7})
    assert [o["key"] for o in L2.overrides] == ["policy.rd_subsidy.cap_wan", "seed"]


def test_run_set_names_its_override_in_manifest_title_and_what_was_run(tmp_path):
    from sim.cli import main

    out = tmp_path / "cap500"
    assert main(["run", str(TINY), "-n", "1", "--luck-only", "--out", str(out), "--quiet",
                 "--set", "policy.rd_subsidy.cap_wan=500"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["overrides"] == [{"key": "policy.rd_subsidy.cap_wan", "value": 500,
                               "source": "--set"}]
    html = (out / "report.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
    assert "模拟结果报告：tiny + policy.rd_subsidy.cap_wan=500" in title
    info = (out / "tables" / "run_info.csv").read_text(encoding="utf-8-sig")
    assert "policy.rd_subsidy.cap_wan=500" in info
    desc = [line for line in info.splitlines() if line.startswith(("说明", "\"说明"))]
    assert desc and "with overrides: policy.rd_subsidy.cap_wan=500" in desc[0]
    # the file's own description (of the scenario without the override) is not claimed
    assert "Tiny test scenario" not in desc[0]


def test_a_run_without_overrides_keeps_its_description(tmp_path):
    out = tmp_path / "plain"
    sim.run(TINY, replicates=1, sample_behaviour=False, out=out)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["overrides"] == []
    from sim.report import write_report

    html = write_report(out, lang="en").read_text(encoding="utf-8")
    assert "Simulation report: tiny<" in html or "Simulation report: tiny " in html
    assert "Tiny test scenario" in html and "with overrides" not in html


# ------------------------------------------------------------- the answer first


def test_the_answer_reads_2028_and_2030_and_the_targets_from_the_comparison():
    import numpy as np
    import pandas as pd

    from sim.analysis.summaries import answer

    rng = np.random.default_rng(1)
    rows = []
    for v in ("a", "b"):
        for cp in ("2027Q4", "2028Q4", "2030Q4"):
            for mtr in ("hte", "revenue_wan", "gazelles", "enterprises",
                        "obligations_to_date_wan", "awards_to_date_wan"):
                m = float(rng.normal())
                rows.append({"variant": v, "base": "base", "metric": mtr, "checkpoint": cp,
                             "diff_mean": m, "diff_p05": m - 1, "diff_p95": m + 1,
                             "replicates": 5})
    d = pd.DataFrame(rows)
    a = answer(d, [], "base")
    assert sorted(a.checkpoint.unique()) == ["2028Q4", "2030Q4"]  # no target: the plan's dates
    assert list(dict.fromkeys(a.metric)) == ["hte", "revenue_wan", "gazelles"]
    assert list(dict.fromkeys(a.variant)) == ["a", "b"]
    x = d.set_index(["variant", "metric", "checkpoint"])
    for _, r in a.iterrows():
        assert r.diff_mean == x.loc[(r.variant, r.metric, r.checkpoint), "diff_mean"]
        assert r.obligations_change_wan == x.loc[
            (r.variant, "obligations_to_date_wan", r.checkpoint), "diff_mean"]
        assert r.payments_change_wan_p95 == x.loc[
            (r.variant, "awards_to_date_wan", r.checkpoint), "diff_p95"]
    # with targets: their metrics and dates, and each target's change in probability
    targets = [{"variant": v, "id": "e27", "metric": "enterprises", "zone": "ALL",
                "by": "2027Q4", "probability": p} for v, p in (("base", 0.5), ("a", 0.75),
                                                               ("b", 0.25))]
    a = answer(d, targets, "base")
    # the targets' metrics first, then the headline's (those the comparison holds)
    assert list(dict.fromkeys(a.metric)) == ["enterprises", "hte", "revenue_wan", "gazelles"]
    assert sorted(a.checkpoint.unique()) == ["2027Q4", "2028Q4", "2030Q4"]
    t = a[a.target == "e27"].set_index("variant")
    assert list(t.checkpoint) == ["2027Q4", "2027Q4"]
    assert t.loc["a", "probability_change"] == 0.25 and t.loc["b", "probability_change"] == -0.25


@pytest.fixture(scope="module")
def cmp_dir(tmp_path_factory):
    from sim.studies.compare import compare

    out = tmp_path_factory.mktemp("cmp") / "cmp"
    compare(load(TINY), [load(TINY_VARIANT)], replicates=2, out=out, sample_behaviour=False)
    return out


def test_a_compare_report_opens_with_the_answer(cmp_dir):
    import pandas as pd

    from sim.report import write_report

    html = write_report(cmp_dir, lang=("zh", "en")).read_text(encoding="utf-8")
    body = html[html.find("</nav>"):]  # past the table of contents
    first_fig = min(i for i in (body.find("<img"), body.find("<figure")) if i >= 0)
    at = body.find("The answer")
    assert 0 <= at < first_fig
    assert 0 <= body.find("What was run") < at  # after what was run
    answer_block = body[at:first_fig]
    table = answer_block[:answer_block.find("</table>")]
    assert "tiny_variant" in table
    d = pd.read_csv(cmp_dir / "comparison.csv", encoding="utf-8-sig")
    targets = json.loads((cmp_dir / "targets.json").read_text(encoding="utf-8"))
    for t in targets:
        assert t["by"] in table and t["id"] in table
    a = pd.read_csv(cmp_dir / "data" / "answer.csv", encoding="utf-8-sig")
    x = d.set_index(["variant", "metric", "checkpoint"])
    for _, r in a.iterrows():
        assert r.diff_mean == pytest.approx(x.loc[(r.variant, r.metric, r.checkpoint),
                                                  "diff_mean"])
        if pd.isna(r.target):  # a headline metric without a target of its own
            continue
        pv = next(t["probability"] for t in targets
                  if t["id"] == r.target and t["variant"] == r.variant)
        pb = next(t["probability"] for t in targets
                  if t["id"] == r.target and t["variant"] == "tiny")
        assert r.probability_change == pytest.approx(pv - pb)
    # the reading, in both languages, says what the interval is
    assert "90% 区间" in answer_block and "90% interval" in answer_block
    # a luck-only comparison does not label its probabilities as counting behaviour
    assert "Probability (luck only)" in body and "Probability (luck and behaviour)" not in body


# ------------------------------------------------------------------------ wording


def test_a_sweep_names_projects_and_whole_settings_in_its_responses(tmp_path, monkeypatch):
    import yaml

    from sim.report.lang import Lang
    from sim.report.page import Page
    from sim.report.sweep import sweep_report
    from sim.studies.sweep import run_sweep

    f = tmp_path / "sw.yaml"
    f.write_text(yaml.safe_dump({
        "name": "sw", "base": str(TINY), "replicates": 1,
        "levers": {"policy.rd_subsidy.cap_wan": [500, 1000],
                   "policy.referral.referrer_share": [0.0, 0.4]},
        "outcomes": [{"id": "landed_2026", "metric": "projects_landed", "quarter": "2026Q4"},
                     {"id": "hte_2026", "metric": "hte", "quarter": "2026Q4"}]}),
        encoding="utf-8")
    out = tmp_path / "out"
    m = run_sweep(f, out=out)
    R = Page(out, Lang(("en",)))
    seen = {}

    def figure(fig, name, reading):
        seen[name] = (fig.axes[0].get_ylabel(), reading)

    monkeypatch.setattr(R, "figure", figure)
    sweep_report(R, m)
    ylabel, (_, en) = seen["response_landed_2026"]
    assert ylabel == "projects" and "firms" not in ylabel
    assert seen["response_hte_2026"][0] == "firms"
    # each end of the range names its whole point (both levers)
    for name in ("response_landed_2026", "response_hte_2026"):
        en = seen[name][1][1]
        assert ("cap_wan=" in en and "referrer_share=" in en) or "at every point" in en


def test_a_response_reading_never_names_one_setting_for_min_and_max():
    import pandas as pd

    from sim.report.sweep import response_reading

    # the lowest and the highest median share the first lever's value
    s = pd.DataFrame({"policy.rd_subsidy.cap_wan": [500, 500, 1000, 1000],
                      "policy.referral.referrer_share": [0.0, 0.4, 0.0, 0.4],
                      "0.5": [44.5, 61.0, 50.0, 52.25]})
    zh, en = response_reading(s, list(s.columns[:2]), "hte_2030", "hte")
    lo, hi = en.split(" to ")
    assert "cap_wan=500, referrer_share=0" in lo and "cap_wan=500, referrer_share=0.4" in hi
    assert "44" in lo and "61" in hi and "44.5" not in en and "61.0" not in en  # whole firms
    assert "（cap_wan=500, referrer_share=0）" in zh


def test_the_target_marker_shows_its_threshold_as_a_number():
    import numpy as np
    import pandas as pd

    from sim.report.figures import fan_section
    from sim.report.lang import Lang
    from sim.report.page import Page

    qs = ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    rows = [{"variant": "v", "replicate": k, "quarter": q, "zone": "ALL", "sector": "ALL",
             "metric": "hte", "value": 12000.0 + 300 * i + k}
            for k in range(3) for i, q in enumerate(qs)]
    allz = pd.DataFrame(rows)
    t = {"variant": "v", "id": "hte_26", "metric": "hte", "zone": "ALL", "by": "2026Q1",
         "op": ">=", "threshold": 52400, "threshold_scaled": 13100.0, "population_scale": 0.25}
    R = Page(None, Lang(("en",)))
    fan_section(R, allz, qs, qs[1:], ["v"], [t])
    texts = [x.get_text() for x in R.kept[0].axes[0].texts]
    assert any(x == "hte_26 >= 13,100" for x in texts), texts
    assert not any("e+" in x for x in texts)
    star = [ln for ln in R.kept[0].axes[0].lines if ln.get_marker() == "*"]
    assert star and np.isclose(star[0].get_ydata()[0], 13100)  # the scaled threshold


def test_with_behaviour_sampled_the_report_names_what_it_counts_once(tmp_path):
    from sim.report import write_report
    from sim.studies.compare import compare

    out = tmp_path / "cmp"
    compare(load(TINY), [load(TINY_VARIANT)], replicates=2, out=out)
    text = _text(write_report(out, lang="en").read_text(encoding="utf-8"))
    assert "luck and behaviour uncertainty" in text
    assert not re.search(r"(luck and behaviour uncertainty)\W{0,4}\1", text)
    assert "uncertainty: luck" not in text
    assert "Headline (luck and behaviour uncertainty)" in text


# ------------------------------------------------------------------ zones modelled


def test_the_report_says_which_zones_are_modelled_and_their_share(tmp_path):
    from sim.report.lang import Lang
    from sim.report.run import zones_text

    L = load(TINY)
    en = zones_text(L.resolved, Lang(("en",)))
    assert en.startswith("2 zones: 1 national (Alpha National High-tech Zone); "
                         "1 provincial (Beta Provincial High-tech Zone)")
    assert "does not give the province's count" in en
    f = tmp_path / "with_province.yaml"
    f.write_text(f"extends: {TINY}\nprovince: {{national_zones: 1, provincial_zones: 3, "
                 "year: 2024, source: made up for a test}\n", encoding="utf-8")
    P = load(f)
    assert P.sha256 != L.sha256 and "province" not in L.resolved  # absent: hash unchanged
    en = zones_text(P.resolved, Lang(("en",)))
    assert "1 of 1 national and 1 of 3 provincial, 50% of them" in en
    zh = zones_text(P.resolved, Lang(("zh",)))
    assert "国家级 1/1、省级 1/3，合计 50%" in zh
    # a province without its source is refused like any figure
    f.write_text(f"extends: {TINY}\nprovince: {{national_zones: 1, provincial_zones: 3, "
                 "year: 2024}\n", encoding="utf-8")
    with pytest.raises(sim.ScenarioError, match="province.source"):
        load(f)


def test_the_answer_reading_says_when_the_world_is_shrunk():
    import pandas as pd

    from sim.report.lang import Lang
    from sim.report.run import answer_reading

    a = pd.DataFrame([{"variant": "v", "checkpoint": "2030Q4", "metric": "hte",
                       "diff_mean": -36.2, "diff_p05": -41.0, "diff_p95": -27.0,
                       "target": None, "probability_change": None,
                       "obligations_change_wan": -339000.0}])
    m = {"replicates": 40, "behaviour_sampled": True, "population_scale": 1.0}
    zh, en = answer_reading(a, m, "base", Lang(("zh", "en")))
    assert "v 使 2030Q4 的高新技术企业（高企）减少 36（90% 区间 −41 至 −27），承诺奖补减少 33.90 亿元" in zh
    assert "lowers High-tech enterprises (HTE) at 2030Q4 by 36 (90% interval −41 to −27)" in en
    assert "shrunk" not in en
    zh, en = answer_reading(a, {**m, "population_scale": 0.25}, "base", Lang(("en",)))
    assert "population scale 0.25" in en and "shrunk" in en
    # the target it moves most is named, whatever its metric and date; 高企 leads
    t = [{"variant": "v", "checkpoint": cp, "metric": mtr, "diff_mean": 1.0, "diff_p05": 0.5,
          "diff_p95": 2.0, "target": tid, "probability_base": pb, "probability_variant": pv,
          "probability_change": pv - pb, "obligations_change_wan": 100.0}
         for cp, mtr, tid, pb, pv in (("2028Q4", "gazelles", "g28", 1.0, 0.5),
                                      ("2030Q4", "specialised", "s30", 0.5, 0.625),
                                      ("2030Q4", "hte", "h30", 0.25, 0.25))]
    zh, en = answer_reading(pd.DataFrame(t), m, "base", Lang(("zh", "en")))
    assert "raises High-tech enterprises (HTE) at 2030Q4 by 1 (90% interval +0.5 to +2)" in en
    assert "The target it moves most is g28: its probability goes from 100% to 50%" in en
    assert "变化最大的目标是 g28" in zh


def test_a_luck_only_headline_does_not_repeat_itself_as_luck_only(cmp_dir):
    from sim.report import write_report

    text = _text(write_report(cmp_dir, lang="en").read_text(encoding="utf-8"))
    i = text.rindex("Headline: each variant against the base")  # the section, not the contents
    head = text[i:text.index("Targets: probability of meeting them", i)]
    assert "Headline (luck only)" in head
    assert "Luck only" not in head and "luck only:" not in head  # not the same figures twice
    assert "(counting luck only)." in head


def test_thresholds_are_written_as_numbers_in_study_reports_too(tmp_path):
    import pandas as pd

    from sim.report.lang import Lang, fmt_threshold
    from sim.report.page import Page
    from sim.report.sensitivity import target_sources

    en = Lang(("en",))
    assert fmt_threshold("hte", 13100.0, en) == "13,100"
    assert fmt_threshold("gazelles", 4.75, en) == "4.75"
    assert fmt_threshold("revenue_wan", 12886000.0, en).startswith("1,288.60 亿元")
    assert fmt_threshold("rd_intensity", 0.025, en) == "2.50%"
    recs = [{"id": "target:r", "metric": "revenue_wan", "op": ">=", "threshold": 12886000.0,
             "source": "planner"},
            {"id": "target:h", "metric": "hte", "op": ">=", "threshold": 13100.0,
             "source": "planner"}]
    (tmp_path / "outcomes.json").write_text(json.dumps(recs), encoding="utf-8")
    target_sources(Page(tmp_path, en))
    t = pd.read_csv(tmp_path / "tables" / "target_sources.csv", encoding="utf-8-sig")
    cells = list(t["Threshold (scaled)"])
    assert cells[0].startswith(">= 1,288.60 亿元") and cells[1] == ">= 13,100"
    assert not any("e+" in c for c in cells)
