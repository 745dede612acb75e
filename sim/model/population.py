"""Synthesising each zone's firms from its published totals, consistent with the
model's own rules (docs/model.md "Initialization", docs/baseline.md section 4).

For a zone with N firms (after ``population.scale``), counts by rung, an annual revenue
total R, an R&D intensity, a recent growth and its largest firms (``firms.top``):

1. sizes: the top firms at their revenue (x scale), the others lognormal
   (``behaviour.size_sigma``) adding up to the rest of R (exactly so after step 4);
2. rungs: certified top firms, leaders among the largest, 高企 with weights ~ size^0.5
   at the published share over 1亿 (``hte_large_share``) and within the revenue share
   the zone's R&D allows, gazelles among 高企 of 2000万-10亿, tech SMEs among the rest;
3. ages by rung and size (no large firm founded recently; large non-gazelles older than
   the gazelle test's size routes allow), sectors by the zone's shares;
4. 12 quarters of history at the zone's growth (certified non-gazelles below the gazelle
   test, gazelles 25-60% a year), zero before founding, the zone rescaled to R;
5. R&D: a zone factor found so that the zone's R&D / revenue is its input after the
   floors (高企 above their notch, tech SMEs and 专精特新 at 3%, bunching); the pool of
   uncertified firms meeting every criterion set to ``hte_pool_ratio`` x 高企;
6. certificates with staggered expiry (certified in the Q4 round of one of the last
   three years, valid 12 quarters); gazelle and leader flags by the round's own tests;
7. what the 高企 evaluation reads (:func:`_initial_ip`, drawn from a child stream so the
   steps above draw as before): the experts' traits, IP and conversions of results as
   the model's own flows (S3) would have given over the last three years (or the firm's
   life if shorter), each 高企 holding the IP its certificate needed.
"""

from __future__ import annotations

import numpy as np

from sim.model.common import (
    CONV_SLOTS,
    gazelle_test,
    hte_conv_per_year,
    hte_growth,
    hte_rd_met,
    hte_score,
    hte_shares_met,
    hte_threshold,
    hte_traits,
    knowledge_hazard,
    leader_test,
)
from sim.model.firms import ORIGIN, FirmTable

STREAM = 0  # random stream id of the set-up (position in sim.model.zone_model.MECHANISMS)


def _scaled(count: int, scale: float) -> int:
    return int(round(count * scale))


def _pick(rng, pool: np.ndarray, k: int, weights: np.ndarray) -> np.ndarray:
    """Sample ``k`` distinct members of ``pool`` with probability ~ weights."""
    k = min(k, pool.size)
    if k <= 0:
        return pool[:0]
    # Efraimidis-Spirakis: keys u^(1/w), take the k largest; vectorised and exact
    keys = np.log(rng.random(pool.size)) / np.maximum(weights, 1e-300)
    return pool[np.argpartition(-keys, k - 1)[:k]] if k < pool.size else pool


def _gazelle_rows(hist: np.ndarray, age_q: np.ndarray, rd: np.ndarray, c) -> np.ndarray:
    """Rows that meet the ladder's gazelle test on their synthesised history (the
    round's own rule, :func:`sim.model.common.gazelle_test`)."""
    old = hist[:, -12:-8].sum(axis=1)
    return gazelle_test(age_q, old, hist[:, -4:].sum(axis=1), rd, c)


def synthesise(model, rng: np.random.Generator) -> FirmTable:
    """Build the initial firm table of the model's scenario."""
    sc = model.scenario_data
    scale = sc.population.scale
    start = model.start_q
    sizes = [max(len(z.firms.top) + 1, _scaled(z.firms.total, scale)) for z in sc.zones]
    # each zone's R&D factor (the zone's input over its sectors' medians, after the
    # floors): new firms of the zone draw their R&D with it too (sim.model.common)
    model.rd_factor = np.ones(len(sc.zones))
    table = FirmTable(capacity=int(sum(sizes) * 3) + 64, hist=model.hist_len)
    H = table.hist
    for zi, (z, n) in enumerate(zip(sc.zones, sizes, strict=True)):
        cols, hist, rd_hist, model.rd_factor[zi] = _zone_firms(model, z, n, rng, H)
        rows = table.append(n, zone=zi, origin=ORIGIN["initial"], **cols)
        # the ring holds quarter q at column q % H
        ring = (np.arange(start - H, start)) % H
        table.h_rev[ring[:, None], rows[None, :]] = hist.T
        table.h_rd[ring[:, None], rows[None, :]] = rd_hist.T
    _fill_incubators(model, table, rng)
    _initial_ip(model, table, rng.spawn(1)[0])
    return table


