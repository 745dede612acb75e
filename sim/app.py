"""``hitech-sim app``: an interactive view of one run (Mesa's SolaraViz).

The page runs one replicate of a scenario quarter by quarter. Its sidebar holds
sliders for the main levers (A1 R&D award rate and cap, B1 referrer's credit share,
A3 scenario-pilot support, the provincial budget) and the seed; Reset rebuilds the
model with them, Step runs one quarter, ▶ plays. Its panels:

- a zone overview: one tile per zone, coloured by the growth of its 高企 since the
  initial state, with firms, 高企, quarterly revenue and awards to date;
- charts of one zone (or all): the ladder (firms by highest rung), revenue,
  investment landed and credited, awards paid;
- 高企, gazelles and 专精特新 for all zones, from the model's DataCollector (Mesa's
  own plot component).

The model is :class:`sim.model.HighTechZoneModel`; :func:`make_model_class` wraps it
in a subclass whose constructor takes the sliders' values as keywords, as SolaraViz
needs, and applies them to the scenario as overrides (checked like ``--set``). A
slider set on a lever whose value is dated in the scenario replaces the whole
schedule by that one value.

Serving: ``hitech-sim app FILE`` passes the scenario to a ``solara run`` server
through the environment (:data:`ENV`) and :data:`page` is read there.
"""

from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.core import metrics as met  # noqa: E402
from sim.report import fix_fonts  # noqa: E402
from sim.scenario import levers  # noqa: E402
from sim.core.calendar import value_at  # noqa: E402
from sim.model import HighTechZoneModel  # noqa: E402
from sim.report import (COLORS, LADDER, METRIC_LABELS, Lang, money_scale,  # noqa: E402
                        rc_style, short_zone)
from sim.report.lang import count_unit, fmt_value, metric_label  # noqa: E402

ENV = "HITECH_SIM_APP"  # JSON {"file": path, "set": ["key=value", ...]} for the server

# slider -> (scenario key, label, min, max, step); the value is the scenario's: the
# levers' sliders from the lever registry, and the provincial budget
LEVERS = {
    **levers.sliders(),
    "province_budget_wan": ("policy.budget.province_wan_per_year",
                            "Provincial budget (万元 a year)", 0, 400000, 10000),
}
# all-zone series kept by the DataCollector (Mesa's plot component reads them)
REPORTERS = ["hte", "gazelles", "specialised", "enterprises", "revenue_wan", "subsidy_wan"]


def _lookup(resolved: dict, key: str):
    cur = resolved
    for p in key.split("."):
        cur = cur[p]
    return cur


def slider_defaults(resolved: dict, sliders: dict | None = None) -> dict:
    """The scenario's value of each slider's lever (a dated value: at the start);
    ``sliders``: name -> (scenario key, ...), by default the view's :data:`LEVERS`."""
    from sim.core.calendar import q_index

    start = q_index(resolved["calendar"]["start"])
    return {name: float(value_at(_lookup(resolved, spec[0]), start))
            for name, spec in (LEVERS if sliders is None else sliders).items()}


