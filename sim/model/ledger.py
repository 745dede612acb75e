"""Budgets and the ledger: who pays each award, from which year's budget, in what order.

Each payer (the province, and each zone) has a budget for each calendar year (for a
calendar starting mid-year, the first year's share of quarters left), the value of ``policy.budget.province_wan_per_year`` / ``zone_wan_per_year`` (or the
zone's own ``budget_wan_per_year``) in force in the year's first quarter. Claims are
served at the end of each quarter in this order: claims deferred from earlier
quarters (oldest first), then the quarter's new claims by lever (A1, A2, ...) and
then by enterprise id. A claim is paid whole or not at all. A claim its payer's
budget cannot cover is, by ``policy.budget.on_exhausted``, deferred to the next
budget year (``defer``: it is served first when the new budget opens) or dropped
(``lapse``). Every payment is a ledger row; every refusal is counted once, in the
quarter it is first refused (``awards_unpaid_wan``), and lapses in ``claims_lapsed``.

就高不就低 ("同等类型按就高不就低原则进行奖补"): awards of one group of
``policy.non_stacking.groups`` (default A1 with A10) to one firm from one payer are "the
same type" when they reward the same R&D, i.e. when their R&D windows overlap (A1: the
quarters of prior R&D it is 20% of; any other award: the four quarters up to its claim).
Overlapping awards are not added up: a later, higher award is paid only what exceeds the
highest overlapping award already paid, a lower one nothing. Awards over separate windows
(a firm's successive A1 awards, each on the R&D since its last) are each paid in full, in
one year or across a year boundary alike. A top-up is the later lever's payment: the
ledger attributes each payment to the lever whose claim earned it, and the claim book
keeps the award before 就高不就低 (``award_wan``) beside what was earned.
Awards to a zone or cluster (A2, A7, A8, A9) paid by the province are transfers into
that zone's fund, which is kept across years (``policy.budget.zone_fund_carry_over``)
and pays the zone's claims once its yearly budget is used up; those payments are ledger
rows marked ``from_transfer``, left out of ``subsidy_wan`` (the transfer's own row counts).

Obligations: a claim is earned when first settled, at what it is owed after 就高不就低
(``awards_earned_wan``), and from then on is paid, waiting (``awards_waiting_wan``, the
queue's sum) or lapsed (``awards_lapsed_wan``); :class:`ClaimBook` keeps one record per
award earned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.budgets import payer_budget, zone_budget_spec
from sim.scenario.levers import SERVICE_ORDER


LEVER_ORDER = SERVICE_ORDER  # new claims are served in the registry's order: A1, A2, ...
PAYERS = ("province", "zone")
_COLS = ("quarter", "zone", "uid", "row", "lever", "payer", "full", "refused", "group", "rec",
         "owed", "parent", "w0", "w1")
SLOTS = 4  # awards of one non-stacking group remembered per firm (the latest windows)
DEFAULT_WINDOW = 4  # quarters up to its claim an award without its own R&D window covers
EPS = 1e-9


@dataclass
class Claim:
    """An award a firm, zone or cluster has earned, waiting to be paid."""

    quarter: int  # quarter index it arose
    zone: int
    enterprise_uid: int  # -1 for awards to a zone or cluster
    row: int  # firm row, -1 if none
    lever: str
    payer: str  # "province" or "zone"
    amount: float
    refused: bool = False
    full: float = 0.0  # the award before topping up (就高不就低)
    window: tuple[int, int] | None = None  # quarters of R&D it rewards (first, last)

    def __post_init__(self):
        self.full = self.amount


@dataclass
class _Settlement:
    """One quarter's queue while it is being served."""

    q: dict  # claim columns, in the order of service
    stacks: np.ndarray  # the claim is in a non-stacking group (就高不就低)
    combo: np.ndarray  # its (group, payer) set, coded
    code: np.ndarray  # its (set, firm) key, coded; -1 if it stacks freely
    paid: np.ndarray
    gone: np.ndarray  # topped-up amount is nothing: dropped
    amount: np.ndarray  # what the claim is paid (after topping up)
    from_fund: np.ndarray  # the part of a zone's payment made out of its transfers


