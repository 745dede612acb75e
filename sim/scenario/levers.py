"""The lever registry: one definition per lever of the action plan.

For each lever: its code (A1…A10 money rules, B1…B15 rules without money), its policy
key (``policy.<key>`` in a scenario, a field of :class:`sim.scenario.schema.Policy`),
its names in Chinese and English, who pays it (the setting that chooses the payer
where the plan does not name one), the order in which the ledger serves new claims,
its default non-stacking group (就高不就低), whether the interactive view has a
slider for it, what existed before the plan (``status``) and the lever's settings
before the plan (``pre_plan``). The ledger, the report, the interactive view, the
variant files and docs/levers.md read it; adding a lever touches this table, its schema
class and the mechanism that uses it (docs/architecture.md).

**When the plan acts.** :func:`in_force` is the one place that answers "what is lever
X's setting in quarter t": before the lever's effective quarter (its own
``policy.<key>.effective``, else the plan's ``policy.effective``; ``never`` for a lever
the plan never changes) it is the lever's pre-plan setting (``pre_plan`` here, else the
scenario's own value); from that quarter on it is the scenario's setting. The model
reads every lever setting through it (``HighTechZoneModel.lever`` / ``on``), so no
mechanism tests a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.core.calendar import q_index, value_at


@dataclass(frozen=True)
class Slider:
    """A slider of the interactive view: a setting of the lever, its label and range."""

    name: str             # the slider's name in the view
    setting: str          # key under policy.<lever key>
    label: str            # English label, with its unit
    lo: float
    hi: float
    step: float


@dataclass(frozen=True)
class LeverDef:
    """One lever of the plan."""

    code: str             # A1..A10, B1..B15
    key: str              # policy.<key>
    name_zh: str
    name_en: str
    payer: tuple[str, ...] = ()   # who pays (money rules); () for rules without money
    payer_setting: str | None = None  # policy.<key>.<setting> choosing the payer, if any
    service_order: int | None = None  # order the ledger serves new claims (money rules)
    stacking_group: str | None = None  # default 就高不就低 group (policy.non_stacking)
    sliders: tuple[Slider, ...] = field(default_factory=tuple)
    # before the plan (docs/levers.md, "What existed before the plan"): "new" in the
    # plan, "strengthened" by it, or existing "practice" it keeps
    status: str = "new"
    # the lever's settings before the plan, read by in_force before the lever's
    # effective quarter; settings not named keep the scenario's value
    pre_plan: Mapping[str, Any] = field(default_factory=lambda: {"enabled": False},
                                        compare=False)

    @property
    def money(self) -> bool:
        """A money rule (an award paid through the ledger)."""
        return self.code.startswith("A")

    @property
    def policy_key(self) -> str:
        return f"policy.{self.key}"


LEVERS: tuple[LeverDef, ...] = (
    LeverDef("A1", "rd_subsidy", "研发投入奖补", "R&D awards", ("province",), "payer", 1,
             "rd", (Slider("rd_rate", "rate", "A1 R&D award rate", 0.0, 0.5, 0.01),
                    Slider("rd_cap_wan", "cap_wan", "A1 R&D award cap (万元 per award)", 0, 5000, 100))),
    LeverDef("A2", "cluster_award", "集群奖励", "Cluster award", ("province",), "payer", 2),
    LeverDef("A3", "scenario_pilot", "应用场景支持", "Scenario pilots", ("zone",), "payer", 3,
             sliders=(Slider("pilot_rate", "rate", "A3 scenario pilot support rate", 0.0, 1.0, 0.05),)),
    LeverDef("A4", "researcher_startup", "科研人员创业", "Researcher start-ups", ("province",),
             "payer", 4),
    LeverDef("A5", "hte_matching", "高企配套奖励", "HTE matching", ("province", "zone"),
             None, 5, status="strengthened", pre_plan={"ratio": 0.0}),
    # ^ the province's award existed (1.17亿 paid in 2023 [V]); the zones' match is the plan's
    LeverDef("A6", "unicorn_award", "独角兽奖励", "Unicorn award", ("zone",), "payer", 6),
    LeverDef("A7", "zone_approval_award", "升级奖励", "Zone approval award", ("province",),
             None, 7),
    LeverDef("A8", "ranking_award", "排名奖励", "Ranking award", ("province",), None, 8),
    LeverDef("A9", "enclave_subsidy", "飞地补贴", "Enclave subsidy", ("province",), None, 9),
    LeverDef("A10", "open_competition", "揭榜挂帅", "Open competition", ("province",), "payer",
             10, "rd"),
    LeverDef("B1", "referral", "跨园区招商分配", "Cross-zone referral",
             sliders=(Slider("referrer_share", "referrer_share", "B1 referrer's credit share", 0.0, 1.0, 0.05),)),
    LeverDef("B2", "researcher_leave", "科研人员离岗创业", "Researcher leave",
             status="strengthened", pre_plan={"extension_years": 0}),
    # ^ national 离岗创业 guidance since 2017 [V*]; the plan adds the extension (assumption)
    LeverDef("B3", "operating_model", "运营模式", "Operating model", status="strengthened"),
    LeverDef("B4", "delegated_powers", "放管服赋权", "Delegated powers"),
    LeverDef("B5", "pay_reform", "人事薪酬", "Staffing and pay reform"),
    # pre-plan levels of B6, B7, B10: share of the plan's effect sizes; the practice
    # existed [V], its strength is an assumption (ranges in docs/levers.md: B6 0.25-0.75,
    # B7 0.25-1.0, B10 0-0.6)
    LeverDef("B6", "ladder", "梯度培育", "Growth ladder", status="practice",
             pre_plan={"level": 0.5}),
    LeverDef("B7", "specialised_pool", "专精特新", "Specialised-SME pool", status="practice",
             pre_plan={"level": 0.5}),
    LeverDef("B8", "incubator_upgrade", "孵化载体", "Incubator upgrade"),
    LeverDef("B9", "tech_transfer", "成果转化", "Technology transfer"),
    LeverDef("B10", "innovation_points", "创新积分 + 科技金融", "Innovation points",
             status="practice", pre_plan={"level": 0.3}),
    LeverDef("B11", "land", "用地保障", "Land"),
    LeverDef("B12", "supply_matching", "主-配 / 本地配套率", "Supply matching"),
    LeverDef("B13", "enclaves", "飞地", "Enclaves"),
    LeverDef("B14", "assessment", "考核评价", "Assessment"),
    LeverDef("B15", "fault_tolerance", "容错机制", "Fault tolerance"),
)

BY_CODE: dict[str, LeverDef] = {lv.code: lv for lv in LEVERS}
BY_KEY: dict[str, LeverDef] = {lv.key: lv for lv in LEVERS}
MONEY_CODES: tuple[str, ...] = tuple(lv.code for lv in LEVERS if lv.money)
# the ledger serves a quarter's new claims in this order (then by zone and firm)
SERVICE_ORDER: dict[str, int] = {lv.code: lv.service_order for lv in LEVERS
                                 if lv.service_order is not None}
# the plan's default 就高不就低 groups (policy.non_stacking.groups)
STACKING_GROUPS: list[list[str]] = [
    [lv.code for lv in LEVERS if lv.stacking_group == g]
    for g in dict.fromkeys(lv.stacking_group for lv in LEVERS if lv.stacking_group)]
# settings under policy.<key> that are not the plan's lever switches (``effective``:
# the quarter the plan as a whole takes effect)
NOT_LEVERS = ("non_stacking", "budget", "effective")
# a lever's (or the plan's) ``effective`` that never comes: the lever stays at its
# pre-plan setting for the whole run
NEVER = "never"
STATUSES = ("new", "strengthened", "practice")


def start_of(policy, key: str) -> int | None:
    """Quarter index from which lever ``key`` acts as the scenario sets it: its own
    ``policy.<key>.effective``, else the plan's ``policy.effective``; None for
    ``never``."""
    q = getattr(getattr(policy, key), "effective", None)
    if q is None:
        q = policy.effective
    return None if q == NEVER else q_index(q)


def starts(policy) -> dict[str, int | None]:
    """:func:`start_of` for every lever (computed once per run)."""
    return {lv.key: start_of(policy, lv.key) for lv in LEVERS}


def in_force(policy, path: str, t: int, start: dict[str, int | None] | None = None) -> Any:
    """The value of lever setting ``path`` (``"ladder.level"``, ``"rd_subsidy.enabled"``)
    in force in quarter index ``t``: the only place that says whether and how strongly a
    lever acts when.

    Before the lever's start (:func:`start_of`; ``start`` may hold them precomputed by
    :func:`starts`) the value is the lever's pre-plan setting (``pre_plan`` of the
    registry) if it names this setting, else the scenario's own; from the start on, the
    scenario's. Either is read at ``t`` when dated. Anticipation is not modelled: nothing
    of the plan shows before its start.
    """
    key, _, rest = path.partition(".")
    s = start[key] if start is not None else start_of(policy, key)
    if s is None or t < s:
        pre = BY_KEY[key].pre_plan
        if rest in pre:
            return pre[rest]
    obj = getattr(policy, key)
    for part in rest.split("."):
        obj = getattr(obj, part)
    return value_at(obj, t)


def names(code: str) -> tuple[str, str]:
    """(Chinese, English) name of a lever by code; the code itself for an unknown one."""
    lv = BY_CODE.get(code)
    return (lv.name_zh, lv.name_en) if lv else (code, code)


def label(code: str, lang: str) -> str:
    """A lever's name in ``lang`` (``zh`` or ``en``)."""
    zh, en = names(code)
    return zh if lang == "zh" else en


