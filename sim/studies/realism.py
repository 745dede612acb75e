"""``hitech-sim check-realism``: does a run behave like real firms?

A run of a scenario with firm snapshots (``firms.parquet`` rows: alive firms at the
start and every Q4, one row per exit) is checked in two kinds (``kind`` in
``realism.csv``):

- **consistency**: the run keeps what it was given: it re-measures an input or a moment
  calibration fitted (the growth-spread exponent against its input 0.2, exits by age
  against the SAIC table the exit hazard takes, a lognormal fit of a population drawn
  lognormal, R&D bunching imposed by a rule, the 专精特新 pace the parameter was set to,
  revenue growth fitted on history, the start's totals and 高企 size mix); a tolerance
  band says whether it still does;
- **validation**: a published figure used neither to build nor to fit the model
  (:data:`sim.analysis.realism.PUBLISHED`; docs/sources.md "Register of figures"): yearly
  高企 certificates granted and ended (Yunnan 2020), 高企 growth (Yunnan 2024), the gazelle
  and unicorn shares (national figures; no Yunnan figure was found), the upper-tail slope
  of firm sizes and entrants' survival. It passes when the model's 90% interval over the
  replicates (luck; and behaviour with ``sample_behaviour``) contains the figure.

With a stored backtest (``scenarios/calibration/backtest.json``, written by
``hitech-sim calibrate scenarios/calibration/backtest.yaml``) its held-out predictions
are added to ``realism.json`` and the report ("Backtest (out of sample)").

The statistics are :mod:`sim.analysis.realism` and :mod:`sim.analysis.calibration`
(public, so that notebooks can compute the same); this module runs the scenario, reads
the stored backtest and writes the files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.analysis.realism import (SAIC_EXIT, annual_growth, compute_checks,  # noqa: F401
                                  entrant_survival, exit_by_age, growth_shape,
                                  hte_large_share, initial_totals, lognormal_fit,
                                  q4_snapshots, rd_bunching, spread_by_size, verdict,
                                  zipf_slope)
from sim.analysis.calibration import backtest_summary, backtest_table
from sim.engine.folder import holds_folders
from sim.core.calendar import q_index
from sim.engine.batch import read_metrics
from sim.engine.folder import atomic_write_text
from sim.scenario.loader import Problem, ScenarioError
from sim.studies.run import run_scenario


DEFAULT_BACKTEST = Path(__file__).resolve().parents[2] / "scenarios" / "calibration" / \
    "backtest.json"


def read_backtest(path: str | Path | None = None) -> dict | None:
    """The stored backtest (a calibration result with held-out moments), default
    ``scenarios/calibration/backtest.json``; None if there is none at the default path.
    A path given explicitly must exist and hold held-out moments (else ScenarioError)."""
    p = Path(path) if path is not None else DEFAULT_BACKTEST
    if not p.is_file():
        if path is None:
            return None
        raise ScenarioError([Problem(str(p), 0, "--backtest", "no such file (valid: a "
                                     "calibration result with holdout, e.g. "
                                     "scenarios/calibration/backtest.json)")])
    try:
        res = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ScenarioError([Problem(str(p), 0, "--backtest", f"not readable JSON: {e}")]) \
            from None
    if not isinstance(res, dict) or not res.get("holdout") or "parameters" not in res:
        raise ScenarioError([Problem(str(p), 0, "--backtest", "no held-out moments (valid: "
                                     "the result of hitech-sim calibrate on a file with "
                                     "holdout:)")])
    return res


@holds_folders
def check_realism(loaded, *, out: str | Path, replicates: int = 2, seed: int | None = None,
                  workers: int = 1, overwrite: bool = False, sample_behaviour: bool = False,
                  sample_inputs: bool = False, backtest: str | Path | None = None) -> dict:
    """Run ``loaded`` (a :func:`sim.load_scenario` result) with snapshots, compute every
    check, and write ``out``: the run's files (manifest, metrics, ledger, firms),
    ``realism.csv`` (one row per check, with its ``kind``), ``realism.json``,
    ``initial_totals.csv`` and, with a stored backtest, ``backtest.csv`` (the face then
    writes report.html with :func:`sim.report.realism.write_realism_report`). Returns
    ``{"checks": [...], "initial": DataFrame, "tables": {...}, "backtest": dict | None}``
    (``tables``: what the figures draw, from :func:`compute_checks`).

    ``sample_behaviour``: each replicate draws the behaviour parameters, so the
    validation intervals hold behaviour as well as luck. ``sample_inputs``: each replicate
    draws the scenario's ``inputs:`` too, so the intervals hold input uncertainty. ``backtest``: the stored backtest to read (default
    ``scenarios/calibration/backtest.json`` if present)."""
    sc = loaded.model
    q4s = [q for q in range(q_index(sc.calendar.start), q_index(sc.calendar.end) + 1)
           if q % 4 == 3]
    if len(q4s) < 2:
        raise ScenarioError([Problem(str(loaded.path), 0, "calendar.end",
                                     f"{sc.calendar.start}..{sc.calendar.end} holds "
                                     f"{len(q4s)} Q4 quarter(s); check-realism compares "
                                     "yearly snapshots (valid: a calendar through at least "
                                     "two Q4s, e.g. end 2026Q4 or later)")])
    bt = read_backtest(backtest)
    out = Path(out)
    run_scenario(loaded, replicates=replicates, seed=seed, workers=workers, snapshots=True,
                 out=out, overwrite=overwrite, sample_behaviour=sample_behaviour,
                 sample_inputs=sample_inputs)
    metrics = read_metrics(out)
    cols = ["replicate", "quarter", "enterprise", "zone", "founded", "revenue_4q_wan",
            "rd_4q_wan", "hte_valid", "hte_certified", "hte_applied", "exited"]
    firms = pd.read_parquet(out / "firms.parquet", columns=cols)
    checks, tables = compute_checks(firms, metrics)
    initial = initial_totals(loaded, metrics, firms)
    df = pd.DataFrame(checks)
    atomic_write_text(df.to_csv(index=False), out / "realism.csv")
    interval_over = ["luck"] + (["behaviour"] if sample_behaviour else []) + (
        ["inputs"] if sample_inputs else [])
    doc = {"scenario": loaded.model.name, "replicates": replicates,
           "population_scale": loaded.model.population.scale,
           "validation_interval": {"quantiles": [0.05, 0.95], "over": interval_over},
           "checks": checks,
           "exit_by_age": tables["exit"].to_dict("records"),
           "growth_spread_by_size": tables["spread"].to_dict("records"),
           "initial_totals": initial.to_dict("records")}
    if bt is not None:
        bt_table = backtest_table(bt)
        atomic_write_text(bt_table.to_csv(index=False), out / "backtest.csv")
        doc["backtest"] = {"name": bt.get("name"), "fit_until": bt.get("fit_until"),
                           "points": bt_table.to_dict("records"),
                           "summary": backtest_summary(bt).to_dict("records")}
    atomic_write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=float),
                      out / "realism.json")
    atomic_write_text(initial.to_csv(index=False), out / "initial_totals.csv")
    return {"checks": checks, "initial": initial, "tables": tables, "backtest": bt}
