"""The model's agents.

``Enterprise`` agents carry identity only: their numeric state lives in the model's
:class:`~sim.model.firms.FirmTable` row ``row`` and is read through properties, so a planner
can inspect a firm (``model.enterprise(uid).revenue_4q_wan``) while the quarterly
dynamics run on whole columns. Parks, incubators and capital providers are few; they
act through the model's per-zone aggregates and candidate lists, never by scanning
every firm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
from mesa.agentset import _HardKeyAgentSet

from sim.model.firms import ORIGINS, STAGES


# Mesa registers agents one at a time: each registration emits an AGENT_ADDED/REMOVED
# signal and formats a debug log line. With 50,000 firms at the start and ~1,700
# births and ~700 exits a quarter, that bookkeeping cost more than the firms' quarterly
# dynamics. Enterprises are therefore registered and deregistered in bulk, into the same
# data structures (``model.agents``, ``model.agents_by_type[Enterprise]``, ids from
# ``model.agent_id_counter``), without the signal; nothing in this package observes it.
# Where Mesa's internals differ from 3.5's (checked by ``_bulk_ok``) or an Enterprise
# dataset is registered, each agent goes through ``mesa.Agent.__init__`` instead.
# Parks, incubators and capital providers register normally.


def _bulk_ok(model) -> bool:
    return (not Enterprise._datasets
            and isinstance(getattr(model, "_all_agents", None), _HardKeyAgentSet)
            and isinstance(getattr(model, "_agents_by_type", None), dict))


def add_enterprises(model, rows: list[int]) -> list["Enterprise"]:
    """New Enterprise agents for firm-table ``rows``, registered with ``model``."""
    if not rows:
        return []
    if not _bulk_ok(model):
        return [Enterprise(model, r) for r in rows]
    by_type = model._agents_by_type.get(Enterprise)
    if by_type is None:  # the first one through Mesa's own path creates the set
        first = Enterprise(model, rows[0])
        return [first] + add_enterprises(model, rows[1:])
    start = model.agent_id_counter
    new = object.__new__
    agents = []
    append = agents.append
    for uid, r in enumerate(rows, start):
        a = new(Enterprise)
        a.__dict__ = {"model": model, "unique_id": uid}  # pos: the class's None
        a.row = r
        append(a)
    model.agent_id_counter = start + len(agents)
    keys = dict.fromkeys(agents)
    model._all_agents._agents.update(keys)
    by_type._agents.update(keys)
    return agents


def remove_enterprises(model, agents: list["Enterprise"]) -> None:
    """Deregister Enterprise agents (their rows stay in the table, marked exited)."""
    if not _bulk_ok(model) or Enterprise not in model._agents_by_type:
        for a in agents:
            a.remove()
        return
    every = model._all_agents._agents
    typed = model._agents_by_type[Enterprise]._agents
    for a in agents:
        typed.pop(a, None)
        every.pop(a, None)


class Enterprise(mesa.Agent):
    """A firm; its state is row ``row`` of ``model.firms``.

    Create them with :func:`add_enterprises` (in bulk); ``Enterprise(model, row)``
    registers one the usual Mesa way."""

    __slots__ = ("row",)
    pos = None  # firms are not placed in a Mesa space

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    def _col(self, name):
        return self.model.firms.cols[name][self.row]

    @property
    def zone(self) -> str:
        return self.model.zone_ids[int(self._col("zone"))]

    @property
    def sector(self) -> str:
        return self.model.sector_ids[int(self._col("sector"))]

    @property
    def origin(self) -> str:
        return ORIGINS[int(self._col("origin"))]

    @property
    def stage(self) -> str:
        return STAGES[int(self.model.stage_of(np.array([self.row]))[0])]

    @property
    def revenue_4q_wan(self) -> float:
        return float(self._col("rev4"))

    @property
    def rd_4q_wan(self) -> float:
        return float(self._col("rd4"))

    @property
    def alive(self) -> bool:
        return bool(self._col("alive"))

    def __repr__(self) -> str:
        return (f"Enterprise({self.unique_id}, zone={self.zone}, sector={self.sector}, "
                f"stage={self.stage}, revenue_4q_wan={self.revenue_4q_wan:.0f})")


class Park(mesa.Agent):
    """A high-tech zone: attracts and refers projects, holds land, is ranked and upgraded."""

    def __init__(self, model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.zone_id = spec.id
        self.name_zh = spec.name_zh
        self.name_en = spec.name_en
        self.level = spec.level
        self.prefecture = spec.prefecture
        self.leading = {model.sector_index[s] for s in spec.leading_industries}
        # land is scaled with population.scale, like the projects that use it
        self.land_ha = float(spec.land_ha) * model.scale
        self.land_added_ha_per_year = float(spec.land_added_ha_per_year) * model.scale
        self.operating_model = spec.operating_model
        self.national_rank = spec.national_rank
        self.national_clusters = {model.sector_index[s] for s in spec.national_clusters}
        self.budget_spec = spec.budget_wan_per_year
        self.land_factor = 1.0  # B4 delegated powers, B14 assessment (set each quarter)

    def fits(self, sector: int, land: float) -> bool:
        """Whether a project of ``sector`` needing ``land`` hectares fits this zone."""
        return sector in self.leading and self.land_ha >= land

    def landing_prob(self, sector: int, land: float) -> float:
        """Chance that a project lands here if this zone works on it."""
        b = self.model.scenario_data.behaviour
        if self.land_ha < land:
            return 0.0
        p = b.fit_land_prob if sector in self.leading else b.misfit_land_prob
        return min(1.0, p * self.land_factor)

    def decide(self, sector: int, land: float, share: float, referral_on: bool,
               u: float = 0.5):
        """Keep, refer or lose a project that reached this zone first.

        Only a project this zone does not fit (not in its leading industries, or more land
        than it has) may be referred, to the other zone that fits it with the best chance
        of landing it (ties to more land). The zone weighs the credit it expects: keeping
        earns the whole investment with its own chance of landing it; referring earns
        ``share`` of it with the receiver's chance, which falls as the receiver's own
        share does (``referral_receiver_effort``), discounted by ``referral_friction``.
        Zones weigh more than credit, so the choice is a logit in the difference of the
        two with scale ``referral_choice_noise`` (0: refer exactly when referring earns
        more); ``u`` is the project's uniform draw.

        Returns ``(action, park, p)``: ``("keep", self, p)``, ``("refer", other, p)`` or
        ``("lose", None, 0.0)``, with ``p`` the chance that the project lands at ``park``.
        """
        b = self.model.scenario_data.behaviour
        keep = self.landing_prob(sector, land)
        best, best_p = None, 0.0
        if referral_on and share > 0.0 and not self.fits(sector, land):
            for other in self.model.parks:
                if other is self:
                    continue
                p = other.landing_prob(sector, land) if other.fits(sector, land) else 0.0
                if p > best_p or (p == best_p and best is not None and p > 0
                                  and other.land_ha > best.land_ha):
                    best, best_p = other, p
        if best is not None:
            received = best_p * (1.0 - b.referral_receiver_effort * share)
            gain = b.referral_friction * share * received - keep
            tau = b.referral_choice_noise
            p_refer = (1.0 if gain > 0 else 0.0) if tau <= 0.0 else (
                0.5 * (1.0 + math.tanh(0.5 * gain / tau)))  # logistic(gain / tau)
            if u < p_refer:
                return "refer", best, received
        if keep > 0.0:
            return "keep", self, keep
        return "lose", None, 0.0

    def new_year(self, extra_ha: float = 0.0) -> None:
        """Q1: the year's new land quota arrives (plus B11's reserve, ``extra_ha``)."""
        self.land_ha += self.land_added_ha_per_year + extra_ha


class Incubator(mesa.Agent):
    """An incubator: admits start-ups into free places; its tenants fail less often."""

    def __init__(self, model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.incubator_id = spec.id
        self.zone_index = model.zone_index[spec.zone]
        self.kind = spec.kind
        self.capacity = max(1.0, spec.capacity * model.scale)  # places (B8 grows it)
        self.national = spec.national
        self.tenants = 0  # set by the model from one bincount a quarter

    def intake(self, draw: float, rate: float) -> int:
        """New incubatees this quarter: Poisson(rate x places), at most the free places.

        ``draw`` is this incubator's Poisson draw made by the model for every incubator
        every quarter (so that variants stay paired).
        """
        return int(min(draw, max(0, int(self.capacity) - self.tenants)))


@dataclass
class Deal:
    """What a capital provider put into firms this quarter."""

    rows: np.ndarray
    amounts: np.ndarray


class CapitalProvider(mesa.Agent):
    """A venture fund, a government sci-tech fund or a bank."""

    KIND_MIN_STAGE = {"startup": 0, "tech_sme": 1, "hte": 2, "gazelle": 3, "leader": 4}

    def __init__(self, model, spec):
        super().__init__(model)
        self.provider_id = spec.id
        self.kind = spec.kind
        self.capital_per_quarter = spec.capital_wan_per_year / 4.0 * model.scale
        self.ticket = spec.ticket_wan
        self.zones = None if spec.zones == "all" else {model.zone_index[z] for z in spec.zones}
        self.min_stage = self.KIND_MIN_STAGE[spec.min_stage]

    def invest(self, cand: np.ndarray, need: np.ndarray, zone: np.ndarray, stage: np.ndarray,
               score: np.ndarray, rev4: np.ndarray, know: np.ndarray | None = None,
               points: float = 0.0, early: bool = False) -> Deal:
        """Choose among the quarter's candidates (firms short of cash), best score first.

        Candidates arrive as arrays already restricted to firms seeking money, so the
        provider never scans the whole population. Equity providers fund up to 3 tickets
        of need; banks lend at most half a year's revenue, and with innovation points
        (B10, ``points``: its level, 0 = none) also up to ``points`` ×
        ``points_loan_ratio`` of the knowledge stock (patent, order and equity loans). With ``early`` (B9 先投后股, B15) government funds also
        take start-ups below their minimum rung.
        """
        min_stage = 0 if (early and self.kind == "gov_fund") else self.min_stage
        ok = stage >= min_stage
        if self.zones is not None:
            ok &= np.isin(zone, list(self.zones))
        if self.kind == "bank":
            limit = 0.5 * rev4
            if points and know is not None:
                limit = limit + (self.model.scenario_data.behaviour.points_loan_ratio
                                 * points) * know
            amount = np.minimum(np.maximum(need, 0.25 * self.ticket), limit)
            ok &= amount > 0
        elif self.kind == "gov_fund":
            ok &= stage <= 2
            amount = np.clip(need, 0.25 * self.ticket, 3 * self.ticket)
        else:
            amount = np.clip(need * 1.5, 0.25 * self.ticket, 3 * self.ticket)
        idx = np.flatnonzero(ok)
        if idx.size == 0 or self.capital_per_quarter <= 0:
            return Deal(cand[:0], need[:0])
        idx = idx[np.argsort(-score[idx], kind="stable")]
        spent = np.cumsum(amount[idx])
        take = idx[spent <= self.capital_per_quarter]
        return Deal(take, amount[take])
