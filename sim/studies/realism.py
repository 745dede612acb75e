"""``hitech-sim check-realism``: does a run behave like real firms?

A run of a scenario with firm snapshots (``firms.parquet`` rows: alive firms at the
start and every Q4, one row per exit) is compared with stylised facts of firm dynamics
and with published figures that calibration did not use (sim/calibrate.py fits 高企
growth and zone revenue growth only):

- size distribution: lognormal spread of annual revenue and the slope of the upper tail
  (rank-size regression of Gabaix & Ibragimov on the top 5%; Axtell 2001: Zipf, ~1);
- annual growth rates: excess kurtosis (Laplace: 3, normal: 0), Laplace vs normal
  log-likelihood, and how their spread falls with size (σ ∝ S^-β, β ≈ 0.2; Stanley et
  al. 1996);
- exit rates by age against China's (SAIC 2013: 1.6% / 6.3% / 9.5% in years 1–3, over
  8% to year 7) and entrants' survival against the US (BLS: 66% after 2 years, 44% after
  4);
- gazelle share of firms (Torch: 2.54% of zone firms), 高企 with revenue above 1亿
  (Yunnan 2021: 23.8%), R&D / revenue of the zones (~2.0%);
- R&D bunching just above the 高企 R&D thresholds (Chen et al. 2021).

Each check is a row of ``realism.csv`` / ``realism.json`` (value, reference, band,
verdict, source, what a mismatch likely means) with a figure in ``report.html``. The
statistics are :mod:`sim.analysis.realism` (public, so that notebooks can compute the
same); this module runs the scenario and writes the files.
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
from sim.engine.folder import holds_folders
from sim.core.calendar import q_index
from sim.engine.batch import read_metrics
from sim.engine.folder import atomic_write_text
from sim.scenario.loader import Problem, ScenarioError
from sim.studies.run import run_scenario


@holds_folders
def check_realism(loaded, *, out: str | Path, replicates: int = 2, seed: int | None = None,
                  workers: int = 1, overwrite: bool = False) -> dict:
    """Run ``loaded`` (a :func:`sim.load_scenario` result) with snapshots, compute every
    check, and write ``out``: the run's files (manifest, metrics, ledger, firms),
    ``realism.csv``, ``realism.json`` and ``initial_totals.csv`` (the face then writes
    report.html with :func:`sim.report.realism.write_realism_report`). Returns
    ``{"checks": [...], "initial": DataFrame, "tables": {...}}`` (``tables``: what the
    figures draw, from :func:`compute_checks`)."""
    sc = loaded.model
    q4s = [q for q in range(q_index(sc.calendar.start), q_index(sc.calendar.end) + 1)
           if q % 4 == 3]
    if len(q4s) < 2:
        raise ScenarioError([Problem(str(loaded.path), 0, "calendar.end",
                                     f"{sc.calendar.start}..{sc.calendar.end} holds "
                                     f"{len(q4s)} Q4 quarter(s); check-realism compares "
                                     "yearly snapshots (valid: a calendar through at least "
                                     "two Q4s, e.g. end 2026Q4 or later)")])
    out = Path(out)
    run_scenario(loaded, replicates=replicates, seed=seed, workers=workers, snapshots=True,
                 out=out, overwrite=overwrite)
    metrics = read_metrics(out)
    firms = pd.read_parquet(out / "firms.parquet",
                            columns=["replicate", "quarter", "enterprise", "zone", "founded",
                                     "revenue_4q_wan", "rd_4q_wan", "hte_valid", "exited"])
    checks, tables = compute_checks(firms, metrics)
    initial = initial_totals(loaded, metrics, firms)
    df = pd.DataFrame(checks)
    atomic_write_text(df.to_csv(index=False), out / "realism.csv")
    atomic_write_text(json.dumps({"scenario": loaded.model.name, "replicates": replicates,
                                   "population_scale": loaded.model.population.scale,
                                   "checks": checks,
                                   "exit_by_age": tables["exit"].to_dict("records"),
                                   "growth_spread_by_size": tables["spread"].to_dict("records"),
                                   "initial_totals": initial.to_dict("records")},
                                  ensure_ascii=False, indent=1, default=float),
                       out / "realism.json")
    atomic_write_text(initial.to_csv(index=False), out / "initial_totals.csv")
    return {"checks": checks, "initial": initial, "tables": tables}
