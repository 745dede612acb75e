"""Every parameter through which a lever acts has evidence (issue 17).

Over the parameters the issue names and every parameter docs/levers.md names as
carrying a lever's effect: each must have a structured source in
sim/scenario/params.py (an ``Evidence``) that is either a source with its conversion,
or "not found" with the queries tried and a range that reaches no effect (0 for an
uplift, gain, ratio, response, drift, elasticity or weight; 1 for a multiplier) and
whose strong end is no stronger than the default before the review; and in both cases
a default no stronger than the old one. The old defaults and ranges are recorded below,
from main's params.py at commit 7bda3ed.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from sim.scenario.evidence import BEFORE_COMMIT, NO_EFFECT, Citation, Evidence
from sim.scenario.params import BEHAVIOUR, Param, lever_parameters

ROOT = Path(__file__).resolve().parents[1]

# main's sim/scenario/params.py at 7bda3ed: (default, low, high) before the review
OLD = {
    "rd_price_elasticity": (1.14, 0.5, 2.0),
    "award_salience": (0.5, 0.2, 1.0),
    "service_effect": (0.002, 0.0, 0.005),
    "hte_exit_reduction": (0.5, 0.3, 0.8),
    "incubator_exit_reduction": (0.5, 0.3, 0.8),
    "hte_award_response": (0.03, 0.0, 0.08),
    "pilot_growth_boost": (0.05, 0.02, 0.1),
    "competition_knowledge_gain": (1.0, 0.5, 2.0),
    "leave_entry_uplift": (0.5, 0.2, 1.0),
    "leave_exit_reduction": (0.6, 0.4, 0.9),
    "company_model_attraction": (0.2, 0.0, 0.4),
    "delegation_land_uplift": (0.1, 0.0, 0.2),
    "pay_reform_uplift": (0.3, 0.0, 0.6),
    "ladder_uplift": (0.2, 0.0, 0.4),
    "specialised_uplift": (0.3, 0.0, 0.6),
    "matching_drift": (0.003, 0.0, 0.006),
    "incubator_quality_uplift": (0.3, 0.0, 0.6),
    "tech_transfer_uplift": (0.2, 0.0, 0.4),
    "points_loan_ratio": (0.3, 0.1, 0.6),
    "supply_share_gain": (0.02, 0.0, 0.04),
    "assessment_land_uplift": (0.05, 0.0, 0.1),
    "fault_tolerance_uplift": (0.5, 0.0, 1.0),
}

# the parameters issue 17 names (item 1)
ISSUE = ["ladder_uplift", "pay_reform_uplift", "service_effect", "company_model_attraction",
         "delegation_land_uplift", "assessment_land_uplift", "specialised_uplift",
         "matching_drift", "incubator_quality_uplift", "tech_transfer_uplift",
         "fault_tolerance_uplift", "supply_share_gain", "leave_entry_uplift",
         "leave_exit_reduction", "hte_award_response", "award_salience",
         "rd_price_elasticity", "points_loan_ratio"]


def carried_by_lever() -> dict[str, set[str]]:
    """Lever code -> parameters docs/levers.md's table "Which parameters carry each
    lever's effect" names in its "carries its effect" column."""
    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    head = "## Which parameters carry each lever's effect"
    assert head in text, f"docs/levers.md lacks the section {head!r}"
    section = text.split(head, 1)[1].split("\n## ", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| ")
            and not ln.startswith("| lever ")]
    out = {}
    for ln in rows:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        lever = cells[0].split()[0]
        out[lever] = set(re.findall(r"`([a-z_0-9]+)`", cells[1]))
    assert len(out) >= 25, f"the table has {len(out)} rows, expected one per lever"
    return out


