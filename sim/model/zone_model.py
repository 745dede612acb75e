"""HighTechZoneModel: Yunnan's high-tech zones, one quarter a step.

The province (budgets, the policy in force, the national ranking, the stream of
outside projects) is the model; zones (:class:`~sim.model.agents.Park`), incubators,
capital providers and enterprises are agents. Enterprise state lives in columns
(:class:`~sim.model.firms.FirmTable`) and each quarter's dynamics run on whole columns, in
this order (docs/model.md gives the equations and sources):

1. growth of revenue (drift + fat-tailed shock whose spread falls with size);
2. R&D decision (after-tax, after-award price; 高企 notches) and knowledge;
3. innovation: original results, industrialisation, R&D award (A1) claims;
4. finance: cash flow, capital providers fund firms short of cash;
5. exit: hazard by age, lower for certified and incubated firms, higher in distress;
6. the ladder's annual rounds (Q4): 高企 certification, tech-SME registration,
   gazelles, leaders, 专精特新, listing, unicorns;
7. entry: organic start-ups, incubator intake and graduation, researcher and
   leader spin-offs;
8. investment projects: arrival, keep / refer / lose, landing, credit split (B1);
9. lever events: application-scenario pilots (A3), 揭榜挂帅 (A10), enclaves (B13, A9);
10. zones' annual events (Q4): national clusters, upgrades, national ranking, and the
    awards they trigger (A2, A7, A8); then the budgets pay the quarter's claims (ledger);
11. metrics, as array reductions.

Randomness: replicate ``k`` of seed ``s`` draws mechanism ``m`` in step ``j`` from
``SeedSequence(s, spawn_key=(k, m, j))``, and every mechanism makes the same draws
whatever the levers, so that variants on one seed are paired.
"""

from __future__ import annotations

import math
import gc
import time
from contextlib import contextmanager

import mesa
import numpy as np

from sim.core import metrics as met
from sim.model.agents import (CapitalProvider, Enterprise, Incubator, Park, add_enterprises,
                        remove_enterprises)
from sim.core.calendar import q_index, q_label, value_at
from sim.model.firms import NEVER, ORIGIN, ORIGINS, STAGES
from sim.model.ledger import Claim, Treasury
from sim.model.population import hte_threshold, synthesise

MECHANISMS = ("population", "rd", "innovation", "growth", "finance", "exit", "ladder", "entry",
              "projects", "zones", "levers")
MECH = {m: i for i, m in enumerate(MECHANISMS)}

# China's yearly exit rates by firm age in years 1..8+ (SAIC 2013 survival report [V]:
# 1.6% / 6.3% / 9.5% in years 1-3, above 8% until year 7; year 8 on: assumption 6%)
EXIT_BY_AGE_YEAR = np.array([0.016, 0.063, 0.095, 0.09, 0.085, 0.085, 0.08, 0.06])
EXIT_Q = 1.0 - (1.0 - EXIT_BY_AGE_YEAR) ** 0.25


