"""``hitech-sim sensitivity``: which behaviour parameters drive the outcomes.

A sensitivity file (docs/uncertainty.md) names a base scenario, the behaviour
parameters to study (``all`` or a list; each varies over its plausible range from
sim/scenario/params.py), the outcomes (a metric of a zone at a quarter, as in sweep
files) and, unless ``targets: false``, the base's targets as probabilities. Two stages:

1. **Morris screening** (elementary effects, SALib) over every studied parameter:
   ``trajectories x (parameters + 1)`` points; ``mu_star``, the mean absolute
   elementary effect in the outcome's units per whole plausible range (a step of 2/3 of
   the range with 4 levels, scaled up), with a bootstrap 95% interval, and ``sigma``
   (interactions or non-linearity).
2. **Sobol indices** (Saltelli's scheme, SALib) for the few parameters that matter
   (the top ``sobol.parameters`` by Morris ``mu_star`` relative to each outcome's top,
   over the outcomes that are means; or a given list):
   ``samples x (k + 2)`` points; first-order ``S1`` and total ``ST`` with bootstrap 95%
   intervals. Parameters not studied stay at the base scenario's values.

Every point runs replicates ``0..replicates-1`` of the same seed (common random
numbers: points differ by behaviour only, not by luck) and its outcome is the mean
over them; a target's outcome is the share of replicates meeting it, with its
threshold multiplied by ``population.scale`` for counts and money (a shrunk world).
Each point x replicate is a task of :mod:`sim.engine.ensemble` (parts on disk, ``--resume``,
local workers or a Dask cluster). The Sobol design depends only on the finished Morris
parts, so a resumed run chooses the same parameters and gives the same tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from sim.engine.folder import holds_folders
from sim.analysis.targets import meets
from sim.core.calendar import q_index
from sim.engine.ensemble import with_behaviour
from sim.scenario.loader import Problem, ScenarioError, _display, load, read_checked
from sim.scenario.params import BEHAVIOUR
from sim.scenario.schema import Num, Strict, Text
from sim.studies.sweep import Outcome

# metrics whose value does not grow with the population (not scaled with it)
UNSCALED = {"national_rank", "national_zones", "national_clusters", "rd_intensity",
            "local_supply_share"}
CONF = 0.95
RESAMPLES = 1000


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


# ----------------------------------------------------------------- shared with robust
def read_study(path: str | Path, cls) -> tuple[Any, Path, dict]:
    """Read and validate a study file (sensitivity or robust); return it, the base
    scenario's path and the origins (key -> file, line) for later problems."""
    path = Path(path)
    study, origins, _ = read_checked(path, cls)
    base = (path.parent / study.base).resolve()
    if not base.exists():
        raise ScenarioError([problem(path, origins, ("base",), "base", f"no such file: "
                                     f"{study.base} (valid: a scenario path relative to "
                                     f"{_display(path)})")])
    return study, base, origins


def problem(path: Path, origins: dict, loc: tuple, key: str, msg: str) -> Problem:
    """A problem at a key of a study file, with its line when known."""
    return Problem(_display(path), origins.get(loc, (None, 0))[1], key, msg)


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


