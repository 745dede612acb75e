"""HighTechZoneModel: Yunnan's high-tech zones, one quarter a step.

The province (budgets, the policy in force, the national ranking, the stream of
outside projects) is the model; zones (:class:`~sim.model.agents.Park`), incubators,
capital providers and enterprises are agents. Enterprise state lives in columns
(:class:`~sim.model.firms.FirmTable`) and each quarter's dynamics run on whole columns,
one module of :mod:`sim.model.mechanisms` each, in the order of :data:`QUARTER`
(docs/model.md gives the equations and sources):

0. ``year``: the quarter's flows zeroed, the zones' rules without money, new year's land;
1. ``growth``: revenue (drift + fat-tailed shock whose spread falls with size);
2. ``rd``: R&D decision (after-tax, after-award price; 高企 notches);
3. ``innovation``: knowledge, original results, industrialisation, R&D award (A1) claims;
   ``history``: the rolling windows of revenue and R&D;
4. ``finance``: cash flow, capital providers fund firms short of cash;
5. ``exit``: hazard by age, lower for certified and incubated firms, higher in distress;
6. ``ladder``: the annual rounds (Q4): 高企 certification, tech-SME registration,
   gazelles, leaders, 专精特新, listing, unicorns;
7. ``entry``: organic start-ups, incubator intake and graduation, researcher and
   leader spin-offs;
8. ``projects``: arrival, keep / refer / lose, landing, credit split (B1);
9. ``levers``: application-scenario pilots (A3), 揭榜挂帅 (A10), enclaves (B13, A9);
10. ``zones``: the annual events (Q4): national clusters, upgrades, national ranking,
    and the awards they trigger (A2, A7, A8), B12 local supply; ``settle``: the budgets
    pay the quarter's claims (ledger);
11. ``measure``: metrics, as array reductions, and snapshots.

Population synthesis (the set-up) is :mod:`sim.model.population`; helpers several
mechanisms share are in :mod:`sim.model.common`.

Randomness: replicate ``k`` of seed ``s`` draws mechanism ``m`` in step ``j`` from
``SeedSequence(s, spawn_key=(k, m, j))``, ``m`` the module's ``STREAM`` (its position in
:data:`MECHANISMS`), and every mechanism makes the same draws whatever the levers, so
that variants on one seed are paired.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager

import mesa
import numpy as np

from sim.core import metrics as met
from sim.core.calendar import q_index, q_label, value_at
from sim.model import population
from sim.model.agents import (CapitalProvider, Enterprise, Incubator, Park, add_enterprises,
                              remove_enterprises)
from sim.model.common import cluster_counts, hazard, zone_effects
from sim.model.ledger import Treasury
from sim.model.mechanisms import (entry, exit, finance, growth, history, innovation, ladder,
                                  levers, measure, projects, rd, settle, year, zones)
from sim.model.population import synthesise
from sim.scenario.levers import in_force, starts

# Random stream ids: a mechanism's position here is its ``STREAM`` (population 0, rd 1,
# ...). Never reorder; a new mechanism takes the next id, so it shifts no other's draws.
MECHANISMS = ("population", "rd", "innovation", "growth", "finance", "exit", "ladder", "entry",
              "projects", "zones", "levers")
MECH = {m: i for i, m in enumerate(MECHANISMS)}

#: The quarter, in order: :meth:`HighTechZoneModel.step` calls each module's
#: ``step(model, t, j, rng)`` with its own stream (``None`` for ``STREAM = None``).
QUARTER = (year, growth, rd, innovation, history, finance, exit, ladder, entry, projects,
           levers, zones, settle, measure)


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
        # the quarter each lever starts acting as the scenario sets it (lever registry)
        self.lever_starts = starts(sc.policy)
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

        # the initial firms; synthesis also sets ``self.rd_factor`` (per zone: the factor
        # on its sectors' median R&D intensity that gives the zone its input R&D), with
        # which new firms (sim.model.common.add_firms) draw their R&D
        self.firms = synthesise(self, self.stream(population.STREAM, 0))
        self.agent_seconds = 0.0  # time spent creating/removing Enterprise agents (bench)
        n = self.firms.n
        self._agents_by_row: list = [None] * self.firms.capacity
        self.make_agents(np.arange(n))

        # the zones' effects of the rules without money (service, attraction, land);
        # then constant per-zone and per-sector arrays
        zone_effects(self, self.start_q)
        # local supply share per zone (zones raise it with B12; measure reports it)
        self.local_supply = np.full(Z, sc.behaviour.local_supply_share_start)
        self.one_time: set = set()  # (lever, key) of one-time awards already claimed
        self.pilots = np.zeros(Z)  # A3 pilots per zone this quarter (levers)
        self.enclave_count = np.zeros(Z)  # enclaves per zone (levers, B13)
        self.zone_shares = np.array([[z.firms.sector_shares.get(s, 0.0) for s in
                                      self.sector_ids] for z in sc.zones])
        self.zone_shares /= self.zone_shares.sum(axis=1, keepdims=True)
        self.leading = np.zeros((Z, S), bool)
        for p in self.parks:
            self.leading[p.index, list(p.leading)] = True
        self.project_w = np.array([s.project_weight for s in sc.sectors], float)
        self.future = np.array([s.future_industry for s in sc.sectors])
        self.cluster0 = np.maximum(1.0, cluster_counts(self))
        self.firms_total0 = np.array([z.firms.total for z in sc.zones], float)

        # outputs: quarter 0 is the initial state
        self.quarters = [q_label(self.start_q - 1)] + [q_label(self.start_q + j)
                                                       for j in range(self.n_steps)]
        self.out = np.full((self.n_steps + 1, Z + 1, len(met.METRICS)), np.nan)
        self.out_sector = np.zeros((self.n_steps + 1, Z + 1, S, len(met.SECTOR_METRICS)))
        self.exited_rows: list[tuple[np.ndarray, int]] = []
        self.snap: list = []
        zones.init_ranking(self)
        self.t = self.start_q - 1
        # the quarter's flows per zone (+ a province row), metrics' order; zeroed at the
        # start of a quarter (year), added to by the mechanisms, paid into by settle
        self.flows = np.zeros((Z + 1, len(met.METRICS)))
        # each row's hazard of an original result after last quarter's knowledge
        # (innovation sets it; rd prices the expected A1 award with it)
        self.hazard_prev = hazard(self)
        # rows certified 高企 / new unicorns in the latest round (ladder, Q4); zone
        # clusters (zone, sector) approved and zones upgraded in the latest year (zones)
        self.newly_certified = np.zeros(0, np.intp)
        self.new_unicorns = np.zeros(0, np.intp)
        self.new_clusters: list[tuple[int, int]] = []
        self.upgraded: list[int] = []
        measure.step(self, self.t, 0)

    # ------------------------------------------------------------------ streams, levers

    def stream(self, mechanism: str | int, step: int) -> np.random.Generator:
        """The random stream of ``mechanism`` (a name of :data:`MECHANISMS` or its
        ``STREAM`` id) in step ``step`` (0 = set-up)."""
        m = MECH[mechanism] if isinstance(mechanism, str) else mechanism
        return np.random.default_rng(np.random.SeedSequence(
            self.seed_value, spawn_key=(self.replicate, m, step)))

    def lever(self, path: str, t: int):
        """Value of a lever setting (``rd_subsidy.rate``) in force in quarter ``t``: its
        pre-plan setting before the lever takes effect, the scenario's after
        (:func:`sim.scenario.levers.in_force`, the one place for it). Mechanisms read
        every lever setting through this or :meth:`on`, never testing dates."""
        return in_force(self.scenario_data.policy, path, t, self.lever_starts)

    def on(self, lever: str, t: int) -> bool:
        """Whether a lever (``rd_subsidy``) is enabled in quarter ``t`` (see :meth:`lever`)."""
        return bool(self.lever(f"{lever}.enabled", t))

    def level(self, lever: str, t: int) -> float:
        """How strongly a lever with a ``level`` (B6, B7, B10) acts in quarter ``t``: its
        level if enabled, else 0 (see :meth:`lever`)."""
        return float(self.lever(f"{lever}.level", t)) if self.on(lever, t) else 0.0

    def operating_model(self, park: Park, t: int) -> str:
        """A zone's operating model in quarter ``t`` (B3 ``adopt`` overrides the zone's)."""
        adopt = self.scenario_data.policy.operating_model.adopt
        if park.zone_id in adopt and self.on("operating_model", t):
            return value_at(adopt[park.zone_id], t)
        return park.operating_model

    def stage_of(self, rows: np.ndarray | slice) -> np.ndarray:
        """Highest rung (index into STAGES) of the given rows at the current quarter."""
        f, t = self.firms, self.t
        hte = f.hte_until[rows] >= t
        st = np.where(f.tsme_until[rows] >= t, 1, 0).astype(np.int8)
        st[hte] = 2
        st[hte & f.gazelle[rows]] = 3
        st[hte & f.leader[rows]] = 4
        return st

    # ------------------------------------------------------------------ Mesa agents

    def make_agents(self, rows: np.ndarray) -> None:
        """Create the Enterprise agents of new rows (contiguous, from FirmTable.append)."""
        t0 = time.perf_counter()
        if len(self._agents_by_row) < self.firms.capacity:
            self._agents_by_row.extend([None] * (self.firms.capacity - len(self._agents_by_row)))
        rl = rows.tolist()
        agents = add_enterprises(self, rl)
        if agents:  # rows come from FirmTable.append: contiguous
            self._agents_by_row[rl[0]:rl[-1] + 1] = agents
            self.firms.uid[rows] = [a.unique_id for a in agents]
        self.agent_seconds += time.perf_counter() - t0

    def remove_agents(self, rows: np.ndarray) -> None:
        """Remove the Enterprise agents of rows that exited."""
        t0 = time.perf_counter()
        remove_enterprises(self, [self._agents_by_row[r] for r in rows.tolist()])
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

    # ------------------------------------------------------------------ the quarter

    def step(self) -> None:
        """One quarter: every module of :data:`QUARTER` in order, each with its stream."""
        j = self.steps  # 1-based step number (Mesa increments before calling step)
        self.t = t = self.start_q + j - 1
        for mech in QUARTER:
            s = mech.STREAM
            mech.step(self, t, j, None if s is None else self.stream(s, j))
        if j >= self.n_steps:
            self.running = False

    def run(self) -> HighTechZoneModel:
        """Run every quarter of the calendar (with :func:`gc_paused`)."""
        with gc_paused():
            for _ in range(self.n_steps):
                self.step()
        return self

    def snapshot_rows(self) -> list[dict]:
        """Snapshots of alive firms (start, every Q4) and one row per exit."""
        out = list(self.snap)
        for rows, t in self.exited_rows:
            out.append(measure.rows_frame(self, rows, t, exited=True))
        return out