def make_model_class(loaded):
    """A subclass of :class:`HighTechZoneModel` built from slider keywords.

    >>> import sim
    >>> L = sim.load_scenario("scenarios/yunnan_baseline.yaml",
    ...                       overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
    >>> Model = make_model_class(L)
    >>> m = Model(rd_cap_wan=500)
    >>> m.scenario_data.policy.rd_subsidy.cap_wan, m.scenario_data.policy.referral.referrer_share
    (500.0, 0.4)
    >>> m.step(); m.quarter
    '2025Q3'
    >>> m.datacollector.get_model_vars_dataframe().shape[0]
    2
    >>> Model(seed="x1")
    Traceback (most recent call last):
    ...
    ValueError: seed 'x1' is not a whole number
    """
    from mesa import DataCollector

    from sim.scenario.loader import load

    base = loaded.resolved
    d = slider_defaults(base)

    class ZoneViewModel(HighTechZoneModel):
        """One replicate of the scenario with the sliders' lever values."""

        resolved = base

        def __init__(self, rd_rate: float = d["rd_rate"], rd_cap_wan: float = d["rd_cap_wan"],
                     referrer_share: float = d["referrer_share"],
                     pilot_rate: float = d["pilot_rate"],
                     province_budget_wan: float = d["province_budget_wan"],
                     seed: int = int(base["seed"])):
            values = {"rd_rate": rd_rate, "rd_cap_wan": rd_cap_wan,
                      "referrer_share": referrer_share, "pilot_rate": pilot_rate,
                      "province_budget_wan": province_budget_wan}
            try:
                seed = int(str(seed).strip())
            except ValueError:
                raise ValueError(f"seed {seed!r} is not a whole number") from None
            if seed < 0:
                raise ValueError("a seed is a whole number >= 0")
            over = {LEVERS[k][0]: float(v) for k, v in values.items() if float(v) != d[k]}
            sc = load(base, over).model if over else loaded.model
            super().__init__(sc, replicate=0, seed=seed)
            self.lever_values = values
            self.datacollector = DataCollector(model_reporters={
                r: (lambda m, i=met.M[r]: float(m.out[m.steps, -1, i])) for r in REPORTERS})
            self.datacollector.collect(self)

        @property
        def quarter(self) -> str:
            """The last quarter simulated (the initial state's before the first step)."""
            return self.quarters[self.steps]

        def step(self) -> None:
            if self.steps >= self.n_steps:  # the calendar is over
                self.running = False
                return
            super().step()
            self.datacollector.collect(self)

    return ZoneViewModel


# --------------------------------------------------------------------------- drawing
def _history(model, metric: str, zone: int) -> np.ndarray:
    """A metric's values so far (initial state first) for a zone row (-1 = all)."""
    return model.out[: model.steps + 1, zone, met.M[metric]]


def _zone_name(model, zi: int, L) -> str:
    if zi < 0:
        return L.f("全部模拟园区", "all modelled zones")
    return short_zone(model.resolved["zones"], model.zone_ids[zi], L)


def overview_figure(model, lang=("zh", "en")):
    """One tile per zone: 高企 growth since the initial state as colour; firms, 高企,
    revenue of the quarter and awards to date as text.

    >>> import sim
    >>> L = sim.load_scenario("scenarios/yunnan_baseline.yaml",
    ...                       overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
    >>> m = make_model_class(L)(); m.step()
    >>> fig = overview_figure(m, lang=("en",))
    >>> len(fig.axes[0].patches) == len(m.zone_ids)
    True
    """
    L = Lang(lang)
    T = Lang(L.fig_lang[:1])  # tile text in one language, to fit
    with plt.rc_context(rc_style(L)):
        Z = len(model.zone_ids)
        ncol = 4
        nrow = int(np.ceil(Z / ncol))
        fig, ax = plt.subplots(figsize=(9, 1.3 * nrow + 0.6))
        hte = model.out[: model.steps + 1, :Z, met.M["hte"]]
        growth = np.where(hte[0] > 0, hte[-1] / np.maximum(hte[0], 1e-9) - 1, 0.0)
        awards = np.nansum(model.out[1: model.steps + 1, :Z, met.M["subsidy_wan"]], axis=0)
        cmap = plt.get_cmap("RdYlGn")
        lim = max(0.1, float(np.nanmax(np.abs(growth))))
        for zi in range(Z):
            r, c = divmod(zi, ncol)
            x, y = c, nrow - 1 - r
            col = cmap(0.5 + 0.5 * float(growth[zi]) / lim)
            ax.add_patch(plt.Rectangle((x + 0.03, y + 0.05), 0.94, 0.9, color=col, alpha=0.75,
                                       lw=0))
            level = model.resolved["zones"][zi]["level"]
            ax.text(x + 0.5, y + 0.8, _zone_name(model, zi, L) + (" ★" if level == "national"
                                                                  else ""),
                    ha="center", va="center", fontsize=8.5)
            rev = model.out[model.steps, zi, met.M["revenue_wan"]] if model.steps else np.nan
            firms = model.out[model.steps, zi, met.M["enterprises"]]
            ax.text(x + 0.5, y + 0.4,
                    f"{T.f('企业', 'firms')} {firms:,.0f}"
                    f"  {T.f('高企', 'HTE')} {hte[-1, zi]:,.0f} ({100 * growth[zi]:+.0f}%)\n"
                    f"{T.f('季度收入', 'revenue/q')} {_money(rev, T)}\n"
                    f"{T.f('累计奖补', 'awards to date')} {_money(awards[zi], T)}",
                    ha="center", va="center", fontsize=7, linespacing=1.4)
        ax.set_xlim(0, ncol)
        ax.set_ylim(0, nrow)
        ax.axis("off")
        ax.set_title(L.f("园区概览", "Zone overview") + f" — {model.quarter}  "
                     + L.f("（颜色：高企较初始增长；★ 国家级）",
                           "(colour: HTE growth since start; ★ national)"), fontsize=9)
        fig.tight_layout()
        fix_fonts(fig)
    return fig


