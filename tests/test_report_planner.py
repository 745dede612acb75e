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
