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
from sim.report import COLORS, LADDER, Lang, money_scale, rc_style, short_zone  # noqa: E402

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


def slider_defaults(resolved: dict) -> dict:
    """The scenario's value of each slider's lever (a dated value: at the start)."""
    start = resolved["calendar"]["start"]
    from sim.core.calendar import q_index

    out = {}
    for name, (key, *_rest) in LEVERS.items():
        v = _lookup(resolved, key)
        out[name] = float(value_at(v, q_index(start)))
    return out


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
    """The SolaraViz page of a loaded scenario (a solara element)."""
    from mesa.visualization import SolaraViz

    _LANG.set(tuple(lang))
    Model = make_model_class(loaded)
    model = Model()
    return SolaraViz(model, components=_components(), model_params=sliders(
        loaded.resolved), name=f"hitech-sim — {loaded.model.name}", play_interval=300)


def _page_from_env():
    from sim.scenario.loader import load

    spec = json.loads(os.environ.get(ENV) or "{}")
    if not spec.get("file"):
        return None
    return make_page(load(spec["file"], spec.get("set") or []),
                     lang=tuple(spec.get("lang") or ("zh", "en")))


if os.environ.get(ENV):  # in the server started by serve(): `solara run` reads `page`
    page = _page_from_env()


def serve(file: str, sets: list[str], host: str = "127.0.0.1", port: int = 8765,
          lang: str = "zh,en") -> int:
    """Serve the page of ``file`` (``hitech-sim app``) until interrupted: this process
    becomes the ``solara run`` server (so its id is the server's)."""
    import sys

    env = dict(os.environ)
    env[ENV] = json.dumps({"file": str(file), "set": list(sets),
                           "lang": [x.strip() for x in lang.split(",") if x.strip()]})
    cmd = [sys.executable, "-m", "solara", "run", "sim.app:page", "--host", host,
           "--port", str(port), "--production", "--no-open"]
    print(f"hitech-sim app: serving {file} on http://{host}:{port}/ (Ctrl-C stops it)",
          flush=True)
    os.execve(sys.executable, cmd, env)
    return 1  # not reached