def _money(wan: float, L) -> str:
    """万元 as short text: 亿/万 in Chinese figures, bn/M CNY in English ones."""
    if wan is None or not np.isfinite(wan):
        return "–"
    if "zh" in L.fig_lang:
        return f"{wan / 1e4:,.1f}亿" if abs(wan) >= 1e4 else f"{wan:,.0f}万"
    return f"{wan / 1e5:,.1f}bn CNY" if abs(wan) >= 1e4 else f"{wan / 100:,.1f}M CNY"


def zone_figure(model, zone: str = "ALL", lang=("zh", "en")):
    """Four panels for one zone (or ``ALL``): ladder counts, revenue, investment landed
    and credited, awards paid, quarter by quarter so far.

    >>> import sim
    >>> L = sim.load_scenario("scenarios/yunnan_baseline.yaml",
    ...                       overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
    >>> m = make_model_class(L)(); m.step(); m.step()
    >>> [a.get_title() for a in zone_figure(m, "kunming", lang=("en",)).axes[:4]]
    ['The ladder (firms)', 'Revenue per quarter', 'Investment per quarter', 'Awards paid']
    """
    L = Lang(lang)
    zi = -1 if zone == "ALL" else model.zone_index[zone]
    qs = model.quarters[: model.steps + 1]
    x = np.arange(len(qs))
    with plt.rc_context(rc_style(L)):
        fig, axes = plt.subplots(2, 2, figsize=(8, 5.2))
        a = axes[0][0]
        lad = {m: _history(model, m, zi) for m in LADDER}
        # start-ups outnumber the rest many times over: their count is in the title
        parts = [lad["tech_smes"], lad["hte"] - lad["gazelles"] - lad["leaders"],
                 lad["gazelles"], lad["leaders"]]
        names = [("科技型中小", "tech SMEs"), ("高企", "HTE"), ("瞪羚", "gazelles"),
                 ("领军", "leaders")]
        cols = ["#6baed6", "#2171b5", "#fd8d3c", "#a63603"]
        a.stackplot(x, *[np.nan_to_num(p) for p in parts], colors=cols,
                    labels=[L.f(*n) for n in names])
        a.set_title(L.f("企业梯度（家）", "The ladder (firms)"))
        a.text(0.99, 0.02, L.f("初创", "start-ups") + f" {lad['startups'][-1]:,.0f}",
               transform=a.transAxes, ha="right", va="bottom", fontsize=7)
        a.legend(fontsize=6, loc="upper left")
        flows = x[1:]
        a = axes[0][1]
        rev = _history(model, "revenue_wan", zi)[1:]
        div, uzh, uen = money_scale(float(np.nanmax(np.abs(rev))) if rev.size else 0)
        a.plot(flows, rev / div, color=COLORS[0], marker="o", ms=3)
        a.set_title(L.f("季度营业收入", "Revenue per quarter"))
        a.set_ylabel(L.f(uzh, uen))
        a = axes[1][0]
        land = _history(model, "investment_landed_wan", zi)[1:]
        cred = _history(model, "investment_credited_wan", zi)[1:]
        div, uzh, uen = money_scale(float(np.nanmax(np.abs(np.r_[land, cred, 0]))))
        a.plot(flows, land / div, color=COLORS[0], marker="o", ms=3,
               label=L.f("落地", "landed"))
        a.plot(flows, cred / div, color=COLORS[1], marker="s", ms=3, ls="--",
               label=L.f("计入考核", "credited"))
        a.set_title(L.f("每季度投资", "Investment per quarter"))
        a.set_ylabel(L.f(uzh, uen))
        a.legend(fontsize=7)
        a = axes[1][1]
        paid = np.nan_to_num(_history(model, "subsidy_wan", zi)[1:])
        div, uzh, uen = money_scale(float(paid.sum()))
        a.bar(flows, paid / div, color=COLORS[2], label=L.f("本季度", "in the quarter"))
        a2 = a.twinx()
        a2.plot(flows, np.cumsum(paid) / div, color="black", lw=1.2,
                label=L.f("累计", "to date"))
        a2.set_ylim(bottom=0)
        a.set_title(L.f("奖补支出", "Awards paid"))
        a.set_ylabel(L.f(uzh, uen))
        for ax in (axes[0][0], axes[0][1], axes[1][0], axes[1][1]):
            ticks = [i for i in range(len(qs)) if qs[i].endswith("Q4")] or list(x)
            ax.set_xticks(ticks)
            ax.set_xticklabels([qs[i][:4] if qs[i].endswith("Q4") else qs[i] for i in ticks],
                               fontsize=7)
            ax.set_xlim(-0.5, max(len(qs) - 0.5, 1.5))
        fig.suptitle(_zone_name(model, zi, L) + f" — {model.quarter}", fontsize=10)
        fig.tight_layout()
        fix_fonts(fig)
    return fig


