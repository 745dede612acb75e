"""Synthesising each zone's firms from its published totals.

For a zone with N firms (after ``population.scale``), counts by rung and an annual
revenue total R:

1. annual revenues are drawn lognormal (``behaviour.size_sigma``) and scaled so that
   they add up to R (exactly so after step 4);
2. rungs are given by size-biased sampling: leaders are the largest firms, 高企 are
   drawn with weights ~ size^0.5, gazelles among the 高企 below the leaders, tech SMEs
   with weights ~ size^0.3 among the rest; the remaining firms are start-ups;
3. ages by rung (start-ups young, leaders old; among start-ups the older ones larger),
   sectors by the zone's sector shares;
4. 12 quarters of history: revenue grown backwards at a firm-specific past growth rate
   (gazelles 25-60% a year, consistent with the Torch test), zero before founding (a
   firm younger than a year earns at its pace only since founding), then every firm of
   the zone rescaled so that the last four quarters add up to R; R&D at the firm's
   intensity, and certified firms above their 3-year R&D notch;
5. certificates with staggered expiry: certified in the Q4 round of one of the last
   three years, valid until the Q4 round 12 quarters later (when it can be renewed).
"""

from __future__ import annotations

import numpy as np

from sim.model.common import hte_threshold
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


def synthesise(model, rng: np.random.Generator) -> FirmTable:
    """Build the initial firm table of the model's scenario."""
    sc = model.scenario_data
    b, c = sc.behaviour, sc.constants
    scale = sc.population.scale
    start = model.start_q
    sectors = model.sector_ids
    sizes = [max(1, _scaled(z.firms.total, scale)) for z in sc.zones]
    table = FirmTable(capacity=int(sum(sizes) * 3) + 64, hist=model.hist_len)
    H = table.hist
    for zi, (z, n) in enumerate(zip(sc.zones, sizes, strict=True)):
        f = z.firms
        n_lead = min(n, _scaled(f.leader, scale))
        n_hte = min(n, max(n_lead, _scaled(f.hte, scale)))
        n_gaz = min(n_hte - n_lead, _scaled(f.gazelle, scale))
        n_tsme = min(n - n_hte, _scaled(f.tech_sme, scale))
        logs = rng.normal(0.0, b.size_sigma, n)
        S = np.exp(logs)
        S *= (f.revenue_wan * scale) / S.sum()  # annual revenue, 万元, adds up to R*scale
        order = np.argsort(-S, kind="stable")
        stage = np.zeros(n, dtype=np.int8)
        leaders = order[:n_lead]
        stage[leaders] = 4
        rest = order[n_lead:]
        hte = _pick(rng, rest, n_hte - n_lead, S[rest] ** 0.5)
        stage[hte] = 2
        gaz = _pick(rng, hte, n_gaz, S[hte] ** 0.3)
        stage[gaz] = 3
        pool = np.flatnonzero((stage == 0) & (S <= c.tech_sme_max_revenue_wan))
        tsme = _pick(rng, pool, n_tsme, S[pool] ** 0.3)
        stage[tsme] = 1
        certified = stage >= 2

        # ages in years by rung (assumption: start-ups young, leaders old)
        mean_age = np.array([3.0, 6.0, 10.0, 7.0, 18.0])[stage]
        age_y = rng.exponential(mean_age) + 0.25
        age_y[stage == 3] = np.minimum(age_y[stage == 3], c.gazelle_max_age_years - 0.5)
        age_y[certified] = np.maximum(age_y[certified], 1.5)
        age_q = np.maximum(1, np.round(age_y * 4)).astype(np.int32)
        # among start-ups, older firms tend to be larger (firms grow with age; Haltiwanger,
        # Jarmin & Miranda 2013): their sizes are re-dealt by rank of log age + N(0, 1)
        # noise (assumption), so a firm founded last quarter is not drawn as a large one
        su = np.flatnonzero(stage == 0)
        if su.size > 1:
            key = np.log(age_q[su]) + rng.normal(0.0, 1.0, su.size)
            S[su[np.argsort(key, kind="stable")]] = np.sort(S[su], kind="stable")
            order = np.argsort(-S, kind="stable")

        shares = np.array([f.sector_shares.get(s, 0.0) for s in sectors])
        sector = rng.choice(len(sectors), size=n, p=shares / shares.sum()).astype(np.int16)

        # past growth (per year), gazelles fast
        g = rng.normal(b.past_growth_mean, 0.15, n)
        g[stage == 3] = rng.uniform(0.25, 0.6, int((stage == 3).sum()))
        q_rev = S / 4.0
        lags = np.arange(H)[::-1]  # column j holds quarter start-1-(H-1-j)
        hist = q_rev[:, None] * np.exp(-g[:, None] * (lags[None, :]) / 4.0
                                       + rng.normal(0, 0.05, (n, H)))
        # S is the firm's annual revenue at its current pace: its last four quarters add
        # up to S had it existed all year; a firm younger than a year earned only in its
        # quarters since founding (not all of S squeezed into them)
        hist *= (S / hist[:, -4:].sum(axis=1))[:, None]
        born_after = lags[None, :] >= age_q[:, None]
        hist[born_after] = 0.0
        # the published total is of the last four quarters: rescale the zone's firms
        # together so that they add up to it exactly
        k = (f.revenue_wan * scale) / hist[:, -4:].sum()
        hist *= k
        S = S * k
        q_rev = q_rev * k

        # R&D intensity: sector median x zone factor x lognormal noise
        sect_rd = np.array([model.sector_rd[s] for s in range(len(sectors))])
        zone_factor = f.rd_intensity / max(1e-9, float((shares * sect_rd).sum() / shares.sum()))
        rd_base = sect_rd[sector] * zone_factor * np.exp(
            rng.normal(-0.5 * b.rd_intensity_sigma**2, b.rd_intensity_sigma, n))
        rd_base = np.clip(rd_base, 0.0, 0.5)
        rev12 = hist.sum(axis=1)
        rev4 = hist[:, -4:].sum(axis=1)
        thr = hte_threshold(rev4, c)
        low = certified & (rd_base < thr)
        rd_base[low] = thr[low] * (1.0 + rng.uniform(0.01, 0.3, int(low.sum())))
        # registered tech SMEs meet the registration proxy (R&D >= 3%, S&T staff >= 10%)
        ts = stage == 1
        rd_base[ts] = np.maximum(rd_base[ts], 0.03 * (1.0 + rng.uniform(0.0, 0.5, int(ts.sum()))))

        st = np.clip(rng.beta(2, 22, n), 0.01, 0.9)  # mean ~0.08; 32% >= 10% (assumption)
        st[stage >= 1] = np.maximum(st[stage >= 1], c.hte_st_staff_share)
        st[certified] = np.maximum(st[certified], c.hte_st_staff_share + rng.uniform(
            0.0, 0.2, int(certified.sum())))
        ht = np.clip(rng.beta(3, 3, n), 0.0, 1.0)  # mean 0.5; 32% >= 60% (assumption)
        ht[certified] = np.maximum(ht[certified], c.hte_hightech_revenue_share + rng.uniform(
            0.0, 0.3, int(certified.sum())))
        # firms that meet the other 高企 criteria and sit just below their R&D notch have
        # already bunched at it before the plan (Chen et al. 2021): the same rule as the
        # model's R&D decision, so the history is in that equilibrium from the start
        pursuing = (st >= c.hte_st_staff_share) & (ht >= c.hte_hightech_revenue_share)
        near = pursuing & (rd_base < thr) & (rd_base >= thr * (1.0 - b.notch_reach))
        rd_base[near] = thr[near] * (1.0 + b.notch_margin)

        start_year = start // 4
        # certified in the round of one of the last three years; valid 12 quarters
        cert_year = start_year - 3 + rng.choice(3, size=n, p=[0.28, 0.33, 0.39])
        hte_first = np.where(certified, cert_year * 4 + 3, -(10**6)).astype(np.int32)
        hte_until = np.where(certified, hte_first + c.hte_validity_quarters,
                             -(10**6)).astype(np.int32)
        tsme_until = np.where(stage >= 1, start_year * 4 + 3, -(10**6)).astype(np.int32)

        spec = np.zeros(n, bool)
        cand = np.flatnonzero((stage >= 1) & (S >= c.specialised_min_revenue_wan))
        spec[_pick(rng, cand, _scaled(f.specialised, scale), S[cand] ** 0.3)] = True
        rd_spec = spec & (rd_base < c.specialised_min_rd)
        rd_base[rd_spec] = c.specialised_min_rd * (1.0 + rng.uniform(0.0, 0.3, int(rd_spec.sum())))
        rd_hist = hist * rd_base[:, None]
        spec_until = np.where(spec, (start_year + rng.integers(0, 3, n)) * 4 + 3,
                              -(10**6)).astype(np.int32)
        listed = np.zeros(n, bool)
        listed[order[: min(n, _scaled(f.listed, scale))]] = True

        rd_q = rd_hist[:, -1]
        know = rd_q / b.knowledge_depreciation
        cash = b.cash_buffer_quarters * (rd_q + 0.1 * q_rev)
        emp = np.maximum(3.0, S / b.revenue_per_employee_wan * np.exp(rng.normal(0, 0.4, n)))
        rows = table.append(
            n, zone=zi, sector=sector, origin=ORIGIN["initial"], founded=start - age_q,
            rev=hist[:, -1], rd=rd_q, rev4=rev4, rev12=rev12, rd4=rd_hist[:, -4:].sum(axis=1),
            rd12=rd_hist.sum(axis=1), rd_base=rd_base, rd_int=rd_base, know=know,
            prod=rng.normal(0.0, b.productivity_sd, n), margin_dev=rng.normal(0.0, b.margin_sd, n),
            val_mult=np.exp(rng.normal(0.0, 0.8, n)), cash=cash, employees=emp, st_share=st,
            ht_share=ht, hte_until=hte_until, hte_first=hte_first, tsme_until=tsme_until,
            spec_until=spec_until, gazelle=stage == 3, leader=stage == 4, listed=listed,
        )
        # the ring holds quarter q at column q % H
        cols = (np.arange(start - H, start)) % H
        table.h_rev[cols[:, None], rows[None, :]] = hist.T
        table.h_rd[cols[:, None], rows[None, :]] = rd_hist.T
    _fill_incubators(model, table, rng)
    return table


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
