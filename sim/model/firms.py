"""The enterprise table: every firm's numeric state as numpy columns held by the model.

Rows are never reused: a firm keeps its row from birth to exit, so that two variants
run on the same seed give the same row the same random draws for as long as their
firm populations agree. Columns are allocated zeroed for a generous capacity (the
operating system maps pages only when rows are first written, so unused capacity
costs no time), a row's defaults are written when it is appended, and capacity grows
by doubling if ever exceeded.
"""

from __future__ import annotations

import numpy as np

STAGES = ("startup", "tech_sme", "hte", "gazelle", "leader")
ORIGINS = ("initial", "startup", "graduate", "researcher", "spinoff", "attracted", "referred",
           "enclave")
ORIGIN = {name: i for i, name in enumerate(ORIGINS)}
NEVER = -(10**6)  # a quarter index meaning "never"

# name -> (dtype, fill)
COLUMNS: dict[str, tuple[str, float]] = {
    "alive": ("bool", False),
    "zone": ("int16", 0),
    "sector": ("int16", 0),
    "origin": ("int8", 0),
    "founded": ("int32", 0),  # quarter index of founding
    "exited_q": ("int32", NEVER),
    "rev": ("float64", 0.0),  # revenue this quarter, 万元
    "rd": ("float64", 0.0),  # R&D this quarter, 万元
    "rev4": ("float64", 0.0),  # rolling sums over the last 4 / 12 quarters
    "rev12": ("float64", 0.0),
    "rd4": ("float64", 0.0),
    "rd12": ("float64", 0.0),
    "rd_base": ("float64", 0.0),  # desired R&D / revenue at the no-plan price
    "rd_int": ("float64", 0.0),  # current R&D / revenue
    "know": ("float64", 0.0),  # knowledge stock, 万元
    "prod": ("float64", 0.0),  # persistent drift component, log points / quarter
    "margin_dev": ("float64", 0.0),  # firm-specific margin deviation
    "val_mult": ("float64", 1.0),  # firm-specific valuation multiple factor
    "cash": ("float64", 0.0),
    "debt": ("float64", 0.0),
    "equity": ("float64", 0.0),  # equity raised, 万元
    "employees": ("float64", 0.0),
    "st_share": ("float64", 0.0),  # S&T staff share
    "ht_share": ("float64", 0.0),  # high-tech products' share of revenue
    "boost": ("float64", 0.0),  # extra drift until boost_until
    "boost_until": ("int32", NEVER),
    "misfit": ("bool", False),
    "hte_until": ("int32", NEVER),  # last quarter a 高企 certificate is valid
    "hte_first": ("int32", NEVER),  # quarter of the latest certification
    "hte_applied": ("int32", NEVER),  # quarter of the latest 高企 application
    # intellectual property (高企 evaluation, docs/model.md S6): class I items (invention
    # patents etc.), class II items (utility models, software copyrights) and the class II
    # items already used in a successful application (each may be used once); fractional
    # counts accumulate the routine flow, the evaluation counts whole items
    "ip1": ("float64", 0.0),
    "ip2": ("float64", 0.0),
    "ip2_used": ("float64", 0.0),
    # conversions of results (科技成果转化) in calendar years y with y % 3 == 0, 1, 2:
    # the current year's slot is cleared in its Q1 (S3), so the three hold the last three
    "conv0": ("float64", 0.0),
    "conv1": ("float64", 0.0),
    "conv2": ("float64", 0.0),
    # what the experts read (traits in [0, 1]): advancement and core support of the IP,
    # and the R&D organisation (docs/model.md S6)
    "ip_quality": ("float64", 0.5),
    "rd_org": ("float64", 0.5),
    "tsme_until": ("int32", NEVER),  # last quarter of tech-SME registration
    "spec_until": ("int32", NEVER),  # last quarter of 专精特新 recognition
    "gazelle": ("bool", False),
    "leader": ("bool", False),
    "unicorn": ("bool", False),
    "ever_unicorn": ("bool", False),
    "listed": ("bool", False),
    "incubator": ("int32", -1),
    "inc_since": ("int32", NEVER),
    "a1_last": ("int32", NEVER),  # quarter of the latest R&D award (A1) claim
    "a1_pending": ("bool", False),  # an industrialised result awaits the year's A1 call
    # short of cash this quarter and funded by no capital provider: set by finance, read
    # by exit (a higher hazard); cleared at the next finance step
    "distress": ("bool", False),
    "uid": ("int64", -1),  # the Mesa agent's unique_id
}

_NONZERO_FILL = {k: v for k, v in COLUMNS.items() if v[1] != 0}


class FirmTable:
    """Columns of firm state plus a ring of the last ``hist`` quarters of revenue and R&D."""

    def __init__(self, capacity: int, hist: int = 12):
        self.capacity = max(16, int(capacity))
        self.n = 0
        self.hist = hist
        self.cols: dict[str, np.ndarray] = {}
        for name, (dt, _fill) in COLUMNS.items():
            self.cols[name] = np.zeros(self.capacity, dtype=dt)
        # history rings are (quarter slot, row): each slot is contiguous
        self.h_rev = np.zeros((hist, self.capacity))
        self.h_rd = np.zeros((hist, self.capacity))
        for name in COLUMNS:
            setattr(self, name, self.cols[name])

    def _grow(self, need: int) -> None:
        cap = self.capacity
        while cap < need:
            cap *= 2
        for name, (dt, _fill) in COLUMNS.items():
            old = self.cols[name]
            new = np.zeros(cap, dtype=dt)
            new[: self.n] = old[: self.n]
            self.cols[name] = new
            setattr(self, name, new)
        for attr in ("h_rev", "h_rd"):
            old = getattr(self, attr)
            new = np.zeros((self.hist, cap))
            new[:, : self.n] = old[:, : self.n]
            setattr(self, attr, new)
        self.capacity = cap

    def append(self, k: int, **values) -> np.ndarray:
        """Add ``k`` rows with the given column values; returns their row indices."""
        if self.n + k > self.capacity:
            self._grow(self.n + k)
        rows = np.arange(self.n, self.n + k)
        new = slice(self.n, self.n + k)
        for name, (_dt, fill) in _NONZERO_FILL.items():
            if name not in values:
                self.cols[name][new] = fill
        for name, v in values.items():
            self.cols[name][new] = v
        self.alive[rows] = True
        self.n += k
        return rows

    def view(self, name: str) -> np.ndarray:
        """The used part of a column."""
        return self.cols[name][: self.n]