# --------------------------------------------------------------------------- the page
try:  # the app extra; without it the figures above still work
    import solara
    from mesa.visualization.utils import update_counter
except ImportError:  # pragma: no cover - hitech-sim app says what to install
    solara = None

if solara is not None:
    _LANG = solara.reactive(("zh", "en"))  # figure labels, set by make_page

    @solara.component
    def ZoneOverview(model):
        """The zone overview tiles, redrawn every step."""
        update_counter.get()
        fig = overview_figure(model, _LANG.value)
        solara.FigureMatplotlib(fig, format="png", dpi=90)
        plt.close(fig)

    @solara.component
    def ZoneCharts(model):
        """The four charts of one zone (menu) or all, redrawn every step."""
        update_counter.get()
        zone, set_zone = solara.use_state("ALL")
        solara.Select(label="Zone 园区", value=zone, on_value=set_zone,
                      values=["ALL"] + list(model.zone_ids))
        fig = zone_figure(model, zone if zone in model.zone_index else "ALL", _LANG.value)
        solara.FigureMatplotlib(fig, format="png", dpi=90)
        plt.close(fig)


def _components():
    from mesa.visualization import make_plot_component

    allz = make_plot_component({"hte": COLORS[0], "gazelles": COLORS[1],
                                "specialised": COLORS[2]})
    return [(ZoneOverview, 0), (ZoneCharts, 0), allz]


def sliders(resolved: dict) -> dict:
    """SolaraViz's model parameters: a slider per lever, set to the scenario's value."""
    from mesa.visualization import Slider

    d = slider_defaults(resolved)
    out = {}
    for name, (_key, label, lo, hi, step) in LEVERS.items():
        v = d[name]
        hi = max(hi, v)
        if isinstance(step, float):
            out[name] = Slider(label, value=float(v), min=float(lo), max=float(hi),
                               step=step, dtype=float)
        else:
            out[name] = Slider(label, value=int(round(v)), min=int(lo), max=int(hi),
                               step=step, dtype=int)
    out["seed"] = {"type": "InputText", "value": str(resolved["seed"]), "label": "Seed"}
    return out


