"""The report's shared figures: fan charts, zone panels, cluster growth, the ladder,
investment, awards against budgets, paired differences and heat maps. Each takes a
:class:`sim.report.page.Page` and DataFrames, draws, and adds its figures and tables to
the page; none reads a file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.summaries import (QUANTILES, annualise, awards_by_year, awards_table, counted,
                                    budgets, by_variant, fan_table, growth_table, ladder_means,
                                    median_per_quarter, median_total, zone_changes)
from sim.core.calendar import q_index
from sim.core.metrics import FLOW_METRICS
from sim.report.lang import (FAN_METRICS, INVEST, LADDER, LEVER_NAMES, METRIC_LABELS,
                             SECTOR_METRICS, Lang, count_unit, fmt_axis, fmt_count, fmt_money,
                             fmt_num, fmt_value, item_name, metric_label, money_scale,
                             short_zone, zone_tooltips)
from sim.report.style import COLORS, plt


# line styles of the variants after the base (solid), so that overlapping lines stay
# apart in grey print too
VARIANT_STYLES = ["--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 2)), (0, (8, 2))]
# and the hatches of their bars
VARIANT_HATCHES = ["//", "..", "xx", "\\\\", "++", "--"]


def draw_fan(ax, x, arr, color, label, bands=True, ls="-"):
    """Median line and 50%/90% bands (``bands``) of ``arr`` (replicates x quarters) on
    ``ax``; returns the median per quarter."""
    q = np.nanquantile(arr, QUANTILES, axis=0)
    if bands:
        ax.fill_between(x, q[0], q[4], color=color, alpha=0.15, lw=0)
        ax.fill_between(x, q[1], q[3], color=color, alpha=0.3, lw=0)
    ax.plot(x, q[2], color=color, lw=1.8, label=label, ls=ls)
    return q[2]


def quarter_ticks(ax, labels, short=False):
    """Quarter labels on the x axis: the years' Q4 (every other year when crowded)."""
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


def fan_section(R, allz, quarters, flow_qs, variants, targets):
    L = R.L
    for metric in FAN_METRICS:
        df = allz[allz.metric == metric]
        if df.empty:
            continue
        fans = by_variant(df, quarters)
        flow = metric in FLOW_METRICS
        kind = METRIC_LABELS[metric][2]
        if flow:
            fans = {v: annualise(w, flow_qs) for v, w in fans.items()}
        xq = list(next(iter(fans.values())).columns)
        if not xq:
            continue
        div, uzh, uen = 1.0, "家", "firms"
        if kind == "money":
            mx = max(float(np.nanmax(np.abs(w.to_numpy()))) if w.size else 0
                     for w in fans.values())
            div, uzh, uen = money_scale(mx)
        elif kind == "ratio":
            div, uzh, uen = 0.01, "%", "%"
        fig, ax = plt.subplots(figsize=(8, 3.6))
        x = np.arange(len(xq))
        meds = {}
        for i, (v, w) in enumerate(fans.items()):
            arr = w.reindex(columns=xq).to_numpy(float) / div
            meds[v] = draw_fan(ax, x, arr, COLORS[i % len(COLORS)], v, bands=i < 3,
                               ls="-" if i == 0 else VARIANT_STYLES[(i - 1) % len(VARIANT_STYLES)])
        tq = [t for t in targets if t["metric"] == metric and t["zone"] == "ALL"
              and t.get("variant", variants[0]) == variants[0]]
        for t in tq:
            thr = t.get("threshold_scaled")  # what the run compares with (population scale)
            thr = t["threshold"] if thr is None else thr
            if t["by"] in xq:
                xi = xq.index(t["by"])
                ax.plot([xi], [thr / div], marker="*", ms=12, color="#d62728",
                        ls="none", zorder=5)
                ax.annotate(f"{t['id']} {t['op']} {fmt_axis(thr / div, kind)}",
                            (xi, thr / div), textcoords="offset points",
                            xytext=(-6, 8), ha="right", fontsize=8, color="#d62728")
            elif q_index(t["by"]) > q_index(xq[-1]):
                ax.axhline(thr / div, color="#d62728", ls=":", lw=1)
        quarter_ticks(ax, xq)
        what = metric_label(metric, L)
        if flow:
            what += L.f("（近四季度合计）", " (sum of last 4 quarters)", "")
        ax.set_title(what + " — " + L.f("全部模拟园区", "all modelled zones"))
        ax.set_xlabel(L.f("季度", "quarter"))
        cu = count_unit(metric)
        ax.set_ylabel(L.f(uzh, uen) if kind != "count" else L.f(f"数量（{cu[0]}）",
                                                                f"number of {cu[1]}"))
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
        R.csv(fan_table(fans, metric), f"fan_{metric}")


