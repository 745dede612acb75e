"""S10 Zones' annual events (Q4): national innovative industrial clusters (A2), upgrades
of provincial zones to national and of candidate parks to provincial (A7), local
supply with chain leaders (B12), the national ranking against the other national zones
and the awards it triggers (A8) (docs/model.md S10). Sets ``model.new_clusters`` and
``model.upgraded``. The awards to zones of these events (A2, A7, A8) are ×
``population.scale``: the events do not become rarer when the firms are scaled down, so
the amounts are, and money per firm does not depend on the scale.

Draws: every quarter whatever the quarter (3 × zones × sectors uniforms, one normal
per outside zone and per zone); they are used in Q4.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.common import once

STREAM = 9  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Draw the quarter's zone uniforms and ranking noise; in Q4, the zones' year."""
    u = rng.random((3, len(model.parks), len(model.sector_ids)))
    noise = rng.normal(size=model.rank_score_out.size + len(model.parks))
    if t % 4 == 3:
        annual(model, t, u, noise)


def init_ranking(model) -> None:
    """Scores of the other national zones, anchored so the modelled zones start at
    their given ranks (assumption: scores spread linearly in rank between anchors)."""
    c = model.scenario_data.constants
    nat = [p for p in model.parks if p.level == "national"]
    n_out = max(0, int(c.national_zones_total) - len(nat))
    model.rank_score_out = np.zeros(0)
    if not nat or n_out == 0:
        return
    own = {p.index: zone_score(model, p.index, initial=True) for p in nat}
    anchors = sorted((p.national_rank, own[p.index]) for p in nat)
    ranks = np.array([r for r, _ in anchors], float)
    scores = np.array([s for _, s in anchors], float)
    # other zones occupy every rank not held by a modelled zone
    all_ranks = np.arange(1, int(c.national_zones_total) + 1, dtype=float)
    taken = set(int(r) for r in ranks)
    out_ranks = np.array([r for r in all_ranks if int(r) not in taken])
    slope = 4.0 / c.national_zones_total  # assumption: log scores span ~4 over all zones
    if len(ranks) > 1:
        slope = max(slope, float(np.mean(-np.diff(scores) / np.maximum(np.diff(ranks), 1))))
    est = np.interp(out_ranks, ranks, scores)
    est = np.where(out_ranks < ranks[0], scores[0] + slope * (ranks[0] - out_ranks), est)
    est = np.where(out_ranks > ranks[-1], scores[-1] - slope * (out_ranks - ranks[-1]), est)
    model.rank_score_out = est


def zone_score(model, zi: int, initial: bool = False) -> float:
    """Ranking score: log revenue + 0.5 log 高企 + 10 x R&D intensity (assumption:
    the national evaluation weighs scale, innovation firms and R&D)."""
    if initial:
        z = model.scenario_data.zones[zi]
        rev, hte, rdi = z.firms.revenue_wan, z.firms.hte, z.firms.rd_intensity
    else:
        f, n, t = model.firms, model.firms.n, model.t
        m = f.alive[:n] & (f.zone[:n] == zi)
        rev = float(f.rev4[:n][m].sum()) / model.scale
        hte = float((f.hte_until[:n][m] >= t).sum()) / model.scale
        rdi = float(f.rd4[:n][m].sum()) / max(1.0, rev * model.scale)
    return math.log(max(rev, 1.0)) + 0.5 * math.log1p(hte) + 10.0 * rdi