def make_page(loaded, lang=("zh", "en")):
    """The SolaraViz page of a loaded scenario (a solara element). Each browser session
    builds its own model (:func:`ViewPage`), so one session's steps never show in
    another's."""
    _LANG.set(tuple(lang))
    return ViewPage(loaded)


if solara is not None:

    @solara.component
    def ViewPage(loaded):
        """SolaraViz on a model of this session's own (built once per session)."""
        from mesa.visualization import SolaraViz

        model = solara.use_memo(lambda: make_model_class(loaded)(), dependencies=[])
        return SolaraViz(model, components=_components(), model_params=sliders(
            loaded.resolved), name=f"hitech-sim — {loaded.model.name}", play_interval=300)


def _page_from_env():
    from sim.scenario.loader import load

    spec = json.loads(os.environ.get(ENV) or "{}")
    if not spec.get("file"):
        return None
    loaded = load(spec["file"], spec.get("set") or [])
    lang = tuple(spec.get("lang") or ("zh", "en"))
    if spec.get("mode") == "whatif":
        return WhatIfPage(loaded, lang=lang, pairs=int(spec.get("pairs") or WHATIF_PAIRS),
                          workers=int(spec.get("workers") or (os.cpu_count() or 1)))
    return make_page(loaded, lang=lang)


# --------------------------------------------------------------------------- what-if
# The what-if page (``hitech-sim app FILE --what-if``): move a lever, run a paired
# ensemble of the base and the change in the background, read the difference bands,
# the cost and the share of replicates meeting each target. Each browser session has
# its own state (solara.use_state in the page's component).

# slider -> (scenario key, label zh, label en, unit zh, unit en, min, max, step)
WHATIF_LEVERS = {
    "rd_rate": ("policy.rd_subsidy.rate", "A1 研发投入补助比例", "A1 R&D award rate",
                "", "", 0.0, 0.5, 0.01),
    "rd_cap_wan": ("policy.rd_subsidy.cap_wan", "A1 单项补助上限", "A1 cap per award",
                   "万元/项", "万元 per award", 0, 5000, 100),
    "referrer_share": ("policy.referral.referrer_share", "B1 推荐方分成", "B1 referrer's share",
                       "", "", 0.0, 1.0, 0.05),
    "hte_match": ("policy.hte_matching.ratio", "A5 园区配套比例", "A5 zones' match ratio",
                  "× 省级奖励", "× the province's award", 0.0, 2.0, 0.1),
    "province_budget_wan": ("policy.budget.province_wan_per_year", "省级奖补预算",
                            "Provincial budget", "万元/年", "万元 a year", 0, 400000, 10000),
    "zone_budget_wan": ("policy.budget.zone_wan_per_year", "每个园区的奖补预算",
                        "Budget of each zone", "万元/年", "万元 a year", 0, 50000, 1000),
}
WHATIF_PAIRS = 40  # paired replicates of a what-if by default
# the target metrics the page shows: (metric, cumulative from the start)
WHATIF_METRICS = [("hte", False), ("specialised", False), ("gazelles", False),
                  ("revenue_wan", False), ("employees", False),
                  ("awards_earned_wan", True), ("subsidy_wan", True)]


def whatif_defaults(resolved: dict) -> dict:
    """The scenario's value of each what-if lever (a dated value: at the start)."""
    return slider_defaults(resolved, WHATIF_LEVERS)


def whatif_label(name: str, value: float, L) -> str:
    """A slider's label with its value and unit, in the page's languages."""
    _key, zh, en, uzh, uen, _lo, _hi, step = WHATIF_LEVERS[name]
    v = f"{value:,.2f}" if isinstance(step, float) else f"{value:,.0f}"
    return L.t(f"{zh}：{v} {uzh}".strip(), f"{en}: {v} {uen}".strip())