def study_outcomes(path: Path, origins: dict, outcomes: list, base, with_targets: bool,
                   key: str = "outcomes") -> list[dict]:
    """Outcome records for tasks: the study's own, checked against the base's metrics and
    calendar, then the base's targets (``target:<id>``, threshold scaled)."""
    from sim.core.metrics import METRIC_NAMES

    sc = base.model
    end, scale = q_index(sc.calendar.end), float(sc.population.scale)
    zones = {"ALL", *(z.id for z in sc.zones)}
    problems, out = [], []
    for i, o in enumerate(outcomes):
        rec = o.model_dump()
        for field, ok, valid in (
                ("metric", rec["metric"] in METRIC_NAMES, "a metric of docs/interface.md"),
                ("zone", rec["zone"] in zones, f"ALL or {', '.join(sorted(zones - {'ALL'}))}"),
                ("quarter", q_index(rec["quarter"]) <= end and
                 q_index(rec["quarter"]) >= q_index(sc.calendar.start),
                 f"{sc.calendar.start}..{sc.calendar.end}")):
            if not ok:
                problems.append(problem(path, origins, (key, i, field), f"{key}.{i}.{field}",
                                        f"{rec[field]!r} is not valid (valid: {valid})"))
        out.append(rec)
    ids = [o["id"] for o in out]
    if len(set(ids)) != len(ids):
        problems.append(problem(path, origins, (key,), key, "two outcomes share an id"))
    if with_targets:
        for t in base.resolved["targets"]:
            if q_index(t["by"]) > end or t.get("sector", "ALL") != "ALL":
                continue  # not evaluable in this calendar, or a sector target
            thr = t["threshold"] * (1.0 if t["metric"] in UNSCALED else scale)
            out.append({"id": f"target:{t['id']}", "metric": t["metric"], "zone": t["zone"],
                        "quarter": t["by"], "op": t["op"], "threshold": float(thr)})
    if not out and not problems:
        problems.append(problem(path, origins, (key,), key, "nothing to measure (valid: "
                                "`outcomes:` or targets in the base scenario)"))
    if problems:
        raise ScenarioError(problems)
    return out


def derived_seed(seed: int, n: int) -> int:
    """A design's own seed, spawned from the study's (so designs do not share draws)."""
    return int(np.random.SeedSequence(seed, spawn_key=(2**31 + n,)).generate_state(1)[0])


def run_stage(tasks: list, parts: Path, *, workers: int, scheduler: str | None,
              resume: bool, progress: bool) -> list[dict]:
    """Run tasks into parts (resuming finished ones); return the failures."""
    from sim.engine.ensemble import execute, part_ok

    for _ in execute(tasks, parts=parts, workers=workers, scheduler=scheduler,
                     resume=resume, progress=progress):
        pass
    failed = []
    for t in tasks:
        if not part_ok(parts, t.key):
            err = parts / f"{t.key}.error.json"
            msg = (json.loads(err.read_text(encoding="utf-8"))["error"] if err.is_file()
                   else "not run")
            failed.append({"key": t.key, "replicate": t.replicate, "error": msg})
    return failed