def zone_multiples(R, met, metric, quarters, flow_qs, base, zones, variants=None):
    """One panel per zone: the base's median with its bands and, in a comparison, every
    variant's median in its own colour and line style (legend in the first panel)."""
    L = R.L
    variants = list(variants or [base])
    df = met[(met.metric == metric) & (met.sector == "ALL") & (met.zone != "ALL")
             & met.variant.isin(variants)]
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
        div, uzh, uen = money_scale(float(df.value.abs().max()) * 4)
    ends = []
    for i, z in enumerate(zids):
        ax = axes[i // ncol][i % ncol]
        fans = by_variant(df[df.zone == z], quarters)
        for k, v in enumerate([x for x in variants if x in fans]):
            w = annualise(fans[v], flow_qs) if flow else fans[v]
            xq = list(w.columns)
            med = draw_fan(ax, np.arange(len(xq)), w.to_numpy(float) / div,
                           COLORS[k % len(COLORS)], v, bands=k == 0,
                           ls="-" if k == 0 else VARIANT_STYLES[(k - 1) % len(VARIANT_STYLES)])
            if v == base:
                ends.append((z, med[0] * div, med[-1] * div))
        if i == 0 and len(variants) > 1:
            ax.legend(fontsize=6, loc="upper left")
        ax.set_title(short_zone(zones, z, L), fontsize=9)
        quarter_ticks(ax, xq, short=True)
        ax.tick_params(labelsize=7)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].axis("off")
    unit = L.f(uzh, uen)
    what = metric_label(metric, L) + (L.f("（近四季度合计）", " (sum of last 4 quarters)", "")
                                 if flow else "")
    fig.suptitle(f"{what} — " + L.f("分园区", "by zone") + f" ({unit})")
    fig.supxlabel(L.f("季度", "quarter"), fontsize=9)
    fig.supylabel(unit, fontsize=9)
    fig.tight_layout()
    growth = sorted(ends, key=lambda e: (e[2] - e[1]), reverse=True)
    top = growth[0]
    zh_n, en_n = METRIC_LABELS[metric][:2]
    R.figure(fig, f"zones_{metric}",
             (f"{zh_n}增量最大的是{item_name(zones, top[0], Lang(('zh',)), fig=False)}："
              f"{fmt_value(metric, top[1], Lang(('zh',)))} → {fmt_value(metric, top[2], Lang(('zh',)))}（中位数）。",
              f"Largest increase in {en_n}: {item_name(zones, top[0], Lang(('en',)), fig=False)}, "
              f"{fmt_value(metric, top[1], Lang(('en',)))} → "
              f"{fmt_value(metric, top[2], Lang(('en',)))} (median)."))


def cluster_growth(R, met, variants, zones, sectors, init_q, flow_qs, last_q):
    """Growth by zone and by sector, start against ``last_q`` (medians over replicates):
    a figure of bars (the start; each variant's end in its colour, the base first) and a
    table with a row per zone or sector and variant (a comparison's variants beside the
    base, each with its change from the base's median)."""
    L = R.L
    variants = [variants] if isinstance(variants, str) else list(variants)
    base = variants[0]
    first_flow = flow_qs[0] if flow_qs else init_q
    R.p(f"企业数和高企数为 {init_q}（初始状态）与 {last_q} 的中位数比较；收入为季度收入，比较 {first_flow} 与 {last_q}。"
        + ("每个方案一行，“与基准之差”为方案中位数减基准中位数。" if len(variants) > 1 else ""),
        f"Enterprises and 高企 compare the initial state ({init_q}) with {last_q} (medians "
        f"over replicates); revenue is quarterly revenue, {first_flow} vs {last_q}."
        + (" One row per variant; \"change from base\" is the variant's median less the "
           "base's." if len(variants) > 1 else ""))
    for by, items, label in (("zone", zones, ("按园区", "by zone")),
                             ("sector", sectors, ("按产业", "by sector"))):
        order = [it["id"] for it in items]
        tabs = {v: growth_table(met, v, SECTOR_METRICS, by, order, init_q, first_flow,
                                last_q) for v in variants}
        tabs = {v: t for v, t in tabs.items() if t is not None}
        if base not in tabs:
            continue
        braw = tabs[base]
        ids = list(braw[by])
        names = [short_zone(items, i, L) if by == "zone" else item_name(items, i, L)
                 for i in ids]
        shown_v = [v for v in variants if v in tabs]
        nb = 1 + len(shown_v)
        h = 0.8 / nb
        fig, axes = plt.subplots(1, 3, figsize=(11, (0.33 + 0.12 * (nb - 2)) * len(ids) + 1.6),
                                 sharey=True)
        y = np.arange(len(ids))
        for ax, mtr in zip(axes, SECTOR_METRICS, strict=True):
            v0 = braw[f"{mtr}_start"].to_numpy(float)
            ends = {v: t.set_index(by).reindex(ids)[f"{mtr}_{last_q}"].to_numpy(float)
                    for v, t in tabs.items()}
            div, uzh, uen = (1.0, "家", "firms")
            if mtr == "revenue_wan":
                mx = max(np.nanmax(np.abs(e)) if len(e) else 0 for e in ends.values())
                div, uzh, uen = money_scale(mx)
            off = -0.4 + h / 2
            ax.barh(y + off, v0 / div, height=h, color="#9cc3d5", label=L.f("起点", "start"))
            for k, v in enumerate(shown_v):
                ax.barh(y + off + (k + 1) * h, ends[v] / div, height=h,
                        color=COLORS[k % len(COLORS)],
                        hatch=None if k == 0 else VARIANT_HATCHES[(k - 1) % len(VARIANT_HATCHES)],
                        label=f"{last_q}" if len(shown_v) == 1 else f"{v} {last_q}")
            ax.set_title(metric_label(mtr, L), fontsize=9)
            ax.set_xlabel(L.f(uzh, uen) + (L.f("/季度", " per quarter", "")
                                          if mtr == "revenue_wan" else ""))
        axes[0].set_yticks(y)
        axes[0].set_yticklabels(names, fontsize=8)
        axes[0].invert_yaxis()
        axes[0].legend(fontsize=7, loc="lower right")
        fig.suptitle(L.f("集群增长", "Cluster growth") + " — " + L.f(*label))
        fig.tight_layout()
        raw = braw
        g = raw.set_index(by)["hte_growth_pct"].replace([np.inf, -np.inf], np.nan).dropna()
        d = (raw.set_index(by)[f"hte_{last_q}"] - raw.set_index(by)["hte_start"]).dropna()
        if len(d):
            top = d.idxmax()
            zh_top = item_name(items, top, Lang(("zh",)), fig=False)
            en_top = item_name(items, top, Lang(("en",)), fig=False)
            gp = g.get(top, np.nan)
            reading = (f"高企增加最多的{'园区' if by == 'zone' else '产业'}是{zh_top}："
                       f"+{d[top]:,.0f} 家（{gp:+.0f}%"
                       + (f"，{base}" if len(shown_v) > 1 else "") + "）。",
                       f"Largest 高企 gain by {by}: {en_top}, +{d[top]:,.0f} ({gp:+.0f}%"
                       + (f", {base}" if len(shown_v) > 1 else "") + ").")
        else:
            reading = ("无数据。", "No data.")
        R.figure(fig, f"cluster_by_{by}", reading)
        raw, shown = growth_rows(tabs, shown_v, by, ids, last_q, items, L)
        R.table(shown, f"cluster_by_{by}", caption=("集群增长" + L.t(*label, sep=""),
                                                    "Cluster growth " + label[1]), csv=raw,
                tooltips=zone_tooltips(items, L) if by == "zone" else None)