def run_whatif(loaded, values: dict, pairs: int, workers: int = 1, progress=None) -> dict:
    """Run the base and the change (the levers of ``values`` that differ from the base's)
    on the same ``pairs`` replicate seeds, behaviour sampled as the headline rule says
    (with the luck-only set beside), and summarise: per target metric the paired
    difference per quarter (bands), the cost, and the share of replicates meeting each
    target. ``progress(done, total)`` is called after each replicate."""
    from sim.analysis.paired import difference_bands
    from sim.scenario.loader import load
    from sim.studies.compare import compare

    d = whatif_defaults(loaded.resolved)
    over = {WHATIF_LEVERS[k][0]: float(v) for k, v in values.items()
            if k in WHATIF_LEVERS and abs(float(v) - d[k]) > 1e-12}
    name = loaded.model.name
    change = load(loaded.resolved, {**over, "name": f"{name}_what_if"})
    c = compare(loaded, [change], replicates=int(pairs), workers=int(workers),
                progress=progress or False, sample_behaviour=True)
    v = change.model.name
    bands = {m: difference_bands(c.metrics, name, v, m, cumulative=cum)
             for m, cum in WHATIF_METRICS if (c.metrics.metric == m).any()}
    diffs = c.differences
    if diffs is not None and not diffs.empty:
        diffs = diffs[diffs.variant == v]
    return {"overrides": over, "pairs": int(pairs), "base": name, "variant": v,
            "bands": bands, "differences": diffs, "targets": list(c.targets),
            "behaviour_sampled": True}


