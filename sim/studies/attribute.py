"""``hitech-sim attribute BASE COUNTERFACTUAL``: the effect of the plan (base minus
counterfactual) on each outcome, shared out among groups of levers by Shapley values.

The groups are the lever registry's (``sim.scenario.levers.ATTRIBUTION_GROUPS``, six
of them, so 2^6 = 64 coalitions). Coalition ``S`` is the counterfactual with the policy
settings of the groups in ``S`` taken from the base: the empty coalition is the
counterfactual, the full one the base. A lever's settings include when it acts: where
the two scenarios differ in the plan's date (``policy.effective``), each lever carries
its own scenario's date (``policy.<key>.effective``), so a lever the counterfactual
leaves at its pre-plan level (``effective: never``, as in ``no_action_plan``) stays
there, read from the lever registry. Every coalition runs replicates 0..N-1 of the
base's seed (common random numbers), keeping only the outcomes (each target metric and
the headline metrics at each checkpoint), and :func:`sim.analysis.shapley.attribution_table`
gives each group's value with its 90% interval over replicates. The base and the
counterfactual may differ only in lever settings (``policy.<lever key>``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.shapley import attribution_table
from sim.core.calendar import q_index
from sim.engine.batch import input_keys, run_in_folder
from sim.engine.ensemble import Task
from sim.engine.folder import holds_folders, versions, write_json, write_manifest
from sim.scenario.levers import ATTRIBUTION_GROUPS, LEVERS, NOT_LEVERS
from sim.scenario.loader import Problem, ScenarioError

# the outcomes attributed, besides the base's target metrics
HEADLINE = ["hte", "specialised", "gazelles", "revenue_wan"]
# keys of a resolved scenario that may differ between the base and the counterfactual
FREE = {"name", "description"}


@dataclass
class Attribution:
    """What an attribution wrote: its manifest and table (one row per outcome and group,
    plus ``total``)."""

    manifest: dict
    table: pd.DataFrame


def with_dates(policy: dict) -> dict:
    """A resolved ``policy`` with every lever's effective quarter explicit (its own, else
    the plan's ``policy.effective``), so that its levers act alike in another scenario."""
    r = copy.deepcopy(policy)
    for lv in LEVERS:
        if r[lv.key].get("effective") is None:
            r[lv.key]["effective"] = r["effective"]
    return r


def differing(base: dict, cf: dict, where: str) -> list[str]:
    """The lever keys in which ``base`` and ``cf`` differ (settings or the quarter they
    take effect); a difference outside the levers (behaviour, zones, budgets, ...)
    cannot be attributed and is an error."""
    bad = sorted(k for k in set(base) | set(cf)
                 if k != "policy" and k not in FREE and base.get(k) != cf.get(k))
    pol_b, pol_c = with_dates(base["policy"]), with_dates(cf["policy"])
    keys = sorted(k for k in set(pol_b) | set(pol_c) if pol_b.get(k) != pol_c.get(k))
    bad += [f"policy.{k}" for k in keys if k in NOT_LEVERS and k != "effective"]
    if bad:
        raise ScenarioError([Problem(where, 0, k, "differs between the base and the "
                                     "counterfactual, and only lever settings can be "
                                     "attributed (valid: make the two scenarios agree on it)")
                             for k in bad])
    return [k for k in keys if k not in NOT_LEVERS]


def coalition(base: dict, cf: dict, mask: int, name: str) -> dict:
    """The counterfactual with the lever settings of the groups in ``mask`` from the
    base (with their dates made explicit if the two differ in the plan's date)."""
    r = copy.deepcopy(cf)
    pol_b = base["policy"]
    if pol_b["effective"] != cf["policy"]["effective"]:
        pol_b, r["policy"] = with_dates(pol_b), with_dates(cf["policy"])
    for i, g in enumerate(ATTRIBUTION_GROUPS):
        if mask >> i & 1:
            for key in g.keys:
                r["policy"][key] = copy.deepcopy(pol_b[key])
    r["name"] = name
    return r