def sliders() -> dict[str, tuple[str, str, float, float, float]]:
    """The interactive view's sliders: name -> (scenario key, label, min, max, step)."""
    out = {}
    for lv in LEVERS:
        for s in lv.sliders:
            out[s.name] = (f"{lv.policy_key}.{s.setting}", s.label, s.lo, s.hi, s.step)
    return out


@dataclass(frozen=True)
class Group:
    """A group of levers whose share of the plan's effect `hitech-sim attribute` reports."""

    id: str
    name_zh: str
    name_en: str
    codes: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The groups' policy keys (``policy.<key>``)."""
        return tuple(BY_CODE[c].key for c in self.codes)


# Six groups (2^6 = 64 paired variants): every lever in exactly one, grouped by the
# channel it acts through (docs/levers.md).
ATTRIBUTION_GROUPS: tuple[Group, ...] = (
    Group("rd_awards", "研发奖补", "R&D awards", ("A1", "A10")),
    Group("certification", "高企与梯度培育", "Certification and the ladder",
          ("A5", "B6", "B7")),
    Group("other_awards", "其他奖励", "Other awards",
          ("A2", "A3", "A4", "A6", "A7", "A8", "A9")),
    Group("zone_reform", "园区管理改革", "Zone management reform",
          ("B3", "B4", "B5", "B14", "B15")),
    Group("investment", "招商与用地", "Investment, land and supply",
          ("B1", "B11", "B12", "B13")),
    Group("entrepreneurship", "创业与科技金融", "Entrepreneurship and finance",
          ("B2", "B8", "B9", "B10")),
)