def whatif_figure(summary: dict, lang=("zh", "en")):
    """The difference bands (change − base, median and 90% band over the pairs) of the
    target metrics and the money, one panel each, on a shared quarter axis."""
    L = Lang(lang)
    bands = summary["bands"]
    names = list(bands)
    ncol = 4
    nrow = max(1, int(np.ceil(len(names) / ncol)))
    with plt.rc_context(rc_style(L)):
        fig, axes = plt.subplots(nrow, ncol, figsize=(13, 3.0 * nrow), squeeze=False)
        for i, m in enumerate(names):
            ax = axes[i // ncol][i % ncol]
            b = bands[m]
            x = np.arange(len(b))
            div, (uzh, uen) = 1.0, count_unit(m)
            if m.endswith("_wan"):
                div, uzh, uen = money_scale(float(np.nanmax(np.abs(
                    b[["p05", "p95"]].to_numpy()))) if len(b) else 0.0)
            ax.fill_between(x, b.p05 / div, b.p95 / div, color=COLORS[0], alpha=0.25,
                            lw=0, label=L.f("90% 区间", "90% band"))
            ax.plot(x, b["median"] / div, color=COLORS[0], lw=1.8, label=L.f("中位数", "median"))
            ax.axhline(0, color="black", lw=0.8)
            zh, en, _kind = METRIC_LABELS.get(m, (m, m, ""))
            cum = m in ("awards_earned_wan", "subsidy_wan")
            title = L.f(zh + ("（累计）" if cum else ""), en + (" (to date)" if cum else ""))
            ax.set_title(title, fontsize=9)
            ax.set_ylabel(L.f(f"变化（{uzh}）", f"change ({uen})"), fontsize=8)
            ticks = [k for k, q in enumerate(b.quarter) if q.endswith("Q4")]
            ax.set_xticks(ticks)
            ax.set_xticklabels([b.quarter.iloc[k][:4] for k in ticks], fontsize=8)
            if i == 0:
                ax.legend(fontsize=7, loc="upper left")
        for j in range(len(names), nrow * ncol):
            axes[j // ncol][j % ncol].axis("off")
        fig.suptitle(L.f(f"方案变化 − 基准（{summary['pairs']} 对配对重复）",
                         f"Change − base ({summary['pairs']} paired replicates)"), fontsize=11)
        fix_fonts(fig)
        fig.tight_layout()
    return fig


def whatif_tables(summary: dict, lang=("zh", "en")) -> tuple[str, str]:
    """Markdown: the change at each checkpoint with its 90% interval and the cost; and
    the share of replicates meeting each target, base and change."""
    L = Lang(lang)
    d = summary["differences"]
    head = [L.t("指标", "metric"), L.t("检查点", "checkpoint"), L.t("变化（均值）", "change (mean)"),
            L.t("90% 区间", "90% interval")]
    rows = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    if d is not None and not d.empty:
        show = ["hte", "specialised", "gazelles", "revenue_wan", "obligations_to_date_wan",
                "awards_to_date_wan", "arrears_wan"]
        def v(metric, x):  # a change that rounds to nothing reads 0, not -0
            return fmt_value(metric, 0.0 if abs(x) < 0.5 else x, L)

        for m in show:
            # the comparison's rows of the metric (cost rows carry a basis; these do not)
            for _, r in d[(d.metric == m) & d.basis.fillna("").eq("")].iterrows():
                rows.append(f"| {metric_label(m, L, fig=False)} | {r.checkpoint} | "
                            f"{v(m, r.diff_mean)} | {v(m, r.diff_p05)} … {v(m, r.diff_p95)} |")
    t = ["| " + L.t("目标", "target") + " | " + L.t("基准", "base") + " | "
         + L.t("变化后", "with the change") + " |", "|---|---|---|"]
    by = {}
    for r in summary["targets"]:
        by.setdefault(r["id"], {})[r["variant"]] = r
    for tid, rr in by.items():
        cells = []
        for v in (summary["base"], summary["variant"]):
            r = rr.get(v) or {}
            p = r.get("probability")
            cells.append("–" if p is None else f"{100 * p:.0f}% ± {100 * r.get('probability_se', 0):.0f}")
        one = next(iter(rr.values()))
        t.append(f"| {tid} ({one['metric']} {one['op']} {fmt_value(one['metric'], one['threshold'], L)}, "
                 f"{one['by']}) | {cells[0]} | {cells[1]} |")
    return "\n".join(rows), "\n".join(t)


if solara is not None:

    @solara.component
    def WhatIfPage(loaded, lang=("zh", "en"), pairs: int = WHATIF_PAIRS, workers: int = 1):
        """The what-if page: sliders with their values and units, the number of pairs,
        Run; a progress bar while it runs; then the bands, the table and the targets."""
        L = Lang(lang)
        defaults = whatif_defaults(loaded.resolved)
        values, set_values = solara.use_state(dict(defaults))
        n, set_n = solara.use_state(int(pairs))
        run_id, set_run_id = solara.use_state(0)
        prog, set_prog = solara.use_state((0, 0))
        asked, set_asked = solara.use_state(None)  # the values of the run under way

        def work():
            if run_id == 0 or asked is None:
                return None
            return run_whatif(loaded, asked, n, workers=workers,
                              progress=lambda done, total: set_prog((done, total)))

        result = solara.use_thread(work, dependencies=[run_id], intrusive_cancel=False)

        def start():
            set_asked(dict(values))
            set_prog((0, 0))
            set_run_id(run_id + 1)

        solara.Title(L.t("政策模拟：如果…会怎样", "What if: a lever moved"))
        with solara.Sidebar():
            solara.Markdown(L.t(f"**{loaded.model.name}**：移动一个政策参数，运行基准与变化的配对模拟。",
                                f"**{loaded.model.name}**: move a lever and run the base and "
                                "the change on the same seeds."))
            for k, spec in WHATIF_LEVERS.items():
                lo, hi, step = spec[5], spec[6], spec[7]
                val = values[k]
                hi = max(hi, val)

                def on(x, k=k):
                    set_values({**values, k: float(x)})

                # the label (with the value and unit) on a line of its own, the slider below
                solara.Text(whatif_label(k, val, L), style={"font-size": "14px"})
                if isinstance(step, float):
                    solara.SliderFloat(" ", value=float(val), min=float(lo), max=float(hi),
                                       step=step, on_value=on, thumb_label=False)
                else:
                    solara.SliderInt(" ", value=int(round(val)), min=int(lo), max=int(hi),
                                     step=int(step), on_value=on, thumb_label=False)
            solara.Text(L.t(f"配对重复次数：{n}", f"Paired replicates: {n}"),
                        style={"font-size": "14px"})
            solara.SliderInt(" ", value=n, min=2, max=400, step=2, on_value=set_n,
                             thumb_label=False)
            busy = result.state == solara.ResultState.RUNNING
            solara.Button(L.t("运行", "Run"), on_click=start, disabled=busy, color="primary")
            changed = {k: v for k, v in values.items() if abs(v - defaults[k]) > 1e-12}
            solara.Markdown(L.t("与基准不同：", "Differs from the base: ")
                            + (", ".join(whatif_label(k, v, L) for k, v in changed.items())
                               or L.t("无", "nothing")))
        scale = loaded.model.population.scale
        solara.Markdown(L.t(
            f"每次运行基准和变化各 {n} 次配对重复（同一随机种子；行为参数按其合理范围抽样，"
            f"另附仅计运气的一组），人口比例 {scale:g}，使用 {workers} 个进程。",
            f"Each run is {n} paired replicates of the base and of the change (same seeds; "
            f"behaviour drawn from its plausible ranges, with a luck-only set beside), "
            f"population scale {scale:g}, on {workers} worker process(es)."))
        if result.state == solara.ResultState.RUNNING:
            done, total = prog
            pct = 100.0 * done / total if total else 0.0
            solara.Text(L.t(f"运行中：{done} / {total} 次重复", f"Running: {done} of {total} "
                            "replicates"))
            solara.ProgressLinear(value=pct)
        elif result.state == solara.ResultState.ERROR:
            solara.Error(L.t(f"运行失败：{result.error}", f"The run failed: {result.error}"))
        elif result.value is not None:
            summ = result.value
            over = ", ".join(f"{k} = {v:g}" for k, v in summ["overrides"].items())
            solara.Markdown(L.t(f"**结果**（{summ['pairs']} 对）：{over or '与基准相同'}",
                                f"**Result** ({summ['pairs']} pairs): {over or 'same as the base'}"))
            fig = whatif_figure(summ, lang)
            solara.FigureMatplotlib(fig, format="png", dpi=80)
            plt.close(fig)
            table, targets = whatif_tables(summ, lang)
            solara.Markdown(table)
            solara.Markdown(L.t("**达到目标的重复占比**（± 蒙特卡洛标准误）",
                                "**Share of replicates meeting each target** (± Monte Carlo "
                                "standard error)"))
            solara.Markdown(targets)
        else:
            solara.Text(L.t("移动左侧参数，然后点击“运行”。", "Move a lever on the left, then press Run."))


if os.environ.get(ENV):  # in the server started by serve(): `solara run` reads `page`
    page = _page_from_env()


def serve(file: str, sets: list[str], host: str = "127.0.0.1", port: int = 8765,
          lang: str = "zh,en", what_if: bool = False, pairs: int = WHATIF_PAIRS,
          workers: int | None = None) -> int:
    """Serve the page of ``file`` (``hitech-sim app``) until interrupted: this process
    becomes the ``solara run`` server (so its id is the server's)."""
    import sys

    env = dict(os.environ)
    env[ENV] = json.dumps({"file": str(file), "set": list(sets),
                           "lang": [x.strip() for x in lang.split(",") if x.strip()],
                           "mode": "whatif" if what_if else "view", "pairs": int(pairs),
                           "workers": int(workers or os.cpu_count() or 1)})
    cmd = [sys.executable, "-m", "solara", "run", "sim.app:page", "--host", host,
           "--port", str(port), "--production", "--no-open"]
    print(f"hitech-sim app: serving {file} on http://{host}:{port}/ (Ctrl-C stops it)",
          flush=True)
    os.execve(sys.executable, cmd, env)
    return 1  # not reached