def annual(model, t: int, u: np.ndarray, noise: np.ndarray) -> None:
    """Clusters, upgrades, local supply, ranking and awards with the uniforms ``u``
    (0 clusters, 1 upgrades, 2 candidates) and the ranking ``noise``."""
    c, b = model.scenario_data.constants, model.scenario_data.behaviour
    f, n = model.firms, model.firms.n
    alive = f.alive[:n]
    S = len(model.sector_ids)
    key = f.zone[:n].astype(np.int64) * S + f.sector[:n]
    cl_rev = np.bincount(key, weights=np.where(alive, f.rev4[:n], 0.0),
                         minlength=len(model.parks) * S).reshape(len(model.parks), S)
    cl_hte = np.bincount(key, weights=alive & (f.hte_until[:n] >= t),
                         minlength=len(model.parks) * S).reshape(len(model.parks), S)
    model.new_clusters = []
    for p in model.parks:
        for s in sorted(p.leading):
            if s in p.national_clusters:
                continue
            if (cl_rev[p.index, s] / model.scale >= c.cluster_min_revenue_wan
                    and cl_hte[p.index, s] / model.scale >= c.cluster_min_hte
                    and u[0, p.index, s] < b.cluster_approval_prob):
                p.national_clusters.add(s)
                model.new_clusters.append((p.index, s))
                if model.on("cluster_award", t):  # A2: once per approved cluster
                    once(model, "A2", (p.index, s), t, p.index, -1,
                               model.scenario_data.policy.cluster_award.payer,
                               model.lever("cluster_award.amount_wan", t) * model.scale)
    model.upgraded = []
    zrev = cl_rev.sum(axis=1)
    zhte = cl_hte.sum(axis=1)
    for p in model.parks:
        if p.level == "provincial" and (zrev[p.index] / model.scale >= c.upgrade_min_revenue_wan
                                        and zhte[p.index] / model.scale >= c.upgrade_min_hte
                                        and u[1, p.index, 0] < b.upgrade_prob):
            p.level = "national"
            model.upgraded.append(p.index)
            p.national_rank = None
            if model.on("zone_approval_award", t):  # A7: newly approved national zone
                once(model, "A7", ("national", p.index), t, p.index, -1, "province",
                           model.lever("zone_approval_award.national_wan", t)
                           * model.lever("zone_approval_award.share_of_maximum", t)
                           * model.scale)
            if model.rank_score_out.size:  # the number of national zones stays fixed
                model.rank_score_out = np.delete(model.rank_score_out,
                                                int(np.argmin(model.rank_score_out)))
    for p in model.parks:  # candidate parks approved as provincial zones
        if p.level == "candidate" and (
                zrev[p.index] / model.scale >= 0.2 * c.upgrade_min_revenue_wan
                and zhte[p.index] / model.scale >= 0.2 * c.upgrade_min_hte
                and u[2, p.index, 0] < b.upgrade_prob):
            p.level = "provincial"
            if model.on("zone_approval_award", t):  # A7: newly approved provincial zone
                once(model, "A7", ("provincial", p.index), t, p.index, -1, "province",
                           model.lever("zone_approval_award.provincial_wan", t)
                           * model.lever("zone_approval_award.share_of_maximum", t)
                           * model.scale)
    # B12: chain leaders matched with local suppliers raise the local supply share
    if model.on("supply_matching", t):
        has_leader = np.bincount(f.zone[:n], weights=alive & f.leader[:n],
                                 minlength=len(model.parks)) > 0
        model.local_supply += has_leader * b.supply_share_gain * (1.0 - model.local_supply)
    before = {p.index: p.national_rank for p in model.parks}
    # national ranking: the other zones move by the national growth plus noise
    nat = [p for p in model.parks if p.level == "national"]
    if nat and model.rank_score_out.size:
        k = model.rank_score_out.size
        model.rank_score_out += math.log1p(b.outside_zone_growth) + b.rank_noise * noise[:k]
        own = {p.index: zone_score(model, p.index) + b.rank_noise * noise[k + p.index]
               for p in model.parks}
        for p in nat:
            s = own[p.index]
            above = (model.rank_score_out > s).sum() + sum(
                1 for q in nat if q is not p and own[q.index] > s)
            p.national_rank = int(above) + 1
        ranking_awards(model, t, before)


def ranking_awards(model, t: int, before: dict) -> None:
    """A8: entering the national top 40; rising 10 or more places in a year."""
    if not model.on("ranking_award", t):
        return
    once_ever = model.scenario_data.policy.ranking_award.once
    for p in model.parks:
        old, new = before.get(p.index), p.national_rank
        if p.level != "national" or old is None or new is None:
            continue
        year = "" if once_ever else t // 4
        if old > 40 >= new:
            once(model, "A8", ("top40", p.index, year), t, p.index, -1, "province",
                       model.lever("ranking_award.top40_wan", t) * model.scale)
        if old - new >= 10:
            once(model, "A8", ("rise10", p.index, year), t, p.index, -1, "province",
                       model.lever("ranking_award.rise10_wan", t) * model.scale)