def growth_rows(tabs: dict, variants: list[str], by: str, ids: list[str], last_q: str,
                items: list[dict], L) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cluster table of every variant: raw (``variant`` first, full precision, with
    ``<metric>_change`` from the base's median in a comparison) and as shown (short zone
    names, counts whole, money in 万元/亿元, growth in %), a zone's or sector's rows
    together, the base first."""
    base = variants[0]
    b = tabs[base].set_index(by)
    parts = []
    for v in variants:
        t = tabs[v].set_index(by).reindex(ids)
        if len(variants) > 1:
            for mtr in SECTOR_METRICS:
                t[f"{mtr}_change"] = t[f"{mtr}_{last_q}"] - b[f"{mtr}_{last_q}"].reindex(ids)
        parts.append(t.reset_index().assign(variant=v, _k=range(len(ids))))
    raw = pd.concat(parts, ignore_index=True)
    raw["_v"] = raw["variant"].map({v: i for i, v in enumerate(variants)})
    raw = raw.sort_values(["_k", "_v"]).drop(columns=["_k", "_v"]).reset_index(drop=True)
    raw = raw[["variant"] + [c for c in raw.columns if c != "variant"]]
    if len(variants) == 1:
        raw = raw.drop(columns=["variant"])
    shown = raw.copy()
    shown[by] = [short_zone(items, i, L, fig=False) if by == "zone"
                 else item_name(items, i, L, fig=False) for i in raw[by]]
    for c in shown.columns:
        if c in ("variant", by):
            continue
        if c.endswith("_pct"):
            shown[c] = shown[c].map(lambda v: "–" if not np.isfinite(v) else f"{v:+.0f}%")
        elif c.startswith("revenue"):
            sign = c.endswith("_change")
            shown[c] = shown[c].map(lambda v, s=sign: ("+" if s and v > 0 else "")
                                    + fmt_money(v, L))
        else:
            sign = c.endswith("_change")
            shown[c] = shown[c].map(lambda v, s=sign: ("+" if s and v > 0 else "")
                                    + fmt_count(v))
    heads = {}
    for mtr in SECTOR_METRICS:
        zh, en = METRIC_LABELS[mtr][:2]
        heads[f"{mtr}_start"] = L.t(f"{zh}：起点", f"{en}: start")
        heads[f"{mtr}_{last_q}"] = L.t(f"{zh}：{last_q}", f"{en}: {last_q}")
        heads[f"{mtr}_growth_pct"] = L.t(f"{zh}：增长", f"{en}: growth")
        heads[f"{mtr}_change"] = L.t(f"{zh}：与基准之差", f"{en}: change from base")
    return raw, shown.rename(columns=heads)


LADDER_PARTS = ["startups", "tech_smes", "hte_only", "gazelles", "leaders"]
LADDER_LABELS = {"startups": ("初创企业", "start-ups"), "tech_smes": ("科技型中小企业", "tech SMEs"),
                 "hte_only": ("高企（非瞪羚/领军）", "HTE only"),
                 "gazelles": ("瞪羚企业", "gazelles"), "leaders": ("领军企业", "leaders"),
                 "hte": ("高企", "HTE"), "specialised": ("专精特新企业", "specialised SMEs")}


def ladder(R, allz, variants, quarters):
    """The ladder (firms by highest rung, mean over replicates): the base's stacked areas;
    in a comparison, one panel per rung with every variant's line in its colour and line
    style; the table of the rungs at the last quarter per variant (with the change from
    the base) and ``ladder.csv``, every variant per quarter."""
    L = R.L
    variants = [variants] if isinstance(variants, str) else list(variants)
    base = variants[0]
    if allz[(allz.variant == base) & allz.metric.isin(LADDER)].empty:
        return
    flags = [f for f in ("specialised",) if f in set(allz.metric)]  # 专精特新: not a rung
    means = {v: ladder_means(allz, v, quarters, LADDER + flags) for v in variants
             if not allz[(allz.variant == v) & allz.metric.isin(LADDER)].empty}
    mean = means[base]
    parts = LADDER_PARTS
    labels = LADDER_LABELS
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(len(quarters))
    cols = ["#c6dbef", "#6baed6", "#2171b5", "#fd8d3c", "#a63603"]
    ax.stackplot(x, *[mean[p].fillna(0).to_numpy() for p in parts], colors=cols,
                 labels=[L.f(*labels[p]) for p in parts])
    ax.set_title(L.f("企业梯度（各级企业数，均值）", "The ladder (firms by highest rung, mean)")
                 + (f" — {base}" if len(means) > 1 else ""))
    ax.set_xlabel(L.f("季度", "quarter"))
    ax.set_ylabel(L.f("数量（家）", "number of firms"))
    quarter_ticks(ax, quarters)
    ax.legend(fontsize=7, loc="upper left")
    upper = parts[1:]
    ax2.stackplot(x, *[mean[p].fillna(0).to_numpy() for p in upper], colors=cols[1:])
    ax2.set_title(L.f("不含初创企业", "without start-ups"))
    ax2.set_xlabel(L.f("季度", "quarter"))
    ax2.set_ylabel(L.f("数量（家）", "number of firms"))
    quarter_ticks(ax2, quarters)
    fig.tight_layout()
    f, la = mean.iloc[0], mean.iloc[-1]
    R.figure(fig, "ladder",
             (f"科技型中小企业从 {f['tech_smes']:,.0f} 到 {la['tech_smes']:,.0f} 家，瞪羚从 "
              f"{f['gazelles']:,.0f} 到 {la['gazelles']:,.0f} 家，领军从 {f['leaders']:,.0f} 到 "
              f"{la['leaders']:,.0f} 家（{quarters[0]}–{quarters[-1]}，均值"
              + (f"，{base}" if len(means) > 1 else "") + "）。",
              f"Tech SMEs {f['tech_smes']:,.0f} → {la['tech_smes']:,.0f}, gazelles "
              f"{f['gazelles']:,.0f} → {la['gazelles']:,.0f}, leaders {f['leaders']:,.0f} → "
              f"{la['leaders']:,.0f} ({quarters[0]}–{quarters[-1]}, mean"
              + (f", {base}" if len(means) > 1 else "") + ")."))
    rungs = ["startups", "tech_smes", "hte", *flags, "gazelles", "leaders"]
    if len(means) > 1:
        fig, axes = plt.subplots(1, len(rungs), figsize=(2.4 * len(rungs), 3.0))
        for ax, rung in zip(axes, rungs, strict=True):
            for k, (v, mv) in enumerate(means.items()):
                ax.plot(x, mv[rung].to_numpy(float), color=COLORS[k % len(COLORS)], lw=1.6,
                        ls="-" if k == 0 else VARIANT_STYLES[(k - 1) % len(VARIANT_STYLES)],
                        label=v)
            ax.set_title(L.f(*labels[rung]), fontsize=9)
            quarter_ticks(ax, quarters, short=True)
            ax.tick_params(labelsize=7)
        axes[0].set_ylabel(L.f("数量（家）", "number of firms"))
        axes[0].legend(fontsize=7, loc="best")
        fig.suptitle(L.f("企业梯度：各方案（均值）", "The ladder: every variant (mean)"))
        fig.tight_layout()
        last = quarters[-1]
        parts_zh, parts_en = [], []
        for v, mv in list(means.items())[1:]:
            dh = float(mv["hte"].iloc[-1] - mean["hte"].iloc[-1])
            parts_zh.append(f"{v} 的高企比基准{'多' if dh >= 0 else '少'} {fmt_count(abs(dh))} 家")
            parts_en.append(f"{v} has {fmt_count(abs(dh))} {'more' if dh >= 0 else 'fewer'} "
                            "高企 than the base")
        R.figure(fig, "ladder_variants",
                 (f"{last}（均值）：" + "，".join(parts_zh) + "。",
                  f"At {last} (mean): " + "; ".join(parts_en) + "."))
    # the rungs at the last quarter, every variant (and its change from the base)
    rows, shown = [], []
    for v, mv in means.items():
        row = {"variant": v, "quarter": quarters[-1]}
        row.update({r: float(mv[r].iloc[-1]) for r in rungs})
        if len(means) > 1:
            row.update({f"{r}_change": float(mv[r].iloc[-1] - mean[r].iloc[-1])
                        for r in rungs})
        rows.append(row)
    raw = pd.DataFrame(rows)
    shown = raw.copy()
    for c in shown.columns[2:]:
        sign = c.endswith("_change")
        shown[c] = shown[c].map(lambda v, s=sign: ("+" if s and v > 0 else "") + fmt_count(v))
    heads = {}
    for r in rungs:
        zh, en = labels[r]
        heads[r] = L.t(zh, en)
        heads[f"{r}_change"] = L.t(f"{zh}：与基准之差", f"{en}: change from base")
    R.table(shown.rename(columns=heads), "ladder_end", csv=raw,
            caption=(f"{quarters[-1]} 的企业梯度（各级企业数，均值）",
                     f"The ladder at {quarters[-1]} (firms by highest rung, mean)"))
    t = pd.concat([m[parts + ["hte", *flags]].reset_index().assign(variant=v)
                   for v, m in means.items()], ignore_index=True)
    R.csv(t[["variant"] + [c for c in t.columns if c != "variant"]], "ladder")


def investment(R, met, base, zones, flow_qs, variants=None):
    L = R.L
    variants = list(variants or [base])
    df = met[(met.variant == base) & met.metric.isin(INVEST) & (met.sector == "ALL")]
    if df.empty or not flow_qs:
        return
    allz = df[df.zone == "ALL"]
    proj = ["projects_arrived", "projects_landed", "projects_referred", "projects_lost"]
    med = median_per_quarter(allz, flow_qs)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    x = np.arange(len(flow_qs))
    for i, p in enumerate(proj):
        if p in med:
            ax.plot(x, med[p].to_numpy(), marker="o", ms=3, color=COLORS[i], label=metric_label(p, L))
    ax.set_title(L.f("投资项目（每季度，中位数）", "Investment projects per quarter (median)")
                 + " — " + L.f("全部模拟园区", "all modelled zones"))
    ax.set_xlabel(L.f("季度", "quarter"))
    ax.set_ylabel(L.f("项目数（个/季度）", "projects per quarter"))
    quarter_ticks(ax, flow_qs)
    ax.legend(fontsize=8)
    tot = median_total(allz, [])
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
    t = median_total(zz, ["zone"]).unstack("metric")
    ids = [z["id"] for z in zones if z["id"] in t.index] or list(t.index)
    t = t.reindex(ids).fillna(0.0)
    div, uzh, uen = money_scale(float(t.to_numpy().max()) if t.size else 0)
    fig, ax = plt.subplots(figsize=(9, 0.33 * len(ids) + 1.4))
    y = np.arange(len(ids))
    ax.barh(y - 0.2, t.get("investment_landed_wan", 0) / div, height=0.4, color=COLORS[0],
            label=metric_label("investment_landed_wan", L))
    ax.barh(y + 0.2, t.get("investment_credited_wan", 0) / div, height=0.4, color=COLORS[1],
            label=metric_label("investment_credited_wan", L))
    ax.set_yticks(y)
    ax.set_yticklabels([short_zone(zones, i, L) for i in ids], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(L.f(uzh, uen) + f" ({flow_qs[0]}–{flow_qs[-1]})")
    ax.set_title(L.f("分园区落地投资与计入考核投资（合计，中位数）",
                     "Investment landed vs credited by zone (total, median)"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    diff = (t.get("investment_credited_wan", 0) - t.get("investment_landed_wan", 0))
    zmax = diff.idxmax()
    R.figure(fig, "investment_by_zone",
             (f"计入考核多于实际落地最多的是{item_name(zones, zmax, Lang(('zh',)), fig=False)}"
              f"（{fmt_money(diff[zmax], Lang(('zh',)))}），来自跨区推荐的分成。",
              f"Credited exceeds landed most in {item_name(zones, zmax, Lang(('en',)), fig=False)}"
              f" ({fmt_money(diff[zmax], Lang(('en',)))}), from referral credit shares."))
    raw = t.reset_index().rename(columns={"index": "zone"})
    shown = raw.assign(**{c: raw[c].map(lambda v: fmt_money(v, L)) for c in raw.columns[1:]})
    shown["zone"] = [short_zone(zones, z, L, fig=False) for z in raw["zone"]]
    R.table(shown.rename(columns={c: metric_label(c, L, fig=False) for c in raw.columns[1:]}),
            "investment_by_zone", caption=("分园区投资（中位数合计）",
                                           "Investment by zone (median totals)"), csv=raw,
            tooltips=zone_tooltips(zones, L))
    if len(variants) < 2:
        return
    # who gains or loses credited investment under each variant (e.g. a referral split)
    ch = zone_changes(met, "investment_credited_wan", base, variants[1:], flow_qs)
    if ch.empty:
        return
    ch = ch.reindex([i for i in ids if i in ch.index]).fillna(0.0)
    shown = pd.DataFrame({L.t("园区", "zone"): [short_zone(zones, z, L, fig=False)
                                               for z in ch.index]})
    shown[L.t(f"{base}（均值合计）", f"{base} (mean total)")] = [fmt_money(v, L) for v in ch[base]]
    for v in ch.columns[1:]:
        shown[L.t(f"{v} − 基准", f"{v} − base")] = [("+" if x > 0 else "") + fmt_money(x, L)
                                                     for x in ch[v]]
    R.table(shown, "investment_credited_changes",
            caption=("各方案计入考核投资的变化（配对差值的均值，按园区）",
                     "Credited investment: each variant's change by zone (mean paired "
                     "difference)"), csv=ch.reset_index(), tooltips=zone_tooltips(zones, L))


def awards(R, ledger, replicates, resolved, variants, zones, scale, flow_qs, claims=None,
           arrears=None):
    """Awards paid per year by lever, and by payer: earned and paid against the budgets
    (the base variant, mean over ``replicates``), from the ledger (None: there is none)
    and the claim book; ``resolved``: variant -> resolved scenario; ``arrears``: per
    year, the mean awards waiting at the year's end (all payers)."""
    L = R.L
    if ledger is None or not flow_qs:
        R.p("没有奖补台账。", "No ledger.")
        return
    led = counted(ledger)[["variant", "replicate", "quarter", "lever", "payer",
                           "amount_wan"]].copy()
    n = int(replicates or 1)
    led["year"] = led["quarter"].str[:4].astype(int)
    base = variants[0]
    lb = led[led.variant == base]
    years = sorted({int(q[:4]) for q in flow_qs})
    by_lever = awards_by_year(lb, n, "lever", years)
    levers = sorted(by_lever.columns, key=lambda s: int(s[1:]) if s[1:].isdigit() else 99)
    by_lever = by_lever[levers]
    by_payer = awards_by_year(lb, n, "payer", years)
    bud = budgets(resolved.get(base, {}), scale, flow_qs).set_index("year")
    mx = max(float(by_lever.sum(axis=1).max()) if len(by_lever) else 0,
             float(bud.to_numpy().max()) if len(bud) else 0)
    div, uzh, uen = money_scale(mx)
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
             (f"{years[0]}–{years[-1]} 平均共支付奖补 {fmt_money(total, Lang(('zh',)))}，其中 {top} "
              f"{LEVER_NAMES.get(top, (top, top))[0]}占 {share:.0f}%；省级预算使用 {use:.0f}%。",
              f"{years[0]}–{years[-1]}: {fmt_money(total, Lang(('en',)))} of awards paid "
              f"(mean); {top} {LEVER_NAMES.get(top, (top, top))[1]} is {share:.0f}%; the "
              f"province used {use:.0f}% of its budget."))
    R.p(f"预算 = 年度预算 × 人口比例（{scale:g}）；首年按模拟起点至年末的季度计（与台账相同）。",
        f"Budget = yearly budget × population scale ({scale:g}); the first year counts its "
        "quarters from the calendar's start to the year's end, as the ledger opens it.",
        "note")
    # tables: by lever, payer, year, per variant
    R.csv(awards_table(led, n), "awards_by_lever_payer_year")
    py = by_payer.reindex(columns=["province", "zone"]).fillna(0.0).add_prefix("paid_")
    if claims is not None and len(claims):
        cb = claims[claims.variant == base].copy()
        cb["year"] = cb["quarter"].str[:4].astype(int)
        earned = (cb.groupby(["year", "payer"])["earned_wan"].sum() / n).unstack("payer") \
            .reindex(index=years, columns=["province", "zone"]).fillna(0.0)
        py = earned.add_prefix("earned_").join(py)
    py = py.join(bud.add_prefix("budget_"))
    if arrears is not None:
        py["arrears_at_year_end"] = arrears.reindex(py.index)
        if py["arrears_at_year_end"].notna().any() and "budget_province" in py:
            yearly = py[[c for c in py.columns if c.startswith("budget_")]].sum(axis=1)
            py["arrears_in_years_of_budget"] = py["arrears_at_year_end"] / yearly.where(
                yearly > 0)
    py = py.reset_index()
    shown = py.copy()
    for c in shown.columns[1:]:
        if c == "arrears_in_years_of_budget":
            shown[c] = shown[c].map(lambda v: "–" if not np.isfinite(v) else f"{v:.2f}")
        else:
            shown[c] = shown[c].map(lambda v: fmt_money(v, L))
    heads = {"year": ("年份", "year"), "earned_province": ("省级应付", "earned: province"),
             "earned_zone": ("园区应付", "earned: zones"),
             "paid_province": ("省级实付", "paid: province"), "paid_zone": ("园区实付", "paid: zones"),
             "budget_province": ("省级预算", "budget: province"),
             "budget_zone": ("园区预算", "budget: zones"),
             "arrears_at_year_end": ("年末欠付", "arrears at year end"),
             "arrears_in_years_of_budget": ("欠付相当于几年预算", "arrears, years of budget")}
    shown = shown.rename(columns={k: L.t(*v) for k, v in heads.items()})
    R.table(shown, "awards_vs_budget", caption=(
        "年度奖补：应付（承诺）、实付与预算，及年末欠付（基准方案，均值）",
        "Awards per year: earned (obligations), paid and budget, and arrears at year end "
        "(base, mean)"), csv=py)