def _initial_ip(model, table: FirmTable, rng: np.random.Generator) -> None:
    """The start's IP, conversions and experts' traits (assumption: the model's own flows,
    S3, at the firm's R&D and knowledge of the start, over the last min(age, 3) years):

    - class II items: R&D of those years / ``ip_routine_rd_wan``, plus
      ``ip_class2_per_result`` per original result not giving a class I item;
    - results: Poisson(hazard × quarters), each a class I item with ``ip_class1_share``;
    - conversions a year: R&D / ``conv_routine_rd_wan`` + hazard × 4 ×
      ``industrialisation_prob`` in the two past years' slots, the part of the year
      before the start in the current one;
    - a 高企 used the class II items it held at its certification (those made before its
      round, pro rata); one holding no item then (no class I, none used) is given one
      class II item, used: a certificate of the start met the IP criterion.
    """
    b = model.scenario_data.behaviour
    n, start = table.n, model.start_q
    age_q = start - table.founded[:n]
    W = np.clip(age_q, 1, 12).astype(float)
    rd4 = table.rd4[:n]
    h = knowledge_hazard(table.know[:n], b)
    results = rng.poisson(h * W)
    cls1 = rng.binomial(results, b.ip_class1_share)
    ip2 = (results - cls1) * b.ip_class2_per_result + rd4 * W / 4.0 / b.ip_routine_rd_wan
    hte = table.hte_until[:n] >= start
    since = np.where(hte, start - 1 - table.hte_first[:n], 0)
    used = np.where(hte, np.floor(ip2 * np.clip(1.0 - since / W, 0.0, 1.0) + 1e-9), 0.0)
    none = hte & (cls1 < 1) & (used < 1)
    ip2 = ip2 + none
    used = used + none
    rate = rd4 / b.conv_routine_rd_wan + h * 4.0 * b.industrialisation_prob
    y = start // 4
    for k in range(3):  # the current calendar year y and the two before it
        part = np.full(n, (start % 4) / 4.0) if k == 0 else np.clip(
            (age_q - (start % 4) - 4 * (k - 1)) / 4.0, 0.0, 1.0)
        getattr(table, CONV_SLOTS[(y - k) % 3])[:n] = rate * part
    # the start's candidate pool (hte_pool_ratio x 高企, step 5: uncertified firms that
    # meet every other hard criterion) is the province's cultivation pool: ready to apply,
    # so each owns an IP item (a class II one if it has none)
    c = model.scenario_data.constants
    pool = (~hte & (age_q >= c.hte_min_age_quarters) & hte_shares_met(table, n, c)
            & hte_rd_met(table, n, c))
    ip2 = ip2 + (pool & (cls1 < 1) & (ip2 < 1))
    quality, org = hte_traits(rng, n, b.hte_trait_mean)
    # a 高企 of the start passed its evaluation, and a firm of the pool assessed itself
    # at the pool's score: their traits are redrawn (up to 10 times) while their own
    # score at the start is below that mark, and given the best traits if it still is
    # (assumption)
    growth = hte_growth(table.h_rev[:, :n], start - 1, table.founded[:n])
    conv = hte_conv_per_year(table, slice(0, n), start, table.founded[:n])
    mark = np.where(hte, c.hte_pass_score, np.where(pool, b.hte_pool_score, -np.inf))
    for _ in range(10):
        low = hte_score(cls1, ip2 - used, quality, conv, org, growth) < mark
        if not low.any():
            break
        q2, o2 = hte_traits(rng, int(low.sum()), b.hte_trait_mean)
        quality[low], org[low] = q2, o2
    else:  # still below after ten draws: the best traits, where they reach the mark
        one = np.ones(n)
        low = ((hte_score(cls1, ip2 - used, quality, conv, org, growth) < mark)
               & (hte_score(cls1, ip2 - used, one, conv, one, growth) >= mark))
        quality[low], org[low] = 1.0, 1.0
    table.ip1[:n] = cls1
    table.ip2[:n] = ip2
    table.ip2_used[:n] = used
    table.ip_quality[:n] = quality
    table.rd_org[:n] = org