def problems(name: str, p: Param, old: tuple[float, float, float]) -> list[str]:
    """What is wrong with the evidence of one lever parameter (empty: nothing)."""
    e = p.source
    if not isinstance(e, Evidence):
        return [f"{name}: source is not an Evidence"]
    out = []
    if e.kind not in NO_EFFECT:
        out.append(f"{name}: unknown kind {e.kind!r}")
        return out
    if e.stronger not in (1, -1):
        out.append(f"{name}: stronger must be +1 or -1")
    if tuple(e.was) != tuple(old):
        out.append(f"{name}: 'was' {e.was} is not main's {old} (commit {BEFORE_COMMIT})")
    if not (p.low <= p.default <= p.high):
        out.append(f"{name}: default {p.default} outside [{p.low}, {p.high}]")
    s = e.stronger
    if s * (p.default - old[0]) > 1e-12:
        out.append(f"{name}: default {p.default} stronger than the old {old[0]}")
    for c in e.citations:
        if not (isinstance(c, Citation) and c.authors and c.year and c.title and c.where
                and c.grade.startswith("V")):
            out.append(f"{name}: citation without authors/year/title/where or a V grade: {c}")
    if e.status == "source":
        if not e.citations:
            out.append(f"{name}: a source without citations")
        if len(e.estimate) < 40:
            out.append(f"{name}: a source without what was estimated and on whom")
        if len(e.conversion) < 40:
            out.append(f"{name}: a source without its conversion")
    elif e.status == "not found":
        if not e.queries or not all(q.strip() for q in e.queries):
            out.append(f"{name}: 'not found' without the queries tried")
        weak, strong = (p.low, p.high) if s == 1 else (p.high, p.low)
        if weak != e.no_effect:
            out.append(f"{name}: 'not found' but the range's weak end {weak} is not no "
                       f"effect ({e.no_effect})")
        if s * (strong - old[0]) > 1e-12:
            out.append(f"{name}: 'not found' but the range's strong end {strong} is "
                       f"stronger than the old default {old[0]}")
        if len(e.conversion) < 40:
            out.append(f"{name}: 'not found' without saying why the range is what it is")
    else:
        out.append(f"{name}: status {e.status!r} is neither 'source' nor 'not found'")
    lo, hi = p.valid
    if not (lo <= e.no_effect <= hi):
        out.append(f"{name}: no-effect value {e.no_effect} outside the valid range")
    return out


def test_issue_and_levers_md_parameters_all_have_evidence():
    carried = set().union(*carried_by_lever().values())
    named = set(ISSUE) | carried
    missing = sorted(n for n in named if n not in lever_parameters())
    assert not missing, f"lever parameters without an Evidence source: {missing}"
    unknown = sorted(n for n in named if n not in BEHAVIOUR)
    assert not unknown, f"docs/levers.md names unknown parameters: {unknown}"
    orphans = sorted(set(lever_parameters()) - carried)
    assert not orphans, f"Evidence for parameters docs/levers.md does not name: {orphans}"
    assert set(lever_parameters()) <= set(OLD), "record the old default of every one"


@pytest.mark.parametrize("name", sorted(OLD))
def test_evidence_of_each_lever_parameter(name):
    assert problems(name, BEHAVIOUR[name], OLD[name]) == []


def test_levers_md_agrees_with_each_evidence():
    by_lever = carried_by_lever()
    for name, p in lever_parameters().items():
        levers = {lv for lv, names in by_lever.items() if name in names}
        assert levers == set(p.source.levers), (
            f"{name}: docs/levers.md has it carrying {sorted(levers)}, its Evidence says "
            f"{sorted(p.source.levers)}")


def test_the_check_fails_on_bad_evidence():
    """The check above can fail: a stronger default, a 'not found' range short of no
    effect, one without queries, a source without conversion."""
    p = BEHAVIOUR["ladder_uplift"]
    old = OLD["ladder_uplift"]
    assert problems("x", p, old) == []
    assert any("stronger than the old" in m
               for m in problems("x", dataclasses.replace(p, default=0.2001, high=0.3), old))
    assert any("weak end" in m for m in problems("x", dataclasses.replace(p, low=0.05), old))
    assert any("strong end" in m for m in problems("x", dataclasses.replace(p, high=0.3), old))
    e = dataclasses.replace(p.source, queries=())
    assert any("queries" in m for m in problems("x", dataclasses.replace(p, source=e), old))
    assert any("not an Evidence" in m
               for m in problems("x", dataclasses.replace(p, source="assumption"), old))
    m = BEHAVIOUR["leave_exit_reduction"]  # a multiplier: no effect at 1, stronger below
    o = OLD["leave_exit_reduction"]
    assert problems("m", m, o) == []
    assert any("weak end" in x for x in problems("m", dataclasses.replace(m, high=0.95), o))
    assert any("stronger than the old" in x
               for x in problems("m", dataclasses.replace(m, default=0.59, low=0.5), o))
    s = BEHAVIOUR["leave_entry_uplift"]
    e = dataclasses.replace(s.source, conversion="")
    assert any("conversion" in x
               for x in problems("s", dataclasses.replace(s, source=e), OLD["leave_entry_uplift"]))