def money_reading(R, d, base, shifts, last) -> None:
    """One line per variant on where money went when the base's budgets bind (arrears at
    the last checkpoint): which lever's payments fell and which rose."""
    L = R.L
    arr = d[(d.metric == "arrears_wan") & (d.checkpoint == last)]
    if shifts is None or shifts.empty or arr.empty:
        return
    if not (arr.base_median > 0).any():
        R.p(L.t(f"预算未约束：基准在 {last} 没有欠付，每项奖补在应付当季即付清，"
                "所以各方案的实付变化等于其承诺变化，一项杠杆的成本就是它自己的奖补。",
                f"Budgets do not bind: the base owes nothing at {last}; every award is paid "
                "the quarter it is earned, so each variant's change in payments equals its "
                "change in obligations and a lever's cost is its own awards."), "note")
        return
    a = float(arr.base_median.iloc[0])
    R.p(L.t(f"预算约束：基准在 {last} 仍有 {fmt_money(a, L)} 已承诺未支付（欠付）；"
            "某项杠杆少花的钱会被其他奖补的排队吸收，所以实付口径的成本变化可能接近零。",
            f"Budgets bind: the base still owes {fmt_money(a, L)} of awards earned but not "
            f"paid at {last}; money one lever stops spending is absorbed by the other awards' "
            "queue, so the change in payments can be near zero."), "note")
    for v, g in shifts.groupby("variant", sort=False):
        g = g.set_index("lever")["paid_change_wan"]
        down, up = g.idxmin(), g.idxmax()
        if g[down] >= -1.0 or g[up] <= 1.0:
            continue
        R.p(L.t(f"{v}：{down} 实付 {fmt_money(g[down], L)}，{up} 实付 +{fmt_money(g[up], L)}，"
                f"即释放的资金主要流向 {up}。",
                f"{v}: {down} pays {fmt_money(g[down], L)} and {up} +{fmt_money(g[up], L)} "
                f"to {last}: the money freed goes mostly to {up}."), "note")


