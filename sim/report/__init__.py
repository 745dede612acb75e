"""``hitech-sim report``: a self-contained bilingual ``report.html`` for a results folder.

:func:`write_report` reads a run, compare or sweep folder and writes

- ``DIR/report.html``: one file, every figure embedded as a base64 PNG data URI, CSS
  inline, no scripts, fonts or links (readable offline, can be mailed);
- ``DIR/figures/*.png`` and ``*.svg``: every figure;
- ``DIR/tables/*.csv``: every table, UTF-8 with BOM (opens in Excel with Chinese).

Headings and labels are in Chinese, English or both (``lang``). Chinese in figures
needs a CJK font; without one a warning is printed once and figures use English.
"""

from __future__ import annotations

import base64
import html
import io
import json
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from sim.core.calendar import q_index, q_label, value_at  # noqa: E402
from sim.core.metrics import FLOW_METRICS  # noqa: E402
from sim.scenario import levers  # noqa: E402

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
             "SimHei", "Heiti SC", "Noto Sans CJK JP", "Droid Sans Fallback"]
NO_CJK_WARNING = ("hitech-sim: warning: no CJK font found; figures use English labels; "
                  "install e.g. fonts-wqy-microhei")

FAN_METRICS = ["hte", "enterprises", "revenue_wan", "rd_intensity", "gazelles", "subsidy_wan"]
LADDER = ["startups", "tech_smes", "hte", "gazelles", "leaders"]
INVEST = ["projects_arrived", "projects_landed", "projects_referred", "projects_lost",
          "investment_landed_wan", "investment_credited_wan"]
SECTOR_METRICS = ["enterprises", "hte", "revenue_wan"]

# metric -> (zh, en, unit kind): "count", "money" (万元 in the data), "ratio"
METRIC_LABELS = {
    "hte": ("高新技术企业（高企）", "High-tech enterprises (HTE)", "count"),
    "enterprises": ("企业数", "Enterprises", "count"),
    "revenue_wan": ("营业收入", "Revenue", "money"),
    "rd_intensity": ("研发投入强度", "R&D intensity", "ratio"),
    "gazelles": ("瞪羚企业", "Gazelles", "count"),
    "leaders": ("领军企业", "Leaders", "count"),
    "startups": ("初创企业", "Start-ups", "count"),
    "tech_smes": ("科技型中小企业", "Tech SMEs", "count"),
    "subsidy_wan": ("奖补支出", "Awards paid", "money"),
    "specialised": ("专精特新企业", "Specialised SMEs", "count"),
    "rd_wan": ("研发投入", "R&D spending", "money"),
    "projects_landed": ("落地项目", "Projects landed", "count"),
    "projects_arrived": ("到达项目", "Projects arrived", "count"),
    "projects_referred": ("推荐项目", "Projects referred", "count"),
    "projects_lost": ("流失项目", "Projects lost", "count"),
    "investment_landed_wan": ("落地投资", "Investment landed", "money"),
    "investment_credited_wan": ("计入考核的投资", "Investment credited", "money"),
    "awards_to_date_wan": ("累计奖补", "Awards to date", "money"),
}
LEVER_NAMES = {lv.code: (lv.name_zh, lv.name_en) for lv in levers.LEVERS if lv.money}

_font_state: dict = {}


def cjk_font(warn: bool = True) -> str | None:
    """The name of an installed CJK font matplotlib can use, or None (checked once);
    ``warn``: say once on stderr when there is none."""
    if "name" not in _font_state:
        names = {f.name for f in font_manager.fontManager.ttflist}
        _font_state["name"] = next((n for n in CJK_FONTS if n in names), None)
    if warn and _font_state["name"] is None and not _font_state.get("warned"):
        _font_state["warned"] = True
        print(NO_CJK_WARNING, file=sys.stderr)
    return _font_state["name"]


class ReportError(Exception):
    """A folder that cannot be reported on (exit 2)."""


# --------------------------------------------------------------------------- helpers
class _Lang:
    """Text in the chosen languages: HTML text and figure text (English-only figures
    when Chinese is asked for but no CJK font is installed)."""

    def __init__(self, lang):
        if isinstance(lang, str):
            lang = [x.strip() for x in lang.split(",") if x.strip()]
        lang = tuple(lang)
        bad = [x for x in lang if x not in ("zh", "en")]
        if bad or not lang:
            raise ReportError(f"unknown language {', '.join(bad) or '(none)'} (valid: zh, en "
                              "or zh,en)")
        self.lang = lang
        self.fig_lang = lang
        if "zh" in lang:
            font = cjk_font()
            if font is None:
                self.fig_lang = ("en",)
            self.font = font
        else:
            self.font = None

    def t(self, zh: str, en: str, sep: str = " / ") -> str:
        """HTML text."""
        parts = [zh if x == "zh" else en for x in self.lang]
        return sep.join(dict.fromkeys(parts))

    def f(self, zh: str, en: str, sep: str = " / ") -> str:
        """Figure text."""
        parts = [zh if x == "zh" else en for x in self.fig_lang]
        return sep.join(dict.fromkeys(parts))


def _money_scale(max_abs_wan: float) -> tuple[float, str, str]:
    """Divide by, unit zh, unit en for money shown in a chart."""
    if max_abs_wan >= 1e4:
        return 1e4, "亿元", "100M CNY"
    return 1.0, "万元", "10k CNY"


def fmt_num(x: float) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def fmt_money(wan: float, L: _Lang) -> str:
    """万元 to text, in 亿元 when large."""
    if wan is None or not np.isfinite(wan):
        return "–"
    if abs(wan) >= 1e4:
        return f"{wan / 1e4:,.2f} " + ("亿元" if "zh" in L.lang else "亿元 (100M CNY)")
    return f"{wan:,.0f} " + ("万元" if "zh" in L.lang else "万元 (10k CNY)")


def fmt_value(metric: str, v: float, L: _Lang) -> str:
    kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
    if metric.endswith("_wan") or kind == "money":
        return fmt_money(v, L)
    if kind == "ratio":
        return f"{100 * v:.2f}%"
    return fmt_num(v)


def _mlabel(metric: str, L: _Lang, fig: bool = True) -> str:
    zh, en, _ = METRIC_LABELS.get(metric, (metric, metric, "count"))
    return L.f(zh, en) if fig else L.t(zh, en)


def _name(items: list[dict], key: str, L: _Lang, fig: bool = True) -> str:
    for it in items:
        if it.get("id") == key:
            zh, en = it.get("name_zh") or key, it.get("name_en") or key
            return L.f(zh, en) if fig else L.t(zh, en)
    if key == "ALL":
        return L.f("全部模拟园区", "all modelled zones") if fig else L.t("全部模拟园区",
                                                                  "all modelled zones")
    return key


def _short_zone(items: list[dict], key: str, L: _Lang) -> str:
    """A short zone label for crowded axes."""
    for it in items:
        if it.get("id") == key:
            zh = (it.get("name_zh") or key)
            for suffix in ("高新技术产业开发区", "工业园区(省级高新区)", "工业园区"):
                zh = zh.replace(suffix, "")
            en = (it.get("name_en") or key).replace(" High-tech Zone", "").replace(
                " High-Tech Zone", "").replace(" Hi-tech Zone", "")
            return L.f(zh, en, " ")
    return key


def _flatten(d, prefix=""):
    out = {}
    if isinstance(d, dict) and not (d and all(isinstance(k, str) and len(k) == 6
                                              and k[4] == "Q" for k in d)):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out