def read_parts(parts: Path, tasks: list) -> pd.DataFrame:
    """The outcome rows of finished tasks, in task order."""
    frames = [pd.read_parquet(parts / f"{t.key}.outcomes.parquet") for t in tasks
              if (parts / f"{t.key}.done").is_file()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def per_point(rows: pd.DataFrame, outcomes: list[dict], by: list[str]) -> pd.DataFrame:
    """Per group (``by``) and outcome: the mean over replicates, or for a target the share
    of replicates meeting it. Columns: by..., one per outcome id."""
    cols = {}
    for o in outcomes:
        sel = rows[rows.outcome == o["id"]]
        x = sel["value"].to_numpy(float)
        if "op" in o:
            x = meets(x, o["op"], o["threshold"])
        cols[o["id"]] = pd.Series(x.astype(float), index=pd.MultiIndex.from_frame(sel[by])) \
            .groupby(level=list(range(len(by)))).mean()
    return pd.DataFrame(cols).reset_index().rename(columns={f"level_{i}": b
                                                              for i, b in enumerate(by)})


def check_design(out: Path, design: dict, resume: bool) -> None:
    """Keep the design beside the parts; a resumed folder must have been made by the same
    study (same file settings and base), else its parts would mix two designs."""
    from sim.engine.folder import atomic_write_text
    from sim.engine.folder import OutputError

    path = out / "design.json"
    text = json.dumps(design, sort_keys=True, ensure_ascii=False, default=str)
    if resume and path.exists() and path.read_text(encoding="utf-8") != text:
        raise OutputError(f"{out}: was made by a different study or base scenario (valid: "
                          "the same file and base to --resume, or --overwrite, or another --out)")
    atomic_write_text(text, path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A CSV with BOM (Excel opens Chinese), written atomically."""
    from sim.engine.folder import atomic_write_text

    atomic_write_text("\ufeff" + df.to_csv(index=False), path)


def quantity(o: dict) -> str:
    """What a point's value of this outcome is."""
    return "probability" if "op" in o else "mean"


# ------------------------------------------------------------------------ sensitivity
def load_sensitivity(path: str | Path):
    """Read and check a sensitivity file; return it, the loaded base and the outcomes."""
    path = Path(path)
    sf, base_path, origins = read_study(path, SensitivityFile)
    problems = check_names(path, origins, sf.parameters, "parameters")
    if sf.sobol is not None and isinstance(sf.sobol.parameters, list):
        problems += check_names(path, origins, sf.sobol.parameters, "sobol.parameters")
        if not problems and sf.parameters != "all":
            problems += [problem(path, origins, ("sobol", "parameters", i),
                                 f"sobol.parameters.{i}", f"{n!r} is not among `parameters`")
                         for i, n in enumerate(sf.sobol.parameters) if n not in sf.parameters]
    if sf.sobol is not None and sf.sobol.samples & (sf.sobol.samples - 1):
        problems.append(problem(path, origins, ("sobol", "samples"), "sobol.samples",
                                f"{sf.sobol.samples} is not a power of 2 (valid: 64, 128, "
                                "256, ...: Sobol sequences balance only then)"))
    if problems:
        raise ScenarioError(problems)
    try:
        base = load(base_path, sf.set)
    except ScenarioError as e:
        raise ScenarioError([Problem(_display(path), 0, f"set -> {q.path}", q.message)
                             for q in e.problems]) from None
    outcomes = study_outcomes(path, origins, sf.outcomes, base, sf.targets)
    return sf, base, outcomes


def _problem_of(names: list[str]) -> dict:
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[BEHAVIOUR[n].low, BEHAVIOUR[n].high] for n in names]}


def _tasks(stage: str, X: np.ndarray, names: list[str], sf, base, seed: int,
           outcomes: list[dict]) -> list:
    """Point x replicate tasks; Sobol keys name the chosen parameters (a short hash), so
    that parts of another choice are never taken for these."""
    import hashlib

    from sim.engine.ensemble import Task

    tag = "m" if stage == "morris" else "s" + hashlib.sha256(
        ",".join(names).encode()).hexdigest()[:8] + "-"
    tasks = []
    for i, row in enumerate(X):
        resolved = with_behaviour(base.resolved, dict(zip(names, row, strict=True)))
        for k in range(int(sf.replicates)):
            tasks.append(Task(f"{tag}{i:05d}--r{k:04d}", resolved, sf.name, k, seed,
                              outcomes=outcomes, extra={"stage": stage, "point": i}))
    return tasks


def morris_table(X: np.ndarray, Y: pd.DataFrame, names: list[str], outcomes: list[dict],
                 levels: int, seed: int) -> pd.DataFrame:
    """Morris statistics per outcome and parameter (SALib), ranked by ``mu_star``."""
    from SALib.analyze import morris

    rows = []
    for o in outcomes:
        y = Y[o["id"]].to_numpy(float)
        if not np.isfinite(y).all():
            continue
        r = morris.analyze(_problem_of(names), X, y, num_resamples=RESAMPLES,
                           conf_level=CONF, num_levels=levels, seed=seed)
        top = float(np.nanmax(r["mu_star"])) if len(names) else 0.0
        for j, n in enumerate(names):
            rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                         "mu": float(r["mu"][j]), "mu_star": float(r["mu_star"][j]),
                         "mu_star_conf": float(r["mu_star_conf"][j]),
                         "sigma": float(r["sigma"][j]),
                         "mu_star_relative": float(r["mu_star"][j]) / top if top > 0 else 0.0})
    df = pd.DataFrame(rows)
    if not df.empty:
        df["rank"] = df.groupby("outcome")["mu_star"].rank(ascending=False, method="first") \
            .astype(int)
        df = df.sort_values(["outcome", "rank"], kind="stable").reset_index(drop=True)
    return df


