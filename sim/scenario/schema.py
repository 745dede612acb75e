"""The scenario schema: every key a scenario may hold, its type, unit and valid range.

Structure is checked by pydantic (unknown keys refused, strict types); relations
between sections (a zone's industries are declared sectors, counts add up, targets
name known metrics) by :func:`cross_check`. Units are in the field descriptions and
in docs/scenario.md. Behaviour parameters and constants are declared once, in
:mod:`sim.scenario.params`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    create_model,
)
from pydantic_core import PydanticCustomError

from sim.core.calendar import is_quarter, q_index
from sim.scenario.levers import NEVER, STACKING_GROUPS
from sim.scenario.params import BEHAVIOUR, CONSTANTS

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    """Base of every section: unknown keys are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False, validate_default=True)


def _fail(kind: str, msg: str) -> None:
    raise PydanticCustomError(kind, msg)


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return f"{v!r} (a boolean)"
    if isinstance(v, str):
        return f"{v!r} (a string)"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing (null)"
    return repr(v)


def _range_text(lo: float, hi: float, lo_open: bool, integer: bool) -> str:
    kind = "a whole number" if integer else "a number"
    lo_op = ">" if lo_open else ">="
    if math.isinf(lo) and math.isinf(hi):
        return kind
    if math.isinf(hi):
        return f"{kind} {lo_op} {lo:g}"
    if math.isinf(lo):
        return f"{kind} <= {hi:g}"
    return f"{kind} {lo_op} {lo:g} and <= {hi:g}"


def _check_number(v: Any, lo: float, hi: float, lo_open: bool, integer: bool) -> float | int:
    want = _range_text(lo, hi, lo_open, integer)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        _fail("number_type", f"expected {want}, got {_describe(v)}")
    if integer and not isinstance(v, int):
        if float(v).is_integer():
            v = int(v)
        else:
            _fail("int_type", f"expected {want}, got {v!r}")
    if isinstance(v, float) and not math.isfinite(v):
        _fail("number_range", f"{v!r} is not finite (valid: {want})")
    if (v <= lo if lo_open else v < lo) or v > hi:
        _fail("number_range", f"{v!r} is out of range (valid: {want})")
    return v if integer else float(v)


def _check_dated(v: Any, leaf) -> Any:
    if isinstance(v, dict):
        if not v:
            _fail("dated", "an empty dated value (valid: a value, or {2025Q3: value, ...})")
        prev = None
        out = {}
        for k, x in v.items():
            if not is_quarter(k):
                _fail("dated", f"dated key {k!r} is not a quarter (valid: keys like 2025Q3, "
                               "in increasing order)")
            if prev is not None and q_index(k) <= q_index(prev):
                _fail("dated", f"dated keys out of order: {k} after {prev} (valid: keys in "
                               "increasing order)")
            prev = k
            try:
                out[k] = leaf(x)
            except PydanticCustomError as e:
                _fail(e.type, f"at {k}: {e.message()}")
        return out
    return leaf(v)


def Num(lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False,
        integer: bool = False, dated: bool = False, description: str = "") -> Any:
    """A number in [lo, hi] (or (lo, hi] with lo_open); optionally a dated value."""

    def leaf(v: Any) -> Any:
        return _check_number(v, lo, hi, lo_open, integer)

    fn = (lambda v: _check_dated(v, leaf)) if dated else leaf
    return Annotated[Any, PlainValidator(fn), Field(description=description)]


def _check_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        _fail("bool_type", f"expected true or false, got {_describe(v)}")
    return v


DatedBool = Annotated[Any, PlainValidator(lambda v: _check_dated(v, _check_bool))]


def _check_quarter(v: Any) -> str:
    if not is_quarter(v):
        _fail("quarter", f"expected a quarter like 2025Q3, got {_describe(v)}")
    return v


Quarter = Annotated[Any, PlainValidator(_check_quarter)]


def _check_effective(v: Any) -> str:
    if v != NEVER and not is_quarter(v):
        _fail("effective", f"expected a quarter like 2026Q1 or {NEVER!r}, got {_describe(v)}")
    return v


# when the plan (or one lever) takes effect: a quarter, or "never"
Effective = Annotated[Any, PlainValidator(_check_effective)]