def outcomes_of(base_loaded) -> list[dict]:
    """Each target metric and headline metric of the base at each checkpoint (for all
    modelled zones)."""
    sc = base_loaded.model
    end = q_index(sc.calendar.end)
    cps = [c for c in sc.calendar.checkpoints if q_index(c) <= end] or [sc.calendar.end]
    metrics = list(dict.fromkeys(HEADLINE + [t["metric"] for t in
                                             base_loaded.resolved["targets"]]))
    return [{"id": f"{m}@{q}", "metric": m, "zone": "ALL", "quarter": q}
            for q in cps for m in metrics]


@holds_folders
def attribute(base_loaded, cf_loaded, *, replicates: int | None = None,
              seed: int | None = None, out: str | Path, workers: int = 1,
              scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
              progress: bool = False, sample_inputs: bool = False) -> Attribution:
    """Run the 2^k coalitions, write the folder (``outcomes.parquet``,
    ``attribution.csv``, ``coalitions.csv``, ``manifest.json``) and return its table.
    With ``sample_inputs`` replicate k of every coalition draws the same inputs (the
    base's ``inputs:``, which the counterfactual shares)."""
    b, c = base_loaded.resolved, cf_loaded.resolved
    keys = differing(b, c, str(cf_loaded.path))
    inputs = input_keys([(str(base_loaded.path), b)], sample_inputs)
    n = int(replicates if replicates is not None else base_loaded.model.replicates)
    seed = int(base_loaded.model.seed if seed is None else seed)
    outcomes = outcomes_of(base_loaded)
    k = len(ATTRIBUTION_GROUPS)
    tasks = []
    for mask in range(2 ** k):
        name = f"{base_loaded.model.name}--s{mask:02d}"
        r = coalition(b, c, mask, name)
        tasks += [Task(f"s{mask:02d}--r{rep:06d}", r, name, rep, seed, outcomes=outcomes,
                       extra={"coalition": mask}, sample_inputs=sample_inputs)
                  for rep in range(n)]
    out = Path(out)
    started, summary = run_in_folder(tasks, out, workers=workers, scheduler=scheduler,
                                     resume=resume, overwrite=overwrite, progress=progress)
    path = out / "outcomes.parquet"
    rows = pd.read_parquet(path) if path.exists() else pd.DataFrame(
        columns=["coalition", "replicate", "outcome", "value"])
    groups = [g.id for g in ATTRIBUTION_GROUPS]
    table = attribution_table(rows, groups)
    table.to_csv(out / "attribution.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame([{"coalition": m, **{g.id: bool(m >> i & 1) for i, g in
                                      enumerate(ATTRIBUTION_GROUPS)}}
                  for m in range(2 ** k)]).to_csv(out / "coalitions.csv", index=False,
                                                   encoding="utf-8-sig")
    manifest = {
        "schema_version": 1, "command": "attribute",
        "scenario": base_loaded.model.name, "scenario_sha256": base_loaded.sha256,
        "counterfactual": cf_loaded.model.name, "counterfactual_sha256": cf_loaded.sha256,
        "seed": seed, "replicates": n, "coalitions": 2 ** k,
        "population_scale": base_loaded.model.population.scale, "workers": workers,
        "scheduler": scheduler, "versions": versions(), "started": started,
        "finished": None, "status": "complete" if not summary["failed"] else "partial",
        "failed": summary["failed"], "differing_levers": keys,
        "inputs_sampled": bool(sample_inputs), "sampled_inputs": inputs,
        "groups": [{"id": g.id, "name_zh": g.name_zh, "name_en": g.name_en,
                    "levers": list(g.codes)} for g in ATTRIBUTION_GROUPS],
        "pairing": "common random numbers: every coalition runs replicates 0..N-1 of "
                   "the base's seed",
        "resolved": {"base": b, "counterfactual": c},
    }
    write_json(outcomes, out / "outcomes.json")
    write_manifest(out, manifest)
    return Attribution(manifest, table)


def read_table(out: Path) -> pd.DataFrame:
    """The attribution table of a folder."""
    return pd.read_csv(out / "attribution.csv", encoding="utf-8-sig")
