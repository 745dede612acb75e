"""Study files: the formats of sweep, sensitivity, robust and calibration files and
their load-time checks.

Each format is a pydantic class (unknown keys refused, numbers in range); the checks
that need the base scenario (behaviour parameter names, outcome metrics, zones and
quarters against the metric catalogue and the base's calendar, files that must exist)
run when the file is read, so that a bad file stops with one line per problem (file,
line, key, what is valid) and exit 2 before anything runs, never with NaN outcomes.
The studies (:mod:`sim.studies`) orchestrate runs of what these files describe.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from sim.core.calendar import q_index, q_label
from sim.core.metrics import FLOW_METRICS, METRIC_NAMES, UNSCALED, scaled_threshold  # noqa: F401
from sim.scenario.loader import Problem, ScenarioError, display_path, load, read_checked
from sim.scenario.params import BEHAVIOUR
from sim.scenario.schema import Num, Quarter, Strict, Text



# ------------------------------------------------------------------------------ sweep
class Outcome(Strict):
    """A value kept per point and replicate."""

    id: Text
    metric: Text
    zone: Text = "ALL"
    quarter: Quarter


class Sample(Strict):
    """Latin hypercube over lever ranges."""

    points: Num(1, 100000, integer=True)
    ranges: dict[str, list[float]]


class SweepFile(Strict):
    """A sweep file."""

    name: Text
    description: str = ""
    base: Text
    set: dict[str, Any] = {}
    levers: dict[str, list[Any]] = {}
    sample: Sample | None = None
    behaviour: list[str] | Literal["all"] = []
    replicates: Num(1, 100000, integer=True) = 10
    seed: Num(0, 2**63 - 1, integer=True) | None = None
    outcomes: list[Outcome] = Field(default_factory=list)


def load_sweep(path: str | Path) -> tuple[SweepFile, Path]:
    """Read and check a sweep file; return it and its base scenario's path. Problems name
    the file, line and key; the outcomes are checked against the metric catalogue and
    the calendar of the base (with the file's ``set``)."""
    path = Path(path)
    sw, origins, name = read_checked(path, SweepFile)
    problems = []
    if not sw.levers and sw.sample is None:
        problems.append(Problem(name, 1, "levers", "no levers to vary (valid: `levers:` with "
                                "a list of values per key, or `sample:` with ranges)"))
    if sw.levers and sw.sample is not None:
        problems.append(Problem(name, origins.get(("sample",), (name, 0))[1], "sample",
                                "give either `levers` (a grid) or `sample` (a Latin "
                                "hypercube), not both"))
    if sw.sample is not None:
        for k, r in sw.sample.ranges.items():
            if len(r) != 2 or not r[0] < r[1]:
                problems.append(Problem(name, origins.get(("sample", "ranges", k),
                                                          (name, 0))[1],
                                        f"sample.ranges.{k}", "expected [low, high] with low "
                                        "< high"))
    names = [] if sw.behaviour == "all" else sw.behaviour
    for i, b in enumerate(names):
        if b not in BEHAVIOUR:
            problems.append(Problem(name, origins.get(("behaviour", i), (name, 0))[1],
                                    f"behaviour.{i}", f"unknown behaviour parameter {b!r} "
                                    "(valid: see docs/parameters.md)"))
    base = (path.parent / sw.base).resolve()
    if not base.exists():
        problems.append(Problem(name, origins.get(("base",), (name, 0))[1], "base",
                                f"no such file: {sw.base} (valid: a scenario path relative "
                                "to the sweep file)"))
    if problems:
        raise ScenarioError(problems)
    if sw.outcomes:
        problems = outcome_problems(path, origins, sw.outcomes, load(base, sw.set))
        if problems:
            raise ScenarioError(problems)
    return sw, base


# ------------------------------------------------------------- sensitivity and robust
class Morris(Strict):
    """Morris screening: trajectories and grid levels."""

    trajectories: Num(2, 10000, integer=True) = 10
    levels: Num(2, 20, integer=True) = 4


class Sobol(Strict):
    """Sobol indices for the parameters that matter."""

    samples: Num(2, 2**20, integer=True) = 128
    parameters: Num(1, 100, integer=True) | list[str] = 5


class SensitivityFile(Strict):
    """A sensitivity file."""

    name: Text
    description: str = ""
    base: Text
    set: dict[str, Any] = {}
    parameters: list[str] | Literal["all"] = "all"
    outcomes: list[Outcome] = Field(default_factory=list)
    targets: bool = True
    replicates: Num(1, 10000, integer=True) = 2
    seed: Num(0, 2**63 - 1, integer=True) | None = None
    morris: Morris = Field(default_factory=Morris)
    sobol: Sobol | None = Field(default_factory=Sobol)


class Setting(Strict):
    """One lever setting: a variant file (default: the base) and overrides."""

    file: Text | None = None
    set: dict[str, Any] = {}


class RobustOutcome(Outcome):
    """An outcome and which way is better (for regret)."""

    sense: Literal["max", "min"] = "max"


class Prim(Strict):
    """PRIM peeling: share peeled per step, smallest box, coverage the box must keep."""

    peel: Num(0.01, 0.5) = 0.05
    min_mass: Num(0.01, 1.0) = 0.05
    min_coverage: Num(0.0, 1.0) = 0.5
    keep_gain: Num(0.0, 1.0) = 0.05


class RobustFile(Strict):
    """A robust-levers file."""

    name: Text
    description: str = ""
    base: Text
    set: dict[str, Any] = {}
    settings: dict[str, Setting] = {}
    sweep: Text | None = None
    uncertain: list[str] | Literal["all"] = "all"
    samples: Num(2, 100000, integer=True) = 40
    replicates: Num(1, 10000, integer=True) = 2
    seed: Num(0, 2**63 - 1, integer=True) | None = None
    outcomes: list[RobustOutcome] = Field(default_factory=list)
    targets: bool = True
    prim: Prim = Field(default_factory=Prim)


def read_study(path: str | Path, cls) -> tuple[Any, Path, dict]:
    """Read and validate a study file (sensitivity or robust); return it, the base
    scenario's path and the origins (key -> file, line) for later problems."""
    path = Path(path)
    study, origins, _ = read_checked(path, cls)
    base = (path.parent / study.base).resolve()
    if not base.exists():
        raise ScenarioError([problem(path, origins, ("base",), "base", f"no such file: "
                                     f"{study.base} (valid: a scenario path relative to "
                                     f"{display_path(path)})")])
    return study, base, origins


def problem(path: Path, origins: dict, loc: tuple, key: str, msg: str) -> Problem:
    """A problem at a key of a study file, with its line when known."""
    return Problem(display_path(path), origins.get(loc, (None, 0))[1], key, msg)


def check_names(path: Path, origins: dict, names, key: str) -> list[Problem]:
    """Problems for behaviour parameter names that are not declared."""
    if names == "all":
        return []
    out = [problem(path, origins, (key, i), f"{key}.{i}", f"unknown behaviour parameter "
                   f"{n!r} (valid: see docs/parameters.md)")
           for i, n in enumerate(names) if n not in BEHAVIOUR]
    if not out and len(set(names)) != len(names):
        out.append(problem(path, origins, (key,), key, "a parameter is listed twice"))
    if not out and not names:
        out.append(problem(path, origins, (key,), key, "no parameters (valid: `all` or a "
                           "list of names from docs/parameters.md)"))
    return out


def outcome_problems(path: Path, origins: dict, outcomes: list, base,
                     key: str = "outcomes") -> list[Problem]:
    """Problems of a study file's outcomes against the loaded ``base`` scenario: a metric
    not in the catalogue (sim.core.metrics), a zone the base does not model, a quarter
    outside its calendar, two outcomes with one id."""
    sc = base.model
    start, end = q_index(sc.calendar.start), q_index(sc.calendar.end)
    zones = {"ALL", *(z.id for z in sc.zones)}
    problems = []
    for i, o in enumerate(outcomes):
        for field, ok, valid in (
                ("metric", o.metric in METRIC_NAMES, "a metric of docs/interface.md"),
                ("zone", o.zone in zones, f"ALL or {', '.join(sorted(zones - {'ALL'}))}"),
                ("quarter", start <= q_index(o.quarter) <= end,
                 f"{sc.calendar.start}..{sc.calendar.end}")):
            if not ok:
                v = getattr(o, field)
                near = difflib.get_close_matches(v, sorted(METRIC_NAMES), n=1) \
                    if field == "metric" else []
                hint = f"did you mean {near[0]!r}? " if near else ""
                problems.append(problem(path, origins, (key, i, field), f"{key}.{i}.{field}",
                                        f"{v!r} is not valid ({hint}valid: {valid})"))
    ids = [o.id for o in outcomes]
    if len(set(ids)) != len(ids):
        problems.append(problem(path, origins, (key,), key, "two outcomes share an id"))
    return problems


def study_outcomes(path: Path, origins: dict, outcomes: list, base, with_targets: bool,
                   key: str = "outcomes") -> list[dict]:
    """Outcome records for tasks: the study's own, checked against the base's metrics and
    calendar, then the base's targets (``target:<id>``, threshold scaled)."""
    sc = base.model
    end, scale = q_index(sc.calendar.end), float(sc.population.scale)
    problems = outcome_problems(path, origins, outcomes, base, key)
    out = [o.model_dump() for o in outcomes]
    if with_targets:
        for t in base.resolved["targets"]:
            if q_index(t["by"]) > end or t.get("sector", "ALL") != "ALL":
                continue  # not evaluable in this calendar, or a sector target
            out.append({"id": f"target:{t['id']}", "metric": t["metric"], "zone": t["zone"],
                        "quarter": t["by"], "op": t["op"],
                        "threshold": scaled_threshold(t["metric"], t["threshold"], scale),
                        "source": t.get("source")})
    if not out and not problems:
        problems.append(problem(path, origins, (key,), key, "nothing to measure (valid: "
                                "`outcomes:` or targets in the base scenario)"))
    if problems:
        raise ScenarioError(problems)
    return out


# ------------------------------------------------------------------------ calibration
class FitParam(Strict):
    """A behaviour parameter to fit, within ``[low, high]`` (default: its plausible range)."""

    name: Text
    low: Num() | None = None
    high: Num() | None = None


class Moment(Strict):
    """A published figure the model should reproduce.

    ``growth``: relative change of ``metric`` (a stock at year ends; a flow summed over the
    year) from year y-1 to y, averaged over ``years``; for a flow in the first simulated
    year, y-1 is the scenario's input revenue. ``ratio``: ``metric / denominator`` at
    quarter ``quarter``.
    """

    id: Text
    kind: Literal["growth", "ratio"]
    metric: Text
    zone: Text = "ALL"
    years: list[Num(1990, 2100, integer=True)] = []
    denominator: Text | None = None
    quarter: Quarter | None = None
    target: Num()
    se: Num(0.0, lo_open=True, description="standard error of the target, same unit")
    source: Text


class CalibrationFile(Strict):
    """A calibration file. ``moments`` are fitted; ``holdout`` moments (a backtest out of
    sample) are never seen by the fit and only predicted at the fitted values;
    ``fit_until`` (a year), if given, refuses a fitted moment that uses a later year."""

    name: Text
    description: str = ""
    scenario: Text
    scale: Num(0.0, 1.0, lo_open=True) = 0.1
    replicates: Num(2, 1000, integer=True) = 6
    seed: Num(0, 2**63 - 1, integer=True) = 2021
    max_evaluations: Num(1, 100000, integer=True) = 80
    prior_weight: Num(0.0) = 1.0
    workers: Num(1, 64, integer=True) = 1
    store: Text | None = None
    fit_until: Num(1990, 2100, integer=True) | None = None
    parameters: list[FitParam]
    moments: list[Moment]
    holdout: list[Moment] = []


@dataclass
class Calibration:
    """A checked calibration file, its scenario (loaded) and where it was read from."""

    spec: CalibrationFile
    path: Path
    scenario: object  # sim.scenario.loader.Loaded
    bounds: np.ndarray  # (p, 2) low, high


def load_spec(path: str | Path, overrides: list[str] | None = None) -> Calibration:
    """Read and check a calibration file; problems name the file, line and key (exit 2).

    ``overrides`` are ``--set`` items applied to the historical scenario.
    """
    path = Path(path)
    spec, origins, name = read_checked(path, CalibrationFile)

    def line(*loc):
        return origins.get(tuple(loc), (name, 0))[1]

    problems = []
    bounds = []
    if not spec.parameters:
        problems.append(Problem(name, line("parameters"), "parameters", "no parameters to fit "
                                "(valid: a list of behaviour parameter names)"))
    for i, p in enumerate(spec.parameters):
        if p.name not in BEHAVIOUR:
            near = difflib.get_close_matches(p.name, list(BEHAVIOUR), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            problems.append(Problem(name, line("parameters", i, "name"), f"parameters.{i}.name",
                                    f"unknown behaviour parameter {p.name!r} ({hint}valid: "
                                    "see docs/parameters.md)"))
            continue
        d = BEHAVIOUR[p.name]
        lo = d.low if p.low is None else p.low
        hi = d.high if p.high is None else p.high
        if not (d.valid[0] <= lo < hi <= d.valid[1]):
            problems.append(Problem(name, line("parameters", i), f"parameters.{i}",
                                    f"range [{lo:g}, {hi:g}] is empty or outside the valid "
                                    f"range [{d.valid[0]:g}, {d.valid[1]:g}]"))
        bounds.append((lo, hi))
    if len(spec.moments) < 1:
        problems.append(Problem(name, line("moments"), "moments", "no moments (valid: a list "
                                "of published figures to fit)"))
    sections = (("moments", spec.moments), ("holdout", spec.holdout))
    seen: set[str] = set()
    for sec, ms in sections:
        for i, m in enumerate(ms):
            if m.id in seen:
                problems.append(Problem(name, line(sec, i, "id"), f"{sec}.{i}.id",
                                        f"duplicate id {m.id!r} (ids are unique across "
                                        "moments and holdout)"))
            seen.add(m.id)
            if m.kind == "growth" and not m.years:
                problems.append(Problem(name, line(sec, i), f"{sec}.{i}.years",
                                        "a growth moment needs years (valid: e.g. [2021, 2022])"))
            if m.kind == "ratio" and (m.denominator is None or m.quarter is None):
                problems.append(Problem(name, line(sec, i), f"{sec}.{i}",
                                        "a ratio moment needs denominator and quarter"))
    if spec.fit_until is not None:
        for i, m in enumerate(spec.moments):
            last = max(m.years) if m.years else (int(m.quarter[:4]) if m.quarter else None)
            if last is not None and last > spec.fit_until:
                problems.append(Problem(name, line("moments", i), f"moments.{i}",
                                        f"{m.id} uses {last}, after fit_until {spec.fit_until}"
                                        " (valid: fitted moments up to fit_until; move it to "
                                        "holdout: to predict it out of sample)"))
    scen = (path.parent / spec.scenario)
    if not scen.exists():
        problems.append(Problem(name, line("scenario"), "scenario", f"no such file: "
                                f"{spec.scenario} (valid: a scenario path relative to the "
                                "calibration file)"))
    if problems:
        raise ScenarioError(problems)
    sets = [f"population.scale={spec.scale}"] + list(overrides or [])
    loaded = load(scen, sets)
    sc = loaded.model
    zones = {z.id for z in sc.zones} | {"ALL"}
    start, end = q_index(sc.calendar.start), q_index(sc.calendar.end)
    for sec, i, m in [(sec, i, m) for sec, ms in sections for i, m in enumerate(ms)]:
        for key in ("metric", "denominator"):
            v = getattr(m, key)
            if v is not None and v not in METRIC_NAMES:
                problems.append(Problem(name, line(sec, i, key), f"{sec}.{i}.{key}",
                                        f"unknown metric {v!r} (valid: see interface.md)"))
        if m.zone not in zones:
            problems.append(Problem(name, line(sec, i, "zone"), f"{sec}.{i}.zone",
                                    f"unknown zone {m.zone!r} (valid: {', '.join(sorted(zones))})"))
        for y in m.years:
            prev_ok = ((y - 1) * 4 >= start or (y - 1) * 4 + 3 == start - 1
                       if m.metric in FLOW_METRICS else (y - 1) * 4 + 3 >= start - 1)
            if not (prev_ok and y * 4 >= start and y * 4 + 3 <= end):
                problems.append(Problem(name, line(sec, i, "years"), f"{sec}.{i}.years",
                                        f"{y} and the year before are not both inside "
                                        f"the calendar {sc.calendar.start}..{sc.calendar.end}"
                                        " (a flow's year before the start must end just "
                                        "before it)"))
        if m.quarter is not None and not (start - 1 <= q_index(m.quarter) <= end):
            problems.append(Problem(name, line(sec, i, "quarter"),
                                    f"{sec}.{i}.quarter", f"{m.quarter} is outside the "
                                    f"calendar {q_label(start - 1)}..{sc.calendar.end}"))
    if len(spec.moments) <= len(spec.parameters) and spec.prior_weight == 0:
        problems.append(Problem(name, line("prior_weight"), "prior_weight", "fewer moments "
                                "than parameters and no prior (valid: more moments than "
                                "parameters, or prior_weight > 0)"))
    if problems:
        raise ScenarioError(problems)
    return Calibration(spec, path, loaded, np.array(bounds, float))