@contextmanager
def gc_paused():
    """Run a replicate with Python's cyclic garbage collector paused.

    A replicate allocates tens of thousands of long-lived Enterprise agents (each refers
    to the model, so they form reference cycles with it) and creates almost no cyclic
    garbage of its own; the collector's repeated full passes over the growing agent
    population cost ~12% of a replicate at 50,000 firms, for nothing. Reference
    counting still frees everything else at once; the collector resumes (as it was
    before) when the block ends, and frees the finished model's cycles then.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class HighTechZoneModel(mesa.Model):
    """The province's zones and their firms under a scenario's policy.

    Args:
        scenario: a validated :class:`sim.scenario.schema.Scenario`.
        replicate: replicate number k (0-based).
        seed: the scenario seed (default: the scenario's).
        snapshots: keep firm snapshots at the start and every Q4.
    """

    def __init__(self, scenario, replicate: int = 0, seed: int | None = None,
                 snapshots: bool = False):
        self.seed_value = int(scenario.seed if seed is None else seed)
        self.replicate = int(replicate)
        super().__init__(rng=np.random.default_rng(
            np.random.SeedSequence(self.seed_value, spawn_key=(self.replicate, 99))))
        self.scenario_data = sc = scenario
        self.scale = float(sc.population.scale)
        self.start_q = q_index(sc.calendar.start)
        self.end_q = q_index(sc.calendar.end)
        self.n_steps = self.end_q - self.start_q + 1
        self.hist_len = max(12, int(sc.policy.rd_subsidy.window_quarters))
        self.sector_ids = [s.id for s in sc.sectors]
        self.sector_index = {s: i for i, s in enumerate(self.sector_ids)}
        self.sector_rd = {i: s.rd_intensity for i, s in enumerate(sc.sectors)}
        self.zone_ids = [z.id for z in sc.zones]
        self.zone_index = {z: i for i, z in enumerate(self.zone_ids)}
        self.snapshots = snapshots
        Z, S = len(self.zone_ids), len(self.sector_ids)

        self.parks = [Park(self, i, z) for i, z in enumerate(sc.zones)]
        self.incubators = [Incubator(self, i, inc) for i, inc in enumerate(sc.incubators)]
        self.providers = [CapitalProvider(self, c) for c in sc.capital]
        self.treasury = Treasury(self)

        self.firms = synthesise(self, self.stream("population", 0))
        self.agent_seconds = 0.0  # time spent creating/removing Enterprise agents (bench)
        n = self.firms.n
        self._agents_by_row: list = [None] * self.firms.capacity
        self._make_agents(np.arange(n))

        # constant per-zone and per-sector arrays
        self._zone_effects(self.start_q)
        self.local_supply = np.full(Z, sc.behaviour.local_supply_share_start)
        self.one_time: set = set()  # (lever, key) of one-time awards already claimed
        self.pilots = np.zeros(Z)
        self.enclave_count = np.zeros(Z)
        self.zone_shares = np.array([[z.firms.sector_shares.get(s, 0.0) for s in
                                      self.sector_ids] for z in sc.zones])
        self.zone_shares /= self.zone_shares.sum(axis=1, keepdims=True)
        self.leading = np.zeros((Z, S), bool)
        for p in self.parks:
            self.leading[p.index, list(p.leading)] = True
        self.project_w = np.array([s.project_weight for s in sc.sectors], float)
        self.future = np.array([s.future_industry for s in sc.sectors])
        self.cluster0 = np.maximum(1.0, self._cluster_counts())
        self.firms_total0 = np.array([z.firms.total for z in sc.zones], float)

        # outputs: quarter 0 is the initial state
        self.quarters = [q_label(self.start_q - 1)] + [q_label(self.start_q + j)
                                                       for j in range(self.n_steps)]
        self.out = np.full((self.n_steps + 1, Z + 1, len(met.METRICS)), np.nan)
        self.out_sector = np.zeros((self.n_steps + 1, Z + 1, S, len(met.SECTOR_METRICS)))
        self.exited_rows: list[tuple[np.ndarray, int]] = []
        self.snap: list = []
        self._init_ranking()
        self.t = self.start_q - 1
        self._flows = np.zeros((Z + 1, len(met.METRICS)))
        self._h_prev = self._hazard()
        self._measure(0)
        if snapshots:
            self._snapshot(self.t)

    # ------------------------------------------------------------------ helpers

    def stream(self, mechanism: str, step: int) -> np.random.Generator:
        """The random stream of ``mechanism`` in step ``step`` (0 = set-up)."""
        return np.random.default_rng(np.random.SeedSequence(
            self.seed_value, spawn_key=(self.replicate, MECH[mechanism], step)))

    def lever(self, path: str, t: int):
        """Value of a policy setting (``rd_subsidy.rate``) in force in quarter ``t``."""
        obj = self.scenario_data.policy
        for part in path.split("."):
            obj = getattr(obj, part)
        return value_at(obj, t)

    def on(self, lever: str, t: int) -> bool:
        """Whether a lever (``rd_subsidy``) is enabled in quarter ``t``."""
        return bool(self.lever(f"{lever}.enabled", t))

    def operating_model(self, park: Park, t: int) -> str:
        """A zone's operating model in quarter ``t`` (B3 ``adopt`` overrides the zone's)."""
        adopt = self.scenario_data.policy.operating_model.adopt
        if park.zone_id in adopt and self.on("operating_model", t):
            return value_at(adopt[park.zone_id], t)
        return park.operating_model

    def _zone_effects(self, t: int) -> None:
        """Per-zone effects of the rules without money for quarter ``t`` (B3, B4, B5, B14)."""
        b = self.scenario_data.behaviour
        company = np.array([self.operating_model(p, t) != "traditional" for p in self.parks])
        pay = 1.0 + (b.pay_reform_uplift if self.on("pay_reform", t) else 0.0)
        self.service = b.service_effect * company * pay
        self.attraction = 1.0 + b.company_model_attraction * company
        land = 1.0
        if self.on("pay_reform", t):  # B5: more effective staff convert more projects
            land *= 1.0 + 0.5 * b.pay_reform_uplift
        if self.on("delegated_powers", t):
            land *= 1.0 + b.delegation_land_uplift
        if self.on("assessment", t):
            land *= 1.0 + b.assessment_land_uplift
        for p in self.parks:
            p.land_factor = land

    def _make_agents(self, rows: np.ndarray) -> None:
        t0 = time.perf_counter()
        if len(self._agents_by_row) < self.firms.capacity:
            self._agents_by_row.extend([None] * (self.firms.capacity - len(self._agents_by_row)))
        rl = rows.tolist()
        agents = add_enterprises(self, rl)
        if agents:  # rows come from FirmTable.append: contiguous
            self._agents_by_row[rl[0]:rl[-1] + 1] = agents
            self.firms.uid[rows] = [a.unique_id for a in agents]
        self.agent_seconds += time.perf_counter() - t0

    def release(self) -> None:
        """Drop every Enterprise agent (a finished replicate whose tables are made).

        Agents and model refer to each other; dropping the model's references frees
        the agents by reference counting at once, instead of leaving tens of thousands
        of them to a full pass of the garbage collector. The firm table stays."""
        remove_enterprises(self, [a for a in self._agents_by_row if a is not None])
        self._agents_by_row = []

    def enterprise(self, unique_id: int) -> Enterprise | None:
        """The Enterprise agent with this id (alive or exited), or None."""
        rows = np.flatnonzero(self.firms.view("uid") == unique_id)
        return self._agents_by_row[int(rows[0])] if rows.size else None

    def stage_of(self, rows: np.ndarray | slice) -> np.ndarray:
        """Highest rung (index into STAGES) of the given rows at the current quarter."""
        f, t = self.firms, self.t
        hte = f.hte_until[rows] >= t
        st = np.where(f.tsme_until[rows] >= t, 1, 0).astype(np.int8)
        st[hte] = 2
        st[hte & f.gazelle[rows]] = 3
        st[hte & f.leader[rows]] = 4
        return st

    def _cluster_key_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's (zone, sector) cell, and alive firms per cell."""
        f = self.firms
        n = f.n
        S = len(self.sector_ids)
        key = f.zone[:n].astype(np.intp) * S + f.sector[:n]
        counts = np.bincount(key, weights=f.alive[:n], minlength=len(self.zone_ids) * S)
        return key, counts.reshape(len(self.zone_ids), S)

    def _leader_cells(self, key: np.ndarray) -> np.ndarray:
        """1 for rows whose (zone, sector) cell holds a tech leader (chain leader), else 0."""
        f, n = self.firms, self.firms.n
        lead = np.bincount(key, weights=f.alive[:n] & f.leader[:n],
                           minlength=len(self.zone_ids) * len(self.sector_ids))
        return (lead > 0)[key]

    def _cluster_counts(self) -> np.ndarray:
        return self._cluster_key_counts()[1]

    # ------------------------------------------------------------------ the quarter

    def step(self) -> None:
        """One quarter."""
        j = self.steps  # 1-based step number (Mesa increments before calling step)
        self.t = t = self.start_q + j - 1
        self._flows[:] = 0.0
        self._zone_effects(t)
        if t % 4 == 0 and j > 1:
            extra = (self.lever("land.extra_ha_per_year", t) * self.scale
                     if self.on("land", t) else 0.0)
            for p in self.parks:
                p.new_year(extra)
            if self.on("incubator_upgrade", t):  # B8: more places each year
                g = self.scenario_data.policy.incubator_upgrade.capacity_growth_per_year
                for inc in self.incubators:
                    inc.capacity *= 1.0 + g
        self._grow(t, j)
        self._rd(t)
        self._innovate(t, j)
        self._write_history(t)
        self._finance(t)
        self._exit(t, j)
        if t % 4 == 3:  # the annual rounds; the draws are made in Q4 only, whatever
            # the levers, and each row of draws from its own child stream, so row r's
            # draw for firm i does not shift when another variant has more firms
            ladder_u = np.stack([g.random(self.firms.n)
                                 for g in self.stream("ladder", j).spawn(6)])
            self._ladder_round(t, ladder_u)
        self._enter(t, j)
        self._projects(t, j)
        self._lever_events(t, j)
        zrng = self.stream("zones", j)
        zone_u = zrng.random((3, len(self.parks), len(self.sector_ids)))
        noise = zrng.normal(size=self.rank_score_out.size + len(self.parks))
        if t % 4 == 3:
            self._zone_year(t, zone_u, noise)
        self.treasury.settle(t, self._flows, met.M)
        self._measure(j)
        if self.snapshots and t % 4 == 3:
            self._snapshot(t)
        if j >= self.n_steps:
            self.running = False

    def run(self) -> HighTechZoneModel:
        """Run every quarter of the calendar (with :func:`gc_paused`)."""
        with gc_paused():
            for _ in range(self.n_steps):
                self.step()
        return self

    # 1. growth
    def _grow(self, t: int, j: int) -> None:
        f, b = self.firms, self.scenario_data.behaviour
        n = f.n
        shock = self.stream("growth", j).laplace(size=n)
        rev = f.rev[:n]
        # sigma = shock_scale * (annual size / 1000万)^-beta, clipped to [0.02, 0.8]
        sigma = np.log(np.maximum(rev * (4.0 / 1000.0), 0.01))
        sigma *= -b.shock_size_beta
        np.exp(sigma, out=sigma)
        sigma *= b.shock_scale
        np.clip(sigma, 0.02, 0.8, out=sigma)
        key, cl = self._cluster_key_counts()
        # the (zone, sector) part of the drift: agglomeration and zone services
        cell = (b.agglomeration_elasticity * np.log(np.maximum(cl, 1.0) / self.cluster0)
                + self.service[:, None]).ravel()
        age = (t - f.founded[:n]).astype(np.float64)
        drift = np.clip(1.0 - age / 20.0, 0.0, 1.0)
        drift *= b.drift_young
        drift += b.drift_base
        drift += f.prod[:n]
        drift += np.where(f.boost_until[:n] >= t, f.boost[:n], 0.0)
        drift += cell[key]
        drift += b.drift_gazelle * f.gazelle[:n] - b.misfit_penalty * f.misfit[:n]
        if self.on("specialised_pool", t):  # B7: matched with listed / chain-leading firms
            drift += b.matching_drift * (f.spec_until[:n] >= t)
        if self.on("supply_matching", t):  # B12: small suppliers in a leader's cluster
            c = self.scenario_data.constants
            supplier = ~f.leader[:n] & (f.rev4[:n] <= c.tech_sme_max_revenue_wan)
            drift += b.matching_drift * (self._leader_cells(key) & supplier)
        sigma *= shock
        drift += sigma
        g = np.where(f.alive[:n], drift, 0.0)
        f.rev[:n] = rev * np.exp(g)
        g *= b.employment_elasticity
        f.employees[:n] *= np.exp(g)

    # 2. R&D
    def _price(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """After-tax price of one yuan of R&D without and with the expected A1 award."""
        f, c, b = self.firms, self.scenario_data.constants, self.scenario_data.behaviour
        n = f.n
        tau = np.where(f.hte_until[:n] >= t, c.hte_tax_rate, c.standard_tax_rate)
        p0 = 1.0 - tau * (1.0 + c.rd_super_deduction)
        p0 = np.maximum(p0, 0.05)
        if not self.lever("rd_subsidy.enabled", t):
            return p0, p0
        rate = self.lever("rd_subsidy.rate", t)
        cap = self.lever("rd_subsidy.cap_wan", t)
        W = self.scenario_data.policy.rd_subsidy.window_quarters
        phi = b.industrialisation_prob * (1.0 + (b.tech_transfer_uplift
                                                  if self.on("tech_transfer", t) else 0.0))
        h = self._h_prev  # the hazard at the end of last quarter (knowledge unchanged since)
        if h.size < n:  # firms born since: their hazard from their initial knowledge
            h = np.concatenate([h, self._hazard(slice(h.size, n))])
        p_qual = 1.0 - np.exp(-h * min(phi, 1.0) * W)
        under_cap = rate * f.rd12[:n] * W / 12.0 < cap
        pol = self.scenario_data.policy.rd_subsidy
        award = (b.award_salience * rate * p_qual * under_cap
                 * self._credible(pol.payer, f.zone[:n]))
        return p0, np.maximum(p0 - award, 0.05)

    def _credible(self, payer: str, zone: np.ndarray) -> np.ndarray | float:
        """What firms in ``zone`` make of one yuan of award from ``payer``: 1 −
        ``budget_credibility`` × (1 − the payer's fill rate over the last year); one
        number for the province, one per firm for the zones."""
        w = self.scenario_data.behaviour.budget_credibility
        if w == 0.0:
            return 1.0
        fill = self.treasury.fill_rate()
        f = float(fill[0]) if payer == "province" else fill[1 + zone]
        return 1.0 - w * (1.0 - f)

    def _hazard(self, rows: slice | None = None) -> np.ndarray:
        """Quarterly hazard of an original result, from the knowledge stock."""
        f, b = self.firms, self.scenario_data.behaviour
        rows = slice(0, f.n) if rows is None else rows
        return np.minimum(0.9, b.innovation_rate * (f.know[rows] / b.knowledge_ref_wan)
                          ** b.innovation_knowledge_elasticity)

    def _rd(self, t: int) -> None:
        f, b, c = self.firms, self.scenario_data.behaviour, self.scenario_data.constants
        n = f.n
        p0, p = self._price(t)
        desired = f.rd_base[:n] * (p / p0) ** (-b.rd_price_elasticity)
        rev4 = f.rev4[:n]
        thr = hte_threshold(rev4, c)
        pursuing = ((f.st_share[:n] >= c.hte_st_staff_share)
                    & (f.ht_share[:n] >= c.hte_hightech_revenue_share) & (rev4 > 0))
        bunch = pursuing & (desired < thr) & (desired >= thr * (1.0 - b.notch_reach))
        desired = np.where(bunch, thr * (1.0 + b.notch_margin), desired)
        desired = np.minimum(desired, 0.6)
        f.rd_int[:n] += b.rd_adjustment * (desired - f.rd_int[:n])
        f.rd[:n] = np.where(f.alive[:n], f.rd_int[:n] * f.rev[:n], 0.0)

    # 3. innovation and the R&D award
    def _innovate(self, t: int, j: int) -> None:
        f, b = self.firms, self.scenario_data.behaviour
        n = f.n
        u = np.stack([g.random(n) for g in self.stream("innovation", j).spawn(2)])
        f.know[:n] = f.know[:n] * (1.0 - b.knowledge_depreciation) + f.rd[:n]
        h = self._hazard()
        self._h_prev = h
        phi = b.industrialisation_prob * (1.0 + (b.tech_transfer_uplift
                                                  if self.on("tech_transfer", t) else 0.0))
        ind = f.alive[:n] & (u[0] < h) & (u[1] < min(phi, 1.0))
        rows = np.flatnonzero(ind)
        f.boost[rows] = np.maximum(np.where(f.boost_until[rows] >= t, f.boost[rows], 0.0),
                                   b.innovation_growth_boost)
        f.boost_until[rows] = np.maximum(f.boost_until[rows], t + 4)
        if rows.size and self.lever("rd_subsidy.enabled", t):
            self._a1_claims(t, rows)

    def _a1_claims(self, t: int, rows: np.ndarray) -> None:
        """A1: rate x own-funded R&D of the prior window, at most the cap.

        The window is the last ``window_quarters`` quarters before the result, from the
        quarter of the firm's previous A1 award on (earlier R&D was awarded already).
        Several claims of one firm in one year are not added up (就高不就低, see
        :mod:`sim.model.ledger`): it is paid up to the highest.
        """
        f = self.firms
        pol = self.scenario_data.policy.rd_subsidy
        rate, cap = self.lever("rd_subsidy.rate", t), self.lever("rd_subsidy.cap_wan", t)
        last = f.a1_last[rows]
        W, H = pol.window_quarters, f.hist
        base = np.zeros(rows.size)
        for k in range(1, W + 1):
            q = t - k
            base += np.where(q >= last, f.h_rd[q % H, rows], 0.0)
        amount = np.minimum(rate * base, cap)
        f.a1_last[rows] = t
        pos = amount > 0
        r = rows[pos]
        self.treasury.claim_many(t, f.zone[r], f.uid[r], r, "A1", pol.payer, amount[pos])

    def _claim(self, t: int, lever: str, zone: int, row: int, payer: str,
               amount: float) -> None:
        """Queue an award for payment (row -1: an award to a zone or cluster)."""
        if amount > 0:
            uid = int(self.firms.uid[row]) if row >= 0 else -1
            self.treasury.claim(Claim(t, zone, uid, row, lever, payer, float(amount)))

    def _once(self, lever: str, key, t: int, zone: int, row: int, payer: str,
              amount: float) -> None:
        """A one-time award: claimed once per firm, cluster or zone, ever."""
        if (lever, key) in self.one_time:
            return
        self.one_time.add((lever, key))
        self._claim(t, lever, zone, row, payer, amount)

    def _a5_claims(self, t: int, rows: np.ndarray) -> None:
        """A5: the province's award for a newly certified 高企, and the zone's match."""
        prov = self.lever("hte_matching.provincial_award_wan", t)
        ratio = self.lever("hte_matching.ratio", t)
        f = self.firms
        for payer, amt in (("province", prov), ("zone", prov * ratio)):
            if amt > 0:
                self.treasury.claim_many(t, f.zone[rows], f.uid[rows], rows, "A5", payer,
                                         np.full(rows.size, float(amt)))

    def _write_history(self, t: int) -> None:
        f = self.firms
        n, H = f.n, f.hist
        slot, slot4 = t % H, (t - 4) % H
        rev, rd = f.rev[:n], f.rd[:n]
        f.rev4[:n] += rev - f.h_rev[slot4, :n]
        f.rd4[:n] += rd - f.h_rd[slot4, :n]
        s12 = (t - 12) % H
        f.rev12[:n] += rev - f.h_rev[s12, :n]
        f.rd12[:n] += rd - f.h_rd[s12, :n]
        f.h_rev[slot, :n] = rev
        f.h_rd[slot, :n] = rd
        if t % 4 == 3:  # clear rounding drift of the rolling sums once a year
            idx = np.arange(t - 11, t + 1) % H
            f.rev12[:n] = f.h_rev[idx, :n].sum(axis=0)
            f.rd12[:n] = f.h_rd[idx, :n].sum(axis=0)
            f.rev4[:n] = f.h_rev[idx[-4:], :n].sum(axis=0)
            f.rd4[:n] = f.h_rd[idx[-4:], :n].sum(axis=0)

    # 4. finance
    def _finance(self, t: int) -> None:
        f, b = self.firms, self.scenario_data.behaviour
        n = f.n
        alive = f.alive[:n]
        age = (t - f.founded[:n]).astype(np.float64)
        margin = b.margin + f.margin_dev[:n] - b.young_margin_penalty * np.clip(
            1.0 - age / 12.0, 0.0, 1.0)
        # debt service: interest plus repayment of principal, paid from cash
        service = (b.loan_interest + b.loan_repayment) * f.debt[:n]
        f.cash[:n] += np.where(alive, margin * f.rev[:n] - f.rd[:n] - service, 0.0)
        f.debt[:n] *= 1.0 - b.loan_repayment
        cand = np.flatnonzero(alive & (f.cash[:n] < 0))
        self._distress = np.zeros(n, bool)
        if cand.size == 0:
            return
        need = -f.cash[cand]
        zone = f.zone[cand]
        stage = self.stage_of(cand)
        rev4 = f.rev4[cand]
        growth = np.log((rev4 + 1.0) / (f.rev12[cand] / 3.0 + 1.0))
        score = growth + 0.3 * np.log1p(f.know[cand]) + 0.5 * stage
        open_ = np.ones(cand.size, bool)
        for prov in self.providers:
            sub = np.flatnonzero(open_)
            if sub.size == 0:
                break
            deal = prov.invest(cand[sub], need[sub], zone[sub], stage[sub], score[sub],
                               rev4[sub], know=f.know[cand[sub]],
                               points=self.on("innovation_points", t),
                               early=self.on("tech_transfer", t) or self.on("fault_tolerance", t))
            pos = sub[deal.rows]
            rows = cand[pos]
            open_[pos] = False
            f.cash[rows] += deal.amounts
            metric = "loans_wan" if prov.kind == "bank" else "vc_invested_wan"
            if prov.kind == "bank":
                f.debt[rows] += deal.amounts
            else:
                f.equity[rows] += deal.amounts
            self._flows[:-1, met.M[metric]] += np.bincount(
                f.zone[rows], weights=deal.amounts, minlength=len(self.parks))
        self._distress[cand[open_]] = True

    # 5. exit
    def _exit(self, t: int, j: int) -> None:
        f, b = self.firms, self.scenario_data.behaviour
        n = f.n
        u = self.stream("exit", j).random(n)
        alive = f.alive[:n]
        age_y = np.minimum((t - f.founded[:n]) // 4, len(EXIT_Q) - 1)
        q = EXIT_Q[np.maximum(age_y, 0)] * b.exit_hazard_scale
        q = q * np.where(f.hte_until[:n] >= t, b.hte_exit_reduction, 1.0)
        q = q * np.where(f.incubator[:n] >= 0, b.incubator_exit_reduction, 1.0)
        if self.on("researcher_leave", t):
            pol = self.scenario_data.policy.researcher_leave
            leave_q = 4 * (pol.years + pol.extension_years)
            age_q = t - f.founded[:n]
            # 3 years; once 3 more if not yet profitable (proxy: short of cash)
            on_leave = (f.origin[:n] == ORIGIN["researcher"]) & (
                (age_q < 4 * pol.years) | ((age_q < leave_q) & (f.cash[:n] < 0)))
            q = q * np.where(on_leave, b.leave_exit_reduction, 1.0)
        q = np.where(self._distress, 1.0 - (1.0 - q) * (1.0 - b.distress_exit_prob), q)
        dead = np.flatnonzero(alive & (u < q))
        if dead.size == 0:
            return
        f.alive[dead] = False
        f.exited_q[dead] = t
        f.incubator[dead] = -1
        self._flows[:-1, met.M["exits"]] += np.bincount(f.zone[dead], minlength=len(self.parks))
        t0 = time.perf_counter()
        remove_enterprises(self, [self._agents_by_row[r] for r in dead.tolist()])
        self.agent_seconds += time.perf_counter() - t0
        if self.snapshots:
            self.exited_rows.append((dead, t))

    # 6. the ladder
    def _ladder_round(self, t: int, u: np.ndarray) -> None:
        f, b, c = self.firms, self.scenario_data.behaviour, self.scenario_data.constants
        n = f.n
        alive = f.alive[:n]
        age = t - f.founded[:n]
        rev4, rev12, rd4, rd12 = f.rev4[:n], f.rev12[:n], f.rd4[:n], f.rd12[:n]
        with np.errstate(invalid="ignore", divide="ignore"):
            r3 = np.where(rev12 > 0, rd12 / rev12, 0.0)
            r1 = np.where(rev4 > 0, rd4 / rev4, 0.0)
        valid = f.hte_until[:n] >= t
        expiring = f.hte_until[:n] == t
        eligible = (alive & (age >= c.hte_min_age_quarters)
                    & (f.st_share[:n] >= c.hte_st_staff_share)
                    & (f.ht_share[:n] >= c.hte_hightech_revenue_share)
                    & (r3 >= hte_threshold(rev4, c)) & (rev4 > 0))
        ladder = 1.0 + (b.ladder_uplift if self.on("ladder", t) else 0.0)  # B6 登高
        nominal, award = 0.0, 0.0
        if self.on("hte_matching", t):  # A5: the award a new 高企 expects, 万元
            prov = self.lever("hte_matching.provincial_award_wan", t)
            ratio = self.lever("hte_matching.ratio", t)
            nominal = prov * (1.0 + ratio)
            award = prov * (self._credible("province", f.zone[:n])
                            + ratio * self._credible("zone", f.zone[:n]))
        p_apply = np.minimum(1.0, b.hte_apply_prob * ladder
                             * (1.0 + b.hte_award_response * np.asarray(award) / 10))
        apply = eligible & (((~valid) & (u[0] < p_apply))
                            | (expiring & (u[0] < b.hte_renew_prob)))
        passed = apply & (u[1] < b.hte_pass_rate)
        # a certificate not renewed in its round ends with the round (no Q4 overlap)
        f.hte_until[:n] = np.where(passed, t + c.hte_validity_quarters,
                                   np.where(expiring, t - 1, f.hte_until[:n]))
        f.hte_first[:n] = np.where(passed, t, f.hte_first[:n])
        self.newly_certified = np.flatnonzero(passed & ~valid)
        if nominal > 0:
            self._a5_claims(t, self.newly_certified)
        valid = f.hte_until[:n] >= t

        # tech SMEs: <= 500 staff, <= 2亿 sales; the evaluation score >= 60 is proxied by
        # R&D >= 3% of sales and S&T staff >= 10% (assumption); registered for next year
        tsme_ok = (alive & (f.employees[:n] <= c.tech_sme_max_staff)
                   & (rev4 <= c.tech_sme_max_revenue_wan)
                   & (r1 >= 0.03) & (f.st_share[:n] >= c.hte_st_staff_share))
        was = f.tsme_until[:n] >= t
        reg = tsme_ok & ((was & (u[2] < b.tech_sme_renew_prob))
                         | (u[2] < b.tech_sme_register_prob * ladder))
        # registered for the next four quarters; last year's registration ends here
        f.tsme_until[:n] = np.where(reg, t + 4, np.where(f.tsme_until[:n] == t, t - 1,
                                                          f.tsme_until[:n]))

        # gazelles (Torch): <= 15 years, growth >= 20% a year from a base > 1000万, or
        # <= 10 years and > 10亿, or <= 5 years and > 5亿; R&D > 2.5%
        H = f.hist
        old = f.h_rev[np.arange(t - 11, t - 7) % H, :n].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            cagr = np.where(old > 0, np.sqrt(np.maximum(rev4, 0) / old) - 1.0, 0.0)
        gz = ((age <= c.gazelle_max_age_years * 4) & (old >= c.gazelle_min_base_wan)
              & (cagr >= c.gazelle_min_growth))
        gz |= (age <= 40) & (rev4 >= 100000)
        gz |= (age <= 20) & (rev4 >= 50000)
        f.gazelle[:n] = alive & valid & gz & (r1 >= c.gazelle_min_rd)
        f.leader[:n] = (alive & valid & (rev4 >= c.leader_min_revenue_wan)
                        & (r1 >= c.leader_min_rd))

        spec_ok = (alive & ((f.tsme_until[:n] >= t) | valid)
                   & (rev4 >= c.specialised_min_revenue_wan) & (r1 >= c.specialised_min_rd))
        spec_valid = f.spec_until[:n] >= t
        ending = f.spec_until[:n] == t
        p_spec = b.specialised_prob * (1.0 + (b.specialised_uplift
                                              if self.on("specialised_pool", t) else 0.0))
        new_spec = spec_ok & ((ending & (u[3] < b.specialised_renew_prob))
                              | (~spec_valid & (u[3] < p_spec)))
        f.spec_until[:n] = np.where(new_spec, t + 12, np.where(ending, t - 1,
                                                                f.spec_until[:n]))

        lst = (alive & ~f.listed[:n] & valid & (rev4 >= c.listing_min_revenue_wan)
               & (u[4] < b.listing_prob * ladder))
        f.listed[:n] |= lst

        usd = c.unicorn_valuation_usd * c.usd_cny / 1e4  # 万元
        val = rev4 * b.vc_multiple * f.val_mult[:n] * (1.0 + np.clip(cagr, 0.0, 2.0)) ** 2
        # only venture-backed firms have a valuation (equity raised in the simulation), and
        # landed projects are branches of outside firms (HQ elsewhere), not unicorns here
        own_hq = (f.origin[:n] != ORIGIN["attracted"]) & (f.origin[:n] != ORIGIN["referred"])
        uni = (alive & own_hq & ~f.listed[:n] & (f.equity[:n] > 0)
               & (age <= c.unicorn_max_age_years * 4) & (val >= usd))
        self.new_unicorns = np.flatnonzero(uni & ~f.ever_unicorn[:n])
        if self.on("unicorn_award", t):
            pol = self.scenario_data.policy.unicorn_award
            amt = self.lever("unicorn_award.amount_wan", t)
            for r in self.new_unicorns.tolist():
                self._once("A6", int(f.uid[r]), t, int(f.zone[r]), r, pol.payer, amt)
        f.unicorn[:n] = uni
        f.ever_unicorn[:n] |= uni

    # 7. entry
    def _enter(self, t: int, j: int) -> None:
        f, b = self.firms, self.scenario_data.behaviour
        n = f.n
        # each count from its own child stream: a lever that changes one count (B2, B8)
        # does not shift the others' draws
        rng, r_org, r_spin, r_res, r_inc, r_grad = self.stream("entry", j).spawn(6)
        Z = len(self.parks)
        alive = f.alive[:n]
        zone = f.zone[:n]
        alive_z = np.bincount(zone, weights=alive, minlength=Z)
        hi = alive & (f.hte_until[:n] >= t) & (f.gazelle[:n] | f.leader[:n])
        hi_z = np.bincount(zone, weights=hi, minlength=Z)
        k_org = r_org.poisson(b.startup_rate * alive_z)
        k_spin = r_spin.poisson(b.spinoff_rate * hi_z)
        leave = 1.0 + (b.leave_entry_uplift if self.on("researcher_leave", t) else 0.0)  # B2
        k_res_total = r_res.poisson(b.researcher_founders_per_quarter * self.scale * leave)
        k_res = r_res.multinomial(k_res_total, self.firms_total0 / self.firms_total0.sum())
        inc_draw = r_inc.poisson([b.incubator_intake * inc.capacity for inc in self.incubators]
                                 ) if self.incubators else np.zeros(0, int)
        grad_u = r_grad.random(n)

        # graduation of incubatees (>= 8 quarters in), and tenant counts
        inc = f.incubator[:n]
        in_inc = alive & (inc >= 0)
        p_grad = b.graduation_rate * (1.0 + (b.incubator_quality_uplift
                                              if self.on("incubator_upgrade", t) else 0.0))
        grads = np.flatnonzero(in_inc & (t - f.inc_since[:n] >= 8) & (grad_u < p_grad))
        f.incubator[grads] = -1
        f.origin[grads] = np.where(f.origin[grads] == ORIGIN["startup"], ORIGIN["graduate"],
                                   f.origin[grads])
        self._flows[:-1, met.M["graduations"]] += np.bincount(f.zone[grads], minlength=Z)
        # leave after 5 years without graduating (assumption: tenancy limit)
        stale = np.flatnonzero(in_inc & (t - f.inc_since[:n] >= 20))
        f.incubator[stale] = -1
        tenants = np.bincount(inc[alive & (inc >= 0)], minlength=len(self.incubators))
        for k_inc in self.incubators:
            k_inc.tenants = int(tenants[k_inc.index]) if tenants.size else 0
        k_inc_arr = np.array([i.intake(d, b.incubator_intake) for i, d in
                              zip(self.incubators, inc_draw, strict=True)], dtype=int)

        zones = np.concatenate([np.repeat(np.arange(Z), k_org), np.repeat(np.arange(Z), k_spin),
                                np.repeat(np.arange(Z), k_res),
                                np.repeat([i.zone_index for i in self.incubators], k_inc_arr)
                                .astype(int)])
        origin = np.concatenate([np.full(k_org.sum(), ORIGIN["startup"]),
                                 np.full(k_spin.sum(), ORIGIN["spinoff"]),
                                 np.full(k_res.sum(), ORIGIN["researcher"]),
                                 np.full(k_inc_arr.sum(), ORIGIN["startup"])])
        incub = np.concatenate([np.full(k_org.sum() + k_spin.sum() + k_res.sum(), -1),
                                np.repeat([i.index for i in self.incubators], k_inc_arr)
                                .astype(int)])
        k = zones.size
        if k == 0:
            return
        # sector: the zone's mix; researcher and spin-off founders favour leading industries
        w = self.zone_shares[zones].copy()
        techy = (origin == ORIGIN["researcher"]) | (origin == ORIGIN["spinoff"])
        w[techy] = w[techy] * np.where(self.leading[zones[techy]] | self.future, 3.0, 1.0)
        w /= w.sum(axis=1, keepdims=True)
        sector = (rng.random(k)[:, None] > np.cumsum(w, axis=1)).sum(axis=1)
        sector = np.minimum(sector, len(self.sector_ids) - 1)
        ip_u = rng.random(k)
        rows = self._add_firms(t, zones, sector, origin, rng, incubator=incub)
        if self.on("researcher_startup", t):  # A4: researcher founders with their own IP
            pol = self.scenario_data.policy.researcher_startup
            amt = self.lever("researcher_startup.amount_wan", t)
            res = np.flatnonzero((origin == ORIGIN["researcher"]) & (ip_u < pol.own_ip_share))
            for r in rows[res].tolist():
                self._once("A4", int(self.firms.uid[r]), t, int(self.firms.zone[r]), r,
                           pol.payer, amt)

    def _add_firms(self, t: int, zones: np.ndarray, sector: np.ndarray, origin: np.ndarray,
                   rng: np.random.Generator, incubator: np.ndarray | None = None,
                   revenue_q: np.ndarray | None = None, boost: np.ndarray | None = None,
                   misfit: np.ndarray | None = None) -> np.ndarray:
        """Create firms (rows and Enterprise agents) founded in quarter ``t``."""
        b, c = self.scenario_data.behaviour, self.scenario_data.constants
        k = zones.size
        z = rng.normal(size=(6, k))
        sect_rd = np.array([self.sector_rd[i] for i in range(len(self.sector_ids))])
        techy = (origin == ORIGIN["researcher"]) | (origin == ORIGIN["spinoff"])
        if revenue_q is None:
            revenue_q = np.exp(np.log(b.entrant_revenue_wan / 4.0) + 1.0 * z[0])
        rd_base = np.clip(sect_rd[sector] * np.where(techy, 2.0, 1.3)
                          * np.exp(b.rd_intensity_sigma * z[1] - 0.5 * b.rd_intensity_sigma**2),
                          0.0, 0.5)
        st = np.clip(0.12 + 0.06 * z[2] + np.where(techy, 0.1, 0.0), 0.01, 0.9)
        ht = np.clip(0.6 + 0.2 * z[3], 0.0, 1.0)
        rows = self.firms.append(
            k, zone=zones, sector=sector, origin=origin, founded=t, rev=revenue_q,
            rd_base=rd_base, rd_int=rd_base,
            know=np.where(origin == ORIGIN["researcher"], 100.0, 0.0),
            prod=b.productivity_sd * z[4], margin_dev=b.margin_sd * z[5],
            val_mult=np.exp(0.8 * rng.normal(size=k)),
            cash=b.cash_buffer_quarters * revenue_q * 0.5 + 20.0,
            employees=np.maximum(3.0, revenue_q * 4 / b.revenue_per_employee_wan),
            st_share=st, ht_share=ht,
            incubator=-1 if incubator is None else incubator,
            inc_since=np.where((incubator if incubator is not None else -1) >= 0, t, NEVER),
            boost=0.0 if boost is None else boost,
            boost_until=NEVER if boost is None else t + 8,
            misfit=False if misfit is None else misfit,
        )
        self._make_agents(rows)
        self._flows[:-1, met.M["births"]] += np.bincount(zones, minlength=len(self.parks))
        return rows

    # 8. investment projects and referral (B1)
    def _projects(self, t: int, j: int) -> None:
        sc = self.scenario_data
        pr, b = sc.projects, sc.behaviour
        rng = self.stream("projects", j)
        Z = len(self.parks)
        m = rng.poisson(pr.per_quarter * self.scale)
        u = rng.random((m, 5))
        F = self._flows
        if m == 0:
            return
        pw = self.project_w / self.project_w.sum()
        sector = np.minimum((u[:, 0][:, None] > np.cumsum(pw)).sum(axis=1), len(pw) - 1)
        from scipy.special import ndtri

        inv = pr.investment_median_wan * np.exp(pr.investment_sigma * ndtri(
            np.clip(u[:, 1], 1e-12, 1 - 1e-12)))
        land = inv / 1e4 * pr.land_ha_per_yi
        size = np.maximum(self.out[j - 1, :Z, met.M["revenue_wan"]], 0.0)
        size = np.nan_to_num(size, nan=0.0) + 1.0
        if j == 1:
            size = np.array([z.firms.revenue_wan for z in sc.zones]) + 1.0
        wz = size ** pr.first_contact_exponent * self.attraction  # B3, B5
        first = np.minimum((u[:, 2][:, None] > np.cumsum(wz / wz.sum())).sum(axis=1), Z - 1)
        ref_on = bool(self.lever("referral.enabled", t))
        share = float(self.lever("referral.referrer_share", t))
        land_z, land_s, land_inv, land_origin, land_misfit = [], [], [], [], []
        for i in range(m):
            s, zf = int(sector[i]), int(first[i])
            park = self.parks[zf]
            F[zf, met.M["projects_arrived"]] += 1
            action, dest, p_land = park.decide(s, land[i], share, ref_on, u[i, 4])
            if action == "refer":
                F[zf, met.M["projects_referred"]] += 1
            if dest is None or u[i, 3] >= p_land:
                F[zf, met.M["projects_lost"]] += 1
                continue
            dz = dest.index
            dest.land_ha -= land[i]
            F[dz, met.M["projects_landed"]] += 1
            F[dz, met.M["investment_landed_wan"]] += inv[i]
            if action == "refer":
                F[zf, met.M["investment_credited_wan"]] += share * inv[i]
                F[dz, met.M["investment_credited_wan"]] += inv[i] - share * inv[i]
            else:
                F[dz, met.M["investment_credited_wan"]] += inv[i]
            land_z.append(dz)
            land_s.append(s)
            land_inv.append(inv[i])
            land_origin.append(ORIGIN["referred"] if action == "refer" else ORIGIN["attracted"])
            land_misfit.append(not self.leading[dz, s])
        if land_z:
            inv_a = np.array(land_inv)
            target_q = inv_a * b.project_revenue_ratio / 4.0
            self._add_firms(t, np.array(land_z), np.array(land_s), np.array(land_origin), rng,
                            revenue_q=0.25 * target_q, boost=np.full(len(land_z),
                                                                    math.log(4.0) / 8.0),
                            misfit=np.array(land_misfit))

    # 8b. levers that act through events: A3 pilots, A10 open competition, B13/A9 enclaves
    def _lever_events(self, t: int, j: int) -> None:
        sc, b = self.scenario_data, self.scenario_data.behaviour
        pol = sc.policy
        f, n = self.firms, self.firms.n
        rng = self.stream("levers", j)
        Z = len(self.parks)
        alive = f.alive[:n]
        # draws made every quarter whatever the levers (paired variants)
        u_pilot = rng.random((Z, 16))  # 8 for arrivals, 8 for choosing the firm
        z_pilot = rng.normal(size=(Z, 8))
        u_comp = rng.random((2, 64))
        z_comp = rng.normal(size=64)
        u_encl = rng.random(Z)
        rows_rng = rng.spawn(1)[0]  # per-row draws, made only when needed
        z_encl = rng.normal(size=Z)
        k_encl_firms = rng.poisson(pol.enclaves.firms_per_enclave_year / 4.0 * self.scale
                                   * self.enclave_count)
        self.pilots[:] = 0.0
        # A3: each zone accepts pilots in the future industries; B15 makes it run more
        if self.on("scenario_pilot", t):
            per_q = self.lever("scenario_pilot.pilots_per_zone_year", t) / 4.0 * self.scale * (
                1.0 + (b.fault_tolerance_uplift if self.on("fault_tolerance", t) else 0.0))
            rate = self.lever("scenario_pilot.rate", t)
            cap = self.lever("scenario_pilot.cap_wan", t)
            fut = alive & self.future[f.sector[:n]]
            for p in self.parks:
                cand = np.flatnonzero(fut & (f.zone[:n] == p.index)) if fut.any() else []
                if len(cand) == 0:
                    continue
                # pilots this quarter: Poisson(per_q) by inversion of the zone's uniforms
                k = int((np.cumsum(-np.log(u_pilot[p.index, :8])) < per_q).sum())
                chosen = set()
                for i in range(min(k, len(cand), 8)):
                    r = int(cand[int(u_pilot[p.index, 8 + i] * len(cand))])
                    if r in chosen:  # one pilot per firm a quarter
                        continue
                    chosen.add(r)
                    inv = pol.scenario_pilot.investment_median_wan * math.exp(z_pilot[p.index, i])
                    self._claim(t, "A3", p.index, r, pol.scenario_pilot.payer,
                                min(rate * inv, cap))
                    f.boost[r] = max(f.boost[r] if f.boost_until[r] >= t else 0.0,
                                     b.pilot_growth_boost)
                    f.boost_until[r] = max(f.boost_until[r], t + 4)
                    self.pilots[p.index] += 1
        self._flows[:Z, met.M["pilots"]] += self.pilots
        # A10: 揭榜挂帅 projects listed each Q4, won by certified firms drawn with
        # probability ~ knowledge
        if t % 4 == 3 and self.on("open_competition", t):
            oc = pol.open_competition
            k = min(64, int(round(oc.projects_per_year * self.scale + u_comp[0, 0] - 0.5)))
            cand = np.flatnonzero(alive & (f.hte_until[:n] >= t))
            if k > 0 and cand.size:
                # winners drawn with probability ~ knowledge (Efraimidis-Spirakis keys)
                keys = np.log(rows_rng.random(n)[cand]) / (f.know[cand] + 1.0)
                won = cand[np.argsort(-keys, kind="stable")[: min(k, cand.size)]]
                rate = self.lever("open_competition.rate", t)
                cap = self.lever("open_competition.cap_wan", t)
                for i, r in enumerate(won.tolist()):
                    if u_comp[1, i] >= b.competition_success_prob:
                        continue
                    inv = oc.investment_median_wan * math.exp(z_comp[i])
                    f.know[r] += b.competition_knowledge_gain * inv
                    self._claim(t, "A10", int(f.zone[r]), r, oc.payer, min(rate * inv, cap))
        # B13 enclaves: started in Q4 rounds; A9 pays 30% of construction, at most 500万
        if t % 4 == 3 and self.on("enclaves", t):
            en = pol.enclaves
            for p in self.parks:
                lam = en.per_zone_year * self.scale * (1.0 if p.level == "national" else 0.5)
                if u_encl[p.index] < 1.0 - math.exp(-lam):
                    self.enclave_count[p.index] += 1
                    if self.on("enclave_subsidy", t):
                        inv = en.investment_median_wan * math.exp(z_encl[p.index])
                        self._claim(t, "A9", p.index, -1, "province", min(
                            self.lever("enclave_subsidy.rate", t) * inv,
                            self.lever("enclave_subsidy.cap_wan", t)))
        if self.on("enclaves", t) and k_encl_firms.sum():
            zones = np.repeat(np.arange(Z), k_encl_firms)
            w = np.where(self.leading[zones], 1.0, 0.1)
            w /= w.sum(axis=1, keepdims=True)
            sector = np.minimum((rng.random(zones.size)[:, None] > np.cumsum(w, axis=1))
                                .sum(axis=1), len(self.sector_ids) - 1)
            self._add_firms(t, zones, sector, np.full(zones.size, ORIGIN["enclave"]), rng)

    # 10. zones' annual events
    def _init_ranking(self) -> None:
        """Scores of the other national zones, anchored so the modelled zones start at
        their given ranks (assumption: scores spread linearly in rank between anchors)."""
        c = self.scenario_data.constants
        nat = [p for p in self.parks if p.level == "national"]
        n_out = max(0, int(c.national_zones_total) - len(nat))
        self.rank_score_out = np.zeros(0)
        if not nat or n_out == 0:
            return
        own = {p.index: self._zone_score(p.index, initial=True) for p in nat}
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
        self.rank_score_out = est

    def _zone_score(self, zi: int, initial: bool = False) -> float:
        """Ranking score: log revenue + 0.5 log 高企 + 10 x R&D intensity (assumption:
        the national evaluation weighs scale, innovation firms and R&D)."""
        if initial:
            z = self.scenario_data.zones[zi]
            rev, hte, rdi = z.firms.revenue_wan, z.firms.hte, z.firms.rd_intensity
        else:
            f, n, t = self.firms, self.firms.n, self.t
            m = f.alive[:n] & (f.zone[:n] == zi)
            rev = float(f.rev4[:n][m].sum()) / self.scale
            hte = float((f.hte_until[:n][m] >= t).sum()) / self.scale
            rdi = float(f.rd4[:n][m].sum()) / max(1.0, rev * self.scale)
        return math.log(max(rev, 1.0)) + 0.5 * math.log1p(hte) + 10.0 * rdi

    def _zone_year(self, t: int, u: np.ndarray, noise: np.ndarray) -> None:
        c, b = self.scenario_data.constants, self.scenario_data.behaviour
        f, n = self.firms, self.firms.n
        alive = f.alive[:n]
        S = len(self.sector_ids)
        key = f.zone[:n].astype(np.int64) * S + f.sector[:n]
        cl_rev = np.bincount(key, weights=np.where(alive, f.rev4[:n], 0.0),
                             minlength=len(self.parks) * S).reshape(len(self.parks), S)
        cl_hte = np.bincount(key, weights=alive & (f.hte_until[:n] >= t),
                             minlength=len(self.parks) * S).reshape(len(self.parks), S)
        self.new_clusters = []
        for p in self.parks:
            for s in sorted(p.leading):
                if s in p.national_clusters:
                    continue
                if (cl_rev[p.index, s] / self.scale >= c.cluster_min_revenue_wan
                        and cl_hte[p.index, s] / self.scale >= c.cluster_min_hte
                        and u[0, p.index, s] < b.cluster_approval_prob):
                    p.national_clusters.add(s)
                    self.new_clusters.append((p.index, s))
                    if self.on("cluster_award", t):  # A2: once per approved cluster
                        self._once("A2", (p.index, s), t, p.index, -1,
                                   self.scenario_data.policy.cluster_award.payer,
                                   self.lever("cluster_award.amount_wan", t))
        self.upgraded = []
        zrev = cl_rev.sum(axis=1)
        zhte = cl_hte.sum(axis=1)
        for p in self.parks:
            if p.level == "provincial" and (zrev[p.index] / self.scale >= c.upgrade_min_revenue_wan
                                            and zhte[p.index] / self.scale >= c.upgrade_min_hte
                                            and u[1, p.index, 0] < b.upgrade_prob):
                p.level = "national"
                self.upgraded.append(p.index)
                p.national_rank = None
                if self.on("zone_approval_award", t):  # A7: newly approved national zone
                    self._once("A7", ("national", p.index), t, p.index, -1, "province",
                               self.lever("zone_approval_award.national_wan", t))
                if self.rank_score_out.size:  # the number of national zones stays fixed
                    self.rank_score_out = np.delete(self.rank_score_out,
                                                    int(np.argmin(self.rank_score_out)))
        for p in self.parks:  # candidate parks approved as provincial zones
            if p.level == "candidate" and (
                    zrev[p.index] / self.scale >= 0.2 * c.upgrade_min_revenue_wan
                    and zhte[p.index] / self.scale >= 0.2 * c.upgrade_min_hte
                    and u[2, p.index, 0] < b.upgrade_prob):
                p.level = "provincial"
                if self.on("zone_approval_award", t):  # A7: newly approved provincial zone
                    self._once("A7", ("provincial", p.index), t, p.index, -1, "province",
                               self.lever("zone_approval_award.provincial_wan", t))
        # B12: chain leaders matched with local suppliers raise the local supply share
        if self.on("supply_matching", t):
            has_leader = np.bincount(f.zone[:n], weights=alive & f.leader[:n],
                                     minlength=len(self.parks)) > 0
            self.local_supply += has_leader * b.supply_share_gain * (1.0 - self.local_supply)
        before = {p.index: p.national_rank for p in self.parks}
        # national ranking: the other zones move by the national growth plus noise
        nat = [p for p in self.parks if p.level == "national"]
        if nat and self.rank_score_out.size:
            k = self.rank_score_out.size
            self.rank_score_out += math.log1p(b.outside_zone_growth) + b.rank_noise * noise[:k]
            own = {p.index: self._zone_score(p.index) + b.rank_noise * noise[k + p.index]
                   for p in self.parks}
            for p in nat:
                s = own[p.index]
                above = (self.rank_score_out > s).sum() + sum(
                    1 for q in nat if q is not p and own[q.index] > s)
                p.national_rank = int(above) + 1
            self._ranking_awards(t, before)

    def _ranking_awards(self, t: int, before: dict) -> None:
        """A8: entering the national top 40; rising 10 or more places in a year."""
        if not self.on("ranking_award", t):
            return
        once = self.scenario_data.policy.ranking_award.once
        for p in self.parks:
            old, new = before.get(p.index), p.national_rank
            if p.level != "national" or old is None or new is None:
                continue
            year = "" if once else t // 4
            if old > 40 >= new:
                self._once("A8", ("top40", p.index, year), t, p.index, -1, "province",
                           self.lever("ranking_award.top40_wan", t))
            if old - new >= 10:
                self._once("A8", ("rise10", p.index, year), t, p.index, -1, "province",
                           self.lever("ranking_award.rise10_wan", t))

    # 11. metrics
    def _measure(self, j: int) -> None:
        """Metrics of quarter ``j`` as bincounts over the used rows; exited firms are
        counted in an extra bin that is dropped (no gathering of alive rows)."""
        f, t = self.firms, self.t
        n = f.n
        Z, S = len(self.parks), len(self.sector_ids)
        M = met.M
        out = self.out[j]
        out[:] = np.nan
        z = np.where(f.alive[:n], f.zone[:n], Z).astype(np.intp)

        def per_zone(weights=None) -> np.ndarray:
            return np.bincount(z, weights=weights, minlength=Z + 1)[:Z]

        # one integer bincount over (zone, rung, flags) gives every count
        stage = self.stage_of(slice(0, n)).astype(np.intp)
        bits = ((f.hte_until[:n] >= t) + 2 * f.unicorn[:n] + 4 * f.listed[:n]
                + 8 * (f.spec_until[:n] >= t) + 16 * (f.incubator[:n] >= 0))
        cube = np.bincount((z * 5 + stage) * 32 + bits, minlength=(Z + 1) * 160)[: Z * 160]
        cube = cube.reshape(Z, 5, 32)
        counts = cube.sum(axis=2)
        flags = cube.sum(axis=1)  # (Z, 32)
        b_idx = np.arange(32)
        zs = out[:Z]
        zs[:, M["enterprises"]] = counts.sum(axis=1)
        zs[:, M["startups"]] = counts[:, 0]
        zs[:, M["tech_smes"]] = counts[:, 1]
        zs[:, M["gazelles"]] = counts[:, 3]
        zs[:, M["leaders"]] = counts[:, 4]
        for name, bit in (("hte", 1), ("unicorns", 2), ("listed", 4), ("specialised", 8),
                          ("incubatees", 16)):
            zs[:, M[name]] = flags[:, (b_idx & bit) > 0].sum(axis=1)
        hte = f.hte_until[:n] >= t
        zs[:, M["national_clusters"]] = [len(p.national_clusters) for p in self.parks]
        zs[:, M["enclaves"]] = self.enclave_count
        zs[:, M["local_supply_share"]] = self.local_supply
        zs[:, M["national_zones"]] = [p.level == "national" for p in self.parks]
        zs[:, M["national_rank"]] = [p.national_rank if p.level == "national"
                                     and p.national_rank is not None else np.nan
                                     for p in self.parks]
        rev = f.rev[:n]
        if j > 0:
            for name in met.FLOWS:
                zs[:, M[name]] = self._flows[:Z, M[name]]
            zs[:, M["revenue_wan"]] = per_zone(rev)
            zs[:, M["rd_wan"]] = per_zone(f.rd[:n])
        met.finish_all(out)
        key = z * S + f.sector[:n]
        sec = self.out_sector[j]
        L = Z * S
        sec[:Z, :, 0] = np.bincount(key, minlength=L + S)[:L].reshape(Z, S)
        sec[:Z, :, 1] = np.bincount(key, weights=hte, minlength=L + S)[:L].reshape(Z, S)
        sec[:Z, :, 2] = np.bincount(key, weights=rev, minlength=L + S)[:L].reshape(Z, S)
        sec[Z] = sec[:Z].sum(axis=0)

    # snapshots
    def _snapshot(self, t: int) -> None:
        f = self.firms
        idx = np.flatnonzero(f.alive[: f.n])
        self.snap.append(self._rows_frame(idx, t, exited=False))

    def _rows_frame(self, idx: np.ndarray, t: int, exited: bool) -> dict:
        f = self.firms
        saved_t = self.t
        self.t = t
        stage = self.stage_of(idx)
        self.t = saved_t
        return {
            "quarter": np.full(idx.size, q_label(t), dtype=object),
            "enterprise": f.uid[idx].astype(str),
            "zone": np.array(self.zone_ids, dtype=object)[f.zone[idx]],
            "sector": np.array(self.sector_ids, dtype=object)[f.sector[idx]],
            "origin": np.array(ORIGINS, dtype=object)[f.origin[idx]],
            "stage": np.array(STAGES, dtype=object)[stage],
            "founded": np.array([q_label(int(x)) for x in f.founded[idx]], dtype=object),
            "revenue_4q_wan": f.rev4[idx].copy(),
            "rd_4q_wan": f.rd4[idx].copy(),
            "employees": f.employees[idx].copy(),
            "hte_valid": f.hte_until[idx] >= t,
            "unicorn": f.unicorn[idx].copy(),
            "listed": f.listed[idx].copy(),
            "specialised": f.spec_until[idx] >= t,
            "exited": np.full(idx.size, exited),
        }

    def snapshot_rows(self) -> list[dict]:
        """Snapshots of alive firms (start, every Q4) and one row per exit."""
        out = list(self.snap)
        for rows, t in self.exited_rows:
            out.append(self._rows_frame(rows, t, exited=True))
        return out