# families of metrics whose paired differences share one scale: (zh, en)
FAMILY_NAMES = {"firms": ("企业数（家）", "counts of firms"), "people": ("从业人员（人）", "people"),
                "projects": ("项目数（个）", "projects"),
                "economy": ("收入、研发与投资（万元/亿元）", "revenue, R&D and investment (money)"),
                "public_money": ("奖补与税式支出（万元/亿元）", "awards and tax expenditure (money)"),
                "other": ("其他", "other")}
_ECONOMY = ("revenue_wan", "rd_wan", "investment_landed_wan", "investment_credited_wan",
            "vc_invested_wan", "loans_wan")


def unit_family(metric: str) -> str:
    """The family of a metric whose differences share a scale: counts of firms, people,
    projects, the economy's money (revenue, R&D, investment), public money (awards, tax
    expenditure), or other (its own scale: ratios, ranks)."""
    if metric in _ECONOMY:
        return "economy"
    if metric.endswith("_wan"):
        return "public_money"
    kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
    if kind != "count":
        return "other"
    unit = count_unit(metric)[1]
    return {"firms": "firms", "people": "people", "projects": "projects"}.get(unit, "other")


def unit_families(metrics: list[str]) -> list[tuple[str, list[str]]]:
    """``metrics`` grouped by :func:`unit_family`, in the order families first appear;
    "other" metrics each in a family of their own."""
    out: dict = {}
    for m in metrics:
        f = unit_family(m)
        out.setdefault(f if f != "other" else f"other:{m}", []).append(m)
    return [(f.split(":")[0], ms) for f, ms in out.items()]