def choose_sobol(mt: pd.DataFrame, names: list[str], k: int) -> list[str]:
    """The ``k`` parameters that matter most for any outcome: by the largest ``mu_star``
    relative to the outcome's top parameter, ties by declaration order. Outcomes that are
    means rank; target probabilities only when there is nothing else (at a few replicates
    a point they move in steps of 1/replicates, too coarse to rank on)."""
    if mt.empty:
        return names[:k]
    means = mt[mt.quantity == "mean"]
    score = (means if not means.empty else mt).groupby("parameter")["mu_star_relative"].max()
    order = sorted(names, key=lambda n: (-float(score.get(n, 0.0)), names.index(n)))
    return order[:k]


MISSES_DRIVER = ("Morris's top parameter for this outcome ({top}) is not among the Sobol "
                 "parameters: these indices apportion only the variance the chosen ones make")


def left_out_driver(mt: pd.DataFrame | None, names: list[str], outcome: str) -> str | None:
    """Morris's top parameter for ``outcome`` if the Sobol parameters ``names`` leave out
    its main drivers (none of them has half of its top ``mu_star``), else None."""
    if mt is None or mt.empty:
        return None
    g = mt[mt.outcome == outcome]
    if g.empty or g[g.parameter.isin(names)]["mu_star_relative"].max() >= 0.5:
        return None
    return str(g.loc[g["mu_star"].idxmax(), "parameter"])


