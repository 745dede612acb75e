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

The file's format is :mod:`sim.scenario.studies`; the statistics (per-point outcomes,
Morris and Sobol tables) are :mod:`sim.analysis.sensitivity`; this module designs the
points, runs them and writes the tables.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import (CONF, MISSES_DRIVER, RESAMPLES,  # noqa: F401
                                      choose_sobol, derived_seed, left_out_driver,
                                      morris_table, per_point, problem_of, quantity,
                                      sobol_table, summary_table)
from sim.engine.ensemble import Task, assemble, execute, part_ok, prepare, with_behaviour
from sim.engine.folder import OutputError, atomic_write_text, now, versions, write_manifest
from sim.scenario.loader import Problem, ScenarioError, display_path, load
from sim.scenario.params import BEHAVIOUR
from sim.scenario.studies import (UNSCALED, Morris, Sobol, SensitivityFile,  # noqa: F401
                                  check_names, problem, read_study, study_outcomes)


# ----------------------------------------------------------------- shared with robust


def run_stage(tasks: list, parts: Path, *, workers: int, scheduler: str | None,
              resume: bool, progress: bool) -> list[dict]:
    """Run tasks into parts (resuming finished ones); return the failures."""
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


def check_design(out: Path, design: dict, resume: bool) -> None:
    """Keep the design beside the parts; a resumed folder must have been made by the same
    study (same file settings and base), else its parts would mix two designs."""
    path = out / "design.json"
    text = json.dumps(design, sort_keys=True, ensure_ascii=False, default=str)
    if resume and path.exists() and path.read_text(encoding="utf-8") != text:
        raise OutputError(f"{out}: was made by a different study or base scenario (valid: "
                          "the same file and base to --resume, or --overwrite, or another --out)")
    atomic_write_text(text, path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A CSV with BOM (Excel opens Chinese), written atomically."""
    atomic_write_text("\ufeff" + df.to_csv(index=False), path)


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
        raise ScenarioError([Problem(display_path(path), 0, f"set -> {q.path}", q.message)
                             for q in e.problems]) from None
    outcomes = study_outcomes(path, origins, sf.outcomes, base, sf.targets)
    return sf, base, outcomes


def _tasks(stage: str, X: np.ndarray, names: list[str], sf, base, seed: int,
           outcomes: list[dict]) -> list:
    """Point x replicate tasks; Sobol keys name the chosen parameters (a short hash), so
    that parts of another choice are never taken for these."""
    tag = "m" if stage == "morris" else "s" + hashlib.sha256(
        ",".join(names).encode()).hexdigest()[:8] + "-"
    tasks = []
    for i, row in enumerate(X):
        resolved = with_behaviour(base.resolved, dict(zip(names, row, strict=True)))
        for k in range(int(sf.replicates)):
            tasks.append(Task(f"{tag}{i:05d}--r{k:04d}", resolved, sf.name, k, seed,
                              outcomes=outcomes, extra={"stage": stage, "point": i}))
    return tasks


def run_sensitivity(path: str | Path, *, out: str | Path, workers: int = 1,
                    scheduler: str | None = None, resume: bool = False,
                    overwrite: bool = False, progress: bool = False) -> dict:
    """Run a sensitivity file; write its results folder; return the manifest."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

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
    Xm = morris_sample.sample(problem_of(names), int(sf.morris.trajectories),
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
            Xs = sobol_sample.sample(problem_of(chosen), int(sf.sobol.samples),
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
