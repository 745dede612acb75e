"""Helpers several mechanisms share (sim/model/mechanisms): the firms' innovation hazard,
what an award is worth to a firm, queueing awards for payment, creating firms, the
(zone, sector) cells, the zones' rules without money, and the 高企 R&D threshold.

Functions of the model (:class:`sim.model.zone_model.HighTechZoneModel`); a mechanism
imports these, never another mechanism.
"""

from __future__ import annotations

import numpy as np

from sim.core import metrics as met
from sim.model.firms import NEVER, ORIGIN
from sim.model.ledger import Claim


def hte_threshold(rev_annual: np.ndarray, c) -> np.ndarray:
    """The 高企 3-year R&D / sales threshold for annual sales (万元)."""
    return np.where(rev_annual <= 5000, c.hte_rd_small,
                    np.where(rev_annual <= 20000, c.hte_rd_mid, c.hte_rd_large))


def hte_rd_met(f, n: int, c) -> np.ndarray:
    """The 高企 R&D criterion of rows 0..n-1 of the firm table ``f``: sales in the last
    four quarters, and 3-year R&D / sales at or above the threshold of the sales band."""
    rev4 = f.rev4[:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        r3 = np.where(f.rev12[:n] > 0, f.rd12[:n] / f.rev12[:n], 0.0)
    return (rev4 > 0) & (r3 >= hte_threshold(rev4, c))


def hte_shares_met(f, n: int, c) -> np.ndarray:
    """The 高企 staff and product criteria of rows 0..n-1: S&T staff and high-tech revenue
    at or above their shares (10%, 60%)."""
    return ((f.st_share[:n] >= c.hte_st_staff_share)
            & (f.ht_share[:n] >= c.hte_hightech_revenue_share))


CONV_SLOTS = ("conv0", "conv1", "conv2")


def _band(x: np.ndarray, edges: tuple, points: tuple) -> np.ndarray:
    """Points of the first band whose lower edge ``x`` reaches (edges descending, ``>=``;
    below the last edge: 0)."""
    out = np.zeros(np.shape(x))
    for e, p in zip(edges[::-1], points[::-1], strict=True):
        out = np.where(x >= e, p, out)
    return out


def hte_growth(h_rev: np.ndarray, t: int, founded: np.ndarray) -> np.ndarray:
    """Sales growth of the 高企 evaluation, g = ½(S2/S1 + S3/S2) − 1, over the firm's
    last three years of revenue (S3 the last four quarters to t, from the ring ``h_rev``,
    H ≥ 12 quarters × rows). A year the firm existed only in part is annualised (the rules
    compute on the actual operating period); S1 = 0 (too young): S3/S2 − 1; S2 = 0: −1
    (no points)."""
    H = h_rev.shape[0]
    S = []
    for k in (2, 1, 0):  # years t-11..t-8, t-7..t-4, t-3..t
        qs = np.arange(t - 4 * k - 3, t - 4 * k + 1)
        tot = h_rev[qs % H].sum(axis=0)
        live = (qs[:, None] >= founded[None, :]).sum(axis=0)
        S.append(np.where(live > 0, tot * 4.0 / np.maximum(live, 1), 0.0))
    s1, s2, s3 = S
    with np.errstate(invalid="ignore", divide="ignore"):
        both = 0.5 * (s2 / s1 + s3 / s2) - 1.0
        last = s3 / s2 - 1.0
    return np.where(s2 <= 0, -1.0, np.where(s1 > 0, both, last))


def hte_score(ip1: np.ndarray, ip2_free: np.ndarray, ip_quality: np.ndarray,
              conv_per_year: np.ndarray, rd_org: np.ndarray, growth: np.ndarray,
              noise: np.ndarray | float = 0.0) -> np.ndarray:
    """The 高企 innovation-capability evaluation (国科发火〔2016〕195号, as reproduced in
    docs/research/hte_certification_2026-12.md §1b), integer points of 100; certified at
    ``hte_pass_score`` (71). Each banded item at its band's midpoint:

    - IP ≤ 30: count ≤ 8 (≥ 1 class I item 7.5; ≥ 5 unused class II 5.5; 3–4: 3.5;
      1–2: 1.5; none 0), advancement ≤ 8 and core support ≤ 8 (8 × ``ip_quality`` each,
      the experts' reading), acquisition ≤ 6 for own R&D (6 with a class I item, else 1
      per unused class II item; scoring practice) — the standards bonus is not modelled;
    - conversion ≤ 30 by conversions a year (≥ 5: 27.5; ≥ 4: 21.5; ≥ 3: 15.5; ≥ 2: 9.5;
      any: 3.5; none 0);
    - R&D organisation ≤ 20 (20 × ``rd_org``);
    - growth ≤ 20: sales growth ``growth`` and net-asset growth, each banded (≥ 35%: 9.5;
      ≥ 25%: 7.5; ≥ 15%: 5.5; ≥ 5%: 3.5; > 0: 1.5; else 0); the model has no balance
      sheet, so net assets are taken to grow with sales (constant asset turnover and
      leverage; assumption): both sub-scores read ``growth``.

    ``ip2_free`` counts class II items not yet used (whole items count); ``noise`` is the
    experts' judgement (0: the firm's own assessment). Rounded to whole points."""
    ip1 = np.asarray(ip1, float)
    c2 = np.floor(np.asarray(ip2_free, float) + 1e-9)
    has1 = ip1 >= 1
    count = np.where(has1, 7.5, _band(c2, (5, 3, 1), (5.5, 3.5, 1.5)))
    acquire = np.where(has1, 6.0, np.minimum(6.0, c2))
    ip = np.minimum(30.0, count + 16.0 * np.asarray(ip_quality, float) + acquire)
    conv = _band(np.asarray(conv_per_year, float), (5, 4, 3, 2, 1e-9),
                 (27.5, 21.5, 15.5, 9.5, 3.5))
    grow = 2.0 * _band(np.asarray(growth, float), (0.35, 0.25, 0.15, 0.05, 1e-9),
                       (9.5, 7.5, 5.5, 3.5, 1.5))
    total = ip + conv + 20.0 * np.asarray(rd_org, float) + grow + noise
    return np.floor(total + 0.5).astype(np.int64)


def hte_traits(rng: np.random.Generator, k: int, mean: float) -> np.ndarray:
    """The two traits the 高企 experts read (IP quality, R&D organisation) for ``k`` new
    firms: Beta with mean ``mean`` and concentration 6 (assumption, params.py)."""
    return rng.beta(6.0 * mean, 6.0 * (1.0 - mean), size=(2, k))


def hte_has_ip(ip1: np.ndarray, ip2_free: np.ndarray) -> np.ndarray:
    """The core-IP criterion: the firm owns at least one whole IP item it may use (class I,
    or a class II item not used in an earlier successful application)."""
    return (np.asarray(ip1) >= 1) | (np.floor(np.asarray(ip2_free) + 1e-9) >= 1)


def hte_conv_per_year(f, rows: slice, t: int, founded: np.ndarray) -> np.ndarray:
    """Conversions a year over the last three calendar years (the current one included),
    or over the years the firm has existed if fewer."""
    tot = sum(getattr(f, c)[rows] for c in CONV_SLOTS)
    years = np.clip((t - founded) // 4 + 1, 1, 3)
    return tot / years


def gazelle_test(age_q: np.ndarray, old: np.ndarray, rev4: np.ndarray, r1: np.ndarray,
                 c) -> np.ndarray:
    """The Torch gazelle criteria (a valid 高企 certificate aside): <= 15 years old and
    revenue growth >= 20% a year over two years from a base > 1000万, or <= 10 years and
    > 10亿, or <= 5 years and > 5亿; R&D / revenue of the last year > 2.5%.

    ``age_q`` quarters since founding, ``old`` revenue of the four quarters two years
    before the last four (万元), ``rev4`` of the last four, ``r1`` their R&D / revenue."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cagr = np.where(old > 0, np.sqrt(np.maximum(rev4, 0) / old) - 1.0, 0.0)
    gz = ((age_q <= c.gazelle_max_age_years * 4) & (old >= c.gazelle_min_base_wan)
          & (cagr >= c.gazelle_min_growth))
    gz |= (age_q <= 40) & (rev4 >= 100000)
    gz |= (age_q <= 20) & (rev4 >= 50000)
    return gz & (r1 >= c.gazelle_min_rd)


def leader_test(rev4: np.ndarray, r1: np.ndarray, c) -> np.ndarray:
    """A tech leader's criteria (a valid 高企 certificate aside): revenue and R&D."""
    return (rev4 >= c.leader_min_revenue_wan) & (r1 >= c.leader_min_rd)


def knowledge_hazard(know: np.ndarray, b) -> np.ndarray:
    """Quarterly hazard of an original result for knowledge stocks ``know`` (万元)."""
    return np.minimum(0.9, b.innovation_rate * (know / b.knowledge_ref_wan)
                      ** b.innovation_knowledge_elasticity)


def hazard(model, rows: slice | None = None) -> np.ndarray:
    """Quarterly hazard of an original result, from the knowledge stock."""
    f = model.firms
    rows = slice(0, f.n) if rows is None else rows
    return knowledge_hazard(f.know[rows], model.scenario_data.behaviour)


def industrialisation_prob(model, t: int) -> float:
    """Quarterly probability that an original result is industrialised (B16 tech
    transfer raises it; not clipped to 1 here)."""
    b = model.scenario_data.behaviour
    return b.industrialisation_prob * (1.0 + (b.tech_transfer_uplift
                                              if model.on("tech_transfer", t) else 0.0))


def credible(model, payer: str, zone: np.ndarray) -> np.ndarray | float:
    """What firms in ``zone`` make of one yuan of award from ``payer``: 1 −
    ``budget_credibility`` × (1 − the payer's fill rate over the last year); one
    number for the province, one per firm for the zones."""
    w = model.scenario_data.behaviour.budget_credibility
    if w == 0.0:
        return 1.0
    fill = model.treasury.fill_rate()
    f = float(fill[0]) if payer == "province" else fill[1 + zone]
    return 1.0 - w * (1.0 - f)


def claim(model, t: int, lever: str, zone: int, row: int, payer: str,
           amount: float) -> None:
    """Queue an award for payment (row -1: an award to a zone or cluster)."""
    if amount > 0:
        uid = int(model.firms.uid[row]) if row >= 0 else -1
        model.treasury.claim(Claim(t, zone, uid, row, lever, payer, float(amount)))


def once(model, lever: str, key, t: int, zone: int, row: int, payer: str,
          amount: float) -> None:
    """A one-time award: claimed once per firm, cluster or zone, ever."""
    if (lever, key) in model.one_time:
        return
    model.one_time.add((lever, key))
    claim(model, t, lever, zone, row, payer, amount)


def add_firms(model, t: int, zones: np.ndarray, sector: np.ndarray, origin: np.ndarray,
               rng: np.random.Generator, incubator: np.ndarray | None = None,
               revenue_q: np.ndarray | None = None, boost: np.ndarray | None = None,
               misfit: np.ndarray | None = None) -> np.ndarray:
    """Create firms (rows and Enterprise agents) founded in quarter ``t``."""
    b, c = model.scenario_data.behaviour, model.scenario_data.constants
    k = zones.size
    z = rng.normal(size=(6, k))
    sect_rd = np.array([model.sector_rd[i] for i in range(len(model.sector_ids))])
    techy = (origin == ORIGIN["researcher"]) | (origin == ORIGIN["spinoff"])
    if revenue_q is None:
        revenue_q = np.exp(np.log(b.entrant_revenue_wan / 4.0) + 1.0 * z[0])
    # the sector's median x the zone's R&D factor of the synthesis (model.rd_factor) x
    # 1.3 (2 for researchers' firms and spin-offs: assumption) x lognormal noise
    rd_base = np.clip(sect_rd[sector] * model.rd_factor[zones] * np.where(techy, 2.0, 1.3)
                      * np.exp(b.rd_intensity_sigma * z[1] - 0.5 * b.rd_intensity_sigma**2),
                      0.0, 0.5)
    st = np.clip(0.12 + 0.06 * z[2] + np.where(techy, 0.1, 0.0), 0.01, 0.9)
    ht = np.clip(0.6 + 0.2 * z[3], 0.0, 1.0)
    quality, org = hte_traits(rng, k, b.hte_trait_mean)
    rows = model.firms.append(
        k, zone=zones, sector=sector, origin=origin, founded=t, rev=revenue_q,
        rd_base=rd_base, rd_int=rd_base,
        know=np.where(origin == ORIGIN["researcher"], 100.0, 0.0),
        prod=b.productivity_sd * z[4], margin_dev=b.margin_sd * z[5],
        val_mult=np.exp(0.8 * rng.normal(size=k)),
        cash=b.cash_buffer_quarters * revenue_q * 0.5 + 20.0,
        employees=np.maximum(3.0, revenue_q * 4 / b.revenue_per_employee_wan),
        st_share=st, ht_share=ht, ip_quality=quality, rd_org=org,
        incubator=-1 if incubator is None else incubator,
        inc_since=np.where((incubator if incubator is not None else -1) >= 0, t, NEVER),
        boost=0.0 if boost is None else boost,
        boost_until=NEVER if boost is None else t + 8,
        misfit=False if misfit is None else misfit,
    )
    model.make_agents(rows)
    model.flows[:-1, met.M["births"]] += np.bincount(zones, minlength=len(model.parks))
    return rows


def cluster_key_counts(model) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (zone, sector) cell, and alive firms per cell."""
    f = model.firms
    n = f.n
    S = len(model.sector_ids)
    key = f.zone[:n].astype(np.intp) * S + f.sector[:n]
    counts = np.bincount(key, weights=f.alive[:n], minlength=len(model.zone_ids) * S)
    return key, counts.reshape(len(model.zone_ids), S)


def leader_cells(model, key: np.ndarray) -> np.ndarray:
    """1 for rows whose (zone, sector) cell holds a tech leader (chain leader), else 0."""
    f, n = model.firms, model.firms.n
    lead = np.bincount(key, weights=f.alive[:n] & f.leader[:n],
                       minlength=len(model.zone_ids) * len(model.sector_ids))
    return (lead > 0)[key]


def cluster_counts(model) -> np.ndarray:
    """Alive firms per (zone, sector) cell."""
    return cluster_key_counts(model)[1]


def zone_effects(model, t: int) -> None:
    """Per-zone effects of the rules without money for quarter ``t`` (B3, B4, B5, B14)."""
    b = model.scenario_data.behaviour
    company = np.array([model.operating_model(p, t) != "traditional" for p in model.parks])
    pay = 1.0 + (b.pay_reform_uplift if model.on("pay_reform", t) else 0.0)
    model.service = b.service_effect * company * pay
    model.attraction = 1.0 + b.company_model_attraction * company
    # B5 acts only through the service drift of company-run zones (docs/levers.md B5):
    # no source supports an effect of pay reform on landing projects
    land = 1.0
    if model.on("delegated_powers", t):
        land *= 1.0 + b.delegation_land_uplift
    if model.on("assessment", t):
        land *= 1.0 + b.assessment_land_uplift
    for p in model.parks:
        p.land_factor = land