class ClaimBook:
    """Every award earned, one record each, and what became of it: paid (when, and how
    much of it out of money the province transferred to the zone) or lapsed.

    A record is made when the claim is first settled (the quarter it arises): what it
    is owed then, after 就高不就低, is what was earned. Payments and lapses are kept as
    events and summed per record when the table is read.
    """

    def __init__(self):
        self.cols: dict[str, list] = {k: [] for k in (
            "quarter", "zone", "uid", "lever", "payer", "earned", "parent", "award", "w0",
            "w1")}
        self.paid: dict[str, list] = {k: [] for k in ("rec", "amount", "quarter",
                                                      "from_transfer")}
        self.lapsed: dict[str, list] = {k: [] for k in ("rec", "amount")}

    @property
    def n(self) -> int:
        return len(self.cols["earned"])

    def add(self, quarter: int, zone, uid, lever, payer, earned, parent, award, w0,
            w1) -> np.ndarray:
        """New records (instalments of one award share its ``parent``; ``award`` is the
        award before 就高不就低, ``w0``..``w1`` its R&D window); returns their indices."""
        k = len(earned)
        first = self.n
        c = self.cols
        c["quarter"].extend([quarter] * k)
        c["zone"].extend(np.asarray(zone).tolist())
        c["uid"].extend(np.asarray(uid).tolist())
        c["lever"].extend(list(lever))
        c["payer"].extend(np.asarray(payer).tolist())
        c["earned"].extend(np.asarray(earned, dtype=np.float64).tolist())
        c["parent"].extend(np.asarray(parent).tolist())
        c["award"].extend(np.asarray(award, dtype=np.float64).tolist())
        c["w0"].extend(np.asarray(w0).tolist())
        c["w1"].extend(np.asarray(w1).tolist())
        return np.arange(first, first + k, dtype=np.int64)

    def pay(self, quarter: int, rec, amount, from_transfer) -> None:
        p = self.paid
        rec = np.asarray(rec).tolist()
        p["rec"].extend(rec)
        p["amount"].extend(np.asarray(amount, dtype=np.float64).tolist())
        p["quarter"].extend([quarter] * len(rec))
        p["from_transfer"].extend(np.asarray(from_transfer, dtype=np.float64).tolist())

    def lapse(self, rec, amount) -> None:
        self.lapsed["rec"].extend(np.asarray(rec).tolist())
        self.lapsed["amount"].extend(np.asarray(amount, dtype=np.float64).tolist())

    def table(self) -> dict[str, np.ndarray]:
        """One row per record: quarter earned, zone, enterprise uid (-1: a zone or
        cluster), lever, payer (0 province, 1 zone), R&D window (w0, w1), the award
        before 就高不就低, earned, paid, paid out of transfers, lapsed, first quarter paid
        (-1: never)."""
        n = self.n
        c = {k: np.asarray(v) for k, v in self.cols.items()}
        pr = np.asarray(self.paid["rec"], dtype=np.int64)
        paid = np.bincount(pr, weights=np.asarray(self.paid["amount"]), minlength=n)
        ft = np.bincount(pr, weights=np.asarray(self.paid["from_transfer"]), minlength=n)
        lr = np.asarray(self.lapsed["rec"], dtype=np.int64)
        lapsed = np.bincount(lr, weights=np.asarray(self.lapsed["amount"]), minlength=n)
        first = np.full(n, -1, dtype=np.int64)
        if pr.size:
            pq = np.asarray(self.paid["quarter"], dtype=np.int64)
            order = np.lexsort((pq, pr))
            r, qq = pr[order], pq[order]
            lead = np.r_[True, r[1:] != r[:-1]]
            first[r[lead]] = qq[lead]
        rec = {"quarter": c["quarter"].astype(np.int64) if n else np.zeros(0, np.int64),
               "zone": c["zone"].astype(np.int64) if n else np.zeros(0, np.int64),
               "uid": c["uid"].astype(np.int64) if n else np.zeros(0, np.int64),
               "lever": np.asarray(self.cols["lever"], dtype=object),
               "payer": c["payer"].astype(np.int64) if n else np.zeros(0, np.int64),
               "w0": c["w0"].astype(np.int64) if n else np.zeros(0, np.int64),
               "w1": c["w1"].astype(np.int64) if n else np.zeros(0, np.int64),
               "award": c["award"].astype(np.float64) if n else np.zeros(0),
               "earned": c["earned"].astype(np.float64) if n else np.zeros(0),
               "paid": paid[:n], "from_transfer": ft[:n], "lapsed": lapsed[:n],
               "first_paid": first}
        parent = c["parent"].astype(np.int64) if n else np.zeros(0, np.int64)
        if n == 0 or np.unique(parent).size == n:
            return rec
        # an award paid in instalments (population.scale < 1): one row, its sums
        u, lead, inv = np.unique(parent, return_index=True, return_inverse=True)
        out = {k: rec[k][lead] for k in ("quarter", "zone", "uid", "lever", "payer", "w0",
                                         "w1")}
        for k in ("award", "earned", "paid", "from_transfer", "lapsed"):
            out[k] = np.bincount(inv, weights=rec[k], minlength=u.size)
        fp = np.where(first < 0, np.iinfo(np.int64).max, first)
        m = np.full(u.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(m, inv, fp)
        out["first_paid"] = np.where(m == np.iinfo(np.int64).max, -1, m)
        order = np.argsort(lead, kind="stable")
        return {k: v[order] for k, v in out.items()}


class Treasury:
    """Budgets of the province and the zones, and the ledger of payments.

    Claims are held as columns and settled a quarter at a time: for each payer, the
    run of claims (in the serving order) that its money covers is paid at once, and
    after a refusal the next claim that still fits is found by a search over the rest,
    so the order of service of the module docstring holds without a Python step per
    claim. A firm's second claim of one non-stacking group restarts the service if its
    first was paid (its top-up depends on it); the province's awards into a zone's fund raise
    what the zone's claims queued after them can use. ``vectorised=False`` serves every
    claim one by one (the reference the tests compare with).
    """

    def __init__(self, model, vectorised: bool = True):
        self.model = model
        self.vectorised = vectorised
        pol = model.scenario_data.policy.budget
        self.on_exhausted = pol.on_exhausted
        self.year = None
        self.start = 0  # the calendar's first quarter index, set when the first year opens
        self.left: dict[tuple[str, int], float] = {}
        self._new: dict[str, list] = {k: [] for k in _COLS}
        self._deferred: dict[str, np.ndarray] | None = None
        # ledger columns (extended a quarter at a time)
        self.rows: dict[str, list] = {k: [] for k in (
            "quarter", "zone", "enterprise", "lever", "payer", "amount_wan")}
        self.rows["from_transfer"] = []
        self.budgets: list[tuple[int, str, int, float]] = []  # (year, payer, zone, amount)
        self.book = ClaimBook()  # every award earned and what became of it
        self._parent = 0  # id of the next award (its instalments share it)
        self._match_of: dict[int, int] = {}  # a provincial A5 award -> its zone match
        # at population.scale s < 1 an award outside the non-stacking groups is served in
        # k = round(1/s) instalments of 1/k of it, so the queue is the full-scale queue in
        # miniature and money per firm does not depend on the scale (docs/levers.md)
        sc = float(model.scale)
        self.instalments = max(1, int(round(1.0 / sc))) if 0 < sc < 1 else 1
        self.waiting = np.zeros(len(model.parks) + 1)  # per zone row: owed, still queued
        self.carry_fund = pol.zone_fund_carry_over
        # 就高不就低: lever -> group; coded (group, payer) -> per firm row, the latest
        # SLOTS awards paid: their R&D windows (first, last quarter) and full amounts
        self.group_of = {lv: gi for gi, g in enumerate(
            model.scenario_data.policy.non_stacking.groups) for lv in g}
        self.stack_paid: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # awards a zone received (A2, A7, A8, A9): its fund, kept across years, spent
        # when its yearly budget is used up
        self.zone_fund: dict[int, float] = {p.index: 0.0 for p in model.parks}
        # what each payer (0: the province, 1 + z: zone z) was newly asked for and what it
        # paid in each of the last four quarters (slot = quarter % 4): its fill rate
        K = 1 + len(model.parks)
        self._paid4 = np.zeros((4, K))
        self._owed4 = np.zeros((4, K))

    def fill_rate(self) -> np.ndarray:
        """Per payer (index 0: the province, 1 + z: zone z), what it paid over the last four
        settled quarters (new claims and waiting ones) as a share of what was newly claimed
        from it, at most 1: the part of the award stream its budget keeps up with. 1 for a
        payer asked for nothing."""
        paid, owed = self._paid4.sum(axis=0), self._owed4.sum(axis=0)
        out = np.divide(paid, owed, out=np.ones_like(paid), where=owed > 0)
        return np.minimum(out, 1.0)

    def _track(self, quarter: int, key: np.ndarray, amount: np.ndarray, paid: np.ndarray,
               new: np.ndarray) -> None:
        """This quarter's payments and new claims, per payer, into the four-quarter window."""
        K = self._paid4.shape[1]
        slot = quarter % 4
        self._paid4[slot] = np.bincount(key[paid], weights=amount[paid], minlength=K)
        self._owed4[slot] = np.bincount(key[new], weights=amount[new], minlength=K)

    def _open_year(self, quarter: int) -> None:
        year = quarter // 4
        if self.year == year:
            return
        if self.year is None:  # the first year opened: the calendar's start
            self.start = quarter
        self.year = year
        pol = self.model.scenario_data.policy.budget
        scale = self.model.scale
        prov = payer_budget(pol.province_wan_per_year, year, self.start, scale)
        if not self.carry_fund:  # unspent transfers lapse at the turn of the year
            self.zone_fund = {k: 0.0 for k in self.zone_fund}
        self.left = {("province", -1): prov}
        self.budgets.append((year, "province", -1, prov))
        for park in self.model.parks:
            spec = zone_budget_spec(park.budget_spec, pol.zone_wan_per_year)
            amt = payer_budget(spec, year, self.start, scale)
            self.left[("zone", park.index)] = amt
            self.budgets.append((year, "zone", park.index, amt))

    # ------------------------------------------------------------------ claims in

    def claim(self, c: Claim) -> None:
        """Queue a claim for payment at the end of the quarter (in instalments at
        ``population.scale`` < 1, for awards outside the non-stacking groups): one
        claim of :meth:`claim_many`."""
        win = None if c.window is None else ([c.window[0]], [c.window[1]])
        self.claim_many(c.quarter, [c.zone], [c.enterprise_uid], [c.row], c.lever, c.payer,
                        [c.full], window=win)
        if c.refused:
            k = self.instalments if self.group_of.get(c.lever, -1) < 0 else 1
            self._new["refused"][-k:] = [True] * k

    def claim_many(self, quarter: int, zone, uid, row, lever: str, payer: str,
                   amount, parent=None, window=None) -> None:
        """Queue claims of one lever and payer for many firms (arrays of equal length).
        ``window`` = (first, last) quarters of the R&D each award rewards (arrays); by
        default the ``DEFAULT_WINDOW`` quarters up to the claim."""
        amount = np.asarray(amount, dtype=np.float64)
        if window is None:
            w0 = np.full(amount.size, quarter - DEFAULT_WINDOW + 1, dtype=np.int64)
            w1 = np.full(amount.size, quarter, dtype=np.int64)
        else:
            w0 = np.asarray(window[0], dtype=np.int64)
            w1 = np.asarray(window[1], dtype=np.int64)
        group = self.group_of.get(lever, -1)
        parts = self.instalments if group < 0 and parent is None else 1
        if parent is None:  # new awards (else: instalments of awards already split)
            parent = self._parent + np.arange(amount.size)
            self._parent += amount.size
        if parts > 1:  # each award's instalments next to each other
            rep = lambda x: np.repeat(np.asarray(x), parts)  # noqa: E731
            zone, uid, row, parent = rep(zone), rep(uid), rep(row), rep(parent)
            w0, w1 = rep(w0), rep(w1)
            amount = rep(amount) / parts
        k = amount.size
        n = self._new
        n["quarter"].extend([quarter] * k)
        n["zone"].extend(np.asarray(zone).tolist())
        n["uid"].extend(np.asarray(uid).tolist())
        n["row"].extend(np.asarray(row).tolist())
        n["lever"].extend([lever] * k)
        n["payer"].extend([PAYERS.index(payer)] * k)
        n["full"].extend(amount.tolist())
        n["refused"].extend([False] * k)
        n["group"].extend([group] * k)
        n["rec"].extend([-1] * k)
        n["owed"].extend([np.nan] * k)
        n["parent"].extend(np.asarray(parent).tolist())
        n["w0"].extend(w0.tolist())
        n["w1"].extend(w1.tolist())

    @property
    def pending(self) -> list[Claim]:
        """The quarter's new claims, as Claim records (for inspection)."""
        n = self._new
        out = []
        for i in range(len(n["full"])):
            out.append(Claim(n["quarter"][i], n["zone"][i], n["uid"][i], n["row"][i],
                             n["lever"][i], PAYERS[n["payer"][i]], n["full"][i],
                             n["refused"][i]))
        return out

    def _queue(self) -> dict[str, np.ndarray]:
        """Deferred claims (oldest first), then the quarter's new ones by lever, then
        enterprise id, then zone."""
        n = self._new
        new = {
            "quarter": np.array(n["quarter"], dtype=np.int64),
            "zone": np.array(n["zone"], dtype=np.int64),
            "uid": np.array(n["uid"], dtype=np.int64),
            "row": np.array(n["row"], dtype=np.int64),
            "lever": np.array(n["lever"], dtype=object),
            "payer": np.array(n["payer"], dtype=np.int8),
            "full": np.array(n["full"], dtype=np.float64),
            "refused": np.array(n["refused"], dtype=bool),
            "group": np.array(n["group"], dtype=np.int64),
            "rec": np.array(n["rec"], dtype=np.int64),
            "owed": np.array(n["owed"], dtype=np.float64),
            "parent": np.array(n["parent"], dtype=np.int64),
            "w0": np.array(n["w0"], dtype=np.int64),
            "w1": np.array(n["w1"], dtype=np.int64),
        }
        self._new = {k: [] for k in _COLS}
        if new["full"].size:
            lev = np.array([LEVER_ORDER.get(x, 99) for x in n["lever"]], dtype=np.int64)
            order = np.lexsort((new["zone"], new["uid"], lev))
            new = {k: v[order] for k, v in new.items()}
        if self._deferred is not None:
            new = {k: np.concatenate([self._deferred[k], new[k]]) for k in _COLS}
            self._deferred = None
        return new

    # ------------------------------------------------------------------ settling

    def settle(self, quarter: int, out: np.ndarray, M: dict) -> None:
        """Pay what can be paid; write flows into ``out[zone, metric]``."""
        self._open_year(quarter)
        q = self._queue()
        if q["full"].size == 0:  # nothing paid or claimed this quarter
            self._paid4[quarter % 4] = self._owed4[quarter % 4] = 0.0
            self.waiting = np.zeros(out.shape[0])
            return
        firms = self.model.firms
        # a firm that exited before it was paid: its claims end with it (a waiting
        # claim's amount lapses; a new one was never owed)
        keep = (q["row"] < 0) | firms.alive[np.maximum(q["row"], 0)]
        if not keep.all():
            gone = ~keep & (q["rec"] >= 0)
            if gone.any():
                self.book.lapse(q["rec"][gone], q["owed"][gone])
                out[:, M["awards_lapsed_wan"]] += np.bincount(
                    q["zone"][gone], weights=q["owed"][gone], minlength=out.shape[0])
            q = {k: v[keep] for k, v in q.items()}
        m = q["full"].size
        if m == 0:
            self._paid4[quarter % 4] = self._owed4[quarter % 4] = 0.0
            self.waiting = np.zeros(out.shape[0])
            return
        # 就高不就低: claims of a non-stacking group to a firm, and their (group, payer)
        # set, coded; a firm's key is (set, row)
        stacks = (q["row"] >= 0) & (q["group"] >= 0)
        combo = q["group"] * 2 + q["payer"]
        code = np.where(stacks, combo * (1 << 32) + q["row"], -1)
        s = _Settlement(q, stacks, combo, code, np.zeros(m, dtype=bool),
                        np.zeros(m, dtype=bool), q["full"].copy(), np.zeros(m))
        payer_key = np.where(q["payer"] == 0, -1, q["zone"])  # -1: the province
        to_fund = (payer_key == -1) & (q["row"] < 0)  # the province's awards to a zone
        if not self.vectorised:
            self._one_by_one(s, np.arange(m), payer_key)
        else:
            # the province first: its awards to zones go into their funds, which its
            # zones' claims queued after them can use
            used = self._in_runs(s, np.flatnonzero(payer_key == -1),
                                 self.left[("province", -1)])
            self.left[("province", -1)] -= used
            funded = np.flatnonzero(s.paid & to_fund)
            for z in np.unique(np.concatenate([payer_key[payer_key >= 0],
                                               q["zone"][funded]])).tolist():
                idx = np.flatnonzero(payer_key == z)
                into = funded[q["zone"][funded] == z]  # queue positions, in order
                left, fund = self.left[("zone", z)], self.zone_fund[z]
                cut = np.searchsorted(idx, into).tolist() + [idx.size]
                for k, (c0, c1) in enumerate(zip([0] + cut[:-1], cut, strict=True)):
                    if c1 > c0:
                        used = self._in_runs(s, idx[c0:c1], left + fund)
                        from_budget = min(left, used)
                        if used > from_budget:  # the run's tail was paid out of the fund
                            run = idx[c0:c1][s.paid[idx[c0:c1]]]
                            cs = np.cumsum(s.amount[run])
                            s.from_fund[run] = np.clip(cs - left, 0.0, s.amount[run])
                        left -= from_budget
                        fund -= used - from_budget
                    if k < into.size:
                        fund += float(s.amount[into[k]])
                self.left[("zone", z)], self.zone_fund[z] = left, fund
        self._book(quarter, q, s, out, M)
        self._track(quarter, payer_key + 1, s.amount, s.paid, ~q["refused"] & ~s.gone)

    def _match_a5(self, quarter: int, q: dict, p: np.ndarray, a: np.ndarray) -> None:
        """A5's zone match, "在省级补助的基础上": when the province pays a firm's A5 award,
        the firm's zone owes its match (``ratio`` × what was paid), claimed now and
        settled from the next quarter (``hte_matching.match_follows: payment``)."""
        pol = self.model.scenario_data.policy.hte_matching
        if pol.match_follows != "payment":
            return
        sel = (q["lever"][p] == "A5") & (q["payer"][p] == 0) & (q["row"][p] >= 0)
        if not sel.any():
            return
        ratio = self.model.lever("hte_matching.ratio", quarter)
        if ratio <= 0:
            return
        k = p[sel]
        # one match per provincial award; an instalment's match is an instalment of it
        parent = np.empty(k.size, dtype=np.int64)
        for i, pp in enumerate(q["parent"][k].tolist()):
            if pp not in self._match_of:
                self._match_of[pp] = self._parent
                self._parent += 1
            parent[i] = self._match_of[pp]
        self.claim_many(quarter, q["zone"][k], q["uid"][k], q["row"][k], "A5", "zone",
                        a[sel] * ratio, parent=parent)

    def _paid_so_far(self, combo: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For one (group, payer) set, per firm row, the latest ``SLOTS`` awards paid:
        first and last quarter of their R&D windows, and their full amounts (0: empty)."""
        arr = self.stack_paid.get(combo)
        cap = self.model.firms.capacity
        if arr is None or arr[0].shape[0] < cap:
            new = (np.full((cap, SLOTS), np.iinfo(np.int32).max, dtype=np.int32),
                   np.full((cap, SLOTS), np.iinfo(np.int32).min, dtype=np.int32),
                   np.zeros((cap, SLOTS)))
            if arr is not None:
                for a, b in zip(new, arr, strict=True):
                    a[: b.shape[0]] = b
            self.stack_paid[combo] = arr = new
        return arr

    def _by_set(self, s: "_Settlement", idx: np.ndarray):
        """Claims of ``idx`` in a non-stacking group, by their (group, payer) set:
        (claims, their firm rows, the set's memory of awards paid)."""
        st = idx[s.stacks[idx]]
        if st.size:
            cs = s.combo[st]
            for c in np.unique(cs).tolist():
                sel = st[cs == c]
                yield sel, s.q["row"][sel], self._paid_so_far(c)

    def _topped_up(self, s: "_Settlement", idx: np.ndarray) -> None:
        """Amounts of claims ``idx`` after the highest award of their group already paid
        for R&D their windows share."""
        for sel, rows, (a0, a1, full) in self._by_set(s, idx):
            w0, w1 = s.q["w0"][sel][:, None], s.q["w1"][sel][:, None]
            over = (a0[rows] <= w1) & (a1[rows] >= w0)
            high = np.where(over, full[rows], 0.0).max(axis=1)
            s.amount[sel] = s.q["full"][sel] - high
        s.gone[idx] = s.amount[idx] <= EPS  # a higher same-type award was paid already

    def _remember(self, s: "_Settlement", done: np.ndarray) -> None:
        """Paid claims ``done`` (at most one per firm and set) join their firm's memory,
        in the slot of the award whose window ended first."""
        for sel, rows, (a0, a1, full) in self._by_set(s, done):
            k = np.argmin(a1[rows], axis=1)
            a0[rows, k] = s.q["w0"][sel]
            a1[rows, k] = s.q["w1"][sel]
            full[rows, k] = s.q["full"][sel]

    def _in_runs(self, s: "_Settlement", idx: np.ndarray, avail: float) -> float:
        """Serve claims ``idx`` of one payer (in order) from ``avail``; returns what
        they used. Runs that fit are paid at once; after a refusal, the next claim
        that fits is searched for. A firm's later claim of one non-stacking group is
        topped up from what was paid before the settlement; where an earlier claim of
        the same firm, group and year turns out paid, service restarts at the later
        claim with the new top-up (rare: it needs both claims in one queue)."""
        used, start = 0.0, 0
        while start < idx.size:
            seg = idx[start:]
            self._topped_up(s, seg)
            a, ok = s.amount[seg], ~s.gone[seg]
            paid = np.zeros(seg.size, dtype=bool)
            avail_seg = avail - used
            spent, pos, k = 0.0, 0, seg.size
            while pos < k:
                live = np.flatnonzero(ok[pos:] & (a[pos:] <= avail_seg - spent + EPS))
                if live.size == 0:
                    break
                pos += int(live[0])
                cs = np.cumsum(np.where(ok[pos:], a[pos:], 0.0))
                fit = int(np.searchsorted(cs, avail_seg - spent + EPS, side="right"))
                paid[pos:pos + fit] = ok[pos:pos + fit]
                spent += float(cs[fit - 1])
                pos += fit
            stop = _first_after_paid(s.code[seg], paid)
            done = seg[:stop][paid[:stop]]
            s.paid[done] = True
            used += float(s.amount[done].sum()) if stop < k else spent
            self._remember(s, done)
            start += stop
        return used

    def _one_by_one(self, s: "_Settlement", idx: np.ndarray, payer_key: np.ndarray) -> None:
        """Serve claims ``idx`` one at a time (the reference for :meth:`_in_runs`)."""
        q = s.q
        for i in idx.tolist():
            self._topped_up(s, np.array([i]))
            if s.gone[i]:
                continue
            pk = int(payer_key[i])
            key = ("zone", pk) if pk >= 0 else ("province", -1)
            fund = self.zone_fund[pk] if pk >= 0 else 0.0
            a = float(s.amount[i])
            if self.left[key] + fund < a - EPS:
                continue  # refused
            from_budget = min(self.left[key], a)
            self.left[key] -= from_budget
            if a > from_budget:
                self.zone_fund[pk] -= a - from_budget
                s.from_fund[i] = a - from_budget
            s.paid[i] = True
            self._remember(s, np.array([i]))
            if pk < 0 and q["row"][i] < 0:
                self.zone_fund[int(q["zone"][i])] += a  # awards to a zone fund it

    def _book(self, quarter, q, s: "_Settlement", out, M) -> None:
        """Ledger rows, flows, firms' cash, the claim book, and the claims left over.

        Obligations: a new claim is earned at what it is owed after 就高不就低; a waiting
        claim whose top-up shrank (a higher award of its group was paid meanwhile) lapses
        by the difference, so what was earned is always paid, waiting or lapsed."""
        Z = out.shape[0]
        amount, paid = s.amount, s.paid
        owed = np.where(s.gone, 0.0, np.maximum(amount, 0.0))
        refused_now = ~paid & ~s.gone
        new = q["rec"] < 0
        # the claim book: new obligations, and shrunken waiting ones
        rec = q["rec"].copy()
        earn = new & (owed > EPS)
        if earn.any():
            rec[earn] = self.book.add(quarter, q["zone"][earn], q["uid"][earn],
                                      q["lever"][earn], q["payer"][earn], owed[earn],
                                      q["parent"][earn], q["full"][earn], q["w0"][earn],
                                      q["w1"][earn])
            out[:, M["awards_earned_wan"]] += np.bincount(q["zone"][earn], weights=owed[earn],
                                                          minlength=Z)
        shrunk = ~new & (q["owed"] - owed > EPS)
        if shrunk.any():
            cut = q["owed"][shrunk] - owed[shrunk]
            self.book.lapse(rec[shrunk], cut)
            out[:, M["awards_lapsed_wan"]] += np.bincount(q["zone"][shrunk], weights=cut,
                                                          minlength=Z)
        p = np.flatnonzero(paid)
        if p.size:
            zone, row = q["zone"][p], q["row"][p]
            a, ff = amount[p], s.from_fund[p]
            self.book.pay(quarter, rec[p], a, ff)
            # a payment partly out of transferred money is two rows: budget, transfer
            own, tr = a - ff, ff
            parts = [(np.flatnonzero(own > EPS), own, False), (np.flatnonzero(tr > EPS), tr, True)]
            r = self.rows
            for k, amt, flag in parts:
                if not k.size:
                    continue
                r["quarter"].extend([quarter] * k.size)
                r["zone"].extend(zone[k].tolist())
                r["enterprise"].extend(q["uid"][p][k].tolist())
                r["lever"].extend(q["lever"][p][k].tolist())
                r["payer"].extend([PAYERS[x] for x in q["payer"][p][k].tolist()])
                r["amount_wan"].extend(amt[k].tolist())
                r["from_transfer"].extend([flag] * k.size)
            out[:, M["subsidy_wan"]] += np.bincount(zone, weights=own, minlength=Z)
            out[:, M["awards_paid_from_transfer_wan"]] += np.bincount(zone, weights=tr,
                                                                      minlength=Z)
            f = row >= 0
            np.add.at(self.model.firms.cash, row[f], a[f])
            self._match_a5(quarter, q, p, a)
        first = refused_now & ~q["refused"]
        if first.any():
            out[:, M["awards_unpaid_wan"]] += np.bincount(q["zone"][first],
                                                          weights=amount[first], minlength=Z)
        self.waiting = np.zeros(Z)
        if not refused_now.any():
            return
        if self.on_exhausted == "defer":
            # budgets only shrink within a year: paid when a new budget opens
            d = {k: v[refused_now] for k, v in q.items()}
            d["refused"] = np.ones(d["full"].size, dtype=bool)
            d["rec"], d["owed"] = rec[refused_now], owed[refused_now]
            self._deferred = d
            self.waiting = np.bincount(d["zone"], weights=d["owed"], minlength=Z)
        else:
            out[:, M["claims_lapsed"]] += np.bincount(q["zone"][refused_now], minlength=Z)
            self.book.lapse(rec[refused_now], owed[refused_now])
            out[:, M["awards_lapsed_wan"]] += np.bincount(
                q["zone"][refused_now], weights=owed[refused_now], minlength=Z)


def _first_after_paid(code: np.ndarray, paid: np.ndarray) -> int:
    """Position of the first claim whose key (``code`` >= 0) an earlier paid claim
    has; ``len(code)`` if none."""
    pos = np.flatnonzero(code >= 0)
    c = code[pos]
    if pos.size < 2:
        return code.size
    order = np.argsort(c, kind="stable")  # by key, then position
    cs, ps = c[order], paid[pos[order]].astype(np.int64)
    if (cs[1:] != cs[:-1]).all():
        return code.size  # no key twice
    start = np.r_[True, cs[1:] != cs[:-1]]
    run = np.cumsum(ps)
    before = run - ps - np.maximum.accumulate(np.where(start, run - ps, 0))
    bad = pos[order[before > 0]]
    return int(bad.min()) if bad.size else code.size