def compare_section(R, d, base, shifts=None):
    """Paired differences (variant − base) at the last checkpoint: mean and 90% interval
    per metric, the money reading, and the cost per unit of outcome on both bases, from
    the comparison table ``d`` (and ``shifts``: payments' change by lever)."""
    L = R.L
    if d.empty:
        return
    last = sorted(d.checkpoint.unique(), key=q_index)[-1]
    dd = d[(d.checkpoint == last) & d.diff_p05.notna()]
    variants = list(dict.fromkeys(dd.variant))
    families = unit_families(list(dd.metric.unique()))
    ncol = 3
    # each family of several metrics starts a row of panels that share one scale; the
    # families of one metric (each its own scale) share the last rows
    slots, r = [], 0
    for fi, (_, ms) in enumerate(families):
        if len(ms) > 1:
            for k, mtr in enumerate(ms):
                slots.append((r + k // ncol, k % ncol, fi, mtr))
            r += int(np.ceil(len(ms) / ncol))
    single = [(fi, ms[0]) for fi, (_, ms) in enumerate(families) if len(ms) == 1]
    for k, (fi, mtr) in enumerate(single):
        slots.append((r + k // ncol, k % ncol, fi, mtr))
    r += int(np.ceil(len(single) / ncol))
    nrow = max(r, 1)
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 0.45 * len(variants) * nrow + 1.2 * nrow
                                                   + 0.5), squeeze=False)
    y = np.arange(len(variants))
    scales = {}
    for fi, (fam, ms) in enumerate(families):
        g = dd[dd.metric.isin(ms)]
        lo_hi = g[["diff_p05", "diff_p95", "diff_mean"]].to_numpy(float)
        big = float(np.nanmax(np.abs(lo_hi))) if lo_hi.size else 0.0
        div, uzh, uen = (money_scale(big) if fam in ("economy", "public_money")
                         else (1.0, *count_unit(ms[0])))
        lo, hi = float(np.nanmin(lo_hi) / div), float(np.nanmax(lo_hi) / div)
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        pad = 0.08 * (hi - lo) or 1.0
        scales[fi] = (div, uzh, uen, (lo - pad, hi + pad))
    used = set()
    for row, col, fi, mtr in slots:
        ax = axes[row][col]
        used.add((row, col))
        g = dd[dd.metric == mtr].set_index("variant").reindex(variants)
        div, uzh, uen, xlim = scales[fi]
        lo = (g.diff_mean - g.diff_p05).to_numpy() / div
        hi = (g.diff_p95 - g.diff_mean).to_numpy() / div
        ax.errorbar(g.diff_mean.to_numpy() / div, y, xerr=[np.maximum(lo, 0),
                                                           np.maximum(hi, 0)],
                    fmt="o", color=COLORS[0], ecolor="#888", capsize=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(*xlim)
        ax.set_ylim(len(variants) - 0.5, -0.5)
        ax.set_yticks(y)
        ax.set_yticklabels(variants if col == 0 else [""] * len(variants), fontsize=7)
        flow = mtr in FLOW_METRICS
        ax.set_title(metric_label(mtr, L) + (L.f("（年）", " (year)", "") if flow else ""),
                     fontsize=9)
        ax.set_xlabel(L.f("差值", "difference") + f" ({L.f(uzh, uen)})", fontsize=8)
    for rr in range(nrow):
        for cc in range(ncol):
            if (rr, cc) not in used:
                axes[rr][cc].axis("off")
    fig.suptitle(L.f(f"{last} 的配对差异（方案 − {base}；均值与 90% 区间）",
                     f"Paired differences at {last} (variant − {base}; mean, 90% interval)"))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))
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
    # panels of one unit family share a scale (a count beside money would vanish on a
    # shared one): say which, so that bars are compared only where the scale is shared
    named = [(FAMILY_NAMES[f], ms) for f, ms in families if len(ms) > 1]
    if named:
        alone = sum(len(ms) == 1 for _, ms in families)
        reading = (reading[0] + "同一类指标的小图从新的一行开始，共用横轴刻度（"
                   + "；".join(f"{n[0]}：{len(ms)} 图" for n, ms in named)
                   + "），可比较长短；不同类之间刻度不同"
                   + ("，最后一行的小图各自有刻度" if alone else "") + "。",
                   reading[1] + " Each family of metrics starts a row and its panels share "
                   "one scale (" + "; ".join(f"{n[1]}: {len(ms)} panels" for n, ms in named)
                   + "), so their bars compare; the scale differs between families"
                   + (", and each panel of the last row has its own" if alone else "") + ".")
    else:
        reading = (reading[0] + "各类指标的横轴刻度不同，不宜跨图比较长短。",
                   reading[1] + " Each panel has its own scale: compare within a panel, "
                   "not across panels.")
    R.figure(fig, "paired_differences", reading)
    luck = [c for c in ("luck_only_diff_mean", "luck_only_diff_p05", "luck_only_diff_p95")
            if c in dd]
    shown = dd[["variant", "metric", "checkpoint", "base_median", "variant_median",
                "diff_mean", "diff_p05", "diff_p95", "share_positive"] + luck].copy()
    for c in ["base_median", "variant_median", "diff_mean", "diff_p05", "diff_p95"] + luck:
        shown[c] = [fmt_value(mm, v, L) for mm, v in zip(shown.metric, shown[c], strict=True)]
    shown["share_positive"] = shown["share_positive"].map(lambda v: f"{100 * v:.0f}%")
    R.table(shown, "paired_differences", caption=("配对差异", "Paired differences"), csv=d)
    money_reading(R, d, base, shifts, last)
    R.h3("单位成本", "Cost per unit of outcome")
    c = d[d.metric.isin(["wan_per_extra_hte", "wan_per_extra_yi_revenue"])].copy()
    if c.empty:
        return
    if "basis" not in c:
        c["basis"], c["note"] = "paid", ""
    c["note"] = c["note"].fillna("")
    key = ["variant", "checkpoint", "basis"]
    ct = c.pivot_table(index=key, columns="metric", values="diff_mean", aggfunc="first",
                       dropna=False).reset_index()
    # each unit has its own note (an effect on 高企 may be measurable where revenue's is not)
    notes = c.pivot_table(index=key, columns="metric", values="note", aggfunc="first",
                          dropna=False).reset_index()
    for col in ("wan_per_extra_hte", "wan_per_extra_yi_revenue"):
        if col in notes:
            ct = ct.merge(notes[key + [col]].rename(columns={col: f"{col}_note"}), on=key,
                          how="left")
    ct = ct.sort_values(key, key=lambda col: col.map(
        q_index) if col.name == "checkpoint" else col)
    zh_notes = {"no measurable effect": "效果不显著", "cheaper and better": "更省且更好",
                "costlier and worse": "更贵且更差"}
    shown = ct[[k for k in ct if not k.endswith("_note")]].copy()
    for col in ("wan_per_extra_hte", "wan_per_extra_yi_revenue"):
        if col not in shown:
            continue
        cells = []
        for v, n in zip(shown[col], ct.get(f"{col}_note", [""] * len(shown)), strict=True):
            n = n if isinstance(n, str) else ""
            note = L.t(zh_notes.get(n, n), n) if n else ""
            if np.isfinite(v):
                cells.append(fmt_money(v, L) + (f" ({note})" if note else ""))
            else:
                cells.append(note or "—")
        shown[col] = cells
    shown["basis"] = shown["basis"].map({"earned": L.t("承诺（应付）", "obligations (earned)"),
                                         "paid": L.t("实付", "payments (paid)")})
    shown = shown.rename(columns={
        "variant": L.t("方案", "variant"), "checkpoint": L.t("检查点", "checkpoint"),
        "basis": L.t("口径", "basis"),
        "wan_per_extra_hte": L.t("每增加一家高企的奖补", "Awards per extra 高企"),
        "wan_per_extra_yi_revenue": L.t("每增加 1 亿元收入的奖补", "Awards per extra 亿元 revenue")})
    R.table(shown, "cost_per_unit", caption=(
        "单位成本（奖补差 ÷ 结果差，均值；承诺与实付两种口径）",
        "Cost per unit (extra awards ÷ extra outcome, means; on obligations and on "
        "payments)"), csv=ct)
    R.p("只在效果的 90% 区间不含零时给出单位成本；否则记为“效果不显著”。预算约束时，"
        "实付口径会把某项杠杆释放的资金算作“免费”（被其他奖补的排队吸收），承诺口径不会。",
        "A cost per unit is given only where the effect's 90% interval excludes zero; "
        "otherwise it reads \"no measurable effect\". When a budget binds, the payments basis "
        "shows a lever as free (the money it frees is absorbed by other awards' queue); the "
        "obligations basis does not.", "note")


def heat_map(R, g, x0, x1, col, name, what, prob):
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