def _zone_firms(model, z, n: int, rng: np.random.Generator, H: int):
    """One zone's ``n`` firms: their columns, and H quarters of revenue and R&D history."""
    sc = model.scenario_data
    b, c = sc.behaviour, sc.constants
    scale = sc.population.scale
    start = model.start_q
    sectors = model.sector_ids
    f = z.firms
    R = f.revenue_wan * scale

    # 1. sizes: the published largest firms first (their share of the zone kept at any
    # scale), the others lognormal, adding up to the zone's revenue
    top = f.top
    k = len(top)
    is_top = np.arange(n) < k
    S = np.empty(n)
    S[:k] = [t.revenue_wan * scale for t in top]
    draws = np.exp(rng.normal(0.0, b.size_sigma, n - k))
    S[k:] = draws * (R - S[:k].sum()) / draws.sum()  # annual revenue, 万元

    # 2. rungs. 高企: certified top firms, then the largest other firms up to the leaders'
    # count (where they meet the leader's revenue criterion), then the published share of
    # 高企 over 1亿 (hte_large_share) drawn among the firms over 1亿 and the rest among
    # the smaller ones, each with weight size^0.5
    stage = np.zeros(n, dtype=np.int8)
    top_hte = np.array([t.hte for t in top], bool)
    stage[:k][top_hte] = 2
    n_hte = max(int(top_hte.sum()), min(n, _scaled(f.hte, scale)))
    lead_min = c.leader_min_revenue_wan
    rest = k + np.argsort(-S[k:], kind="stable")  # the other firms, largest first
    need = min(_scaled(f.leader, scale) - int((top_hte & (S[:k] >= lead_min)).sum()),
               n_hte - int(top_hte.sum()))
    forced = rest[: max(0, need)]
    stage[forced[S[forced] >= lead_min]] = 2
    free = rest[stage[rest] == 0]
    m = n_hte - int((stage >= 2).sum())
    big_pool, small_pool = free[S[free] >= 10000], free[S[free] < 10000]
    want_big = int(round(b.hte_large_share * n_hte)) - int(((stage >= 2) & (S >= 10000)).sum())
    n_small = min(small_pool.size, m - min(max(0, want_big), big_pool.size, m))
    n_big = min(big_pool.size, m - n_small)
    stage[_pick(rng, big_pool, n_big, S[big_pool] ** 0.5)] = 2
    stage[_pick(rng, small_pool, n_small, S[small_pool] ** 0.5)] = 2
    # 高企 spend at least 3% of revenue on R&D, so they can hold at most a share of the
    # zone's revenue that its R&D intensity allows: half of its R&D (assumption). Above
    # it, the largest drawn 高企 give way to smaller firms (top firms and leaders stay)
    s_max = 0.5 * f.rd_intensity / c.hte_rd_large * R
    fixed = np.zeros(n, bool)
    fixed[:k] = True
    fixed[forced] = True
    while S[stage >= 2].sum() > s_max:
        drawn = np.flatnonzero((stage >= 2) & ~fixed)
        spare = np.flatnonzero((stage == 0) & ~is_top & (S < 10000))
        if drawn.size == 0 or spare.size == 0:
            break
        big = drawn[np.argmax(S[drawn])]
        if S[big] <= S[spare].max():
            break
        stage[big] = 0
        stage[_pick(rng, spare, 1, S[spare] ** 0.5)] = 2
    certified = stage >= 2
    # gazelles (growth route): 高企 below the leaders' size with a base over 1000万 two
    # years back (size >= 2000万 leaves room for 20% a year)
    gpool = np.flatnonzero(certified & ~is_top & (S >= 2 * c.gazelle_min_base_wan)
                           & (S < lead_min))
    is_gaz = np.zeros(n, bool)
    is_gaz[_pick(rng, gpool, _scaled(f.gazelle, scale), S[gpool] ** 0.3)] = True
    pool = np.flatnonzero((stage == 0) & ~is_top & (S <= c.tech_sme_max_revenue_wan))
    stage[_pick(rng, pool, _scaled(f.tech_sme, scale), S[pool] ** 0.3)] = 1
    rung = stage.copy()
    rung[is_gaz] = 3
    rung[certified & (S >= lead_min)] = 4

    # 3. ages in years by rung (assumption: start-ups young, leaders old)
    age_y = rng.exponential(np.array([3.0, 6.0, 10.0, 7.0, 18.0])[rung]) + 0.25
    age_y[certified] = np.maximum(age_y[certified], 1.5)
    # among start-ups, older firms tend to be larger (firms grow with age; Haltiwanger,
    # Jarmin & Miranda 2013): their sizes are re-dealt by rank of log age + N(0, 1)
    # noise (assumption), so a firm founded last quarter is not drawn as a large one
    su = np.flatnonzero((stage == 0) & ~is_top)
    if su.size > 1:
        key = np.log(age_y[su]) + rng.normal(0.0, 1.0, su.size)
        S[su[np.argsort(key, kind="stable")]] = np.sort(S[su], kind="stable")
    # size takes time (assumption: 1 year, plus 1.5 years for each tenfold above 1000万:
    # 1亿 >= 2.5 years, 10亿 >= 4, 100亿 >= 5.5); a firm over 5亿 (10亿) that is no
    # gazelle is older than 5 (10) years, else the gazelle test's size routes would make
    # it one: large firms are established firms, never a fresh founding
    age_y = np.maximum(age_y, 1.0 + 1.5 * np.log10(np.maximum(S, 1000.0) / 1000.0))
    for lim, yrs in ((0.9 * 50000, 5.25), (0.9 * 100000, 10.25)):
        old_big = ~is_gaz & (S >= lim)
        age_y[old_big] = np.maximum(age_y[old_big], yrs)
    # a certified firm over the gazelles' base that is no gazelle has its whole base
    # year in the history (else a partial base year would read as fast growth)
    based = certified & ~is_gaz & (S >= c.gazelle_min_base_wan)
    age_y[based] = np.maximum(age_y[based], 3.25)
    # a gazelle had its base two years before the last year: 3 to 15 years old
    age_y[is_gaz] = np.clip(age_y[is_gaz], 3.25, c.gazelle_max_age_years - 0.5)
    age_q = np.maximum(1, np.round(age_y * 4)).astype(np.int32)
    age_q[:k] = [start - 4 * t.founded for t in top]  # founded at the start of the year

    shares = np.array([f.sector_shares.get(s, 0.0) for s in sectors])
    sector = rng.choice(len(sectors), size=n, p=shares / shares.sum()).astype(np.int16)
    sector[:k] = [model.sector_index[t.sector] for t in top]

    # 4. history: the zone's recent growth (its `growth`, else past_growth_mean) with a
    # spread across firms; gazelles fast; certified firms that are no gazelles below the
    # gazelle test's growth (else they would be gazelles); the top firms at the zone's
    # mean growth
    g_mean = b.past_growth_mean if f.growth is None else f.growth
    g = rng.normal(g_mean, 0.15, n)
    g[is_gaz] = rng.uniform(0.25, 0.6, int(is_gaz.sum()))
    # log growth below the test's 20% a year by a margin (assumption: 8 points, about
    # the spread two quarters of the model's own shocks give a 2000万 firm's two-year
    # growth), those drawn above it reflected below it (no pile just under the test)
    g_cap = np.log1p(c.gazelle_min_growth) - 0.08
    slow = certified & ~is_gaz
    g[slow] = g_cap - np.abs(g[slow] - g_cap)
    g[:k] = min(g_mean, g_cap)
    noise = rng.normal(0, 0.05, (n, H))
    lags = np.arange(H)[::-1]  # column j holds quarter start-1-(H-1-j)
    hist = _history(S, g, age_q, noise, lags)
    # the published total is of the last four quarters: rescale the zone's firms
    # together so that they add up to it exactly
    kz = R / hist[:, -4:].sum()
    hist *= kz
    S = S * kz
    q_rev = S / 4.0
    rev4 = hist[:, -4:].sum(axis=1)
    thr = hte_threshold(rev4, c)

    # 5. criteria other than R&D: S&T staff and high-tech products (assumption: ~32% of
    # firms meet each), met by every registered and certified firm
    st = np.clip(rng.beta(2, 22, n), 0.01, 0.9)  # mean ~0.08; 32% >= 10% (assumption)
    st[stage >= 1] = np.maximum(st[stage >= 1], c.hte_st_staff_share)
    st[certified] = np.maximum(st[certified], c.hte_st_staff_share + rng.uniform(
        0.0, 0.2, int(certified.sum())))
    ht = np.clip(rng.beta(3, 3, n), 0.0, 1.0)  # mean 0.5; 32% >= 60% (assumption)
    ht[certified] = np.maximum(ht[certified], c.hte_hightech_revenue_share + rng.uniform(
        0.0, 0.3, int(certified.sum())))
    spec = np.zeros(n, bool)
    cand = np.flatnonzero((stage >= 1) & (S >= c.specialised_min_revenue_wan))
    spec[_pick(rng, cand, _scaled(f.specialised, scale), S[cand] ** 0.3)] = True

    # 6. R&D intensity: the sector's median x lognormal noise x a zone factor found so
    # that the zone's R&D / revenue (last quarter) is its input after the floors: 高企
    # above their 3-year notch, registered tech SMEs at the registration proxy (R&D >=
    # 3%), 专精特新 at their 3%, and firms that meet the other 高企 criteria and sit just
    # below their notch bunched at it (Chen et al. 2021; the model's R&D rule)
    sect_rd = np.array([model.sector_rd[s] for s in range(len(sectors))])
    raw = sect_rd[sector] * np.exp(rng.normal(-0.5 * b.rd_intensity_sigma**2,
                                              b.rd_intensity_sigma, n))
    raw[:k] = sect_rd[sector[:k]]  # the top firms' own R&D is not published: the median
    floor = np.zeros(n)
    floor[certified] = thr[certified] * (1.0 + rng.uniform(0.01, 0.15, int(certified.sum())))
    ts = stage == 1
    floor[ts] = np.maximum(floor[ts], 0.03 * (1.0 + rng.uniform(0.0, 0.5, int(ts.sum()))))
    floor[spec] = np.maximum(floor[spec], c.specialised_min_rd * (1.0 + rng.uniform(
        0.0, 0.3, int(spec.sum()))))
    w = hist[:, -1]
    pool = int(round(b.hte_pool_ratio * n_hte))
    aged = ~certified & (age_q >= c.hte_min_age_quarters)
    for it in range(6):
        pursuing = (st >= c.hte_st_staff_share) & (ht >= c.hte_hightech_revenue_share)
        rd_base, kf = _zone_rd(raw, floor, thr, pursuing, w, f.rd_intensity, b)
        # the pool the first round certifies from: hte_pool_ratio x the zone's 高企.
        # Too many: the extra ones miss the product criterion. Too few: the uncertified
        # firms closest to their notch meet the other criteria and bunch at it
        elig = np.flatnonzero(aged & pursuing & (rd_base >= thr))
        if elig.size > pool:
            drop = rng.choice(elig, elig.size - pool, replace=False)
            ht[drop] = rng.uniform(0.3, c.hte_hightech_revenue_share - 0.01, drop.size)
        elif elig.size < pool:
            cand = np.flatnonzero(aged & ~(pursuing & (rd_base >= thr)))
            add = cand[np.argsort(-(rd_base[cand] / thr[cand]), kind="stable")]
            add = add[: pool - elig.size]
            st[add] = np.maximum(st[add], c.hte_st_staff_share)
            ht[add] = np.maximum(ht[add], c.hte_hightech_revenue_share)
            floor[add] = np.maximum(floor[add], thr[add] * (1.0 + b.notch_margin))
        else:
            break
    # the pool looks like the 高企 it joins: as many gazelles among it as among them
    # (the zone's gazelle share of 高企); the others grew below the test, with a whole
    # base year if over the base, so the round does not turn them into gazelles. The pool
    # here includes the firms a year's refill brings to the first round (at the R&D
    # level, within hte_share_drift of the staff and product criteria; S6)
    d = b.hte_share_drift
    reach = ((st >= c.hte_st_staff_share - d) & (ht >= c.hte_hightech_revenue_share - d))
    in_pool = np.flatnonzero(aged & reach & (rd_base >= thr) & (S >= c.gazelle_min_base_wan))
    keep = int(round(in_pool.size * f.gazelle / max(1, f.hte)))
    fix = rng.permutation(in_pool)[keep:]
    if fix.size:
        g[fix] = g_cap - np.abs(g[fix] - g_cap)
        age_q[fix] = np.maximum(age_q[fix], 13)
        last4 = hist[fix, -4:].sum(axis=1)
        hist[fix] = _history(last4, g[fix], age_q[fix], noise[fix], lags)
    rd_hist = hist * rd_base[:, None]

    start_year = start // 4
    # certified in the round of one of the last three years; valid 12 quarters
    cert_year = start_year - 3 + rng.choice(3, size=n, p=[0.28, 0.33, 0.39])
    hte_first = np.where(certified, cert_year * 4 + 3, -(10**6)).astype(np.int32)
    hte_until = np.where(certified, hte_first + c.hte_validity_quarters,
                         -(10**6)).astype(np.int32)
    tsme_until = np.where(stage >= 1, start_year * 4 + 3, -(10**6)).astype(np.int32)
    spec_until = np.where(spec, (start_year + rng.integers(0, 3, n)) * 4 + 3,
                          -(10**6)).astype(np.int32)
    listed = np.zeros(n, bool)
    listed[:k] = [t.listed for t in top]
    others = k + np.argsort(-S[k:], kind="stable")
    listed[others[: max(0, _scaled(f.listed, scale) - int(listed.sum()))]] = True
    # gazelles and leaders as the round itself would flag them on this history
    gazelle = certified & _gazelle_rows(hist, age_q, rd_base, c)
    leader = certified & leader_test(rev4, rd_base, c)

    rd_q = rd_hist[:, -1]
    cash = b.cash_buffer_quarters * (rd_q + 0.1 * q_rev)
    margin_dev = rng.normal(0.0, b.margin_sd, n)
    margin_dev[:k] = np.maximum(margin_dev[:k], 0.0)  # a published top firm: not loss-making
    emp = np.maximum(3.0, S / b.revenue_per_employee_wan * np.exp(rng.normal(0, 0.4, n)))
    cols = dict(
        sector=sector, founded=start - age_q, rev=hist[:, -1], rd=rd_q, rev4=rev4,
        rev12=hist[:, -12:].sum(axis=1), rd4=rd_hist[:, -4:].sum(axis=1),
        rd12=rd_hist[:, -12:].sum(axis=1),
        rd_base=rd_base, rd_int=rd_base, know=rd_q / b.knowledge_depreciation,
        prod=rng.normal(0.0, b.productivity_sd, n), margin_dev=margin_dev,
        val_mult=np.exp(rng.normal(0.0, 0.8, n)), cash=cash, employees=emp, st_share=st,
        ht_share=ht, hte_until=hte_until, hte_first=hte_first, tsme_until=tsme_until,
        spec_until=spec_until, gazelle=gazelle, leader=leader, listed=listed,
    )
    return cols, hist, rd_hist, kf