def sobol_table(Y: pd.DataFrame, names: list[str], outcomes: list[dict],
                seed: int, mt: pd.DataFrame | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap intervals (SALib).

    With the Morris table ``mt``, an outcome whose main drivers were left out of the
    Sobol parameters (none of them has half the ``mu_star`` of the outcome's top one)
    gets a note saying so: its indices share out a small part of its variance."""
    from SALib.analyze import sobol

    rows = []
    for o in outcomes:
        top = left_out_driver(mt, names, o["id"])
        note = MISSES_DRIVER.format(top=top) if top else ""
        y = Y[o["id"]].to_numpy(float)
        if not np.isfinite(y).all() or np.var(y) == 0:
            for n in names:  # a constant outcome: nothing to apportion
                rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                             "S1": np.nan, "S1_conf": np.nan, "ST": np.nan, "ST_conf": np.nan,
                             "note": "outcome does not vary"})
            continue
        r = sobol.analyze(_problem_of(names), y, calc_second_order=False,
                          num_resamples=RESAMPLES, conf_level=CONF, seed=seed)
        for j, n in enumerate(names):
            rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                         "S1": float(r["S1"][j]), "S1_conf": float(r["S1_conf"][j]),
                         "ST": float(r["ST"][j]), "ST_conf": float(r["ST_conf"][j]),
                         "note": note})
    return pd.DataFrame(rows)


def summary_table(mt: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """sensitivity.csv: per outcome and parameter, Morris and (where run) Sobol figures."""
    if mt.empty:
        return mt
    df = mt[["outcome", "quantity", "parameter", "rank", "mu_star", "mu_star_conf", "sigma",
             "mu_star_relative"]].rename(columns={"rank": "morris_rank"})
    if not st.empty:
        df = df.merge(st[["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]],
                      on=["outcome", "parameter"], how="left")
    return df


@holds_folders
def run_sensitivity(path: str | Path, *, out: str | Path, workers: int = 1,
                    scheduler: str | None = None, resume: bool = False,
                    overwrite: bool = False, progress: bool = False) -> dict:
    """Run a sensitivity file; write its results folder; return the manifest."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    from sim.engine.folder import write_manifest
    from sim.engine.ensemble import assemble, prepare
    from sim.engine.folder import atomic_write_text
    from sim.engine.folder import now, versions

    sf, base, outcomes = load_sensitivity(path)
    seed = int(base.model.seed if sf.seed is None else sf.seed)
    names = list(BEHAVIOUR) if sf.parameters == "all" else list(sf.parameters)
    out = Path(out)
    parts = prepare(out, overwrite, resume)
    check_design(out, {"study": sf.model_dump(mode="json"), "base": base.sha256,
                       "seed": seed}, resume)
    started = now()
    opts = {"workers": workers, "scheduler": scheduler, "resume": resume, "progress": progress}
    levels = int(sf.morris.levels)
    Xm = morris_sample.sample(_problem_of(names), int(sf.morris.trajectories),
                              num_levels=levels, seed=derived_seed(seed, 1))
    mtasks = _tasks("morris", Xm, names, sf, base, seed, outcomes)
    failed = run_stage(mtasks, parts, **opts)
    points = [pd.DataFrame(Xm, columns=names).assign(stage="morris", point=range(len(Xm)))]
    mt = st = pd.DataFrame()
    chosen, stasks = [], []
    if not failed:
        Ym = per_point(read_parts(parts, mtasks), outcomes, ["point"]).sort_values("point")
        mt = morris_table(Xm, Ym, names, outcomes, levels, derived_seed(seed, 2))
        if sf.sobol is not None:
            k = sf.sobol.parameters
            chosen = list(k) if isinstance(k, list) else choose_sobol(mt, names, int(k))
            Xs = sobol_sample.sample(_problem_of(chosen), int(sf.sobol.samples),
                                     calc_second_order=False, seed=derived_seed(seed, 3))
            stasks = _tasks("sobol", Xs, chosen, sf, base, seed, outcomes)
            failed = run_stage(stasks, parts, **opts)
            points.append(pd.DataFrame(Xs, columns=chosen).assign(stage="sobol",
                                                                  point=range(len(Xs))))
            if not failed:
                Ys = per_point(read_parts(parts, stasks), outcomes, ["point"]) \
                    .sort_values("point")
                st = sobol_table(Ys, chosen, outcomes, derived_seed(seed, 4), mt)
    assemble(parts, mtasks + stasks, out)  # outcomes.parquet: every point and replicate
    pts = pd.concat(points, ignore_index=True)
    write_csv(pts[["stage", "point", *[c for c in pts.columns if c not in ("stage", "point")]]],
              out / "points.csv")
    write_csv(mt, out / "morris.csv")
    write_csv(st, out / "sobol.csv")
    write_csv(summary_table(mt, st), out / "sensitivity.csv")
    atomic_write_text(json.dumps(outcomes, ensure_ascii=False, indent=1), out / "outcomes.json")
    manifest = {
        "schema_version": 1, "command": "sensitivity", "study": sf.name, "source": str(path),
        "base": str(base.path), "base_sha256": base.sha256, "seed": seed,
        "population_scale": base.model.population.scale, "replicates": int(sf.replicates),
        "pairing": "common random numbers: every point runs replicates 0..replicates-1 of "
                   "the seed; a point's outcome is the mean over them (a target's: the share "
                   "meeting it)",
        "parameters": names, "morris_points": len(Xm), "sobol_parameters": chosen,
        "sobol_points": len(stasks) // int(sf.replicates), "workers": workers,
        "scheduler": scheduler, "versions": versions(), "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "confidence_level": CONF, "file": sf.model_dump(mode="json"),
    }
    write_manifest(out, manifest)
    return manifest


read_file = load_sensitivity
run_file = run_sensitivity


def size(m: dict) -> str:
    """What was run, in a few words."""
    return (f"{len(m['parameters'])} parameter(s), Morris {m['morris_points']} point(s), "
            f"Sobol {m['sobol_points']} point(s) x {m['replicates']} replicate(s)")


# ----------------------------------------------------------------------------- report
def report_head(R, m: dict, what: tuple[str, str], needs: str, info: list) -> str:
    """Title, check that the study finished, and the table of what was run."""
    from sim.report import ReportError

    L, out = R.L, R.out
    if not (out / needs).exists():
        raise ReportError(f"{out}: no {needs} (the {m.get('command')} run did not finish?)")
    R.h2("运行概况", "What was run")
    rows = [(L.t("基准情景", "Base scenario"), str(m.get("base"))),
            (L.t("人口比例", "Population scale"), str(m.get("population_scale")))]
    rows += [(L.t(*k), v) for k, v in info]
    rows += [(L.t("随机种子", "Seed"), str(m.get("seed"))),
             (L.t("状态", "Status"), str(m.get("status")))]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    return L.t(f"{what[0]}：{m.get('study')}", f"{what[1]}: {m.get('study')}", " — ")


def report(R, m: dict) -> str:
    """The sensitivity report's sections (called by sim.report.write_report)."""
    import matplotlib.pyplot as plt

    from sim.report import _safe

    L, out = R.L, R.out
    title = report_head(R, m, ("敏感性分析报告", "Sensitivity report"), "morris.csv", [
        (("研究的行为参数", "Behaviour parameters studied"), str(len(m.get("parameters", [])))),
        (("Morris 点数", "Morris points"), str(m.get("morris_points"))),
        (("Sobol 参数", "Sobol parameters"), ", ".join(m.get("sobol_parameters") or [])),
        (("Sobol 点数", "Sobol points"), str(m.get("sobol_points"))),
        (("每点重复次数", "Replicates per point"), str(m.get("replicates")))])
    mt = _read(out / "morris.csv")
    st = _read(out / "sobol.csv")
    if "outcome" not in mt:
        R.p("没有 Morris 结果：有运行失败，见 manifest.json。", "No Morris results: some runs "
            "failed (see manifest.json); fix them and continue with --resume.", "warn")
        return title
    R.h2("要点：各结果最重要的三个参数", "Headline: the three parameters that matter most")
    top = _read(out / "sensitivity.csv")
    top = top[top.morris_rank <= 3]
    R.table(_fmt(top, [c for c in ("mu_star", "mu_star_conf", "sigma", "mu_star_relative", "S1",
                                   "S1_conf", "ST", "ST_conf")
                       if c in top]).fillna(""), "headline",
            caption=("Morris μ*（±95% 区间）及 Sobol 指数", "Morris mu* (± 95% interval) and "
                     "Sobol indices"), csv=top)
    R.p("每个点用相同的重复种子（共同随机数）并取均值；目标的值为达标重复的比例，阈值已按人口比例缩放。",
        f"Every point runs the same replicate seeds (common random numbers) and is averaged; "
        f"a target's value is the share of replicates meeting it, its threshold scaled by "
        f"population.scale ({m.get('population_scale')}). Intervals are bootstrap 95%.")
    R.h2("Morris 筛选", "Morris screening")
    R.p("μ* 为参数在其合理范围内变动时结果的平均绝对变化（结果的单位）；σ 大说明存在交互或非线性。",
        "mu* is the mean absolute change of the outcome when the parameter moves across its "
        "plausible range (in the outcome's units); a large sigma means interactions or "
        "non-linearity.")
    for o, g in mt.groupby("outcome", sort=False):
        g = g.sort_values("mu_star", ascending=False).head(15)
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(g) + 1.2))
        ax.barh(g["parameter"][::-1], g["mu_star"][::-1], xerr=g["mu_star_conf"][::-1],
                color="#2a6f97", ecolor="#888", capsize=2)
        ax.set_xlabel("mu*" + L.f("（结果单位）", " (outcome units)"))
        ax.set_title(f"{o} — Morris mu* " + L.f("前 15", "top 15"))
        fig.tight_layout()
        top = g.iloc[0]
        R.figure(fig, f"morris_{_safe(o)}",
                 (f"{o}：影响最大的参数是 {top.parameter}（μ* = {top.mu_star:.3g} ± "
                  f"{top.mu_star_conf:.2g}）。",
                  f"{o}: the parameter that matters most is {top.parameter} (mu* = "
                  f"{top.mu_star:.3g} ± {top.mu_star_conf:.2g})."))
    show = mt[mt["rank"] <= 10].copy()
    R.table(_fmt(show, ["mu", "mu_star", "mu_star_conf", "sigma", "mu_star_relative"]),
            "morris_top", caption=("各结果前 10 个参数（Morris）", "Top 10 parameters per outcome "
                                   "(Morris)"), csv=mt)
    if not st.empty:
        R.h2("Sobol 指数", "Sobol indices")
        R.p("S1：该参数单独解释的结果方差比例；ST：包括与其他参数交互在内的总比例。误差线为 95% 区间。",
            "S1: share of the outcome's variance the parameter explains alone; ST: including "
            "its interactions with the others. Bars show 95% intervals.")
        aside = []
        for o, g in st.groupby("outcome", sort=False):
            if g["S1"].isna().all():
                continue
            top = left_out_driver(mt, list(g["parameter"]), o)
            if top:
                aside.append(f"{o} ({top})")
                continue
            fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(g) + 1.2))
            y = np.arange(len(g))
            ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], label="S1", color="#2a6f97",
                    ecolor="#888", capsize=2)
            ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], label="ST", color="#e07a5f",
                    ecolor="#888", capsize=2)
            ax.set_yticks(y)
            ax.set_yticklabels(g["parameter"])
            ax.invert_yaxis()
            ax.legend(fontsize=8)
            ax.set_title(f"{o} — Sobol")
            fig.tight_layout()
            top = g.loc[g["ST"].idxmax()]
            R.figure(fig, f"sobol_{_safe(o)}",
                     (f"{o}：总效应最大的是 {top.parameter}（ST = {top.ST:.2f} ± {top.ST_conf:.2f}）。",
                      f"{o}: largest total effect {top.parameter} (ST = {top.ST:.2f} ± "
                      f"{top.ST_conf:.2f})."))
        if aside:
            R.p("以下结果的主要驱动参数不在 Sobol 参数之中，其指数只分摊所选参数造成的少量方差，故不作图："
                + "；".join(aside) + "。可在 sobol.parameters 中列出这些参数后重跑。",
                "Not drawn: for these outcomes Morris's top parameter is not among the Sobol "
                "parameters, so their indices share out only the little variance the chosen "
                "ones make: " + "; ".join(aside) + ". List those parameters under "
                "sobol.parameters to apportion it.", "warn")
        R.table(_fmt(st, ["S1", "S1_conf", "ST", "ST_conf"]).fillna(""), "sobol",
                caption=("Sobol 指数", "Sobol indices"), csv=st)
    return title


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def _fmt(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    df = df.copy()
    for c in cols:
        df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return df


def headline(out: Path) -> list[str]:
    """A few lines for the terminal: per outcome, the top three parameters."""
    summ = _read(out / "sensitivity.csv")
    lines = []
    for o, g in summ.groupby("outcome", sort=False):
        g = g.sort_values("morris_rank").head(3)
        parts = []
        for _, r in g.iterrows():
            s = f"{r.parameter} mu*={r.mu_star:.3g}±{r.mu_star_conf:.2g}"
            if "ST" in r and pd.notna(r.ST):
                s += f" S1={r.S1:.2f}±{r.S1_conf:.2f} ST={r.ST:.2f}±{r.ST_conf:.2f}"
            parts.append(s)
        lines.append(f"{o}: " + "; ".join(parts))
    return lines