# --------------------------------------------------------------------------- report
class _Report:
    def __init__(self, out: Path, L: _Lang):
        self.out, self.L = out, L
        self.figdir, self.tabdir = out / "figures", out / "tables"
        self.figdir.mkdir(exist_ok=True)
        self.tabdir.mkdir(exist_ok=True)
        self.body: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.nfig = 0
        self.figures: list[str] = []
        self.tables: list[str] = []

    def drop_stale(self) -> None:
        """Remove figures and tables an earlier report of this folder wrote and this one
        did not (e.g. after ``--resume`` or a report in another language)."""
        keep_fig = {Path(f).stem for f in self.figures}
        keep_tab = {Path(t).name for t in self.tables}
        for f in self.figdir.iterdir():
            if f.suffix in (".png", ".svg") and f.stem not in keep_fig:
                f.unlink(missing_ok=True)
        for t in self.tabdir.iterdir():
            if t.suffix == ".csv" and t.name not in keep_tab:
                t.unlink(missing_ok=True)

    # html pieces
    def h2(self, zh, en):
        anchor = f"s{len(self.toc) + 1}"
        self.toc.append((anchor, self.L.t(zh, en)))
        self.body.append(f'<h2 id="{anchor}">{html.escape(self.L.t(zh, en))}</h2>')

    def h3(self, zh, en):
        self.body.append(f"<h3>{html.escape(self.L.t(zh, en))}</h3>")

    def p(self, zh, en, cls=""):
        c = f' class="{cls}"' if cls else ""
        if len(self.L.lang) == 2:
            self.body.append(f"<p{c}>{html.escape(zh)}<br><span class='en'>"
                             f"{html.escape(en)}</span></p>")
        else:
            self.body.append(f"<p{c}>{html.escape(self.L.t(zh, en))}</p>")

    def table(self, df: pd.DataFrame, name: str, caption: tuple[str, str] | None = None,
              csv: pd.DataFrame | None = None, max_rows: int = 60):
        """An HTML table and its CSV (``csv`` if given: raw numbers; else ``df``)."""
        (csv if csv is not None else df).to_csv(self.tabdir / f"{name}.csv", index=False,
                                                encoding="utf-8-sig")
        self.tables.append(f"tables/{name}.csv")
        cap = (f"<caption>{html.escape(self.L.t(*caption))} "
               f"<span class='src'>(tables/{name}.csv)</span></caption>" if caption else "")
        shown = df.head(max_rows)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
        rows = []
        for _, r in shown.iterrows():
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in r.to_numpy())
            rows.append(f"<tr>{cells}</tr>")
        more = ""
        if len(df) > max_rows:
            more = (f"<p class='note'>{html.escape(self.L.t(f'另有 {len(df) - max_rows} 行见 CSV', f'{len(df) - max_rows} more rows in the CSV'))}</p>")
        self.body.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
                         f"</tbody></table>{more}")

    def figure(self, fig, name: str, reading: tuple[str, str]):
        """Save a figure as PNG and SVG, embed the PNG with its one-line reading."""
        self.nfig += 1
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        png = buf.getvalue()
        (self.figdir / f"{name}.png").write_bytes(png)
        fig.savefig(self.figdir / f"{name}.svg", format="svg", bbox_inches="tight")
        plt.close(fig)
        self.figures.append(f"figures/{name}.png")
        b64 = base64.b64encode(png).decode("ascii")
        alt = html.escape(name)
        self.body.append(f'<figure><img alt="{alt}" src="data:image/png;base64,{b64}">'
                         f"<figcaption>{self._reading(reading)}</figcaption></figure>")

    def _reading(self, reading):
        zh, en = reading
        if len(self.L.lang) == 2:
            return f"{html.escape(zh)}<br><span class='en'>{html.escape(en)}</span>"
        return html.escape(self.L.t(zh, en))

    def html(self, title: str) -> str:
        toc = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t in self.toc)
        lang_attr = "zh-CN" if self.L.lang[0] == "zh" else "en"
        return f"""<!DOCTYPE html>
<html lang="{lang_attr}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<nav><ol>{toc}</ol></nav>
{chr(10).join(self.body)}
<footer>{html.escape(self.L.t("由 hitech-sim 生成；图表另存于 figures/（PNG、SVG），表格存于 tables/（CSV）。", "Made by hitech-sim; figures also in figures/ (PNG, SVG), tables in tables/ (CSV)."))}</footer>
</main></body></html>
"""


CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
"WenQuanYi Micro Hei",system-ui,sans-serif;color:#222;background:#fafafa;margin:0;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:24px 32px;background:#fff}
h1{font-size:1.7em;border-bottom:3px solid #2a6f97;padding-bottom:6px}
h2{font-size:1.35em;color:#2a6f97;margin-top:2em;border-bottom:1px solid #ddd}
h3{font-size:1.1em;margin-top:1.4em}
.en{color:#555}
table{border-collapse:collapse;margin:10px 0;font-size:.88em}
caption{text-align:left;font-weight:600;padding:4px 0}
.src{font-weight:400;color:#888;font-size:.9em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef4f8}
tr:nth-child(even) td{background:#fbfbfb}
figure{margin:16px 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#333;background:#f3f7fa;padding:4px 8px}
.note{color:#666;font-size:.9em}
.warn{color:#8a4b00;background:#fff4e0;padding:6px}
nav ol{columns:2;font-size:.92em}
footer{margin-top:3em;color:#888;font-size:.85em}
"""


def _read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _style(L: _Lang):
    rc = {"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
          "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10,
          "figure.titlesize": 11, "axes.unicode_minus": False}
    # English labels still hold a few Chinese words (万元, 高企): the CJK font as fallback
    font = L.font if "zh" in L.fig_lang else cjk_font(warn=False)
    if font:  # CJK first for Chinese figures; as a fallback otherwise (names, symbols)
        rc["font.sans-serif"] = ([font, "DejaVu Sans"] if "zh" in L.fig_lang
                                 else ["DejaVu Sans", font])
        rc["font.family"] = "sans-serif"
    return rc


def write_report(dir, lang=("zh", "en")) -> Path:
    """Write ``DIR/report.html`` (and figures/, tables/) for a results folder; return the
    path of the HTML."""
    out = Path(dir)
    if not out.is_dir():
        raise ReportError(f"{out}: no such results folder")
    mpath = out / "manifest.json"
    if not mpath.exists():
        raise ReportError(f"{out}: no manifest.json (valid: a folder written by run, "
                          "compare or sweep)")
    try:
        manifest = _read_json(mpath)
    except (OSError, ValueError) as e:
        raise ReportError(f"{mpath}: cannot be read ({e})") from None
    L = _Lang(lang)
    R = _Report(out, L)
    command = manifest.get("command", "run")
    with plt.rc_context(_style(L)):
        if command == "sweep":
            title = _sweep_report(R, manifest)
        elif command in ("sensitivity", "robust"):  # their sections live beside their code
            from sim.studies import robust, sensitivity

            title = {"sensitivity": sensitivity, "robust": robust}[command].report(R, manifest)
        else:
            title = _run_report(R, manifest, command)
    path = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(R.html(title), encoding="utf-8")
    tmp.replace(path)
    R.drop_stale()
    return path


# --------------------------------------------------------------------------- run/compare
def _fans(df: pd.DataFrame, quarters: list[str]) -> dict:
    """variant -> array (replicates, quarters) of a one-metric, one-zone table."""
    out = {}
    for v, g in df.groupby("variant", sort=False):
        w = g.pivot_table(index="replicate", columns="quarter", values="value",
                          aggfunc="sum")
        out[v] = w.reindex(columns=[q for q in quarters if q in w.columns])
    return out


def _annualise(w: pd.DataFrame, flow_quarters: list[str]) -> pd.DataFrame:
    """Flows: the sum of the four quarters to each quarter (as targets are read)."""
    w = w.reindex(columns=flow_quarters)
    minp = 4 if len(flow_quarters) >= 4 else 1
    return w.T.rolling(4, min_periods=minp).sum().T.dropna(axis=1, how="all")


def _run_report(R: _Report, m: dict, command: str) -> str:
    L, out = R.L, R.out
    variants = list(m.get("variants") or [m.get("scenario")])
    base = variants[0]
    resolved = m.get("resolved") or {}
    if command == "compare":
        rb = resolved.get(base, {})
    else:
        rb = resolved
    zones = rb.get("zones", [])
    sectors = rb.get("sectors", [])
    cal = rb.get("calendar", {})
    scale = float(m.get("population_scale") or rb.get("population", {}).get("scale", 1.0))
    title = L.t(f"模拟结果报告：{m.get('scenario')}", f"Simulation report: {m.get('scenario')}",
                " — ")

    mp = out / "metrics.parquet"
    if not mp.exists():
        raise ReportError(f"{out}: no metrics.parquet (the run did not finish?)")
    need = sorted(set(FAN_METRICS + LADDER + INVEST + SECTOR_METRICS)
                  | {t["metric"] for t in rb.get("targets", [])})
    met = pd.read_parquet(mp, filters=[("metric", "in", need)])
    quarters = sorted(met["quarter"].unique(), key=q_index)
    init_q = quarters[0]
    flow_qs = quarters[1:]
    last_q = quarters[-1]
    allz = met[(met.zone == "ALL") & (met.sector == "ALL")]
    targets = _read_json(out / "targets.json") if (out / "targets.json").exists() else []

    # 1. what was run
    R.h2("运行概况", "What was run")
    kind_cmd = {"run": ("单一情景运行", "single scenario run"),
                "compare": ("情景比较（配对随机数）", "comparison (paired seeds)")}[
        command if command in ("run", "compare") else "run"]
    rows = [
        (L.t("命令", "Command"), L.t(*kind_cmd)),
        (L.t("情景", "Scenario"), str(m.get("scenario"))),
        (L.t("说明", "Description"), str(rb.get("description", "")).strip()[:300]),
        (L.t("方案", "Variants"), ", ".join(variants)),
        (L.t("重复次数", "Replicates"), str(m.get("replicates"))),
        (L.t("随机种子", "Seed"), str(m.get("seed"))),
        (L.t("人口比例", "Population scale"), f"{scale:g}"),
        (L.t("模拟期", "Calendar"), f"{cal.get('start', flow_qs[0] if flow_qs else init_q)}"
                                    f" – {cal.get('end', last_q)} "
                                    + L.t(f"（初始状态 {init_q}）", f"(initial state {init_q})")),
        (L.t("版本", "Versions"), ", ".join(f"{k} {v}" for k, v in
                                           (m.get("versions") or {}).items())),
        (L.t("开始时间", "Started"), str(m.get("started"))),
        (L.t("状态", "Status"), str(m.get("status"))
         + (f" ({len(m.get('failed') or [])} failed)" if m.get("failed") else "")),
    ]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    if scale < 1:
        R.p(f"注意：人口比例为 {scale:g}，企业数按比例缩小，与全省目标不可直接比较。",
            f"Note: population scale {scale:g}: firm counts are scaled down, so targets "
            "written for the full province are not directly comparable.", "warn")
    if command == "compare":
        _lever_diffs(R, resolved, variants)

    # 2. targets
    _targets_section(R, m, targets, variants, zones)

    # 3. fan charts
    R.h2("关键指标走势（全部模拟园区）", "Key metrics over time (all modelled zones)")
    R.p("阴影为各次重复的 50% 与 90% 区间，实线为中位数；流量指标（收入、奖补）为截至该季度的四个季度之和，与目标口径一致。",
        "Shaded: 50% and 90% bands over replicates; line: median. Flows (revenue, awards) "
        "are the sum of the four quarters to each quarter, as targets are read.")
    _fan_section(R, allz, quarters, flow_qs, variants, targets)

    # 4. zones small multiples
    R.h2("分园区走势", "By zone")
    for metric in ("hte", "revenue_wan"):
        _zone_multiples(R, met, metric, quarters, flow_qs, base, zones)

    # 5. cluster growth
    R.h2("产业集群增长", "Cluster growth")
    _cluster_growth(R, met, base, zones, sectors, init_q, flow_qs, last_q)

    # 6. ladder
    R.h2("企业梯度培育", "The enterprise ladder")
    _ladder(R, allz, base, quarters)

    # 7. investment
    R.h2("招商引资", "Investment projects")
    _investment(R, met, base, zones, flow_qs)

    # 8. awards
    R.h2("奖补支出与预算", "Awards paid and budgets")
    _awards(R, out, m, resolved if command == "compare" else {base: rb}, variants, zones,
            scale, flow_qs)

    # 9. compare
    if command == "compare" and (out / "comparison.csv").exists():
        R.h2("方案与基准的配对差异", "Paired differences from the base")
        _compare_section(R, out, base)
    return title


def _lever_diffs(R: _Report, resolved: dict, variants: list[str]):
    L = R.L
    base = variants[0]
    fb = _flatten((resolved.get(base) or {}).get("policy", {}))
    rows = []
    for v in variants[1:]:
        fv = _flatten((resolved.get(v) or {}).get("policy", {}))
        for k in sorted(set(fb) | set(fv)):
            if fb.get(k) != fv.get(k):
                rows.append({L.t("方案", "Variant"): v, L.t("政策参数", "Lever setting"):
                             f"policy.{k}", L.t("基准值", "Base value"): json.dumps(
                                 fb.get(k), ensure_ascii=False),
                             L.t("方案值", "Variant value"): json.dumps(fv.get(k),
                                                                      ensure_ascii=False)})
    R.h3("各方案改变的政策参数", "Lever values each variant changes")
    if rows:
        R.table(pd.DataFrame(rows), "lever_changes")
    else:
        R.p("各方案的政策参数与基准相同。", "The variants' policy settings equal the base's.")


def _targets_section(R: _Report, m: dict, targets: list[dict], variants: list[str],
                     zones: list[dict]):
    L = R.L
    R.h2("目标达成概率", "Targets: probability of meeting them")
    pk = str(m.get("probability_kind") or "")
    if pk.startswith("luck only"):
        R.p("这些概率只计运气（随机性）：每次重复使用情景设定的行为参数，未计入我们对企业行为认识的不确定性，因此可能偏于自信。",
            "These probabilities count luck only: every replicate uses the scenario's "
            "behaviour values, not what we do not know about behaviour, so they may be "
            "over-confident.")
    else:
        R.p("这些概率同时计入运气和行为不确定性：每次重复从合理区间抽取行为参数。",
            f"These probabilities count luck and behaviour uncertainty: {pk}.")
    if not targets:
        R.p("本次运行没有目标。", "This run has no targets.")
        return
    rows, raw = [], []
    for t in targets:
        zone = _name(zones, t["zone"], L, fig=False)
        p = t.get("probability")
        rng = ("–" if t.get("median") is None else
               f"{fmt_value(t['metric'], t['median'], L)} [{fmt_value(t['metric'], t['p05'], L)}"
               f", {fmt_value(t['metric'], t['p95'], L)}]")
        rows.append({
            L.t("方案", "Variant"): t.get("variant", variants[0]),
            L.t("目标", "Target"): t["id"],
            L.t("指标", "Metric"): _mlabel(t["metric"], L, fig=False),
            L.t("园区", "Zone"): zone,
            L.t("期限", "By"): t["by"],
            L.t("门槛", "Threshold"): f"{t['op']} {fmt_value(t['metric'], t['threshold'], L)}",
            L.t("达成概率", "Probability"): (L.t("未评估（超出模拟期）", "not evaluated (after "
                                               "the calendar's end)") if p is None
                                          else f"{100 * p:.0f}%"),
            L.t("中位数 [5%, 95%]", "Median [5%, 95%]"): rng})
        raw.append({k: t.get(k) for k in ("variant", "id", "metric", "zone", "by", "op",
                                          "threshold", "probability", "median", "p05", "p95")})
    R.table(pd.DataFrame(rows), "targets", csv=pd.DataFrame(raw))
    ev = [t for t in targets if t.get("probability") is not None]
    if ev:
        best = max(ev, key=lambda t: t["probability"])
        worst = min(ev, key=lambda t: t["probability"])
        R.p(f"达成概率最高的是 {best['id']}（{best.get('variant', '')}，{100 * best['probability']:.0f}%），"
            f"最低的是 {worst['id']}（{worst.get('variant', '')}，{100 * worst['probability']:.0f}%）。",
            f"Most likely: {best['id']} ({best.get('variant', '')}, "
            f"{100 * best['probability']:.0f}%); least likely: {worst['id']} "
            f"({worst.get('variant', '')}, {100 * worst['probability']:.0f}%).")


COLORS = ["#2a6f97", "#c8553d", "#588b48", "#8e6bb2", "#d4a017", "#4d4d4d", "#1b998b"]


def _fan(ax, x, arr, color, label, bands=True):
    q = np.nanquantile(arr, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    if bands:
        ax.fill_between(x, q[0], q[4], color=color, alpha=0.15, lw=0)
        ax.fill_between(x, q[1], q[3], color=color, alpha=0.3, lw=0)
    ax.plot(x, q[2], color=color, lw=1.8, label=label)
    return q[2]


def _xticks(ax, labels, short=False):
    if short:  # small panels: the years' Q4, every other year, labelled by year
        idx = [i for i, q in enumerate(labels) if str(q).endswith("Q4")]
        if len(idx) >= 2:
            idx = idx[::2] if len(idx) > 3 else idx
            ax.set_xticks(idx)
            ax.set_xticklabels([str(labels[i])[:4] + "Q4" for i in idx])
            return
    n = len(labels)
    idx = [i for i, q in enumerate(labels) if str(q).endswith("Q4")]
    if n <= 8 or len(idx) < 2:
        step = max(1, int(np.ceil(n / 8)))
        idx = list(range(0, n, step))
    elif len(idx) > 8:
        idx = idx[::2]
    ax.set_xticks(idx)
    ax.set_xticklabels([labels[i] for i in idx], rotation=0)


def _fan_section(R, allz, quarters, flow_qs, variants, targets):
    L = R.L
    for metric in FAN_METRICS:
        df = allz[allz.metric == metric]
        if df.empty:
            continue
        fans = _fans(df, quarters)
        flow = metric in FLOW_METRICS
        kind = METRIC_LABELS[metric][2]
        if flow:
            fans = {v: _annualise(w, flow_qs) for v, w in fans.items()}
        xq = list(next(iter(fans.values())).columns)
        if not xq:
            continue
        div, uzh, uen = 1.0, "家", "firms"
        if kind == "money":
            mx = max(float(np.nanmax(np.abs(w.to_numpy()))) if w.size else 0
                     for w in fans.values())
            div, uzh, uen = _money_scale(mx)
        elif kind == "ratio":
            div, uzh, uen = 0.01, "%", "%"
        fig, ax = plt.subplots(figsize=(8, 3.6))
        x = np.arange(len(xq))
        meds = {}
        for i, (v, w) in enumerate(fans.items()):
            arr = w.reindex(columns=xq).to_numpy(float) / div
            meds[v] = _fan(ax, x, arr, COLORS[i % len(COLORS)], v, bands=i < 3)
        tq = [t for t in targets if t["metric"] == metric and t["zone"] == "ALL"
              and t.get("variant", variants[0]) == variants[0]]
        for t in tq:
            if t["by"] in xq:
                xi = xq.index(t["by"])
                ax.plot([xi], [t["threshold"] / div], marker="*", ms=12, color="#d62728",
                        ls="none", zorder=5)
                ax.annotate(f"{t['id']} {t['op']} {t['threshold'] / div:,.4g}",
                            (xi, t["threshold"] / div), textcoords="offset points",
                            xytext=(-6, 8), ha="right", fontsize=8, color="#d62728")
            elif q_index(t["by"]) > q_index(xq[-1]):
                ax.axhline(t["threshold"] / div, color="#d62728", ls=":", lw=1)
        _xticks(ax, xq)
        what = _mlabel(metric, L)
        if flow:
            what += L.f("（近四季度合计）", " (sum of last 4 quarters)", "")
        ax.set_title(what + " — " + L.f("全部模拟园区", "all modelled zones"))
        ax.set_xlabel(L.f("季度", "quarter"))
        ax.set_ylabel(L.f(uzh, uen) if kind != "count" else L.f("数量（家）", "number of firms"))
        if len(fans) > 1 or tq:
            ax.legend(fontsize=8, loc="best")
        b = meds[variants[0]] if variants[0] in meds else next(iter(meds.values()))
        v0, v1 = b[0] * div, b[-1] * div
        zh_name, en_name = METRIC_LABELS[metric][:2]
        fv0, fv1 = fmt_value(metric, v0, L), fmt_value(metric, v1, L)
        verb_en = "rise" if v1 > v0 else ("fall" if v1 < v0 else "stay")
        verb_zh = "上升" if v1 > v0 else ("下降" if v1 < v0 else "持平")
        extra_zh = extra_en = ""
        if len(meds) > 1:
            parts_zh, parts_en = [], []
            for v, md in list(meds.items())[1:]:
                parts_zh.append(f"{v} 为 {fmt_value(metric, md[-1] * div, L)}")
                parts_en.append(f"{v}: {fmt_value(metric, md[-1] * div, L)}")
            extra_zh = "；" + "，".join(parts_zh)
            extra_en = "; " + ", ".join(parts_en)
        R.figure(fig, f"fan_{metric}",
                 (f"{zh_name}（中位数）从 {xq[0]} 的 {fv0} {verb_zh}至 {xq[-1]} 的 {fv1}"
                  f"（{variants[0]}）{extra_zh}。",
                  f"{en_name} {verb_en} from {fv0} in {xq[0]} to {fv1} (median) by {xq[-1]} "
                  f"({variants[0]}){extra_en}."))
        tab = []
        for v, w in fans.items():
            qs = np.nanquantile(w.to_numpy(float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
            for j, qq in enumerate(w.columns):
                tab.append({"variant": v, "quarter": qq, "metric": metric, "p05": qs[0, j],
                            "p25": qs[1, j], "median": qs[2, j], "p75": qs[3, j],
                            "p95": qs[4, j]})
        pd.DataFrame(tab).to_csv(R.tabdir / f"fan_{metric}.csv", index=False,
                                 encoding="utf-8-sig")
        R.tables.append(f"tables/fan_{metric}.csv")


def _zone_multiples(R, met, metric, quarters, flow_qs, base, zones):
    L = R.L
    df = met[(met.metric == metric) & (met.sector == "ALL") & (met.zone != "ALL")
             & (met.variant == base)]
    if df.empty:
        return
    zids = [z["id"] for z in zones if z["id"] in set(df.zone)] or sorted(df.zone.unique())
    flow = metric in FLOW_METRICS
    n = len(zids)
    ncol = 4 if n > 6 else min(3, n)
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 2.1 * nrow + 0.6), squeeze=False,
                             sharex=True)
    div, uzh, uen = 1.0, "家", "firms"
    if metric == "revenue_wan":
        div, uzh, uen = _money_scale(float(df.value.abs().max()) * 4)
    ends = []
    for i, z in enumerate(zids):
        ax = axes[i // ncol][i % ncol]
        w = _fans(df[df.zone == z], quarters)[base]
        if flow:
            w = _annualise(w, flow_qs)
        xq = list(w.columns)
        med = _fan(ax, np.arange(len(xq)), w.to_numpy(float) / div, COLORS[0], base)
        ends.append((z, med[0] * div, med[-1] * div))
        ax.set_title(_short_zone(zones, z, L), fontsize=9)
        _xticks(ax, xq, short=True)
        ax.tick_params(labelsize=7)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].axis("off")
    unit = L.f(uzh, uen)
    what = _mlabel(metric, L) + (L.f("（近四季度合计）", " (sum of last 4 quarters)", "")
                                 if flow else "")
    fig.suptitle(f"{what} — " + L.f("分园区", "by zone") + f" ({unit})")
    fig.supxlabel(L.f("季度", "quarter"), fontsize=9)
    fig.supylabel(unit, fontsize=9)
    fig.tight_layout()
    growth = sorted(ends, key=lambda e: (e[2] - e[1]), reverse=True)
    top = growth[0]
    zh_n, en_n = METRIC_LABELS[metric][:2]
    R.figure(fig, f"zones_{metric}",
             (f"{zh_n}增量最大的是{_name(zones, top[0], _Lang(('zh',)), fig=False)}："
              f"{fmt_value(metric, top[1], _Lang(('zh',)))} → {fmt_value(metric, top[2], _Lang(('zh',)))}（中位数）。",
              f"Largest increase in {en_n}: {_name(zones, top[0], _Lang(('en',)), fig=False)}, "
              f"{fmt_value(metric, top[1], _Lang(('en',)))} → "
              f"{fmt_value(metric, top[2], _Lang(('en',)))} (median)."))


def _median_at(df, quarter):
    s = df[df.quarter == quarter]
    return s.groupby(["zone", "sector", "metric", "replicate"])["value"].sum().groupby(
        ["zone", "sector", "metric"]).median()


def _cluster_growth(R, met, base, zones, sectors, init_q, flow_qs, last_q):
    L = R.L
    df = met[(met.variant == base) & met.metric.isin(SECTOR_METRICS)]
    first_flow = flow_qs[0] if flow_qs else init_q
    a0 = _median_at(df[df.metric != "revenue_wan"], init_q)
    r0 = _median_at(df[df.metric == "revenue_wan"], first_flow)
    a1 = _median_at(df, last_q)
    start = pd.concat([a0, r0])
    R.p(f"企业数和高企数为 {init_q}（初始状态）与 {last_q} 的中位数比较；收入为季度收入，比较 {first_flow} 与 {last_q}。",
        f"Enterprises and 高企 compare the initial state ({init_q}) with {last_q} (medians "
        f"over replicates); revenue is quarterly revenue, {first_flow} vs {last_q}.")
    for by, items, label in (("zone", zones, ("按园区", "by zone")),
                             ("sector", sectors, ("按产业", "by sector"))):
        if by == "zone":
            sel0 = start[(start.index.get_level_values("sector") == "ALL")
                         & (start.index.get_level_values("zone") != "ALL")]
            sel1 = a1[(a1.index.get_level_values("sector") == "ALL")
                      & (a1.index.get_level_values("zone") != "ALL")]
            lvl = "zone"
        else:
            sel0 = start[(start.index.get_level_values("zone") == "ALL")
                         & (start.index.get_level_values("sector") != "ALL")]
            sel1 = a1[(a1.index.get_level_values("zone") == "ALL")
                      & (a1.index.get_level_values("sector") != "ALL")]
            lvl = "sector"
        if sel1.empty:
            continue
        t0 = sel0.droplevel([x for x in ("zone", "sector") if x != lvl]).unstack("metric")
        t1 = sel1.droplevel([x for x in ("zone", "sector") if x != lvl]).unstack("metric")
        ids = [it["id"] for it in items if it["id"] in t1.index] or list(t1.index)
        t0, t1 = t0.reindex(ids), t1.reindex(ids)
        raw = pd.DataFrame({by: ids})
        for mtr in SECTOR_METRICS:
            raw[f"{mtr}_start"] = t0.get(mtr, pd.Series(index=ids, dtype=float)).to_numpy()
            raw[f"{mtr}_{last_q}"] = t1.get(mtr, pd.Series(index=ids, dtype=float)).to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                raw[f"{mtr}_growth_pct"] = 100 * (raw[f"{mtr}_{last_q}"] / raw[f"{mtr}_start"]
                                                  - 1)
        names = [_short_zone(items, i, L) if by == "zone" else _name(items, i, L)
                 for i in ids]
        fig, axes = plt.subplots(1, 3, figsize=(11, 0.33 * len(ids) + 1.6), sharey=True)
        y = np.arange(len(ids))
        for ax, mtr in zip(axes, SECTOR_METRICS, strict=True):
            v0 = raw[f"{mtr}_start"].to_numpy(float)
            v1 = raw[f"{mtr}_{last_q}"].to_numpy(float)
            div, uzh, uen = (1.0, "家", "firms")
            if mtr == "revenue_wan":
                div, uzh, uen = _money_scale(np.nanmax(np.abs(v1)) if len(v1) else 0)
            ax.barh(y - 0.2, v0 / div, height=0.4, color="#9cc3d5",
                    label=L.f("起点", "start"))
            ax.barh(y + 0.2, v1 / div, height=0.4, color=COLORS[0], label=last_q)
            ax.set_title(_mlabel(mtr, L), fontsize=9)
            ax.set_xlabel(L.f(uzh, uen) + (L.f("/季度", " per quarter", "")
                                          if mtr == "revenue_wan" else ""))
        axes[0].set_yticks(y)
        axes[0].set_yticklabels(names, fontsize=8)
        axes[0].invert_yaxis()
        axes[0].legend(fontsize=7, loc="lower right")
        fig.suptitle(L.f("集群增长", "Cluster growth") + " — " + L.f(*label))
        fig.tight_layout()
        g = raw.set_index(by)["hte_growth_pct"].replace([np.inf, -np.inf], np.nan).dropna()
        d = (raw.set_index(by)[f"hte_{last_q}"] - raw.set_index(by)["hte_start"]).dropna()
        if len(d):
            top = d.idxmax()
            zh_top = _name(items, top, _Lang(("zh",)), fig=False)
            en_top = _name(items, top, _Lang(("en",)), fig=False)
            gp = g.get(top, np.nan)
            reading = (f"高企增加最多的{'园区' if by == 'zone' else '产业'}是{zh_top}："
                       f"+{d[top]:,.0f} 家（{gp:+.0f}%）。",
                       f"Largest 高企 gain by {by}: {en_top}, +{d[top]:,.0f} ({gp:+.0f}%).")
        else:
            reading = ("无数据。", "No data.")
        R.figure(fig, f"cluster_by_{by}", reading)
        shown = raw.copy()
        shown[by] = [_name(items, i, L, fig=False) for i in ids]
        for c in shown.columns[1:]:
            if c.endswith("_pct"):
                shown[c] = shown[c].map(lambda v: "–" if not np.isfinite(v) else f"{v:+.0f}%")
            elif c.startswith("revenue"):
                shown[c] = shown[c].map(lambda v: fmt_money(v, L))
            else:
                shown[c] = shown[c].map(fmt_num)
        R.table(shown, f"cluster_by_{by}", caption=("集群增长" + L.t(*label, sep=""),
                                                    "Cluster growth " + label[1]), csv=raw)


def _ladder(R, allz, base, quarters):
    L = R.L
    df = allz[(allz.variant == base) & allz.metric.isin(LADDER)]
    if df.empty:
        return
    mean = df.groupby(["quarter", "metric"])["value"].mean().unstack("metric").reindex(
        quarters)
    mean["hte_only"] = mean["hte"] - mean.get("gazelles", 0) - mean.get("leaders", 0)
    parts = ["startups", "tech_smes", "hte_only", "gazelles", "leaders"]
    labels = {"startups": ("初创企业", "start-ups"), "tech_smes": ("科技型中小企业", "tech SMEs"),
              "hte_only": ("高企（非瞪羚/领军）", "HTE only"),
              "gazelles": ("瞪羚企业", "gazelles"), "leaders": ("领军企业", "leaders")}
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(len(quarters))
    cols = ["#c6dbef", "#6baed6", "#2171b5", "#fd8d3c", "#a63603"]
    ax.stackplot(x, *[mean[p].fillna(0).to_numpy() for p in parts], colors=cols,
                 labels=[L.f(*labels[p]) for p in parts])
    ax.set_title(L.f("企业梯度（各级企业数，均值）", "The ladder (firms by highest rung, mean)"))
    ax.set_xlabel(L.f("季度", "quarter"))
    ax.set_ylabel(L.f("数量（家）", "number of firms"))
    _xticks(ax, quarters)
    ax.legend(fontsize=7, loc="upper left")
    upper = parts[1:]
    ax2.stackplot(x, *[mean[p].fillna(0).to_numpy() for p in upper], colors=cols[1:])
    ax2.set_title(L.f("不含初创企业", "without start-ups"))
    ax2.set_xlabel(L.f("季度", "quarter"))
    ax2.set_ylabel(L.f("数量（家）", "number of firms"))
    _xticks(ax2, quarters)
    fig.tight_layout()
    f, la = mean.iloc[0], mean.iloc[-1]
    R.figure(fig, "ladder",
             (f"科技型中小企业从 {f['tech_smes']:,.0f} 到 {la['tech_smes']:,.0f} 家，瞪羚从 "
              f"{f['gazelles']:,.0f} 到 {la['gazelles']:,.0f} 家，领军从 {f['leaders']:,.0f} 到 "
              f"{la['leaders']:,.0f} 家（{quarters[0]}–{quarters[-1]}，均值）。",
              f"Tech SMEs {f['tech_smes']:,.0f} → {la['tech_smes']:,.0f}, gazelles "
              f"{f['gazelles']:,.0f} → {la['gazelles']:,.0f}, leaders {f['leaders']:,.0f} → "
              f"{la['leaders']:,.0f} ({quarters[0]}–{quarters[-1]}, mean)."))
    t = mean[["startups", "tech_smes", "hte_only", "gazelles", "leaders", "hte"]].reset_index()
    t.to_csv(R.tabdir / "ladder.csv", index=False, encoding="utf-8-sig")
    R.tables.append("tables/ladder.csv")


def _investment(R, met, base, zones, flow_qs):
    L = R.L
    df = met[(met.variant == base) & met.metric.isin(INVEST) & (met.sector == "ALL")]
    if df.empty or not flow_qs:
        return
    allz = df[df.zone == "ALL"]
    proj = ["projects_arrived", "projects_landed", "projects_referred", "projects_lost"]
    med = allz.groupby(["quarter", "metric"])["value"].median().unstack("metric").reindex(
        flow_qs)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    x = np.arange(len(flow_qs))
    for i, p in enumerate(proj):
        if p in med:
            ax.plot(x, med[p].to_numpy(), marker="o", ms=3, color=COLORS[i], label=_mlabel(p, L))
    ax.set_title(L.f("投资项目（每季度，中位数）", "Investment projects per quarter (median)")
                 + " — " + L.f("全部模拟园区", "all modelled zones"))
    ax.set_xlabel(L.f("季度", "quarter"))
    ax.set_ylabel(L.f("项目数（个/季度）", "projects per quarter"))
    _xticks(ax, flow_qs)
    ax.legend(fontsize=8)
    tot = allz.groupby(["replicate", "metric"])["value"].sum().groupby("metric").median()
    arr, land = tot.get("projects_arrived", np.nan), tot.get("projects_landed", np.nan)
    lost = tot.get("projects_lost", np.nan)
    share = land / arr * 100 if arr else np.nan
    R.figure(fig, "projects",
             (f"{flow_qs[0]}–{flow_qs[-1]} 共到达 {arr:,.0f} 个项目，落地 {land:,.0f} 个（{share:.0f}%），"
              f"流失 {lost:,.0f} 个（中位数）。",
              f"{flow_qs[0]}–{flow_qs[-1]}: {arr:,.0f} projects arrived, {land:,.0f} landed "
              f"({share:.0f}%), {lost:,.0f} lost (median totals)."))
    zz = df[(df.zone != "ALL") & df.metric.isin(["investment_landed_wan",
                                                  "investment_credited_wan"])]
    if zz.empty:
        return
    t = zz.groupby(["zone", "metric", "replicate"])["value"].sum().groupby(
        ["zone", "metric"]).median().unstack("metric")
    ids = [z["id"] for z in zones if z["id"] in t.index] or list(t.index)
    t = t.reindex(ids).fillna(0.0)
    div, uzh, uen = _money_scale(float(t.to_numpy().max()) if t.size else 0)
    fig, ax = plt.subplots(figsize=(9, 0.33 * len(ids) + 1.4))
    y = np.arange(len(ids))
    ax.barh(y - 0.2, t.get("investment_landed_wan", 0) / div, height=0.4, color=COLORS[0],
            label=_mlabel("investment_landed_wan", L))
    ax.barh(y + 0.2, t.get("investment_credited_wan", 0) / div, height=0.4, color=COLORS[1],
            label=_mlabel("investment_credited_wan", L))
    ax.set_yticks(y)
    ax.set_yticklabels([_short_zone(zones, i, L) for i in ids], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(L.f(uzh, uen) + f" ({flow_qs[0]}–{flow_qs[-1]})")
    ax.set_title(L.f("分园区落地投资与计入考核投资（合计，中位数）",
                     "Investment landed vs credited by zone (total, median)"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    diff = (t.get("investment_credited_wan", 0) - t.get("investment_landed_wan", 0))
    zmax = diff.idxmax()
    R.figure(fig, "investment_by_zone",
             (f"计入考核多于实际落地最多的是{_name(zones, zmax, _Lang(('zh',)), fig=False)}"
              f"（{fmt_money(diff[zmax], _Lang(('zh',)))}），来自跨区推荐的分成。",
              f"Credited exceeds landed most in {_name(zones, zmax, _Lang(('en',)), fig=False)}"
              f" ({fmt_money(diff[zmax], _Lang(('en',)))}), from referral credit shares."))
    raw = t.reset_index().rename(columns={"index": "zone"})
    R.table(raw.assign(**{c: raw[c].map(lambda v: fmt_money(v, L)) for c in raw.columns[1:]}),
            "investment_by_zone", caption=("分园区投资（中位数合计）",
                                           "Investment by zone (median totals)"), csv=raw)


def _budgets(rv: dict, scale: float, flow_qs: list[str]) -> pd.DataFrame:
    """Budget per year and payer (万元), as the ledger opens them."""
    pol = (rv.get("policy") or {}).get("budget", {})
    rows = []
    years = sorted({int(q[:4]) for q in flow_qs})
    for y in years:
        qs = [q for q in flow_qs if int(q[:4]) == y]
        part = len(qs) / 4.0 if y == years[0] else 1.0
        first = q_index(qs[0])
        prov = float(value_at(pol.get("province_wan_per_year", 0), first)) * scale * part
        zone = 0.0
        for z in rv.get("zones", []):
            spec = z.get("budget_wan_per_year")
            spec = spec if spec is not None else pol.get("zone_wan_per_year", 0)
            zone += float(value_at(spec, first)) * scale * part
        rows.append({"year": y, "province": prov, "zone": zone})
    return pd.DataFrame(rows)


def _awards(R, out, m, resolved, variants, zones, scale, flow_qs):
    L = R.L
    lp = out / "ledger.parquet"
    if not lp.exists() or not flow_qs:
        R.p("没有奖补台账。", "No ledger.")
        return
    led = pd.read_parquet(lp, columns=["variant", "replicate", "quarter", "lever", "payer",
                                       "amount_wan"])
    n = int(m.get("replicates") or 1)
    led["year"] = led["quarter"].str[:4].astype(int)
    base = variants[0]
    lb = led[led.variant == base]
    years = sorted({int(q[:4]) for q in flow_qs})
    by_lever = (lb.groupby(["year", "lever"])["amount_wan"].sum() / n).unstack("lever") \
        .reindex(years).fillna(0.0)
    levers = sorted(by_lever.columns, key=lambda s: int(s[1:]) if s[1:].isdigit() else 99)
    by_lever = by_lever[levers]
    by_payer = (lb.groupby(["year", "payer"])["amount_wan"].sum() / n).unstack("payer") \
        .reindex(years).fillna(0.0)
    bud = _budgets(resolved.get(base, {}), scale, flow_qs).set_index("year")
    mx = max(float(by_lever.sum(axis=1).max()) if len(by_lever) else 0,
             float(bud.to_numpy().max()) if len(bud) else 0)
    div, uzh, uen = _money_scale(mx)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    cmap = plt.get_cmap("tab10")
    for i, lv in enumerate(levers):
        vals = by_lever[lv].to_numpy() / div
        nm = LEVER_NAMES.get(lv, (lv, lv))
        ax.bar(x, vals, bottom=bottom, color=cmap(i % 10), label=f"{lv} {L.f(*nm)}")
        bottom += vals
    ax.set_xticks(x)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_title(L.f("按政策条目的年度奖补（均值）", "Awards by lever per year (mean)"))
    ax.set_xlabel(L.f("年份", "year"))
    ax.set_ylabel(L.f(uzh, uen) + L.f("/年", " per year", ""))
    ax.set_ylim(0, max(bottom.max(), 1e-9) * 1.7)
    ax.legend(fontsize=6.5, ncol=2, loc="upper left")
    w = 0.38
    for j, (payer, col, nm) in enumerate((("province", COLORS[0], ("省级", "province")),
                                         ("zone", COLORS[1], ("园区", "zones")))):
        paid = by_payer.get(payer, pd.Series(0.0, index=years)).to_numpy() / div
        ax2.bar(x + (j - 0.5) * w, paid, width=w, color=col,
                label=L.f("支付：", "paid: ", "") + L.f(*nm))
        if payer in bud:
            ax2.plot(x + (j - 0.5) * w, bud[payer].reindex(years).to_numpy() / div, marker="_",
                     ms=18, mew=2.5, ls="none", color="black" if j == 0 else "#555",
                     label=L.f("预算：", "budget: ", "") + L.f(*nm))
    ax2.set_xticks(x)
    ax2.set_xticklabels([str(y) for y in years])
    ax2.set_title(L.f("按支付方的年度奖补与预算", "Awards by payer per year vs budget"))
    ax2.set_xlabel(L.f("年份", "year"))
    ax2.set_ylabel(L.f(uzh, uen) + L.f("/年", " per year", ""))
    ax2.legend(fontsize=7)
    fig.tight_layout()
    total = float(by_lever.to_numpy().sum())
    top = by_lever.sum().idxmax() if len(levers) else "–"
    share = by_lever.sum().max() / total * 100 if total else 0
    prov_paid = by_payer.get("province", pd.Series(0.0, index=years)).sum()
    prov_bud = float(bud["province"].sum()) if "province" in bud else np.nan
    use = prov_paid / prov_bud * 100 if prov_bud else np.nan
    R.figure(fig, "awards",
             (f"{years[0]}–{years[-1]} 平均共支付奖补 {fmt_money(total, _Lang(('zh',)))}，其中 {top} "
              f"{LEVER_NAMES.get(top, (top, top))[0]}占 {share:.0f}%；省级预算使用 {use:.0f}%。",
              f"{years[0]}–{years[-1]}: {fmt_money(total, _Lang(('en',)))} of awards paid "
              f"(mean); {top} {LEVER_NAMES.get(top, (top, top))[1]} is {share:.0f}%; the "
              f"province used {use:.0f}% of its budget."))
    R.p(f"预算 = 年度预算 × 人口比例（{scale:g}）；首年只计模拟期内的季度。",
        f"Budget = yearly budget × population scale ({scale:g}); the first year counts only "
        "its quarters inside the calendar.", "note")
    # tables: by lever, payer, year, per variant
    t = (led.groupby(["variant", "year", "lever", "payer"])["amount_wan"].sum() / n) \
        .rename("mean_amount_wan").reset_index()
    t.to_csv(R.tabdir / "awards_by_lever_payer_year.csv", index=False, encoding="utf-8-sig")
    R.tables.append("tables/awards_by_lever_payer_year.csv")
    py = by_payer.reindex(columns=["province", "zone"]).fillna(0.0).add_prefix("paid_")
    py = py.join(bud.add_prefix("budget_")).reset_index()
    shown = py.copy()
    for c in shown.columns[1:]:
        shown[c] = shown[c].map(lambda v: fmt_money(v, L))
    R.table(shown, "awards_vs_budget", caption=("年度奖补与预算（基准方案，均值）",
                                                "Awards per year vs budget (base, mean)"),
            csv=py)


def _compare_section(R, out, base):
    L = R.L
    d = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    if d.empty:
        return
    last = sorted(d.checkpoint.unique(), key=q_index)[-1]
    dd = d[(d.checkpoint == last) & d.diff_p05.notna()]
    metrics = [x for x in dd.metric.unique()]
    variants = list(dict.fromkeys(dd.variant))
    ncol = 3
    nrow = int(np.ceil(len(metrics) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 0.45 * len(variants) * nrow + 1.2 * nrow
                                                   + 0.5), squeeze=False)
    y = np.arange(len(variants))
    for i, mtr in enumerate(metrics):
        ax = axes[i // ncol][i % ncol]
        g = dd[dd.metric == mtr].set_index("variant").reindex(variants)
        div, uzh, uen = 1.0, "家", "firms"
        if mtr.endswith("_wan"):
            div, uzh, uen = _money_scale(float(np.nanmax(np.abs(g[["diff_p05", "diff_p95"]]
                                                                 .to_numpy()))))
        elif mtr.startswith("projects"):
            uzh, uen = "个", "projects"
        lo = (g.diff_mean - g.diff_p05).to_numpy() / div
        hi = (g.diff_p95 - g.diff_mean).to_numpy() / div
        ax.errorbar(g.diff_mean.to_numpy() / div, y, xerr=[np.maximum(lo, 0),
                                                           np.maximum(hi, 0)],
                    fmt="o", color=COLORS[0], ecolor="#888", capsize=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_ylim(len(variants) - 0.5, -0.5)
        ax.set_yticks(y)
        ax.set_yticklabels(variants if i % ncol == 0 else [""] * len(variants), fontsize=7)
        flow = mtr in FLOW_METRICS
        ax.set_title(_mlabel(mtr, L) + (L.f("（年）", " (year)", "") if flow else ""),
                     fontsize=9)
        ax.set_xlabel(L.f("差值", "difference") + f" ({L.f(uzh, uen)})", fontsize=8)
    for j in range(len(metrics), nrow * ncol):
        axes[j // ncol][j % ncol].axis("off")
    fig.suptitle(L.f(f"{last} 的配对差异（方案 − {base}；均值与 90% 区间）",
                     f"Paired differences at {last} (variant − {base}; mean, 90% interval)"))
    fig.tight_layout()
    h = dd[dd.metric == "hte"]
    if len(h):
        r = h.iloc[0]
        reading = (f"{r.variant} 在 {last} 比基准高企数差 {r.diff_mean:+,.1f} 家 "
                   f"[{r.diff_p05:+,.1f}, {r.diff_p95:+,.1f}]，{100 * r.share_positive:.0f}% 的配对重复为正。",
                   f"{r.variant} vs base at {last}: 高企 {r.diff_mean:+,.1f} "
                   f"[{r.diff_p05:+,.1f}, {r.diff_p95:+,.1f}]; positive in "
                   f"{100 * r.share_positive:.0f}% of paired replicates.")
    else:
        reading = ("配对差异见表。", "See the table for paired differences.")
    R.figure(fig, "paired_differences", reading)
    shown = dd[["variant", "metric", "checkpoint", "base_median", "variant_median",
                "diff_mean", "diff_p05", "diff_p95", "share_positive"]].copy()
    for c in ["base_median", "variant_median", "diff_mean", "diff_p05", "diff_p95"]:
        shown[c] = [fmt_value(mm, v, L) for mm, v in zip(shown.metric, shown[c], strict=True)]
    shown["share_positive"] = shown["share_positive"].map(lambda v: f"{100 * v:.0f}%")
    R.table(shown, "paired_differences", caption=("配对差异", "Paired differences"), csv=d)
    R.h3("单位成本", "Cost per unit of outcome")
    c = d[d.metric.isin(["wan_per_extra_hte", "wan_per_extra_yi_revenue"])]
    if c.empty:
        return
    ct = c.pivot_table(index=["variant", "checkpoint"], columns="metric", values="diff_mean",
                       aggfunc="first").reset_index()
    shown = ct.copy()
    for col in ("wan_per_extra_hte", "wan_per_extra_yi_revenue"):
        if col in shown:
            shown[col] = shown[col].map(lambda v: fmt_money(v, L))
    shown = shown.rename(columns={
        "wan_per_extra_hte": L.t("每增加一家高企的奖补", "Awards per extra 高企"),
        "wan_per_extra_yi_revenue": L.t("每增加 1 亿元收入的奖补", "Awards per extra 亿元 revenue")})
    R.table(shown, "cost_per_unit", caption=("单位成本（奖补差 ÷ 结果差，均值）",
                                             "Cost per unit (extra awards ÷ extra outcome, "
                                             "means)"), csv=ct)
    R.p("结果差接近零时单位成本没有意义（可能极大或为负）。",
        "When the outcome difference is near zero the cost per unit is meaningless (huge or "
        "negative).", "note")


# --------------------------------------------------------------------------- sweep
def _sweep_report(R: _Report, m: dict) -> str:
    L, out = R.L, R.out
    sw = m.get("sweep") if isinstance(m.get("sweep"), dict) else {"name": m.get("sweep")}
    name = sw.get("name", out.name)
    title = L.t(f"参数扫描报告：{name}", f"Sweep report: {name}", " — ")
    ptp = out / "points.csv"
    if not ptp.exists():
        raise ReportError(f"{out}: no points.csv (the sweep did not finish?)")
    points = pd.read_csv(ptp, encoding="utf-8-sig")
    levers = [c for c in points.columns if c != "point"]
    R.h2("运行概况", "What was run")
    rows = [
        (L.t("命令", "Command"), L.t("参数扫描", "sweep")),
        (L.t("扫描", "Sweep"), str(name)),
        (L.t("基准情景", "Base scenario"), str(m.get("base"))),
        (L.t("政策参数", "Levers"), ", ".join(levers)),
        (L.t("点数", "Points"), str(m.get("points"))),
        (L.t("每点重复次数", "Replicates per point"), str(m.get("replicates"))),
        (L.t("随机种子", "Seed"), str(m.get("seed"))),
        (L.t("人口比例", "Population scale"), str((sw.get("set") or {}).get(
            "population.scale", "1 (base)"))),
        (L.t("版本", "Versions"), ", ".join(f"{k} {v}" for k, v in
                                           (m.get("versions") or {}).items())),
        (L.t("开始时间", "Started"), str(m.get("started"))),
        (L.t("状态", "Status"), str(m.get("status"))),
    ]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    R.table(points, "points", caption=("扫描点", "Points"))
    pk = str(m.get("probability_kind") or "")
    if pk.startswith("luck only"):
        R.p("目标概率只计运气（随机性），未计入行为不确定性。",
            "Target probabilities count luck only, not behaviour uncertainty.")
    else:
        R.p("目标概率同时计入运气和行为不确定性。",
            f"Target probabilities count luck and behaviour uncertainty: {pk}.")
    oc_path = out / "outcomes.parquet"
    oc = pd.read_parquet(oc_path) if oc_path.exists() else pd.DataFrame()
    probs_path = out / "probabilities.csv"
    try:
        probs = pd.read_csv(probs_path, encoding="utf-8-sig")
    except (OSError, pd.errors.EmptyDataError):
        probs = pd.DataFrame()
    if not oc.empty:
        R.h2("响应曲线", "Responses")
        x0 = levers[0]
        x1 = levers[1] if len(levers) > 1 else None
        summ = (oc.groupby(["point", "outcome"])["value"]
                .quantile([0.05, 0.5, 0.95]).unstack().reset_index()
                .merge(points, on="point"))
        summ.columns = [str(c) for c in summ.columns]
        summ.to_csv(R.tabdir / "responses.csv", index=False, encoding="utf-8-sig")
        R.tables.append("tables/responses.csv")
        for o in sorted(oc.outcome.unique()):
            s = summ[summ.outcome == o].sort_values(x0)
            metric = str(oc[oc.outcome == o]["metric"].iloc[0]) if "metric" in oc else o
            kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
            div, uzh, uen = 1.0, "家", "firms"
            if metric.endswith("_wan") or kind == "money":
                div, uzh, uen = _money_scale(float(s["0.5"].abs().max()))
            elif kind == "ratio":
                div, uzh, uen = 0.01, "%", "%"
            fig, ax = plt.subplots(figsize=(7.5, 3.4))
            grid = x1 is not None and s[x1].nunique() <= 8
            if grid:
                for i, (v1, g) in enumerate(s.groupby(x1)):
                    ax.plot(g[x0], g["0.5"] / div, marker="o", color=COLORS[i % 7],
                            label=f"{x1.split('.')[-1]} = {v1:g}")
                    ax.fill_between(g[x0], g["0.05"] / div, g["0.95"] / div,
                                    color=COLORS[i % 7], alpha=0.12, lw=0)
                ax.legend(fontsize=7)
            else:
                ax.errorbar(s[x0], s["0.5"] / div, yerr=[(s["0.5"] - s["0.05"]) / div,
                                                         (s["0.95"] - s["0.5"]) / div],
                            fmt="o", color=COLORS[0], ecolor="#aaa", capsize=2)
            ax.set_xlabel(x0)
            ax.set_ylabel(L.f(uzh, uen))
            ax.set_title(f"{o} — " + L.f("中位数与 90% 区间", "median and 90% interval"))
            fig.tight_layout()
            lo, hi = s.loc[s["0.5"].idxmin()], s.loc[s["0.5"].idxmax()]
            R.figure(fig, f"response_{_safe(o)}",
                     (f"{o} 的中位数在 {fmt_value(metric, lo['0.5'], _Lang(('zh',)))}（{x0}={lo[x0]:g}）"
                      f"到 {fmt_value(metric, hi['0.5'], _Lang(('zh',)))}（{x0}={hi[x0]:g}）之间。",
                      f"Median {o} ranges from {fmt_value(metric, lo['0.5'], _Lang(('en',)))} "
                      f"({x0}={lo[x0]:g}) to {fmt_value(metric, hi['0.5'], _Lang(('en',)))} "
                      f"({x0}={hi[x0]:g})."))
    R.h2("目标概率热图", "Heat map of target probability")
    if len(levers) < 2:
        R.p("只有一个政策参数，没有热图。", "One lever only: no heat map.")
    elif not probs.empty:
        x0, x1 = levers[0], levers[1]
        for tid, g in probs.groupby("target", sort=False):
            _heat(R, g, x0, x1, "probability", f"heat_{_safe(tid)}",
                  (f"目标 {tid} 的达成概率", f"Probability of target {tid}"), True)
        R.table(probs, "probabilities", caption=("各点目标概率", "Target probability per point"))
    elif not oc.empty:
        mean = oc.groupby(["point", "outcome"])["value"].mean().rename("value").reset_index() \
            .merge(points, on="point")
        for o, g in mean.groupby("outcome"):
            _heat(R, g, x0, x1, "value", f"heat_{_safe(o)}", (f"{o} 的均值",
                                                             f"Mean of {o}"), False)
    return title


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(s))


def _heat(R, g, x0, x1, col, name, what, prob):
    L = R.L
    t = g.pivot_table(index=x1, columns=x0, values=col, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    arr = t.to_numpy(float) * (100 if prob else 1)
    im = ax.imshow(arr, origin="lower", aspect="auto", cmap="viridis",
                   vmin=0 if prob else None, vmax=100 if prob else None)
    ax.set_xticks(range(len(t.columns)))
    ax.set_xticklabels([f"{v:g}" for v in t.columns], fontsize=7, rotation=45)
    ax.set_yticks(range(len(t.index)))
    ax.set_yticklabels([f"{v:g}" for v in t.index], fontsize=7)
    if arr.size <= 100:
        for (i, j), v in np.ndenumerate(arr):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.0f}" if prob else f"{v:,.3g}", ha="center", va="center",
                        fontsize=7, color="white" if (prob and v < 50) else "black")
    ax.set_xlabel(x0)
    ax.set_ylabel(x1)
    ax.set_title(L.f(*what))
    fig.colorbar(im, ax=ax, label=L.f("概率 (%)", "probability (%)") if prob else
                 L.f("均值", "mean"))
    fig.tight_layout()
    i, j = np.unravel_index(np.nanargmax(arr), arr.shape)
    best = (t.columns[j], t.index[i])
    R.figure(fig, name, (f"最高值 {arr[i, j]:.0f}{'%' if prob else ''} 出现在 {x0}={best[0]:g}、"
                         f"{x1}={best[1]:g}。",
                         f"Highest {arr[i, j]:.0f}{'%' if prob else ''} at {x0}={best[0]:g}, "
                         f"{x1}={best[1]:g}."))


def write_pdf(html_path: Path) -> Path:
    """``report.pdf`` beside ``report.html``, with WeasyPrint (the ``pdf`` extra)."""
    from sim.engine.folder import OutputError

    try:
        import weasyprint
    except ImportError:
        raise OutputError("a PDF needs the pdf extra (WeasyPrint): .venv/bin/pip install -e "
                          "'.[pdf]'; report.html was written") from None
    html_path = Path(html_path)
    out = html_path.with_suffix(".pdf")
    tmp = out.with_name(f".{out.name}.tmp")
    weasyprint.HTML(filename=str(html_path)).write_pdf(str(tmp))
    tmp.replace(out)
    return out


def fix_fonts(fig) -> None:
    """Give every text of a figure the fonts in force now (the report's style, with a
    CJK font), so that it draws the same when shown later, outside that style."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.text import Text

    fam = plt.rcParams["font.sans-serif"] if "sans-serif" in plt.rcParams["font.family"] \
        else plt.rcParams["font.family"]
    have = {f.name for f in font_manager.fontManager.ttflist}
    fam = [f for f in fam if f in have]
    if fam:
        for t in fig.findobj(Text):
            t.set_fontfamily(fam)


def keep_figures(draw, lang=("en",)) -> list:
    """Run a report-drawing function ``draw(R, folder)`` (it adds figures with
    ``R.figure``) and return its figures as matplotlib objects, each with its caption
    in ``fig.reading``, in the report's style and language(s)."""
    import tempfile

    import matplotlib.pyplot as plt

    class _Keep(_Report):
        def figure(self, fig, name, reading):
            plt.close(fig)  # shown once, as the returned object
            fig.reading = reading
            self.figures.append(fig)

    with tempfile.TemporaryDirectory() as tmp:
        R = _Keep(Path(tmp), _Lang(lang))
        with plt.rc_context(_style(R.L)):
            draw(R, Path(tmp))
            for fig in R.figures:
                fix_fonts(fig)
    if not R.figures:
        raise ValueError("nothing to draw from these results")
    return R.figures