def _check_ident(v: Any) -> str:
    if not isinstance(v, str) or not IDENT.match(v):
        _fail("ident", f"expected an id of lower-case letters, digits and _, starting with a "
                       f"letter, got {_describe(v)}")
    return v


Ident = Annotated[Any, PlainValidator(_check_ident)]


def _check_text(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        _fail("text", f"expected a non-empty text, got {_describe(v)}")
    return v


Text = Annotated[Any, PlainValidator(_check_text)]

# A name that becomes part of a path (the results folder, a part's file name): Unicode
# letters and digits (\w), `_`, `-` and `.`; no leading dot (so not `.` or `..`), no
# path separator, at most 64 characters (an assumption: ample for every shipped name).
NAME = re.compile(r"(?!\.)[\w.\-]{1,64}")


def _check_name(v: Any) -> str:
    if not isinstance(v, str) or not NAME.fullmatch(v):
        _fail("name", "expected a name of letters, digits, _, - and . (not first), at most "
                      f"64 characters, e.g. referral_0.7, got {_describe(v)}")
    return v


Name = Annotated[Any, PlainValidator(_check_name)]

# The calendar's bounds: a run's memory and time grow with its quarters, so a typo such
# as 9999Q4 is refused instead of running out of memory. An assumption: the action plan
# and its history need 2000-2050.
FIRST_QUARTER, LAST_QUARTER = "2000Q1", "2050Q4"

# Replicates when a scenario does not say: enough that a target probability's Monte
# Carlo standard error, sqrt(p (1 - p) / n), is at most 3 points at its largest (p = 0.5):
# 0.5 / sqrt(280) = 0.0299 (n >= 278).
DEFAULT_REPLICATES = 280

OPERATING_MODELS = ("traditional", "committee_company", "committee_institution_company",
                    "entrusted", "statutory_body")

# --------------------------------------------------------------------------- sections


class Calendar(Strict):
    """First and last simulated quarter (inclusive) and the checkpoints reports dwell on."""

    start: Quarter = "2025Q3"
    end: Quarter = "2030Q4"
    checkpoints: list[Quarter] = ["2027Q4", "2028Q4", "2030Q4"]


class Population(Strict):
    """Scale of the synthetic world."""

    scale: Num(0.0, 1.0, lo_open=True, description="shrinks every count and inflow") = 1.0


class Sector(Strict):
    """A sector (industry) that firms and projects belong to."""

    id: Ident
    name_zh: Text
    name_en: Text
    future_industry: bool = False
    rd_intensity: Num(0.0, 0.5, description="median R&D / revenue of its firms") = 0.03
    project_weight: Num(0.0, description="relative share of outside investment projects") = 1.0


class TopFirm(Strict):
    """One of a zone's largest firms, sized from its published revenue (its name and the
    source are in docs/sources.md; scenarios and results use the anonymous ``id``)."""

    id: Ident
    revenue_wan: Num(0.0, lo_open=True, description="annual revenue booked in the zone, 万元")
    sector: Ident
    founded: Num(1900, 2100, integer=True, description="year of founding (the firm's age)")
    hte: bool = Field(True, description="holds a valid 高企 certificate at the start")
    listed: bool = Field(False, description="listed at the start")


class Firms(Strict):
    """A zone's firms at the start: counts by rung, revenue, and mix of sectors."""

    total: Num(1, integer=True, description="firms")
    tech_sme: Num(0, integer=True, description="registered tech SMEs not holding higher rungs")
    hte: Num(0, integer=True, description="valid 高企 certificates (gazelles, leaders included)")
    gazelle: Num(0, integer=True) = 0
    leader: Num(0, integer=True) = 0
    specialised: Num(0, integer=True) = 0
    listed: Num(0, integer=True) = 0
    revenue_wan: Num(0.0, lo_open=True, description="annual revenue of all its firms, 万元")
    rd_intensity: Num(0.0, 0.5, description="R&D / revenue of all its firms") = 0.02
    growth: Num(-0.5, 1.0, description="recent yearly revenue growth of the zone: the mean "
                "past growth of its synthesised firms (none: behaviour.past_growth_mean)"
                ) | None = None
    top: list[TopFirm] = []
    sector_shares: dict[str, Num(0.0, 1.0)]


class Zone(Strict):
    """A high-tech zone (or a candidate park)."""

    id: Ident
    name_zh: Text
    name_en: Text
    level: Literal["national", "provincial", "candidate"]
    prefecture: Text
    approved: Num(1980, 2100, integer=True) | None = None
    leading_industries: list[Ident]
    land_ha: Num(0.0, description="construction land available for projects, hectares")
    land_added_ha_per_year: Num(0.0, description="new land quota a year, hectares") = 0.0
    operating_model: Literal[OPERATING_MODELS] = "traditional"  # type: ignore[valid-type]
    national_rank: Num(1, 1000, integer=True) | None = None
    national_clusters: list[Ident] = []
    budget_wan_per_year: Num(0.0, dated=True) | None = None
    firms: Firms


class Incubator(Strict):
    """An incubator, maker space or accelerator."""

    id: Ident
    zone: Ident
    kind: Literal["maker_space", "incubator", "accelerator"] = "incubator"
    capacity: Num(1, integer=True, description="places for incubatees")
    national: bool = False


class CapitalProvider(Strict):
    """A venture fund, government sci-tech fund, or bank."""

    id: Ident
    kind: Literal["vc", "gov_fund", "bank"]
    name_zh: Text
    name_en: Text
    capital_wan_per_year: Num(0.0, description="new money it can invest or lend a year, 万元")
    ticket_wan: Num(0.0, lo_open=True, description="typical investment or loan, 万元")
    zones: list[Ident] | Literal["all"] = "all"
    min_stage: Literal["startup", "tech_sme", "hte", "gazelle", "leader"] = "startup"


class Projects(Strict):
    """The stream of outside investment projects reaching the modelled zones."""

    per_quarter: Num(0.0, description="projects a quarter, before population.scale")
    investment_median_wan: Num(0.0, lo_open=True, description="median investment, 万元")
    investment_sigma: Num(0.0, 3.0, description="log-sd of investment")
    land_ha_per_yi: Num(0.0, description="land need, hectares per 亿元 invested")
    first_contact_exponent: Num(0.0, 3.0, description="projects reach a zone first with "
                                "probability proportional to revenue ** this") = 1.0


class Lever(Strict):
    """A lever: every lever can be switched off, also from a date on. ``effective``: the
    quarter from which the lever acts as set here (before it, at its pre-plan setting of
    the lever registry); unset, the plan's ``policy.effective``; ``never``: the plan never
    changes the lever."""

    enabled: DatedBool = True
    effective: Effective | None = None


class Practice(Lever):
    """A lever that was practice before the plan: ``level`` scales its effect sizes
    (1 = the plan's; its pre-plan level is in the lever registry)."""

    level: Num(0.0, 2.0, dated=True, description="share of the plan's effect sizes") = 1.0


class RdSubsidy(Lever):
    """A1 研发投入补助."""

    rate: Num(0.0, 1.0, dated=True) = 0.20
    cap_wan: Num(0.0, dated=True) = 1000.0
    window_quarters: Num(1, 40, integer=True) = 12
    payer: Literal["province", "zone"] = "province"


class Referral(Lever):
    """B1 跨园区招商分配."""

    referrer_share: Num(0.0, 1.0, dated=True) = 0.4


class ClusterAward(Lever):
    """A2 国家创新型产业集群奖励: once per newly approved national cluster."""

    amount_wan: Num(0.0, dated=True) = 500.0
    payer: Literal["province", "zone"] = "province"


class ScenarioPilot(Lever):
    """A3 应用场景试点支持: 30% of a pilot's investment, at most 2000万元, paid by the zone."""

    rate: Num(0.0, 1.0, dated=True) = 0.30
    cap_wan: Num(0.0, dated=True) = 2000.0
    pilots_per_zone_year: Num(0.0, description="pilots a zone accepts a year (assumption)",
                              dated=True) = 2.0
    investment_median_wan: Num(0.0, lo_open=True, description="median pilot investment "
                               "(assumption)") = 3000.0
    max_investment_to_revenue: Num(0.0, lo_open=True, description="a pilot's investment is "
                                   "at most this multiple of the firm's revenue over the "
                                   "last four quarters (assumption: 1; range 0.5-2)") = 1.0
    min_revenue_wan: Num(0.0, description="firms the zone considers able to carry a pilot: "
                         "revenue over the last four quarters at least this, 万元 "
                         "(assumption: 1000; range 300-3000)") = 1000.0
    payer: Literal["province", "zone"] = "zone"


class ResearcherStartup(Lever):
    """A4 科研人员创业补助: at most 50万元 to a researcher-founder with own IP."""

    amount_wan: Num(0.0, dated=True) = 50.0
    share_of_maximum: Num(0.0, 1.0, dated=True, description="what is paid as a share of "
                          "the plan's 'at most' amount (docs/levers.md: 1, the maximum, "
                          "absent any record of actual grants; range 0.5-1)") = 1.0
    own_ip_share: Num(0.0, 1.0, description="share of researcher founders with their own "
                      "IP (assumption)") = 0.6
    payer: Literal["province", "zone"] = "province"


class HteMatching(Lever):
    """A5 高企认定配套奖励: provincial award for a new 高企 plus the zone's match."""

    provincial_award_wan: Num(0.0, dated=True, description="assumption: the province's "
                              "existing award for a newly certified 高企") = 20.0
    ratio: Num(0.0, dated=True, description="zone's match per yuan of the provincial "
               "award; the plan says at least 1:1") = 1.0
    # the plan's match is "在省级补助的基础上": by default the zone's match is claimed when
    # the province pays its award (payment); "decision": when the province's award is
    # decided (the claim arises), whether or not it is paid (docs/levers.md, A5)
    match_follows: Literal["payment", "decision"] = "payment"


class UnicornAward(Lever):
    """A6 独角兽奖励: at most 1000万元, once per unicorn with its HQ in the zone."""

    amount_wan: Num(0.0, dated=True) = 1000.0
    payer: Literal["province", "zone"] = "zone"
    share_of_maximum: Num(0.0, 1.0, dated=True, description="what is paid as a share of "
                          "the plan's 'at most' amount (docs/levers.md: 1, the maximum, "
                          "absent any record of actual grants; range 0.5-1)") = 1.0


class ZoneApprovalAward(Lever):
    """A7 新获批高新区研发经费: once per newly approved national / provincial zone."""

    national_wan: Num(0.0, dated=True) = 1000.0
    provincial_wan: Num(0.0, dated=True) = 500.0
    share_of_maximum: Num(0.0, 1.0, dated=True, description="what is paid as a share of "
                          "the plan's 'at most' amount (docs/levers.md: 1, the maximum, "
                          "absent any record of actual grants; range 0.5-1)") = 1.0


class RankingAward(Lever):
    """A8 排名奖励: entering the national top 40; rising 10 or more places in a year."""

    top40_wan: Num(0.0, dated=True) = 1000.0
    rise10_wan: Num(0.0, dated=True) = 500.0
    once: bool = True  # each award once ever per zone (levers.md default)


class EnclaveSubsidy(Lever):
    """A9 飞地园区补助: 30% of an enclave park's construction investment, at most 500万元."""

    rate: Num(0.0, 1.0, dated=True) = 0.30
    cap_wan: Num(0.0, dated=True) = 500.0


class OpenCompetition(Lever):
    """A10 揭榜挂帅支持: support at a rate of the firm's investment (no rate in the plan)."""

    rate: Num(0.0, 1.0, dated=True, description="assumption") = 0.2
    cap_wan: Num(0.0, dated=True, description="assumption") = 500.0
    projects_per_year: Num(0.0, description="projects listed a year, province (assumption)"
                           ) = 20.0
    investment_median_wan: Num(0.0, lo_open=True) = 1000.0
    payer: Literal["province", "zone"] = "province"


class ResearcherLeave(Lever):
    """B2 科研人员离岗创业: keep the post 3 years, once 3 more if not yet profitable."""

    years: Num(0, 10, integer=True) = 3
    extension_years: Num(0, 10, integer=True) = 3


def _check_model_name(v: Any) -> str:
    if v not in OPERATING_MODELS:
        _fail("operating_model", f"{v!r} is not an operating model (valid: "
                                 f"{', '.join(OPERATING_MODELS)})")
    return v


DatedModel = Annotated[Any, PlainValidator(lambda v: _check_dated(v, _check_model_name))]


class OperatingModel(Lever):
    """B3 运营模式: which zones adopt which model, from when (zone id -> dated model)."""

    adopt: dict[str, DatedModel] = {}


class Flag(Lever):
    """A rule without money that is either in force or not (dated ``enabled``)."""


class IncubatorUpgrade(Lever):
    """B8 孵化载体: more places and better incubation."""

    capacity_growth_per_year: Num(0.0, 1.0) = 0.10


class Land(Lever):
    """B11 用地保障: land reserved for growth on top of each zone's quota."""

    extra_ha_per_year: Num(0.0, dated=True, description="per zone, hectares") = 20.0


class Enclaves(Lever):
    """B13 飞地: enclave parks built by the zones elsewhere."""

    per_zone_year: Num(0.0, description="enclaves a national zone starts a year "
                       "(provincial zones half; assumption)") = 0.3
    investment_median_wan: Num(0.0, lo_open=True) = 5000.0
    firms_per_enclave_year: Num(0.0, description="firms 'R&D elsewhere, registered here' "
                                "an enclave brings a year (assumption)") = 4.0


class NonStacking(Strict):
    """就高不就低: awards of one group to one firm in one year are not added up."""

    groups: list[list[Literal["A1", "A3", "A4", "A5", "A6", "A10"]]] = STACKING_GROUPS


class Budget(Strict):
    """Yearly award budgets of the province and of each zone."""

    province_wan_per_year: Num(0.0, dated=True) = 100000.0
    zone_wan_per_year: Num(0.0, dated=True) = 10000.0
    on_exhausted: Literal["defer", "lapse"] = "defer"
    # money the province transfers into a zone's fund (A2, A7, A8, A9) that the zone has
    # not spent by the end of a year: kept for the next (true) or gone (false)
    zone_fund_carry_over: bool = True


class Policy(Strict):
    """The action plan's levers: A1-A10 money rules, B1-B15 rules without money, and
    the quarter the plan takes effect (assumption: adopted late 2025, in force from
    2026Q1; range 2025Q4-2026Q3; docs/levers.md "When the plan acts")."""

    effective: Effective = "2026Q1"
    rd_subsidy: RdSubsidy = RdSubsidy()
    cluster_award: ClusterAward = ClusterAward()
    scenario_pilot: ScenarioPilot = ScenarioPilot()
    researcher_startup: ResearcherStartup = ResearcherStartup()
    hte_matching: HteMatching = HteMatching()
    unicorn_award: UnicornAward = UnicornAward()
    zone_approval_award: ZoneApprovalAward = ZoneApprovalAward()
    ranking_award: RankingAward = RankingAward()
    enclave_subsidy: EnclaveSubsidy = EnclaveSubsidy()
    open_competition: OpenCompetition = OpenCompetition()
    referral: Referral = Referral()
    researcher_leave: ResearcherLeave = ResearcherLeave()
    operating_model: OperatingModel = OperatingModel()
    delegated_powers: Flag = Flag()
    pay_reform: Flag = Flag()
    ladder: Practice = Practice()
    specialised_pool: Practice = Practice()
    incubator_upgrade: IncubatorUpgrade = IncubatorUpgrade()
    tech_transfer: Flag = Flag()
    innovation_points: Practice = Practice()
    land: Land = Land()
    supply_matching: Flag = Flag()
    enclaves: Enclaves = Enclaves()
    assessment: Flag = Flag()
    fault_tolerance: Flag = Flag()
    non_stacking: NonStacking = NonStacking()
    budget: Budget = Budget()


def _params_model(name: str, table: dict) -> type[Strict]:
    fields = {
        k: (Num(p.valid[0], p.valid[1], integer=p.integer, description=f"{p.unit}: {p.doc}"),
            p.default)
        for k, p in table.items()
    }
    return create_model(name, __base__=Strict, **fields)


Behaviour = _params_model("Behaviour", BEHAVIOUR)
Constants = _params_model("Constants", CONSTANTS)


PLANNER = "planner"
PUBLISHED = "published:"
SOURCE_FORMS = ("`planner` (a planner's own target, not a published goal) or `published: "
                "<the goal and its reference>`, e.g. 'published: 专精特新 3,000 by 2027 "
                "(province), 云政办发〔2025〕27号'")


def _check_source(v: Any) -> str:
    """A target's origin: ``planner``, or ``published: <goal and reference>``."""
    if isinstance(v, str):
        t = v.strip()
        if t == PLANNER:
            return PLANNER
        if t.startswith(PUBLISHED) and t[len(PUBLISHED):].strip():
            return f"{PUBLISHED} {t[len(PUBLISHED):].strip()}"
    _fail("target_source", f"{_describe(v)} does not say where the target comes from "
                           f"(valid: {SOURCE_FORMS})")


TargetSource = Annotated[Any, PlainValidator(_check_source),
                         Field(description=f"where the target comes from: {SOURCE_FORMS}")]


def source_kind(source: str | None) -> str:
    """``published`` or ``planner`` (``unknown`` for a record made before targets had a
    source)."""
    if source == PLANNER:
        return PLANNER
    if isinstance(source, str) and source.startswith(PUBLISHED):
        return "published"
    return "unknown"


class Target(Strict):
    """A target: metric at quarter ``by`` (stock) or summed over 4 quarters (flow), and
    where it comes from (``source``: a published goal with its reference, or the
    planner's own; required, so that no target is shown without its origin)."""

    id: Name
    source: TargetSource
    metric: Text
    zone: Text = "ALL"
    sector: Text = "ALL"
    by: Quarter
    op: Literal[">=", "<="] = ">="
    threshold: Num()


class Input(Strict):
    """An input uncertainty: the value at ``key`` (a dotted path as ``--set`` takes it)
    is drawn uniformly from ``[low, high]`` (in the key's unit) per replicate with
    ``--sample-inputs``. ``central`` is filled by the loader: the value at ``key`` in the
    scenario that declares this row (it must lie in ``[low, high]``); a scenario whose
    value differs (a variant) runs with ``value x draw / central``."""

    key: Text
    low: Num()
    high: Num()
    source: Text
    central: Num() | None = None


class Province(Strict):
    """How many high-tech zones the province has, to say what share of them a scenario
    models (the report's "what was run"); every figure needs its source."""

    national_zones: Num(0, 1000, integer=True)
    provincial_zones: Num(0, 1000, integer=True)
    year: Num(1980, 2100, integer=True)
    source: Text


class Scenario(Strict):
    """A whole scenario, after ``extends`` and ``--set`` are resolved."""

    name: Name
    description: str = ""
    seed: Num(0, 2**63 - 1, integer=True) = 20250601
    replicates: Num(1, 100000, integer=True) = DEFAULT_REPLICATES
    calendar: Calendar = Calendar()
    population: Population = Population()
    sectors: list[Sector]
    zones: list[Zone]
    incubators: list[Incubator] = []
    capital: list[CapitalProvider] = []
    projects: Projects
    policy: Policy = Policy()
    constants: Constants = Constants()  # type: ignore[valid-type]
    behaviour: Behaviour = Behaviour()  # type: ignore[valid-type]
    targets: list[Target] = []
    inputs: list[Input] = []
    sources: dict[str, str] = {}
    province: Province | None = None  # optional: the province's own count of zones


# --------------------------------------------------------------------------- relations


def cross_check(s: Scenario, metric_names: set[str], flow_metrics: set[str]) -> list[tuple]:
    """Relations between sections; returns ``[(loc, message), ...]``."""
    errs: list[tuple] = []
    start, end = q_index(s.calendar.start), q_index(s.calendar.end)
    for key, q in (("start", s.calendar.start), ("end", s.calendar.end)):
        if not q_index(FIRST_QUARTER) <= q_index(q) <= q_index(LAST_QUARTER):
            errs.append((("calendar", key), f"{q} is outside the quarters a run can cover "
                         f"(valid: {FIRST_QUARTER} to {LAST_QUARTER})"))
    if end < start:
        errs.append((("calendar", "end"), f"{s.calendar.end} is before the start "
                     f"{s.calendar.start} (valid: a quarter at or after the start)"))
    for i, c in enumerate(s.calendar.checkpoints):
        if q_index(c) < start:  # after the end is allowed: it is not reached
            errs.append((("calendar", "checkpoints", i), f"{c} is before the calendar's "
                         f"start {s.calendar.start} (valid: a quarter from the start on)"))
    sector_ids = [x.id for x in s.sectors]
    errs += _unique(sector_ids, "sectors")
    if "other" not in sector_ids:
        errs.append((("sectors",), "no sector 'other' (valid: declare a sector with id "
                     "'other' for firms outside the named industries)"))
    zone_ids = [z.id for z in s.zones]
    errs += _unique(zone_ids, "zones")
    sect = set(sector_ids)
    for i, z in enumerate(s.zones):
        for j, li in enumerate(z.leading_industries):
            if li not in sect:
                errs.append((("zones", i, "leading_industries", j),
                             f"unknown sector {li!r} (valid: {', '.join(sector_ids)})"))
        for j, li in enumerate(z.national_clusters):
            if li not in z.leading_industries:
                errs.append((("zones", i, "national_clusters", j),
                             f"{li!r} is not a leading industry of this zone (valid: "
                             f"{', '.join(z.leading_industries)})"))
        f = z.firms
        for k in f.sector_shares:
            if k not in sect:
                errs.append((("zones", i, "firms", "sector_shares", k),
                             f"unknown sector {k!r} (valid: {', '.join(sector_ids)})"))
        tot = sum(f.sector_shares.values())
        if abs(tot - 1.0) > 0.01:
            errs.append((("zones", i, "firms", "sector_shares"),
                         f"shares add up to {tot:.3f} (valid: they add up to 1)"))
        if f.gazelle + f.leader > f.hte:
            errs.append((("zones", i, "firms", "hte"), f"{f.hte} is fewer than gazelles + "
                         f"leaders = {f.gazelle + f.leader} (valid: hte counts them too)"))
        if f.tech_sme + f.hte > f.total:
            errs.append((("zones", i, "firms", "total"), f"{f.total} is fewer than tech_sme "
                         f"+ hte = {f.tech_sme + f.hte}"))
        for k in ("specialised", "listed"):
            if getattr(f, k) > f.total:
                errs.append((("zones", i, "firms", k), f"more than total ({f.total})"))
        errs += _top_firms(z, i, sect, start)
        if z.level == "national" and z.national_rank is None:
            errs.append((("zones", i, "level"), "a national zone needs national_rank "
                         "(its rank among the national zones; an assumption if unpublished)"))
    for i, inc in enumerate(s.incubators):
        if inc.zone not in zone_ids:
            errs.append((("incubators", i, "zone"), f"unknown zone {inc.zone!r} (valid: "
                         f"{', '.join(zone_ids)})"))
    errs += _unique([x.id for x in s.incubators], "incubators")
    errs += _unique([x.id for x in s.capital], "capital")
    for i, c in enumerate(s.capital):
        if c.zones != "all":
            for j, zid in enumerate(c.zones):
                if zid not in zone_ids:
                    errs.append((("capital", i, "zones", j), f"unknown zone {zid!r}"))
    if not any(x.project_weight > 0 for x in s.sectors) and s.projects.per_quarter > 0:
        errs.append((("sectors",), "no sector has project_weight > 0"))
    for i, t in enumerate(s.targets):
        if t.metric not in metric_names:
            errs.append((("targets", i, "metric"), f"unknown metric {t.metric!r} (valid: "
                         f"{', '.join(sorted(metric_names))})"))
        if t.zone != "ALL" and t.zone not in zone_ids:
            errs.append((("targets", i, "zone"), f"unknown zone {t.zone!r} (valid: ALL, "
                         f"{', '.join(zone_ids)})"))
        if t.sector != "ALL" and t.sector not in sect:
            errs.append((("targets", i, "sector"), f"unknown sector {t.sector!r}"))
        if q_index(t.by) < start - 1:
            errs.append((("targets", i, "by"), f"{t.by} is before the initial state"))
    errs += _unique([t.id for t in s.targets], "targets")
    errs += _dated_starts(s, start)
    for zid in s.policy.operating_model.adopt:
        if zid not in zone_ids:
            errs.append((("policy", "operating_model", "adopt", zid), f"unknown zone {zid!r} "
                         f"(valid: {', '.join(zone_ids)})"))
    for i, x in enumerate(s.inputs):
        if x.low > x.high:
            errs.append((("inputs", i, "high"), f"{x.high:g} is below low {x.low:g} (valid: "
                         "low <= high)"))
    errs += _unique_keys([x.key for x in s.inputs])
    b = s.behaviour
    if b.misfit_land_prob > b.fit_land_prob:
        errs.append((("behaviour", "misfit_land_prob"), "larger than fit_land_prob (valid: a "
                     "project lands at least as often where it fits)"))
    return errs


def _top_firms(z: Zone, i: int, sectors: set[str], start: int) -> list[tuple]:
    """A zone's largest firms: known sectors, founded by the start, fewer than its firms,
    together at most 90% of its revenue, certified ones within its 高企."""
    f, out = z.firms, []
    loc = ("zones", i, "firms", "top")
    ids = [t.id for t in f.top]
    out += [(loc + (j, "id"), f"duplicate id {x!r} (valid: each id once within the zone)")
            for j, x in enumerate(ids) if ids.index(x) != j]
    for j, t in enumerate(f.top):
        if t.sector not in sectors:
            out.append((loc + (j, "sector"), f"unknown sector {t.sector!r} (valid: "
                        f"{', '.join(sorted(sectors))})"))
        if t.founded * 4 >= start:
            out.append((loc + (j, "founded"), f"{t.founded} is not before the start year "
                        f"{start // 4} (valid: a year before the start)"))
    tot = sum(t.revenue_wan for t in f.top)
    if tot > 0.9 * f.revenue_wan:
        out.append((loc, f"the top firms' revenue {tot:g} is more than 90% of the zone's "
                    f"revenue_wan {f.revenue_wan:g} (valid: at most 90%, the rest is the "
                    f"zone's other firms)"))
    if len(f.top) >= f.total:
        out.append((loc, f"{len(f.top)} top firms for {f.total} firms (valid: fewer top "
                    f"firms than firms)"))
    certified = sum(t.hte for t in f.top)
    if certified > f.hte:
        out.append((loc, f"{certified} certified top firms but hte is {f.hte} (valid: hte "
                    f"counts them too)"))
    return out


def _unique(ids: list[str], section: str) -> list[tuple]:
    seen: dict[str, int] = {}
    out = []
    for i, x in enumerate(ids):
        if x in seen:
            out.append(((section, i, "id"), f"duplicate id {x!r} (also entry {seen[x] + 1})"))
        seen[x] = i
    return out


def _unique_keys(keys: list[str]) -> list[tuple]:
    seen: dict[str, int] = {}
    out = []
    for i, k in enumerate(keys):
        if k in seen:
            out.append((("inputs", i, "key"), f"duplicate key {k!r} (also entry {seen[k] + 1})"))
        seen[k] = i
    return out


def _dated_starts(s: Scenario, start: int) -> list[tuple]:
    """A dated value must say what holds at the start: its first key at or before it."""
    out = []

    def walk(obj: Any, loc: tuple) -> None:
        if isinstance(obj, BaseModel):
            for k in type(obj).model_fields:
                walk(getattr(obj, k), loc + (k,))
        elif isinstance(obj, dict) and obj and all(is_quarter(k) for k in obj):
            first = next(iter(obj))
            if q_index(first) > start:
                out.append((loc, f"the first date {first} is after the calendar's start "
                                 f"{s.calendar.start} (valid: give the value at the start "
                                 f"too, e.g. {{{s.calendar.start}: ..., {first}: ...}})"))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, loc + (k,))
        elif isinstance(obj, list):
            for i, x in enumerate(obj):
                walk(x, loc + (i,))

    walk(s.policy, ("policy",))
    for i, z in enumerate(s.zones):
        walk(z.budget_wan_per_year, ("zones", i, "budget_wan_per_year"))
    return out