def _history(S: np.ndarray, g: np.ndarray, age_q: np.ndarray, noise: np.ndarray,
             lags: np.ndarray) -> np.ndarray:
    """Quarterly revenue of the last H quarters: annual revenue ``S`` at the current
    pace, grown at log rate ``g`` a year with quarterly ``noise``, zero before founding.

    S is the firm's annual revenue at its current pace: its last four quarters add up to
    S had it existed all year; a firm younger than a year earned only in its quarters
    since founding (not all of S squeezed into them)."""
    hist = (S / 4.0)[:, None] * np.exp(-g[:, None] * lags[None, :] / 4.0 + noise)
    hist *= (S / hist[:, -4:].sum(axis=1))[:, None]
    hist[lags[None, :] >= age_q[:, None]] = 0.0
    return hist


def _zone_rd(raw: np.ndarray, floor: np.ndarray, thr: np.ndarray, pursuing: np.ndarray,
             w: np.ndarray, target: float, b) -> np.ndarray:
    """Firms' R&D intensities max(floor, raw x k, bunched at the notch), and the zone
    factor k, found by bisection so that sum(rd x w) / sum(w) = ``target`` (as close as
    the floors allow: at least the floors)."""

    def at(kf: float) -> np.ndarray:
        x = raw * kf
        near = pursuing & (x < thr) & (x >= thr * (1.0 - b.notch_reach))
        x = np.where(near, thr * (1.0 + b.notch_margin), x)
        return np.clip(np.maximum(x, floor), 0.0, 0.5)

    tot = float(w.sum())
    if tot <= 0:
        return at(1.0), 1.0
    lo, hi = -12.0, 8.0  # log k
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if float((at(np.exp(mid)) * w).sum()) / tot < target:
            lo = mid
        else:
            hi = mid
    kf = float(np.exp(0.5 * (lo + hi)))
    return at(kf), kf


def _fill_incubators(model, table: FirmTable, rng) -> None:
    """Initial incubatees: the youngest start-ups of each zone, to ~70% of capacity."""
    if not model.incubators:
        return
    n = table.n
    founded = table.founded[:n]
    young = (table.tsme_until[:n] < model.start_q) & (model.start_q - founded <= 12)
    for inc in model.incubators:
        cand = np.flatnonzero(young & (table.zone[:n] == inc.zone_index)
                              & (table.incubator[:n] < 0))
        k = min(cand.size, int(round(0.7 * inc.capacity)))
        if k:
            chosen = cand[np.argsort(-founded[cand], kind="stable")[:k]]
            table.incubator[chosen] = inc.index
            table.inc_since[chosen] = founded[chosen]
